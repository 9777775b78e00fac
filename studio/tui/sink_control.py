"""The embedded sink: started from the inbox (``s``) or from the send dialog, one per app.

The sink lives as long as the app (``StudioApp.sink``) and posts
:class:`~studio.tui.messages.MessageCaptured` for each message it stores, so an open
inbox refreshes. Both screens start it through here, so they cannot differ.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import App
from textual.message import Message

from ..core.sink import Captured, Sink, SinkConfig
from ..core.sink.faults import Faults
from ..core.workspace import Workspace


@dataclass
class MessageCaptured(Message):
    """The embedded sink stored a message (posted from the sink's thread)."""

    id: str


def embedded_sink(app: App[object]) -> Sink | None:
    """The app's running embedded sink, or None."""
    sink: Sink | None = getattr(app, "sink", None)
    return sink if sink is not None and sink.running else None


def start_embedded_sink(app: App[object], workspace: Workspace) -> Sink:
    """Start the embedded sink on the workspace's ``[sink]`` host and port.

    Raises:
        SinkError: the port is taken or cannot be bound (the message says which).
    """
    running = embedded_sink(app)
    if running is not None:
        return running

    def captured(c: Captured) -> None:
        app.post_message(MessageCaptured(c.id))

    config = SinkConfig.from_settings(workspace)
    sink = Sink(config, on_message=captured, faults=sink_faults(app, workspace)).start()
    app.sink = sink  # type: ignore[attr-defined]
    return sink


def stop_embedded_sink(app: App[object]) -> None:
    sink = embedded_sink(app)
    if sink is not None:
        sink.stop()
    app.sink = None  # type: ignore[attr-defined]


def sink_faults(app: App[object], workspace: Workspace) -> Faults | None:
    """The embedded sink's fault rules with their on/off switches (None without rules).

    Kept on the app, so the inbox toggles the rules of the running sink, and a sink
    stopped and started again keeps what was switched off (and its greylist).
    """
    config = SinkConfig.from_settings(workspace)
    faults: Faults | None = getattr(app, "sink_faults", None)
    if not config.faults:
        return None
    if faults is None or faults.rules != config.faults or faults.maildir != config.maildir:
        faults = Faults(config.faults, config.maildir, dmarc=config.dmarc)
        app.sink_faults = faults  # type: ignore[attr-defined]
    return faults
