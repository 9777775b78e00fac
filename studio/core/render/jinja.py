"""The Jinja stage: a sandboxed, strict, autoescaping environment per workspace.

Templates are edited by designers, so they run in Studio's sandbox
(:mod:`.sandbox`: Jinja's immutable sandbox, no access to Python internals, no
change to shared data, bounded work), with ``StrictUndefined`` (a missing variable is an
error, not an empty string) and HTML autoescape on every file. One environment is
built per renderer and reused across its renders; Jinja re-reads a file when its
modification time changes. A renderer's *buffers* (unsaved editor text, fixed when
the renderer is made) stand in for files on disk; a renderer with other buffers has
its own environment, sharing only compiled code (see :class:`SharedCodeCache`).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import string
import tomllib
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import CodeType, MappingProxyType
from typing import Any

import jinja2
import jinja2.bccache
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_currency

from ...errors import ConfigError, RenderError
from ..templates import split_front_matter
from .sandbox import StudioSandbox, check_template_name
from .tracking import NOTRACK_MARK


class WorkspaceLoader(jinja2.BaseLoader):
    """Loads templates from the workspace root, or from the buffers standing in for files.

    ``buffers`` (workspace-relative path → text) are copied when the loader is made
    and never change: what a render sees is decided by whoever made its renderer,
    not by another thread. Front matter is blanked (not removed) so that line numbers
    match the file. Names are workspace-relative POSIX paths
    (``components/footer.mjml``); names outside the template folders
    (:func:`.sandbox.check_template_name`) or that escape the root are refused.
    """

    def __init__(self, root: Path, buffers: Mapping[str, str] | None = None):
        self.root = root.resolve()
        self.buffers: Mapping[str, str] = MappingProxyType(dict(buffers or {}))

    def _path(self, name: str) -> Path:
        path = (self.root / name).resolve()
        if self.root != path and self.root not in path.parents:
            raise jinja2.TemplateNotFound(name)
        return path

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        check_template_name(template)
        if template in self.buffers:
            _, body, _ = split_front_matter(self.buffers[template])
            return body, str(self._path(template)), lambda: True  # buffers never change
        path = self._path(template)
        try:
            mtime = path.stat().st_mtime_ns
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise jinja2.TemplateNotFound(template) from None
        _, body, _ = split_front_matter(text)

        def uptodate() -> bool:
            try:
                return path.stat().st_mtime_ns == mtime
            except OSError:
                return False

        return body, str(path), uptodate


@functools.lru_cache(maxsize=64)
def parse_locale(value: str) -> Locale:
    """``fr-FR`` / ``fr_FR`` / ``fr`` → a Babel Locale, or a one-line ConfigError.

    One Locale per tag for the process: Babel loads a locale's data into the Locale
    object on first use, so every formatter of every later render finds it loaded.
    """
    try:
        return Locale.parse(value.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ConfigError(
            f"unknown locale {value!r}: expected a tag such as en-GB or fr-FR"
        ) from None


def _to_datetime(value: Any) -> dt.datetime | dt.date | dt.time:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value
    if isinstance(value, str):
        for parse in (dt.datetime.fromisoformat, dt.date.fromisoformat, dt.time.fromisoformat):
            try:
                return parse(value)
            except ValueError:
                continue
    raise RenderError(f"expected an ISO 8601 date or time, got {value!r}")


def _locale_of(ctx: Any) -> Locale:
    loc = ctx.get("_babel_locale")
    return loc if isinstance(loc, Locale) else parse_locale("en")


@jinja2.pass_context
def money(ctx: jinja2.runtime.Context, amount: Any, currency: str = "EUR") -> str:
    """``{{ 12.5 | money("EUR") }}`` → ``€12.50`` (en) or ``12,50 €`` (fr)."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise RenderError(f"money: expected a number, got {amount!r}") from None
    return _money(value, currency, _locale_of(ctx))


# What Babel formats depends only on the value, the format and the locale: kept, so a
# template rendered again (every keystroke in the studio, every sample of a run) asks
# Babel only for values it has not formatted yet.
@functools.lru_cache(maxsize=4096)
def _money(value: Decimal, currency: str, locale: Locale) -> str:
    return str(format_currency(value, currency, locale=locale))


def _when(kind: str, value: Any, format: str, locale: Locale) -> str:
    # The ISO text in the key too: aware datetimes of different zones compare equal.
    return _when_cached(kind, value, value.isoformat(), format, locale)


@functools.lru_cache(maxsize=4096)
def _when_cached(kind: str, value: Any, iso: str, format: str, locale: Locale) -> str:
    if kind == "date":
        return str(format_date(value, format=format, locale=locale))
    if kind == "time":
        return str(format_time(value, format=format, locale=locale))
    return str(format_datetime(value, format=format, locale=locale))


@jinja2.pass_context
def date_filter(ctx: jinja2.runtime.Context, value: Any, format: str = "long") -> str:
    return _when("date", _to_datetime(value), format, _locale_of(ctx))


@jinja2.pass_context
def datetime_filter(ctx: jinja2.runtime.Context, value: Any, format: str = "medium") -> str:
    return _when("datetime", _to_datetime(value), format, _locale_of(ctx))


@jinja2.pass_context
def time_filter(ctx: jinja2.runtime.Context, value: Any, format: str = "short") -> str:
    return _when("time", _to_datetime(value), format, _locale_of(ctx))


def notrack(url: Any) -> str:
    """Mark a URL so that automatic UTM tagging leaves it alone."""
    text = str(url)
    return text + ("&" if "?" in text else "?") + NOTRACK_MARK


# Typography that has a plain GSM 03.38 equivalent: one such character in an SMS
# would switch the whole message to UCS-2 (70 instead of 160 characters a part).
_SMS_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
    }
)


def sms_safe(value: Any) -> str:
    """Replace curly quotes, dashes, ellipses and odd spaces by their plain forms."""
    return str(value).translate(_SMS_PLAIN)


def flatten_strings(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """A locale table's strings by dotted key (``{"a": {"b": "x"}}`` → ``a.b``)."""
    out: dict[str, str] = {}
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten_strings(value, full + "."))
        else:
            out[full] = str(value)
    return out


# What a translation placeholder may be: a plain name (``{name}``), optionally with a
# standard format spec (``{count:,}``, ``{price:.2f}``, ``{code:>6}``). No attribute or
# item access (``{f.__globals__}`` reached Python internals from a locale file), no
# conversion, no nested field, and widths and precisions bounded (``{x:>999999999}``
# built a gigabyte string).
_FORMAT_SPEC = re.compile(
    r"(?:[^{}]?[<>=^])?[-+ ]?z?#?0?(?P<width>\d+)?[,_]?(?:\.(?P<precision>\d+))?"
    r"[bcdeEfFgGnosxX%]?"
)
MAX_FORMAT_WIDTH = 100
"""The largest width or precision a translation placeholder may ask for."""


@functools.lru_cache(maxsize=4096)
def _translation_plan(text: str) -> tuple[tuple[str, str | None, str], ...] | str:
    """``text`` as (literal, field name, format spec) parts, or why it is refused.

    Cached: a locale file's strings are checked once, not on every ``t()`` call.
    """
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        return f"malformed placeholder: {exc}"
    plan: list[tuple[str, str | None, str]] = []
    for literal, name, spec, conversion in parsed:
        if name is None:
            plan.append((literal, None, ""))
            continue
        shown = "{%s%s%s}" % (
            name,
            "!" + conversion if conversion else "",
            ":" + spec if spec else "",
        )
        if not name.isidentifier() or conversion:
            return (
                f"placeholder {shown!r} refused: only {{name}} or {{name:format}}"
                " (no attribute, index, position or conversion)"
            )
        match = _FORMAT_SPEC.fullmatch(spec or "")
        if match is None or any(
            n is not None and int(n) > MAX_FORMAT_WIDTH for n in match.group("width", "precision")
        ):
            return (
                f"placeholder {shown!r} refused: expected a standard format spec"
                f" with width and precision at most {MAX_FORMAT_WIDTH}"
            )
        plan.append((literal, name, spec or ""))
    return tuple(plan)


def format_translation(text: str, values: Mapping[str, Any], where: Callable[[], str]) -> str:
    """Fill ``text``'s ``{name}`` placeholders from ``values``, as a locale file may.

    Only plain named fields and safe format specs are accepted (see
    :data:`_FORMAT_SPEC`); anything else is a :class:`RenderError` of kind
    ``sandbox`` naming ``where()`` (the locale file and key). A placeholder not
    given is an ``error``.
    """
    plan = _translation_plan(text)
    if isinstance(plan, str):
        raise RenderError(f"{where()}: {plan}", kind="sandbox")
    # Every field is now a plain name with a bounded spec: str.format can do no more
    # than look the names up and format their values.
    try:
        return text.format_map(values)
    except KeyError as exc:
        raise RenderError(f"{where()}: placeholder {{{exc.args[0]}}} not given") from None
    except (ValueError, TypeError) as exc:
        raise RenderError(f"{where()}: {exc}") from None


class Translations:
    """``brand/locales/<language>.toml`` string tables.

    :meth:`refresh` (called once per render) re-reads the files whose modification
    time changed; lookups during the render then touch no file.
    """

    def __init__(self, directory: Path, fallback: str = "en"):
        self.directory = directory
        self.fallback = fallback
        self._tables: dict[str, tuple[int, dict[str, str]]] = {}
        self._chains: dict[tuple[str | None, ...], tuple[tuple[str, dict[str, str]], ...]] = {}
        self._generation = 0

    @property
    def generation(self) -> int:
        """Goes up whenever a table changes (kept macro output keys on it: :mod:`.memo`)."""
        return self._generation

    def refresh(self) -> None:
        changed = False
        try:
            # (os.scandir: pathlib's glob cost a tenth of a render's Jinja stage)
            with os.scandir(self.directory) as entries:
                paths = {
                    (e.name[:-5] if len(e.name) > 5 else e.name): Path(e.path)
                    for e in entries
                    if e.name.endswith(".toml")
                }
        except OSError:
            paths = {}
        for lang in set(self._tables) - set(paths):
            del self._tables[lang]
            changed = True
        for lang, path in paths.items():
            try:
                mtime = path.stat().st_mtime_ns
            except OSError:
                continue
            cached = self._tables.get(lang)
            if cached and cached[0] == mtime:
                continue
            try:
                with path.open("rb") as fh:
                    table = flatten_strings(tomllib.load(fh))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{path}: invalid TOML: {exc}") from None
            except UnicodeDecodeError as exc:
                raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
            self._tables[lang] = (mtime, table)
            changed = True
        if changed:
            self._chains.clear()
            self._generation += 1

    def _chain(self, locale: Locale) -> tuple[tuple[str, dict[str, str]], ...]:
        # Keyed by the locale's parts: str(locale) costs more than the lookup itself,
        # and a render looks up 50 and more translations.
        key = (locale.language, locale.territory, locale.script, locale.variant, locale.modifier)
        chain = self._chains.get(key)
        if chain is None:
            langs = dict.fromkeys((str(locale), locale.language, self.fallback))
            chain = tuple((lang, self._tables[lang][1]) for lang in langs if lang in self._tables)
            self._chains[key] = chain
        return chain

    def _find(self, key: str, locale: Locale) -> tuple[str, str]:
        """The text of ``key`` for ``locale`` and the language file it came from."""
        for lang, table in self._chain(locale):
            if key in table:
                return table[key], lang
        raise RenderError(
            f"no translation for {key!r} in {self.directory.name}/{locale.language}.toml"
            f" or the fallback {self.fallback}.toml"
        )

    def lookup(self, key: str, locale: Locale) -> str:
        return self._find(key, locale)[0]

    def format(self, key: str, locale: Locale, values: Mapping[str, Any]) -> str:
        """The translation of ``key`` with its placeholders filled from ``values``."""
        text, lang = self._find(key, locale)
        return format_translation(text, values, lambda: f"{self._folder()}/{lang}.toml: {key}")

    def _folder(self) -> str:
        """``brand/locales``, for messages (worked out only when one is needed)."""
        return f"{self.directory.parent.name}/{self.directory.name}"

    def with_buffers(self, texts: Mapping[str, str]) -> Translations:
        """These tables with some languages read from unsaved text (``{"fr": "<toml>"}``).

        For a render that previews an edited ``brand/locales/<language>.toml``: the
        result is the caller's own; these tables (shared by every render) are unchanged.
        """
        return BufferedTranslations(self, texts)


_TOML_LINE = re.compile(r"\(at line (\d+)")


class BufferedTranslations(Translations):
    """The shared tables of a workspace, with some languages replaced by buffers.

    :meth:`refresh` refreshes the shared tables (files changed on disk), then lays
    the buffers' tables over them. An unsaved file that is not valid TOML fails the
    render with its file and line (the editor can go there).
    """

    def __init__(self, base: Translations, texts: Mapping[str, str]):
        super().__init__(base.directory, base.fallback)
        self.base = base
        self.texts = dict(texts)
        self._parsed: dict[str, dict[str, str]] | None = None

    @property
    def generation(self) -> int:
        # The buffers' tables are fixed for this object: only the shared ones change.
        return self.base.generation

    def refresh(self) -> None:
        self.base.refresh()
        if self._parsed is None:
            parsed = {}
            folder = f"{self.directory.parent.name}/{self.directory.name}"
            for lang, text in self.texts.items():
                try:
                    parsed[lang] = flatten_strings(tomllib.loads(text))
                except tomllib.TOMLDecodeError as exc:
                    found = _TOML_LINE.search(str(exc))
                    raise RenderError(
                        f"{folder}/{lang}.toml: invalid TOML: {exc}",
                        file=f"{folder}/{lang}.toml",
                        line=int(found.group(1)) if found else None,
                    ) from None
            self._parsed = parsed
        self._tables = {
            **self.base._tables,
            **{lang: (-1, table) for lang, table in self._parsed.items()},
        }
        self._chains.clear()


CodeStore = dict[str, dict[str, CodeType]]
"""Compiled template code by flavour and template key, then by source checksum."""


class SharedCodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory and shared by the environments of one flavour.

    A renderer's variants (the same workspace seen with some files replaced by
    buffers) reuse the code compiled for every file whose text they share: entries
    are keyed by the template and a checksum of its source, so two renderers whose
    text differs never run each other's code. The last :attr:`VERSIONS` texts of a
    file are kept, so a preview of an edit and a render of the saved file do not
    compile each other's version away. Code objects are stored as they are (no
    marshalling); each entry is replaced whole, never changed in place, so threads
    may share the store.
    """

    VERSIONS = 2

    def __init__(self, store: CodeStore, flavour: str):
        self.store = store
        self.flavour = flavour

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.store.get(self.flavour + bucket.key, {}).get(bucket.checksum)
        if code is not None:
            bucket.code = code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.code is None:
            return
        key = self.flavour + bucket.key
        older = self.store.get(key, {})
        kept = [(c, v) for c, v in older.items() if c != bucket.checksum]
        kept = kept[len(kept) - (self.VERSIONS - 1) :] if self.VERSIONS > 1 else []
        self.store[key] = {**dict(kept), bucket.checksum: bucket.code}


class MarkedUndefined(jinja2.ChainableUndefined):
    """A missing value that renders as a visible mark instead of failing the render.

    Only lint's second pass uses it: once ``template.undefined-variable`` is
    reported from the strict render, the sample is rendered again with the gap
    marked, so that every other rule still sees the rest of the message. Being
    falsy and empty when iterated, it takes the ``{% if %}``/``{% for %}`` paths a
    missing value would; arithmetic on it still fails (and the sample is skipped).
    """

    __slots__ = ()

    def __str__(self) -> str:
        if self._undefined_exception is not jinja2.UndefinedError:  # the sandbox refused: fail
            self._fail_with_undefined_error()
        return f"[missing: {self._undefined_name or 'value'}]"


def build_environment(
    root: Path,
    translations: Translations,
    code: CodeStore | None = None,
    buffers: Mapping[str, str] | None = None,
    *,
    lenient: bool = False,
) -> StudioSandbox:
    """A renderer's Jinja environment (sandboxed, strict, autoescaped).

    ``code`` is a store of compiled templates to share with the other environments
    of the same workspace (see :class:`SharedCodeCache`); ``buffers`` stand in for
    files on disk (see :class:`WorkspaceLoader`). ``lenient`` marks missing values
    (:class:`MarkedUndefined`) instead of failing: for lint's second pass only.
    """
    env = StudioSandbox(
        bytecode_cache=SharedCodeCache(code, "html:") if code is not None else None,
        loader=WorkspaceLoader(root, buffers),
        undefined=MarkedUndefined if lenient else jinja2.StrictUndefined,
        autoescape=True,
        auto_reload=True,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        cache_size=400,
    )
    env.filters.update(
        money=money,
        date=date_filter,
        datetime=datetime_filter,
        time=time_filter,
        notrack=notrack,
        sms_safe=sms_safe,
    )

    @jinja2.pass_context
    def t(ctx: jinja2.runtime.Context, key: str, **kwargs: Any) -> str:
        return translations.format(key, _locale_of(ctx), kwargs)

    t.studio_translations = translations  # type: ignore[attr-defined]  # (read by .memo)
    env.globals["t"] = t
    return env
