"""The pipeline that turns a template and variables into a ready message.

Stages, each timed (``RenderedMessage.timings``, read by the benchmark):

1. ``jinja``  – subject, preheader and body in the workspace's sandboxed environment;
2. ``track``  – UTM tags on links to the brand's own domains (on the MJML);
3. ``mjml``   – MRML compiles MJML to HTML (and inlines ``mj-style inline`` CSS);
4. ``text``   – the plain-text alternative, from the MJML;
5. ``mime``   – the ``multipart/alternative`` message.

Errors become :class:`~studio.errors.RenderError` naming the file and line (for
Jinja, :mod:`.jinja_errors`) or the template (for MJML), and the template and sample
being rendered.
"""

from __future__ import annotations

import json
import re
import threading
import time
import tomllib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from email.message import EmailMessage
from email.utils import parseaddr
from functools import partial
from pathlib import Path
from types import CodeType, MappingProxyType
from typing import Any

import jinja2

from ...errors import ConfigError, RenderError, TemplateNotFound
from ..message import build_message
from ..sms import analyze
from ..templates import Template, parse_template
from ..variables import control_character
from ..workspace import Sample, Workspace, parse_sample
from . import memo
from .jinja import CodeStore, SharedCodeCache, Translations, build_environment, parse_locale
from .jinja_errors import JinjaErrors
from .memo import MacroMemo
from .mjml import compile_mjml
from .origin import OutputMap
from .result import RenderedMessage as RenderedMessage
from .result import RenderedSms as RenderedSms
from .text import mjml_to_text
from .tracking import UtmPolicy, tag_links, tag_text_urls

STAGES = ("jinja", "track", "mjml", "text", "mime")
BRAND_FILE = "brand/brand.toml"  # the buffer that stands in for the brand tokens
LOCALES_DIR = "brand/locales/"  # buffers of <language>.toml here stand in for the strings


class RenderCaches:
    """What a workspace's renderer shares with its variants: caches, never buffers.

    Every entry is keyed so that a renderer cannot pick up another's text: compiled
    code by source checksum, the brand and translation tables by file modification
    time, variants by their whole set of buffers.
    """

    VARIANTS = 8  # variants kept for reuse (the promo rule asks for the same one per template)

    def __init__(self, workspace: Workspace):
        self.translations = Translations(
            workspace.root.resolve() / "brand" / "locales",
            fallback=workspace.settings.default_locale.split("-")[0].split("_")[0],
        )
        self.code: CodeStore = {}
        self.strings: dict[str, CodeType] = {}  # subject and preheader code, by source
        self.brand: tuple[int, dict[str, Any]] | None = None
        self.variants: OrderedDict[frozenset[tuple[str, str]], Renderer] = OrderedDict()
        self.lock = threading.Lock()
        self.macros = MacroMemo()  # component output by its inputs (:mod:`.memo`)


class Renderer:
    """Renders a workspace's templates, as saved or with some files replaced by buffers.

    ``buffers`` (workspace-relative path → text, e.g. ``{"components/footer.mjml":
    ...}``) are the unsaved editor text a render should see instead of the files:
    templates, components, ``samples/<template>/<case>.json``, ``brand/brand.toml``
    and ``brand/locales/<language>.toml``. They are copied when the renderer is made
    and never change, so a renderer is a value its caller owns: a render on one
    thread never sees the buffers of another. Get the workspace's renderer with
    :func:`renderer_for`, and one that sees some buffers with :meth:`variant`;
    variants share compiled code (where the text is the same) and the brand and
    translation tables (a variant with locale buffers lays its own over them).
    """

    def __init__(
        self,
        workspace: Workspace,
        *,
        buffers: Mapping[str, str] | None = None,
        caches: RenderCaches | None = None,
        lenient: bool = False,
    ):
        self.workspace = workspace
        self.root = workspace.root.resolve()
        self.buffers: Mapping[str, str] = MappingProxyType(dict(buffers or {}))
        self.caches = caches if caches is not None else RenderCaches(workspace)
        self.translations = self.caches.translations
        self.is_lenient = lenient
        locales = {
            rel.removeprefix(LOCALES_DIR).removesuffix(".toml"): text
            for rel, text in self.buffers.items()
            if rel.startswith(LOCALES_DIR) and rel.endswith(".toml") and rel.count("/") == 2
        }
        if locales:  # this renderer's own tables; the shared ones stay as saved
            self.translations = self.translations.with_buffers(locales)
        # A lenient renderer compiles its own code: none of it reaches strict renderers.
        code = None if lenient else self.caches.code
        self.env = build_environment(
            self.root, self.translations, code, self.buffers, lenient=lenient
        )
        self.text_env = self.env.overlay(
            autoescape=False,
            bytecode_cache=SharedCodeCache(code, "text:") if code is not None else None,
        )
        self._strings: dict[str, jinja2.Template] = {}

    def variant(self, buffers: Mapping[str, str]) -> Renderer:
        """A renderer that sees ``buffers`` over this one's (this one is unchanged).

        The last few variants are kept and handed out again for the same buffers,
        which is safe because a renderer's buffers never change.
        """
        files = {**self.buffers, **buffers}
        if files == self.buffers:
            return self
        key = frozenset(files.items())
        caches = self.caches
        with caches.lock:
            found = caches.variants.get(key)
            if found is not None:
                caches.variants.move_to_end(key)
                return found
        made = Renderer(self.workspace, buffers=files, caches=caches)
        with caches.lock:
            found = caches.variants.setdefault(key, made)
            while len(caches.variants) > caches.VARIANTS:
                caches.variants.popitem(last=False)
        return found

    def lenient(self) -> Renderer:
        """This renderer's twin that marks missing values instead of failing (lint only).

        Still the same sandbox and bounds; only an undefined value renders as
        ``[missing: name]``. Made on each call: lint asks for it once per template
        whose sample lacks a variable.
        """
        return Renderer(self.workspace, buffers=self.buffers, caches=self.caches, lenient=True)

    # -- inputs --------------------------------------------------------------

    def brand(self) -> dict[str, Any]:
        """The brand tokens: the ``brand/brand.toml`` buffer if there is one, else the file."""
        if BRAND_FILE in self.buffers:
            try:
                return tomllib.loads(self.buffers[BRAND_FILE])
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{BRAND_FILE}: invalid TOML: {exc}") from None
        path = self.workspace.brand_file
        try:
            mtime = path.stat().st_mtime_ns
        except OSError:
            return {}
        cached = self.caches.brand
        if cached is None or cached[0] != mtime:
            cached = (mtime, self.workspace.brand())
            self.caches.brand = cached
        return cached[1]

    def _brand_version(self, brand: dict[str, Any]) -> Hashable | None:
        """What stands for ``brand`` (as :meth:`brand` gave it) in a kept output's key."""
        if BRAND_FILE in self.buffers:
            return ("brand buffer", self.buffers[BRAND_FILE])
        cached = self.caches.brand
        if cached is not None and cached[1] is brand:
            return ("brand file", cached[0])
        return None

    def template(self, name: str) -> Template:
        """The e-mail template ``name``, from its buffer if there is one."""
        return self._template(name, self.workspace.template_path(name), self.workspace.template)

    def sms_template(self, name: str) -> Template:
        """The SMS template ``name``, from its buffer if there is one."""
        ws = self.workspace
        return self._template(name, ws.sms_template_path(name), ws.sms_template)

    def _template(self, name: str, path: Path, load: Callable[[str], Template]) -> Template:
        if self.buffers:  # (resolving the path costs a system call per folder)
            relname = self.workspace.relpath(path)
            if relname in self.buffers:
                return parse_template(self.buffers[relname], name=name, path=path, relname=relname)
        return load(name)

    def sample(self, template: str, name: str) -> Sample:
        """Sample ``name`` of ``template``, from its buffer if there is one."""
        if self.buffers:
            path = self.workspace.samples_dir / template / f"{name}.json"
            relname = self.workspace.relpath(path)
            if relname in self.buffers:
                return parse_sample(self.buffers[relname], path, template=template, relname=relname)
        return self.workspace.sample(template, name)

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

    def read(self, relname: str) -> str:
        """A workspace file's text (a partial's), from its buffer if there is one."""
        if relname in self.buffers:
            return self.buffers[relname]
        return (self.root / relname).read_text(encoding="utf-8")

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
        tpl = self.template(template)
        merged, sample_locale = self._sample_variables(template, sample, variables)
        return self.render_template(tpl, merged, locale=locale or sample_locale, sample_name=sample)

    def _sample_variables(
        self, template: str, sample: str | None, variables: Mapping[str, Any] | None
    ) -> tuple[dict[str, Any], str | None]:
        merged: dict[str, Any] = {}
        sample_locale = None
        if sample is not None:
            s = self.sample(template, sample)
            merged.update(s.variables)
            sample_locale = s.locale
        if variables:
            merged = deep_merge(merged, variables)
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
        tpl = self.sms_template(template)
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
        with JinjaErrors(self.buffers, tpl, where):
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

    def _string(self, source: str) -> jinja2.Template:
        """A front-matter string (subject, preheader) compiled, sharing code with variants."""
        compiled = self._strings.get(source)
        if compiled is None:
            env = self.text_env
            code = self.caches.strings.get(source)
            if code is None:
                code = env.compile(source)
                if len(self.caches.strings) >= 512:
                    self.caches.strings.clear()  # edits of a subject line, one per key
                self.caches.strings[source] = code
            compiled = env.template_class.from_code(env, code, env.make_globals(None))
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
        try:
            out = compile_mjml(
                tagged,
                name=f"{tpl.relname} ({where})",
                file=tpl.relname,
                root=self.root,
                read=self.read,
            )
        except RenderError as exc:
            placed = self._placed(exc, tpl, variables, locale_tag, subject, preheader, tagged)
            raise placed from None
        t3 = time.perf_counter()
        # the text part from the MJML with its partials spliced in, as the HTML is
        text = mjml_to_text(out.source.text if out.source is not None else tagged)
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
            mjml_source=out.source,
            timings=timings,
        )

    def output_map(
        self,
        tpl: Template,
        variables: Mapping[str, Any],
        locale_tag: str,
        subject: str,
        preheader: str,
        output: str,
    ) -> OutputMap | None:
        """Where each line of ``output`` (the template's MJML as rendered with these
        variables) was written: the template's or a component's line (:mod:`.origin`)."""
        context = self._context(tpl, variables, locale_tag)
        context.update(subject=subject, preheader=preheader)
        return OutputMap.of(self.env, tpl.relname, context, output, self.read)

    def _placed(
        self,
        exc: RenderError,
        tpl: Template,
        variables: Mapping[str, Any],
        locale_tag: str,
        subject: str,
        preheader: str,
        output: str,
    ) -> RenderError:
        """An MJML error in the template's output, placed at the template or component
        line that wrote it (:mod:`.origin`); unchanged if it cannot be placed."""
        if exc.kind != "mjml" or exc.file != tpl.relname or not exc.line:
            return exc  # in an included partial: already at its own line
        m = re.match(r"[^:]*:\d+:(\d+): (.*)", str(exc), re.S)
        if m is None:
            return exc
        where = self.output_map(tpl, variables, locale_tag, subject, preheader, output)
        origin = where.locate(exc.line, int(m.group(1))) if where is not None else None
        if origin is None or (origin.file, origin.line) == (tpl.relname, exc.line):
            return exc
        col = f":{origin.column}" if origin.column else ""
        return RenderError(
            f"{origin.file}:{origin.line}{col}: {m.group(2)}",
            file=origin.file,
            line=origin.line,
            kind="mjml",
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
        macros = self.caches.macros
        if macros.enabled:
            version = self._brand_version(context["brand"])
            versions = {id(context["brand"]): version} if version is not None else {}
            token = memo.ACTIVE.set(memo.Render(macros, versions))
            try:
                return self._jinja_renders(tpl, context, sample_name)
            finally:
                memo.ACTIVE.reset(token)
        return self._jinja_renders(tpl, context, sample_name)

    def _jinja_renders(
        self, tpl: Template, context: dict[str, Any], sample_name: str | None
    ) -> tuple[str, str, str]:
        where = f"template {tpl.name!r}" + (f", sample {sample_name!r}" if sample_name else "")
        with JinjaErrors(self.buffers, tpl, where, field="subject"):
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
        with JinjaErrors(self.buffers, tpl, where, field="preheader"):
            preheader = " ".join(self._string(tpl.meta.preheader).render(context).split())
        context.update(subject=subject, preheader=preheader)
        with JinjaErrors(self.buffers, tpl, where):
            body = self.env.get_template(tpl.relname).render(context)
        return subject, preheader, body

    def render_text(self, template: str, *, sample: str | None = None) -> str:
        """Only the plain-text part of a template (Jinja and the text stage).

        No link tagging, no MJML compile, no MIME: for checks that weigh words.
        """
        tpl = self.template(template)
        merged, sample_locale = self._sample_variables(template, sample, None)
        locale_tag = sample_locale or self.workspace.settings.default_locale
        _, _, body = self._jinja_stage(tpl, merged, locale_tag, sample)
        return mjml_to_text(body)


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` laid over ``base``: objects merge key by key, anything else replaces.

    So a payload's ``{"reset": {"url": ...}}`` over a sample keeps the sample's other
    ``reset`` fields; a list or a value in the payload replaces the sample's whole.
    """
    out = dict(base)
    for key, value in over.items():
        below = out.get(key)
        if isinstance(value, Mapping) and isinstance(below, Mapping):
            out[key] = deep_merge(below, value)
        else:
            out[key] = value
    return out


def renderer_for(workspace: Workspace, buffers: Mapping[str, str] | None = None) -> Renderer:
    """The workspace's renderer, or a variant of it that sees ``buffers``.

    The workspace keeps one renderer (its compiled templates are worth keeping);
    it has no buffers and nothing can give it any, so whoever renders through it
    sees the saved files. Unsaved text goes in ``buffers`` and reaches only the
    variant returned here.
    """
    base = workspace.derived("render.renderer", Renderer)
    return base.variant(buffers) if buffers else base


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
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
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
    resolved = path.resolve()
    folder = resolved.parent
    t0 = time.perf_counter()
    out = compile_mjml(
        source,
        name=str(path),
        file=resolved.name,
        root=folder,
        read=lambda rel: (folder / rel).read_text(encoding="utf-8"),
    )
    t1 = time.perf_counter()
    text = mjml_to_text(out.source.text if out.source is not None else source)
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
        mjml_source=out.source,
        timings={"jinja": 0.0, "track": 0.0, "mjml": t1 - t0, "text": t2 - t1},
    )
