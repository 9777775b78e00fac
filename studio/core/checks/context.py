"""What rules look at: a rendered message with its parsed HTML and its source files.

The HTML is parsed once per message (links with their visible text, images, the
``lang`` and ``<title>``). The *sources* are the template file and every component
it reaches; a finding about something in the HTML (a URL, an image) is pointed back
to the first source line that contains it, so that the report says where to fix it.
"""

from __future__ import annotations

import posixpath
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ...errors import StudioError
from ..findings import Location
from ..render.include import included_paths
from ..render.pipeline import RenderedMessage, RenderedSms, renderer_for
from ..render.sandbox import is_template_name
from ..settings import Settings
from ..templates import Template
from ..variables import referenced
from ..workspace import Workspace
from . import on_disk
from .html_view import HtmlView

_HTTP = re.compile("http", re.I)
_SPACE = re.compile(r"\s")


class UrlIndex:
    """Where web URLs occur in a text, answered without scanning the text per URL.

    Each ``http`` of the text starts a *run*: the text up to the next whitespace,
    or 4 characters past the next ``http`` (runs never overlap by more, so memory
    stays linear). A URL that starts with ``http``, holds no whitespace and no
    second ``http`` occurs at position *p* exactly when it is a prefix of the run
    starting at *p*; runs are sorted once, so finding one is a binary search. A
    message with 100,000 links is checked in a second instead of an hour.
    """

    MAX = 4096
    SHORT = 2048
    """A text up to this long is searched directly (sooner than checking the URL)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._runs: list[tuple[str, int]] | None = None

    @classmethod
    def indexable(cls, url: str) -> bool:
        return (
            len(url) <= cls.MAX
            and url[:4].lower() == "http"
            and _HTTP.search(url, 1) is None
            and _SPACE.search(url) is None
        )

    def _build(self) -> list[tuple[str, int]]:
        text = self.text
        starts = [m.start() for m in _HTTP.finditer(text)]
        runs = []
        for i, p in enumerate(starts):
            limit = min(starts[i + 1] + 4 if i + 1 < len(starts) else len(text), p + self.MAX)
            space = _SPACE.search(text, p, limit)
            runs.append((text[p : space.start() if space else limit], p))
        runs.sort()
        return runs

    def find(self, url: str) -> int:
        """The first position of ``url`` in the text, or -1 (like ``str.find``)."""
        if len(self.text) <= self.SHORT or not self.indexable(url):
            return self.text.find(url)
        if self._runs is None:
            self._runs = self._build()
        runs = self._runs
        i = bisect_left(runs, (url, -1))
        first = -1
        while i < len(runs) and runs[i][0].startswith(url):
            first = runs[i][1] if first < 0 else min(first, runs[i][1])
            i += 1
        return first

    def __contains__(self, url: str) -> bool:
        return self.find(url) >= 0


class _Lines:
    """Line numbers of positions in a text (newlines indexed once)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._newlines: array[int] | None = None

    def line(self, pos: int) -> int:
        if self._newlines is None:  # indexed on the first question (a search may find nothing)
            # machine integers: a 28 MB file has 400,000 lines (14 MB as a list)
            found = re.finditer("\n", self._text)
            self._newlines = array("q", (m.start() for m in found))
        return bisect_right(self._newlines, pos - 1) + 1


def _with_escaped(needles: tuple[str, ...]) -> Iterator[str]:
    """Each needle, then as written in HTML source (``&`` as ``&amp;``) when it differs."""
    for needle in needles:
        if needle:
            yield needle
            if "&" in needle:
                yield needle.replace("&", "&amp;")


FIND_BUDGET = 200_000_000
"""Characters :meth:`Sources.locate` may scan for needles that are not web URLs;
past it, findings point at the template without a line (huge inputs stay fast)."""


DIRECT_READS = 64
"""Times over a source file :meth:`Sources.locate` reads it for URLs before indexing
them (:class:`UrlIndex`: a second and about the file's size again for 28 MB)."""


@dataclass
class Sources:
    """The text of a template and of every component it reaches, by workspace path."""

    files: dict[str, str] = field(default_factory=dict)
    disk: dict[str, Path] = field(default_factory=dict, repr=False)
    """Files whose text is not held: read in chunks where a finding is located
    (:mod:`studio.core.checks.on_disk`; a big lone ASCII file), whole to be searched."""
    _urls: dict[str, UrlIndex] = field(default_factory=dict, init=False, repr=False)
    _lines: dict[str, _Lines] = field(default_factory=dict, init=False, repr=False)
    _scanned: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _budget: int = field(default=FIND_BUDGET, init=False, repr=False)
    _disk_lines: dict[str, on_disk.FileLines] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def of_template(cls, workspace: Workspace, tpl: Template) -> Sources:
        env = renderer_for(workspace).env
        files: dict[str, str] = {tpl.relname: tpl.source}
        queue = [tpl.body]
        while queue:
            text = queue.pop()
            try:
                refs = referenced(env, text)
            except Exception:  # noqa: BLE001 - a syntax error is template.syntax's finding
                continue
            for ref in refs:
                if ref in files or not is_template_name(ref):
                    continue
                path = workspace.root / ref
                try:
                    files[ref] = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    continue
                queue.append(files[ref])
        return cls(_with_partials(files, workspace.root))

    @classmethod
    def of_file(cls, name: str, text: str) -> Sources:
        return cls({name: text})

    @classmethod
    def of_file_on_disk(cls, name: str, path: Path) -> Sources:
        """A lone ASCII file read from disk when needed, its text not held."""
        return cls(disk={name: path})

    @property
    def primary(self) -> str:
        return next(iter(self.files)) if self.files else next(iter(self.disk))

    def locate(self, *needles: str) -> Location:
        """The first file and line containing one of ``needles``; else the template."""
        for needle in _with_escaped(needles):
            for name, text in self.files.items():
                i = self._find(name, text, needle)
                if i >= 0:
                    return Location(name, self._line(name, text, i))
            for name, path in list(self.disk.items()):
                found = self._find_on_disk(name, path, needle)
                if found is not None:
                    return found
        return Location(self.primary)

    def _find_on_disk(self, name: str, path: Path, needle: str) -> Location | None:
        """:meth:`_find` and :meth:`_line` on a file on disk, with the same limits;
        past :data:`DIRECT_READS` reads of it, its text is read and indexed."""
        size = on_disk.size(path)
        if UrlIndex.indexable(needle):
            scanned = self._scanned.get(name, 0)
            if scanned >= DIRECT_READS * size:
                text = self.files[name] = on_disk.read_text(path)
                del self.disk[name]
                i = self._find(name, text, needle)
                return Location(name, self._line(name, text, i)) if i >= 0 else None
            i = on_disk.find_in_file(path, needle)
            self._scanned[name] = scanned + (i + len(needle) if i >= 0 else size)
        else:
            if self._budget <= 0:
                return None
            i = on_disk.find_in_file(path, needle)
            self._budget -= i if i >= 0 else size
        if i < 0:
            return None
        lines = self._disk_lines.setdefault(name, on_disk.FileLines(path))
        return Location(name, lines.line(i))

    def locate_variable(self, path: str, *, _depth: int = 0) -> Location | None:
        """Where the template writes the variable ``path`` (``verification.url``) into
        the message: the first Jinja expression or tag using it. Through
        ``{% set name = ...path... %}``, where ``name`` is used next (the macro call
        that renders the link), else the ``set`` itself. None when it is not used.
        """
        use = re.compile(r"(?<![\w.])" + re.escape(path) + r"(?![\w])")
        for name, on in list(self.disk.items()):  # a lone file has no variables: not met
            self.files[name] = on_disk.read_text(on)
            del self.disk[name]
        for name, text in self.files.items():
            for m in use.finditer(text):
                tag = _jinja_tag_at(text, m.start())
                if tag is None:
                    continue  # the words in plain text, not the variable
                alias = _SET.match(text, tag)
                if alias and _depth < 8:
                    after = self._alias_use(name, text, alias.group(1), alias.end())
                    if after is not None:
                        return after
                return Location(name, self._line(name, text, m.start()))
        return None

    def _alias_use(self, name: str, text: str, alias: str, start: int) -> Location | None:
        """The first use of a ``set`` variable after its definition (an alias of an
        alias is followed too)."""
        use = re.compile(r"(?<![\w.])" + re.escape(alias) + r"(?![\w])")
        for m in use.finditer(text, start):
            tag = _jinja_tag_at(text, m.start())
            if tag is None:
                continue
            again = _SET.match(text, tag)
            if again:
                further = self._alias_use(name, text, again.group(1), again.end())
                if further is not None:
                    return further
            return Location(name, self._line(name, text, m.start()))
        return None

    def _find(self, name: str, text: str, needle: str) -> int:
        if UrlIndex.indexable(needle):
            if name not in self._urls:
                # A few URLs are sooner found by reading the text (a bounded report
                # locates a few dozen); the index is built once that has read the
                # text DIRECT_READS times over. Both give the first occurrence.
                scanned = self._scanned.get(name, 0)
                if scanned < DIRECT_READS * len(text):
                    i = text.find(needle)
                    self._scanned[name] = scanned + (i + len(needle) if i >= 0 else len(text))
                    return i
                self._urls[name] = UrlIndex(text)
            return self._urls[name].find(needle)
        if self._budget <= 0:
            return -1
        i = text.find(needle)
        self._budget -= i if i >= 0 else len(text)
        return i

    def _line(self, name: str, text: str, pos: int) -> int:
        if name not in self._lines:
            self._lines[name] = _Lines(text)
        return self._lines[name].line(pos)

    def search(
        self, pattern: re.Pattern[str], blank: re.Pattern[str] | None = None
    ) -> list[tuple[Location, re.Match[str]]]:
        """Every match of ``pattern`` in every source file, located; the matches of
        ``blank`` are blanked first (line breaks kept, so lines stay where they were)."""
        found = []
        entries: list[tuple[str, str | Path]] = [*self.files.items(), *self.disk.items()]
        for name, text in entries:
            if isinstance(text, Path):  # a file on disk, searched in its bytes if it can be
                hits = on_disk.search_file(text, pattern, blank)
                if hits is not None:
                    found += [(Location(name, line), m) for line, m in hits]
                    continue
                text = on_disk.read_text(text)
            if blank is not None:
                text = blank.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
            lines = _Lines(text)
            for m in pattern.finditer(text):
                found.append((Location(name, lines.line(m.start())), m))
        return found


_SET = re.compile(r"\{%-?\s*set\s+([A-Za-z_]\w*)\s*=")


def _jinja_tag_at(text: str, pos: int) -> int | None:
    """The start of the ``{{ }}`` or ``{% %}`` that ``pos`` is inside, if any."""
    opened = max(text.rfind("{{", 0, pos), text.rfind("{%", 0, pos))
    if opened < 0:
        return None
    closed = max(text.rfind("}}", opened, pos), text.rfind("%}", opened, pos))
    return opened if closed < 0 else None


def value_paths(values: object, wanted: str, prefix: str = "") -> list[str]:
    """Dotted paths of the string values in ``values`` that ``wanted`` (a rendered URL)
    was made from: equal to it, or it with a query or fragment added (tracking)."""
    found: list[str] = []
    if isinstance(values, dict):
        for key, value in values.items():
            if not isinstance(key, str) or not key.isidentifier():
                continue
            path = f"{prefix}.{key}" if prefix else key
            if isinstance(value, str):
                if len(value) >= 8 and (
                    wanted == value
                    or (wanted.startswith(value) and wanted[len(value)] in "?&#")
                ):
                    found.append(path)
            elif isinstance(value, dict):
                found += value_paths(value, wanted, path)
    return found


def _with_partials(files: dict[str, str], root: Path, prefix: str = "") -> dict[str, str]:
    """``files`` and the ``mj-include`` partials they reach (images, links in them)."""
    queue = list(files.items())
    while queue:
        name, text = queue.pop()
        for rel in included_paths(text, name, root):
            key = posixpath.join(prefix, rel) if prefix else rel
            if key in files:
                continue
            try:
                files[key] = (root / rel).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            queue.append((rel, files[key]))
    return files


def file_sources(name: str, text: str, path: Path) -> Sources:
    """A lone file's sources: the file and the partials it includes (named as ``name`` is)."""
    folder = path.resolve().parent
    prefix = posixpath.dirname(name)
    own = {path.resolve().name: text}
    partials = _with_partials(dict(own), folder, prefix)
    partials.pop(path.resolve().name)
    return Sources({name: text, **partials})


@dataclass
class MessageContext:
    """One rendered message (a template × sample, or a lone file) under check."""

    workspace: Workspace | None
    msg: RenderedMessage
    sources: Sources
    subject: str
    spam: bool = False
    """Whether to run SpamAssassin on this message (the first sample of a template)."""

    @cached_property
    def html(self) -> HtmlView:
        return HtmlView.parse(self.msg.html)

    @cached_property
    def _distinct(self) -> tuple[dict[str, str], bool]:
        seen: dict[str, str] = {}
        mailto = False
        for link in self.html.links:
            href = link.href.strip()
            if href not in seen and href[:8].lower().startswith(("http://", "https://", "mailto:")):
                seen[href] = link.text
                mailto = mailto or href[:7].lower() == "mailto:"
        return seen, mailto

    @property
    def distinct_links(self) -> dict[str, str]:
        """Each distinct ``http(s)`` and ``mailto`` link (href stripped) with its first
        text, in order: one dict for the link rules and text parity (a message with
        100,000 links held a set and a tuple of pairs beside it)."""
        return self._distinct[0]

    @property
    def web_links(self) -> Iterator[tuple[str, str]]:
        """Each distinct ``http(s)`` link (href stripped) with its text, in order."""
        links, mailto = self._distinct
        if not mailto:
            return iter(links.items())
        return ((href, text) for href, text in links.items() if href[:7].lower() != "mailto:")

    @property
    def settings(self) -> Settings:
        return self.workspace.settings if self.workspace else Settings()

    def locate_url(self, url: str) -> Location:
        """Where a URL of the message is written: literally in a source (as rendered,
        else without the query tracking may have added); else, for a URL that came
        from the sample, where the template writes that variable (through ``set``
        and macro calls); else the template without a line."""
        found = self.sources.locate(url, url.split("?", 1)[0])
        if found.line is not None:
            return found
        for path in value_paths(dict(self.msg.variables), url):
            where = self.sources.locate_variable(path)
            if where is not None:
                return where
        return found


@dataclass
class SampleRender:
    sample: str
    msg: RenderedMessage | None
    error: StudioError | None


@dataclass
class TemplateContext:
    """A template with every one of its samples rendered (or failed)."""

    workspace: Workspace
    template: Template
    renders: list[SampleRender]
    sources: Sources

    @property
    def settings(self) -> Settings:
        return self.workspace.settings


@dataclass
class SmsContext:
    workspace: Workspace
    template: Template
    sms: RenderedSms

    @property
    def limit(self) -> int:
        return self.template.meta.max_sms_segments or self.workspace.settings.lint.max_sms_segments


@dataclass
class WorkspaceContext:
    """The templates of a workspace, for rules that compare them with each other.

    ``names`` are the messages being checked: a rule reports what concerns at
    least one of them.
    """

    workspace: Workspace
    names: list[str]

    @property
    def settings(self) -> Settings:
        return self.workspace.settings
