"""Messages the studio's widgets, screens and workers post (past tense: something happened).

Workers never touch widgets from their thread: they post one of these and the
screen or the app updates its widgets when it handles it, on the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:  # types only: the studio loads DNS and the inbox on first use
    from ..core.diff import DiffReport
    from ..core.dns import DnsReport
    from ..core.findings import Finding
    from ..core.inbox import CapturedMessage
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


@dataclass
class MessageCaptured(Message):
    """The embedded sink stored a message (posted from the sink's thread)."""

    id: str


@dataclass(frozen=True)
class InboxRow:
    """One line of the inbox list, every field already as it is shown."""

    id: str
    time: str
    from_: str
    to: str
    size: str
    subject: str
    verdict: str


@dataclass
class InboxListed(Message):
    """The inbox was read: its rows, how many messages could not be read, or why none could."""

    rows: list[InboxRow]
    unreadable: int
    error: str  # the Maildir itself could not be read ("" when it could)
    router: str = ""  # the router's stats on one line ("" when nothing was triggered)


@dataclass
class CapturedMessageLoaded(Message):
    """A captured message was read, verified and checked: ready to be shown."""

    captured: CapturedMessage


@dataclass
class CapturedMessageFailed(Message):
    """A captured message could not be read or checked (``error`` says why)."""

    id: str
    error: str


@dataclass
class ReleaseFinished(Message):
    """A release to a relay finished: the relay's reply, or why it failed."""

    line: str


@dataclass
class SendFinished(Message):
    """A test send finished: the transport's reply, or why it failed."""

    line: str
    to: str = ""  # the address, once valid
    sent: bool = False
    sink_down: bool = False  # nothing listens on the local sink's port


@dataclass
class PreflightFinished(Message):
    """The DNS preflight finished (``report`` set) or could not run (``error`` set)."""

    report: DnsReport | None
    error: str | None


@dataclass
class ChangesFinished(Message):
    """The Changes screen's diff finished (``report`` set) or could not run (``error`` set)."""

    report: DiffReport | None
    error: str | None
