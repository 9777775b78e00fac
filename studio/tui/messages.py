"""Messages the studio's own widgets and workers post (past tense: something happened).

Workers never touch widgets from their thread: they post one of these and the
screen or the app updates its widgets when it handles it, on the UI thread. The
messages of a screen opened on demand (inbox, send, deliverability, changes) and of
the embedded sink are defined beside the code that posts them, and load with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:  # types only: the studio loads DNS and the inbox on first use
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
class PixelDrawn(Message):
    """The pixel engine drew a picture (or says why it could not): ``core.pixel.Picture``."""

    picture: Any


@dataclass
class RenderFinished(Message):
    """The render worker is done (shown, failed, findings posted): the next may start."""

    generation: int


@dataclass
class FindingsComputed(Message):
    """The checks of the previewed message (of render ``generation``) are done."""

    generation: int
    findings: list[Finding]


@dataclass
class LocationChosen(Message):
    """A finding or a render error was chosen: open ``file`` (workspace-relative) at ``line``."""

    file: str
    line: int | None
