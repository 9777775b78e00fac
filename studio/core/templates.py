"""Templates on disk: YAML front matter (metadata) over an MJML + Jinja body.

::

    ---
    subject: "Order {{ order.number }} confirmed"
    preheader: "Thanks {{ customer.first_name }}, here is your receipt."
    trigger: person          # person (a user action) or system (a schedule, an event)
    owner: Checkout team
    reviewed: 2026-03-02     # last content review
    journey: Checkout
    sample: en_basic         # the sample used when none is named (default: see Workspace)
    suppress:
      link.untracked: "the carrier's site is not ours"
    ---
    {% extends "components/layout.mjml" %}
    ...

The body keeps its line numbers: the front matter is blanked, not cut, so a
Jinja error on line 14 of the body is reported as line 14 of the file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError

TRIGGERS = ("person", "system")
_KNOWN_KEYS = {
    "subject",
    "preheader",
    "trigger",
    "owner",
    "reviewed",
    "journey",
    "channel",
    "timing",
    "application",
    "description",
    "suppress",
    "max_sms_segments",
    "sample",
}


@dataclass(frozen=True)
class TemplateMeta:
    subject: str = ""
    preheader: str = ""
    trigger: str | None = None
    owner: str | None = None
    reviewed: dt.date | None = None
    journey: str | None = None
    channel: str = "email"
    timing: str | None = None
    application: str | None = None
    description: str | None = None
    suppress: dict[str, str] = field(default_factory=dict)
    max_sms_segments: int | None = None
    sample: str | None = None
    """The sample a render, the preview and the studio use when none is named."""
    lines: dict[str, int] = field(default_factory=dict)
    """The 1-based file line of each front-matter key (for findings)."""


@dataclass(frozen=True)
class Template:
    name: str
    path: Path
    relname: str
    meta: TemplateMeta
    body: str
    """The body with the front matter blanked, so line numbers match the file."""
    source: str
    """The file as written."""


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Split ``---`` front matter from the body.

    Returns the front matter text (or None), the body with the front matter
    replaced by blank lines, and the number of blanked lines.
    """
    if not text.startswith("---"):
        return None, text, 0
    lines = text.splitlines(keepends=True)
    if lines[0].rstrip("\r\n") != "---":
        return None, text, 0
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n") in ("---", "..."):
            front = "".join(lines[1:i])
            body = "\n" * (i + 1) + "".join(lines[i + 1 :])
            return front, body, i + 1
    return None, text, 0


def _key_lines(front: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, line in enumerate(front.splitlines(), start=2):
        if line and not line[0].isspace() and ":" in line and not line.startswith("#"):
            found.setdefault(line.split(":", 1)[0].strip(), i)
    return found


def parse_meta(front: str | None, relname: str) -> TemplateMeta:
    if front is None:
        return TemplateMeta()
    import yaml  # on first use: the studio paints its first screen without it

    # libyaml's loader when PyYAML was built with it: several times faster than pure Python.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(front, Loader=loader) or {}  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{relname}{where}: front matter: {problem}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{relname}: front matter must be a mapping of key: value")
    unknown = sorted(set(map(str, data)) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(
            f"{relname}: front matter: unknown key {unknown[0]!r}"
            f" (known: {', '.join(sorted(_KNOWN_KEYS))})"
        )

    def text(key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ConfigError(f"{relname}: front matter: {key} must be text")
        return str(value)

    trigger = text("trigger")
    if trigger is not None and trigger not in TRIGGERS:
        raise ConfigError(
            f"{relname}: front matter: trigger {trigger!r}: expected person or system"
        )
    reviewed: Any = data.get("reviewed")
    if isinstance(reviewed, str):
        try:
            reviewed = dt.date.fromisoformat(reviewed)
        except ValueError:
            reviewed = "bad"
    if reviewed is not None and (
        not isinstance(reviewed, dt.date) or isinstance(reviewed, dt.datetime)
    ):
        raise ConfigError(
            f"{relname}: front matter: reviewed {data.get('reviewed')!r}:"
            " expected a date such as 2026-03-02"
        )
    suppress = data.get("suppress") or {}
    if not isinstance(suppress, dict) or not all(
        isinstance(v, str) and v.strip() for v in suppress.values()
    ):
        raise ConfigError(
            f"{relname}: front matter: suppress must map check ids to a reason,"
            ' e.g. link.untracked: "carrier site"'
        )
    max_segments = data.get("max_sms_segments")
    if max_segments is not None and (
        not isinstance(max_segments, int) or isinstance(max_segments, bool) or max_segments < 1
    ):
        raise ConfigError(f"{relname}: front matter: max_sms_segments must be a positive integer")
    return TemplateMeta(
        subject=text("subject") or "",
        preheader=text("preheader") or "",
        trigger=trigger,
        owner=text("owner"),
        reviewed=reviewed,
        journey=text("journey"),
        channel=text("channel") or "email",
        timing=text("timing"),
        application=text("application"),
        description=text("description"),
        suppress={str(k): str(v) for k, v in suppress.items()},
        max_sms_segments=max_segments,
        sample=text("sample"),
        lines=_key_lines(front),
    )


def parse_template(text: str, *, name: str, path: Path, relname: str) -> Template:
    front, body, _ = split_front_matter(text)
    meta = parse_meta(front, relname)
    return Template(name=name, path=path, relname=relname, meta=meta, body=body, source=text)


_CACHE: dict[Path, tuple[tuple[int, int], Template]] = {}


def cached_template(path: Path, name: str) -> Template | None:
    """The template :func:`load_template` read from ``path`` if the file is unchanged."""
    cached = _CACHE.get(path)
    if cached is None or cached[1].name != name:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    return cached[1] if cached[0] == (st.st_mtime_ns, st.st_size) else None


def load_template(path: Path, *, name: str, relname: str) -> Template:
    """Read and parse a template file; unchanged files come from a small cache.

    The cache key is the file's modification time and size, so an edit (by the
    studio or anyone else) is always seen.
    """
    try:
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size)
        cached = _CACHE.get(path)
        if cached is not None and cached[0] == stamp and cached[1].name == name:
            return cached[1]
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{relname}: cannot read template: {exc}") from None
    template = parse_template(text, name=name, path=path, relname=relname)
    if len(_CACHE) > 512:
        _CACHE.clear()
    _CACHE[path] = (stamp, template)
    return template
