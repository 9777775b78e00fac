"""Messages the studio's widgets and workers post (past tense: something happened)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from ..core.findings import Finding
from ..core.render.pipeline import RenderedMessage, RenderedSms
from ..errors import StudioError


@dataclass
class PreviewRendered(Message):
    """A render finished (``message`` set) or failed (``error`` set)."""

    generation: int
    edits: int  # the editor's edit count this render saw
    message: RenderedMessage | None
    sms: RenderedSms | None
    error: StudioError | None


@dataclass
class RenderFinished(Message):
    """The render worker is done (shown, failed, findings posted): the next may start."""

    generation: int


@dataclass
class FindingsComputed(Message):
    generation: int
    findings: list[Finding]


@dataclass
class FileChangedOnDisk(Message):
    path: str


@dataclass
class MessageCaptured(Message):
    """The embedded sink stored a message (posted from the sink's thread)."""

    id: str
