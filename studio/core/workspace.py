"""The workspace: where templates, components, brand tokens and samples live.

Who reads what:

* :meth:`Workspace.open` walks up from a directory to the nearest ``studio.toml``,
  or ``pyproject.toml`` holding a ``[tool.studio]`` table (nearest first; in one
  directory ``studio.toml`` wins). That file's settings become :class:`Settings`.
* ``brand/brand.toml`` holds brand tokens, offered to every template as ``brand``.
* ``templates/<name>.mjml`` are the e-mail templates (front matter + MJML/Jinja);
  ``templates/<name>.sms.j2`` the SMS ones.
* ``components/`` holds the shared partials, reachable from templates as
  ``components/<file>``.
* ``samples/<template>/<case>.json`` are sample variable sets.

The CLI, the TUI and applications all go through one :class:`Workspace` object;
there is no global state. The workspace is data: paths, settings and loaders of
the files. The render pipeline (:mod:`studio.core.render.pipeline`) reads it;
:meth:`Workspace.render` only hands over to it, and this module does not import it
at module level (a test checks it), so there is no import circle between them.
"""

from __future__ import annotations

import json
import threading
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ..errors import ConfigError, StudioError, TemplateNotFound
from .settings import Settings, parse_settings
from .templates import Template, cached_template, load_template

if TYPE_CHECKING:
    from .render.result import RenderedMessage, RenderedSms

T = TypeVar("T")

TEMPLATE_SUFFIX = ".mjml"
SMS_SUFFIX = ".sms.j2"


def is_plain_name(name: str) -> bool:
    """A template or sample name as the workspace lists it: a file name, no folder.

    ``../../../tmp/outside`` from a trigger payload would otherwise read a file
    outside the workspace (and tell by its error whether the file exists).
    """
    return bool(name) and not name.startswith(".") and not any(c in name for c in "/\\\0")


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file, turning every failure into a one-line :class:`ConfigError`."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def find_root(start: Path) -> tuple[Path, Path] | None:
    """The nearest directory at or above ``start`` with Studio settings, and that file."""
    start = start.resolve()
    for directory in (start, *start.parents):
        studio_toml = directory / "studio.toml"
        if studio_toml.is_file():
            return directory, studio_toml
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "tool" in (data := read_toml(pyproject)):
            if "studio" in data["tool"]:
                return directory, pyproject
    return None


@dataclass(frozen=True)
class Sample:
    """One sample variable set of a template."""

    template: str
    name: str
    path: Path
    variables: dict[str, Any]
    locale: str | None = None


@dataclass
class Workspace:
    """A Studio workspace on disk. Create with :meth:`open`."""

    root: Path
    settings: Settings = field(default_factory=Settings)
    settings_file: Path | None = None
    _derived: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)
    _lock: threading.RLock = field(
        default_factory=threading.RLock, init=False, repr=False, compare=False
    )

    # -- opening -------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path = ".") -> Workspace:
        """Open the workspace at or above ``path``.

        Raises:
            ConfigError: no settings found, or settings malformed.
        """
        start = Path(path)
        if not start.exists():
            raise ConfigError(f"{start}: no such directory")
        found = find_root(start if start.is_dir() else start.parent)
        if found is None:
            raise ConfigError(
                f"{start.resolve()}: not a Studio workspace (no studio.toml or"
                " [tool.studio] in pyproject.toml here or above); create one with"
                " `studio init DIR`"
            )
        root, settings_file = found
        data = read_toml(settings_file)
        if settings_file.name == "pyproject.toml":
            table, prefix = data["tool"]["studio"], "tool.studio"
        else:
            table, prefix = data, ""
        if not isinstance(table, dict):
            raise ConfigError(f"{settings_file}: {prefix or 'settings'}: expected a table")
        settings = parse_settings(table, str(settings_file), prefix)
        return cls(root=root, settings=settings, settings_file=settings_file)

    # -- paths ---------------------------------------------------------------

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def components_dir(self) -> Path:
        return self.root / "components"

    @property
    def samples_dir(self) -> Path:
        return self.root / "samples"

    @property
    def brand_file(self) -> Path:
        return self.root / "brand" / "brand.toml"

    def relpath(self, path: Path) -> str:
        """``path`` relative to the workspace root when inside it, else as given."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    # -- brand ---------------------------------------------------------------

    def brand(self) -> dict[str, Any]:
        """The brand tokens (``brand/brand.toml``), or an empty table if there is none."""
        if not self.brand_file.is_file():
            return {}
        return read_toml(self.brand_file)

    # -- templates -----------------------------------------------------------

    def template_names(self) -> list[str]:
        if not self.templates_dir.is_dir():
            return []
        return sorted(
            p.name[: -len(TEMPLATE_SUFFIX)]
            for p in self.templates_dir.glob(f"*{TEMPLATE_SUFFIX}")
            if p.is_file()
        )

    def template_path(self, name: str) -> Path:
        return self.templates_dir / f"{name}{TEMPLATE_SUFFIX}"

    def template(self, name: str) -> Template:
        """Load a template (its front matter and body) by name.

        Raises:
            TemplateNotFound: listing the templates that exist.
        """
        path = self.template_path(name)
        if not is_plain_name(name) or not path.is_file():
            known = ", ".join(self.template_names()) or "none"
            raise TemplateNotFound(f"unknown template {name!r} (templates: {known})")
        return cached_template(path, name) or load_template(
            path, name=name, relname=self.relpath(path)
        )

    def templates(self) -> list[Template]:
        return [self.template(n) for n in self.template_names()]

    def sms_template_names(self) -> list[str]:
        if not self.templates_dir.is_dir():
            return []
        return sorted(
            p.name[: -len(SMS_SUFFIX)]
            for p in self.templates_dir.glob(f"*{SMS_SUFFIX}")
            if p.is_file()
        )

    def sms_template_path(self, name: str) -> Path:
        return self.templates_dir / f"{name}{SMS_SUFFIX}"

    def sms_template(self, name: str) -> Template:
        """Load an SMS template (``templates/<name>.sms.j2``) by name."""
        path = self.sms_template_path(name)
        if not is_plain_name(name) or not path.is_file():
            known = ", ".join(self.sms_template_names()) or "none"
            raise TemplateNotFound(f"unknown SMS template {name!r} (SMS templates: {known})")
        return load_template(path, name=name, relname=self.relpath(path))

    def component_paths(self) -> list[Path]:
        if not self.components_dir.is_dir():
            return []
        return sorted(p for p in self.components_dir.rglob("*") if p.is_file())

    # -- samples -------------------------------------------------------------

    def sample_names(self, template: str) -> list[str]:
        directory = self.samples_dir / template
        if not is_plain_name(template) or not directory.is_dir():
            return []
        return sorted(p.stem for p in directory.glob("*.json") if p.is_file())

    def default_sample(self, template: str) -> str | None:
        """The sample used when none is named: one rule for render, preview and studio.

        The template's front-matter ``sample:`` when it names one that exists; else
        the first sample by name, ``edge_*`` cases last (they exist to test limits,
        not to be the first look at a message); None when it has no samples.
        """
        names = self.sample_names(template)
        if not names:
            return None
        path = self.template_path(template)
        if path.is_file():
            try:
                wanted = self.template(template).meta.sample
            except StudioError:
                wanted = None
            if wanted in names:
                return wanted
        return sorted(names, key=lambda n: (n.startswith("edge"), n))[0]

    def sample(self, template: str, name: str) -> Sample:
        """Load one sample set.

        Raises:
            TemplateNotFound: unknown sample, listing those that exist.
            ConfigError: malformed JSON, naming file and line.
        """
        path = self.samples_dir / template / f"{name}.json"
        if not (is_plain_name(template) and is_plain_name(name) and path.is_file()):
            known = ", ".join(self.sample_names(template)) or "none"
            raise TemplateNotFound(
                f"unknown sample {name!r} for template {template!r} (samples: {known})"
            )
        return load_sample(path, template=template, relname=lambda: self.relpath(path))

    def samples(self, template: str) -> list[Sample]:
        return [self.sample(template, n) for n in self.sample_names(template)]

    # -- derived readers ------------------------------------------------------

    def derived(self, key: str, build: Callable[[Workspace], T]) -> T:
        """The value ``build(self)`` made once for this workspace and kept.

        For the readers of the workspace that are worth keeping (the render
        pipeline keeps its renderer here under ``"render.renderer"``), so that the
        workspace needs no import of them. ``key`` names what is built; one key is
        always built by the same function, so the value has its type.
        """
        with self._lock:
            if key not in self._derived:
                self._derived[key] = build(self)
            return cast(T, self._derived[key])

    # -- rendering -----------------------------------------------------------

    def render(
        self,
        template: str,
        *,
        sample: str | None = None,
        variables: dict[str, Any] | None = None,
        locale: str | None = None,
        buffers: Mapping[str, str] | None = None,
    ) -> RenderedMessage:
        """Render a template with a sample set and/or explicit variables.

        ``variables`` are laid over the sample's. ``buffers`` (workspace-relative
        path → text) stand in for files for this render only: the unsaved editor
        text of a template, a component, a sample, ``brand/brand.toml`` or a
        ``brand/locales/<language>.toml``. Returns the subject, preheader, HTML,
        plain text and a ready :class:`email.message.EmailMessage`.
        """
        from .render.pipeline import renderer_for

        renderer = renderer_for(self, buffers)
        return renderer.render(template, sample=sample, variables=variables, locale=locale)

    def render_sms(
        self,
        template: str,
        *,
        sample: str | None = None,
        variables: dict[str, Any] | None = None,
        locale: str | None = None,
        buffers: Mapping[str, str] | None = None,
    ) -> RenderedSms:
        """Render ``templates/<template>.sms.j2``; samples are the e-mail template's."""
        from .render.pipeline import renderer_for

        renderer = renderer_for(self, buffers)
        return renderer.render_sms(template, sample=sample, variables=variables, locale=locale)


RelName = str | Callable[[], str]
"""A file's workspace-relative name, or what works it out (only an error needs it:
resolving a path costs a system call per folder, on every render)."""


def _named(relname: RelName) -> str:
    return relname if isinstance(relname, str) else relname()


def load_sample(path: Path, *, template: str, relname: RelName) -> Sample:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{_named(relname)}: cannot read sample: {exc}") from None
    return parse_sample(text, path, template=template, relname=relname)


def parse_sample(text: str, path: Path, *, template: str, relname: RelName) -> Sample:
    """A sample from its JSON text (a file's or an editor buffer's)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{_named(relname)}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{_named(relname)}: a sample must be a JSON object of variables")
    locale = data.pop("locale", None)
    if locale is not None and not isinstance(locale, str):
        raise ConfigError(f'{_named(relname)}: "locale" must be a string such as "fr-FR"')
    return Sample(template=template, name=path.stem, path=path, variables=data, locale=locale)
