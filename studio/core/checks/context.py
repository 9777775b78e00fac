"""What rules look at: a rendered message with its parsed HTML and its source files.

The HTML is parsed once per message (links with their visible text, images, the
``lang`` and ``<title>``). The *sources* are the template file and every component
it reaches; a finding about something in the HTML (a URL, an image) is pointed back
to the first source line that contains it, so that the report says where to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path

from ...errors import StudioError
from ..findings import Location
from ..render.pipeline import RenderedMessage, RenderedSms
from ..settings import Settings
from ..templates import Template
from ..variables import referenced
from ..workspace import Workspace


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    image_alt: str | None  # alt text of an image inside the link, if any


@dataclass(frozen=True)
class Image:
    src: str
    alt: str | None


class _HtmlView(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self.images: list[Image] = []
        self.lang: str | None = None
        self.title = ""
        self.words = 0
        self._in_title = False
        self._skip = 0
        self._open: list[tuple[str, list[str], list[str]]] = []  # href, text parts, alts

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "title":
            self._in_title = True
        elif tag in ("style", "script", "head"):
            self._skip += 1
        elif tag == "a":
            self._open.append((attrs.get("href") or "", [], []))
        elif tag == "img":
            self.images.append(Image(src=attrs.get("src") or "", alt=attrs.get("alt")))
            if self._open and attrs.get("alt"):
                self._open[-1][2].append(attrs["alt"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in ("style", "script", "head") and self._skip:
            self._skip -= 1
        elif tag == "a" and self._open:
            href, text, alts = self._open.pop()
            self.links.append(
                Link(
                    href=href,
                    text=" ".join("".join(text).split()),
                    image_alt=" ".join(alts) or None,
                )
            )

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._skip:
            return
        for _, text, _ in self._open:
            text.append(data)
        self.words += len(data.split())


@dataclass(frozen=True)
class HtmlView:
    links: tuple[Link, ...]
    images: tuple[Image, ...]
    lang: str | None
    title: str
    words: int

    @classmethod
    def parse(cls, html: str) -> HtmlView:
        p = _HtmlView()
        p.feed(html)
        p.close()
        return cls(tuple(p.links), tuple(p.images), p.lang, p.title.strip(), p.words)


@dataclass
class Sources:
    """The text of a template and of every component it reaches, by workspace path."""

    files: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_template(cls, workspace: Workspace, tpl: Template) -> Sources:
        env = workspace.renderer.env
        files: dict[str, str] = {tpl.relname: tpl.source}
        queue = [tpl.body]
        while queue:
            text = queue.pop()
            try:
                refs = referenced(env, text)
            except Exception:  # noqa: BLE001 - a syntax error is template.syntax's finding
                continue
            for ref in refs:
                if ref in files:
                    continue
                path = workspace.root / ref
                try:
                    files[ref] = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    continue
                queue.append(files[ref])
        return cls(files)

    @classmethod
    def of_file(cls, name: str, text: str) -> Sources:
        return cls({name: text})

    @property
    def primary(self) -> str:
        return next(iter(self.files))

    def locate(self, *needles: str) -> Location:
        """The first file and line containing one of ``needles``; else the template."""
        for needle in needles:
            if not needle:
                continue
            for name, text in self.files.items():
                i = text.find(needle)
                if i >= 0:
                    return Location(name, text.count("\n", 0, i) + 1)
        return Location(self.primary)

    def search(
        self, pattern: re.Pattern[str], prepare: Callable[[str], str] | None = None
    ) -> list[tuple[Location, re.Match[str]]]:
        """Every match of ``pattern`` in every source file (after ``prepare``), located."""
        found = []
        for name, text in self.files.items():
            if prepare is not None:
                text = prepare(text)
            for m in pattern.finditer(text):
                found.append((Location(name, text.count("\n", 0, m.start()) + 1), m))
        return found


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

    @property
    def settings(self) -> Settings:
        return self.workspace.settings if self.workspace else Settings()


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


def relative(workspace: Workspace | None, path: Path) -> str:
    return workspace.relpath(path) if workspace else str(path)
