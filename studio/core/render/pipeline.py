"""The pipeline that turns a template and variables into a ready message.

Stages, each timed (``RenderedMessage.timings``, read by the benchmark):

1. ``jinja``  – subject, preheader and body in the workspace's sandboxed environment;
2. ``track``  – UTM tags on links to the brand's own domains (on the MJML);
3. ``mjml``   – MRML compiles MJML to HTML (and inlines ``mj-style inline`` CSS);
4. ``text``   – the plain-text alternative, from the MJML;
5. ``mime``   – the ``multipart/alternative`` message.

Errors become :class:`~studio.errors.RenderError` naming the file and line (for
Jinja) or the template (for MJML), and the template and sample being rendered.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from functools import cached_property, partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2.exceptions import SecurityError

from ...errors import ConfigError, RenderError, TemplateNotFound
from ..message import build_message
from ..sms import SmsInfo, analyze
from ..templates import Template, parse_template
from ..variables import control_character
from .jinja import SharedCodeCache, Translations, build_environment, parse_locale
from .mjml import compile_mjml
from .text import mjml_to_text
from .tracking import UtmPolicy, tag_links, tag_text_urls

if TYPE_CHECKING:
    from ..workspace import Workspace

STAGES = ("jinja", "track", "mjml", "text", "mime")


@dataclass(frozen=True)
class RenderedMessage:
    """Everything a render produces.

    Attributes:
        template: the template name (None for a lone MJML file).
        sample: the sample set's name, when one was used.
        locale: the locale rendered in, e.g. ``fr-FR``.
        subject, preheader: rendered from the front matter.
        mjml: the MJML after Jinja and link tagging (what MRML compiled).
        html: the final HTML part.
        text: the plain-text part.
        email: a ready :class:`EmailMessage` (no To: the sender adds it), built lazily.
        meta_source: the template as loaded (front matter and body), if any.
        warnings: MRML's warnings.
        timings: seconds spent in each stage of :data:`STAGES`.
    """

    template: str | None
    sample: str | None
    locale: str
    subject: str
    preheader: str
    mjml: str
    html: str
    text: str
    build_email: Callable[[RenderedMessage], EmailMessage] = field(repr=False, compare=False)
    meta_source: Template | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)

    @cached_property
    def email(self) -> EmailMessage:
        """The MIME message, built on first use (previews never need it).

        A fresh Message-ID and Date are set when it is built; the ``mime`` entry of
        :attr:`timings` records the cost.
        """
        t0 = time.perf_counter()
        msg = self.build_email(self)
        self.timings["mime"] = time.perf_counter() - t0
        return msg

    @property
    def size(self) -> int:
        """Size of the HTML part in bytes (what Gmail's 102 KB clipping counts)."""
        return len(self.html.encode("utf-8"))

    def to_dict(self) -> dict[str, object]:
        """The render as ``studio render --format json`` prints it."""
        return {
            "template": self.template,
            "sample": self.sample,
            "locale": self.locale,
            "subject": self.subject,
            "preheader": self.preheader,
            "html": self.html,
            "text": self.text,
            "size": self.size,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class RenderedSms:
    """A rendered SMS template: its text and how it is encoded and split."""

    template: str
    sample: str | None
    locale: str
    text: str
    info: SmsInfo
    meta_source: Template | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)


def _template_frame(tb: TracebackType | None, root: Path) -> tuple[str, int] | None:
    """The innermost traceback frame that is in a workspace template file."""
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and filename.startswith(str(root)):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


class Renderer:
    """Renders a workspace's templates; holds its one Jinja environment."""

    def __init__(self, workspace: Workspace, *, code: dict[str, bytes] | None = None):
        self.workspace = workspace
        self.root = workspace.root.resolve()
        self.translations = Translations(
            self.root / "brand" / "locales",
            fallback=workspace.settings.default_locale.split("-")[0].split("_")[0],
        )
        self.code: dict[str, bytes] = {} if code is None else code  # shared with variants
        self.env = build_environment(self.root, self.translations, self.code)
        self.text_env = self.env.overlay(
            autoescape=False, bytecode_cache=SharedCodeCache(self.code, "text:")
        )
        self._strings: dict[str, jinja2.Template] = {}
        self._brand: tuple[int, dict[str, Any]] | None = None
        self._variants: dict[frozenset[tuple[str, str]], Renderer] = {}

    # -- inputs --------------------------------------------------------------

    @property
    def overlay(self) -> dict[str, str]:
        """Unsaved editor buffers by workspace-relative path; they win over disk."""
        loader = self.env.loader
        assert isinstance(loader, jinja2.BaseLoader)
        return loader.overlay  # type: ignore[attr-defined,no-any-return]

    def brand(self) -> dict[str, Any]:
        path = self.workspace.brand_file
        if "brand/brand.toml" in self.overlay:
            import tomllib

            try:
                return tomllib.loads(self.overlay["brand/brand.toml"])
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"brand/brand.toml: invalid TOML: {exc}") from None
        try:
            mtime = path.stat().st_mtime_ns
        except OSError:
            return {}
        if self._brand is None or self._brand[0] != mtime:
            self._brand = (mtime, self.workspace.brand())
        return self._brand[1]

    def utm_policy(self, template: str | None, *, sms: bool = False) -> UtmPolicy | None:
        tracking = self.workspace.settings.tracking
        if not tracking.enabled or not tracking.own_domains:
            return None
        campaign = tracking.utm_campaign.replace("{template}", template or "studio")
        params = (
            ("utm_source", tracking.utm_source),
            ("utm_medium", tracking.sms_utm_medium if sms else tracking.utm_medium),
            ("utm_campaign", campaign),
        )
        return UtmPolicy(tracking.own_domains, tuple((k, v) for k, v in params if v))

    # -- rendering -----------------------------------------------------------

    def render(
        self,
        template: str,
        *,
        sample: str | None = None,
        variables: Mapping[str, Any] | None = None,
        locale: str | None = None,
    ) -> RenderedMessage:
        """Render a workspace template by name (see :meth:`Workspace.render`)."""
        tpl = self.workspace.template(template)
        merged, sample_locale = self._sample_variables(template, sample, variables)
        return self.render_template(tpl, merged, locale=locale or sample_locale, sample_name=sample)

    def _sample_variables(
        self, template: str, sample: str | None, variables: Mapping[str, Any] | None
    ) -> tuple[dict[str, Any], str | None]:
        merged: dict[str, Any] = {}
        sample_locale = None
        if sample is not None:
            s = self.workspace.sample(template, sample)
            merged.update(s.variables)
            sample_locale = s.locale
        if variables:
            merged.update(variables)
        return merged, sample_locale

    def _context(
        self, tpl: Template, variables: Mapping[str, Any], locale_tag: str
    ) -> dict[str, Any]:
        bad = control_character(variables)
        if bad:
            raise RenderError(
                f"variable {bad[0]} holds the control character U+{ord(bad[1]):04X}, which an"
                f" e-mail cannot carry: remove it from the data (template {tpl.name!r})",
                kind="error",
                variable=bad[0],
            )
        self.translations.refresh()
        return {
            **variables,
            "brand": self.brand(),
            "locale": locale_tag,
            "template_name": tpl.name,
            "_babel_locale": parse_locale(locale_tag),
        }

    def render_sms(
        self,
        template: str,
        *,
        sample: str | None = None,
        variables: Mapping[str, Any] | None = None,
        locale: str | None = None,
    ) -> RenderedSms:
        """Render an SMS template with the e-mail template's samples of the same name."""
        tpl = self.workspace.sms_template(template)
        merged, sample_locale = self._sample_variables(template, sample, variables)
        return self.render_sms_template(
            tpl, merged, locale=locale or sample_locale, sample_name=sample
        )

    def render_sms_template(
        self,
        tpl: Template,
        variables: Mapping[str, Any],
        *,
        locale: str | None = None,
        sample_name: str | None = None,
    ) -> RenderedSms:
        locale_tag = locale or self.workspace.settings.default_locale
        context = self._context(tpl, variables, locale_tag)
        where = f"SMS template {tpl.name!r}" + (f", sample {sample_name!r}" if sample_name else "")
        with self._jinja_errors(tpl, where):
            raw = self.text_env.get_template(tpl.relname).render(context)
        lines = [line.rstrip() for line in raw.strip().splitlines()]
        text = "\n".join(lines)
        text = tag_text_urls(text, self.utm_policy(tpl.name, sms=True))
        return RenderedSms(
            template=tpl.name,
            sample=sample_name,
            locale=locale_tag,
            text=text,
            info=analyze(text),
            meta_source=tpl,
            variables=dict(variables),
        )

    def render_source(
        self,
        text: str,
        *,
        name: str,
        variables: Mapping[str, Any] | None = None,
        locale: str | None = None,
        sample_name: str | None = None,
    ) -> RenderedMessage:
        """Render unsaved template text (an editor buffer) as template ``name``."""
        path = self.workspace.template_path(name)
        relname = self.workspace.relpath(path)
        tpl = parse_template(text, name=name, path=path, relname=relname)
        self.overlay[relname] = text
        try:
            return self.render_template(
                tpl, dict(variables or {}), locale=locale, sample_name=sample_name
            )
        finally:
            self.overlay.pop(relname, None)

    def _string(self, source: str) -> jinja2.Template:
        compiled = self._strings.get(source)
        if compiled is None:
            compiled = self.text_env.from_string(source)
            self._strings[source] = compiled
        return compiled

    def render_template(
        self,
        tpl: Template,
        variables: Mapping[str, Any],
        *,
        locale: str | None = None,
        sample_name: str | None = None,
    ) -> RenderedMessage:
        settings = self.workspace.settings
        locale_tag = locale or settings.default_locale
        timings: dict[str, float] = {}
        where = f"template {tpl.name!r}" + (f", sample {sample_name!r}" if sample_name else "")
        t0 = time.perf_counter()
        subject, preheader, body = self._jinja_stage(tpl, variables, locale_tag, sample_name)
        t1 = time.perf_counter()
        tagged = tag_links(body, self.utm_policy(tpl.name))
        t2 = time.perf_counter()
        out = compile_mjml(tagged, name=f"{tpl.relname} ({where})")
        t3 = time.perf_counter()
        text = mjml_to_text(tagged)
        t4 = time.perf_counter()
        timings.update(jinja=t1 - t0, track=t2 - t1, mjml=t3 - t2, text=t4 - t3)
        build_email = partial(
            _email_of,
            from_address=settings.from_address,
            reply_to=settings.reply_to,
            domain=settings.transactional_domain or _domain_of(settings.from_address),
        )
        return RenderedMessage(
            template=tpl.name,
            sample=sample_name,
            locale=locale_tag,
            subject=subject,
            preheader=preheader,
            mjml=tagged,
            html=out.html,
            text=text,
            build_email=build_email,
            meta_source=tpl,
            variables=dict(variables),
            warnings=out.warnings,
            timings=timings,
        )

    def _jinja_stage(
        self,
        tpl: Template,
        variables: Mapping[str, Any],
        locale_tag: str,
        sample_name: str | None,
    ) -> tuple[str, str, str]:
        """Subject, preheader and MJML body of a template, from Jinja."""
        context = self._context(tpl, variables, locale_tag)
        where = f"template {tpl.name!r}" + (f", sample {sample_name!r}" if sample_name else "")
        with self._jinja_errors(tpl, where, field="subject"):
            raw_subject = self._string(tpl.meta.subject).render(context)
        if "\r" in raw_subject or "\n" in raw_subject:
            line = tpl.meta.lines.get("subject")
            raise RenderError(
                f"{tpl.relname}:{line}: the subject contains CR/LF, refused"
                f" (header injection) ({where})",
                file=tpl.relname,
                line=line,
            )
        subject = " ".join(raw_subject.split())
        with self._jinja_errors(tpl, where, field="preheader"):
            preheader = " ".join(self._string(tpl.meta.preheader).render(context).split())
        context.update(subject=subject, preheader=preheader)
        with self._jinja_errors(tpl, where):
            body = self.env.get_template(tpl.relname).render(context)
        return subject, preheader, body

    def render_text(self, template: str, *, sample: str | None = None) -> str:
        """Only the plain-text part of a template (Jinja and the text stage).

        No link tagging, no MJML compile, no MIME: for checks that weigh words.
        """
        tpl = self.workspace.template(template)
        merged, sample_locale = self._sample_variables(template, sample, None)
        locale_tag = sample_locale or self.workspace.settings.default_locale
        _, _, body = self._jinja_stage(tpl, merged, locale_tag, sample)
        return mjml_to_text(body)

    def variant(self, overlay: Mapping[str, str]) -> Renderer:
        """A renderer that sees ``overlay`` over this one's buffers (kept for reuse)."""
        files = {**self.overlay, **overlay}
        key = frozenset(files.items())
        found = self._variants.get(key)
        if found is None:
            if len(self._variants) >= 8:
                self._variants.clear()
            found = Renderer(self.workspace, code=self.code)
            found.overlay.update(files)
            self._variants[key] = found
        return found

    class _jinja_errors:
        """Turns Jinja's exceptions into one-line RenderErrors with file and line."""

        def __init__(self, tpl: Template, where: str, field: str | None = None):
            self.tpl = tpl
            self.where = where
            self.field = field  # a front-matter key being rendered (subject, preheader)

        def __enter__(self) -> None:
            return None

        def __exit__(
            self,
            kind: type[BaseException] | None,
            exc: BaseException | None,
            tb: TracebackType | None,
        ) -> None:
            if exc is None or not isinstance(exc, Exception) or isinstance(exc, ConfigError):
                return
            if isinstance(exc, RenderError) and exc.file is not None:
                return
            root = self.tpl.path.parent.parent.resolve()
            rel = self.tpl.relname
            if isinstance(exc, jinja2.TemplateSyntaxError):
                file = _rel(exc.filename, root) if exc.filename else rel
                line = exc.lineno
                raise RenderError(
                    f"{file}:{line}: Jinja syntax error: {exc.message} ({self.where})",
                    file=file,
                    line=line,
                    kind="syntax",
                ) from None
            if isinstance(exc, jinja2.TemplateNotFound):
                frame = _template_frame(tb, root)
                file, line = (_rel(frame[0], root), frame[1]) if frame else (rel, 0)
                what = f"no such component or template {exc.name!r}"
                if exc.message != exc.name:  # a reason: a name outside the template folders
                    what = str(exc.message)
                raise TemplateNotFound(
                    f"{file}:{line}: {what} ({self.where})",
                    file=file,
                    line=line,
                    kind="missing",
                ) from None
            frame = _template_frame(tb, root)
            file, line = (_rel(frame[0], root), frame[1]) if frame else (rel, 0)
            if frame is None and self.field:
                line = self.tpl.meta.lines.get(self.field, 0)
            loc = f"{file}:{line}" if line else file
            variable = None
            if isinstance(exc, SecurityError) or "unsafe" in str(exc):
                category, what = "sandbox", f"sandbox refused: {exc}"
            elif isinstance(exc, jinja2.UndefinedError):
                variable = _undefined_name(str(exc), frame_line_text(root, file, line))
                category, what = "undefined", f"undefined variable {variable}: {exc}"
            elif isinstance(exc, RenderError):
                category, what = exc.kind, str(exc)
            else:
                category, what = "error", f"{type(exc).__name__}: {exc}"
            raise RenderError(
                f"{loc}: {what} ({self.where})",
                file=file,
                line=line,
                kind=category,
                variable=variable,
            ) from None


def _email_of(
    msg: RenderedMessage, *, from_address: str | None, reply_to: str | None, domain: str | None
) -> EmailMessage:
    headers = {"X-Studio-Template": msg.template} if msg.template else {}
    return build_message(
        subject=msg.subject,
        html=msg.html,
        text=msg.text,
        from_address=from_address,
        reply_to=reply_to,
        domain=domain,
        extra_headers=headers,
    )


_UNDEFINED = re.compile(r"^'([^']+)' is undefined")
_NO_ATTR = re.compile(r"has no attribute '([^']+)'")


def frame_line_text(root: Path, file: str, line: int | None) -> str:
    """The text of ``file``'s line ``line`` (for naming an undefined attribute)."""
    if not line:
        return ""
    try:
        lines = (root / file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _undefined_name(message: str, line_text: str) -> str:
    """``'order' is undefined`` → ``order``; a missing attribute → its dotted path."""
    m = _UNDEFINED.match(message)
    if m:
        return m.group(1)
    m = _NO_ATTR.search(message)
    if m:
        attr = m.group(1)
        path = re.search(rf"([A-Za-z_][\w.]*)\.{re.escape(attr)}\b", line_text)
        return f"{path.group(1)}.{attr}" if path else attr
    return message


def _rel(filename: str, root: Path) -> str:
    try:
        return Path(filename).resolve().relative_to(root).as_posix()
    except ValueError:
        return filename


def _domain_of(address: str | None) -> str | None:
    if not address:
        return None
    _, addr = parseaddr(address)
    return addr.rpartition("@")[2] or None


def load_vars_file(path: Path) -> dict[str, Any]:
    """Variables from a JSON file given with ``--vars`` (errors name file and line)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object of variables")
    return data


def render_mjml_file(path: Path) -> RenderedMessage:
    """Compile a lone MJML file as it is (no Jinja: ``{{ }}`` stays text)."""
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateNotFound(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    t0 = time.perf_counter()
    out = compile_mjml(source, name=str(path))
    t1 = time.perf_counter()
    text = mjml_to_text(source)
    t2 = time.perf_counter()
    subject = " ".join((out.title or path.stem).split())
    return RenderedMessage(
        template=None,
        sample=None,
        locale="",
        subject=subject,
        preheader=" ".join((out.preview or "").split()),
        mjml=source,
        html=out.html,
        text=text,
        build_email=partial(_email_of, from_address=None, reply_to=None, domain=None),
        warnings=out.warnings,
        timings={"jinja": 0.0, "track": 0.0, "mjml": t1 - t0, "text": t2 - t1},
    )
