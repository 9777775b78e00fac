"""What the studio's action mixins share: the app's state, declared once for the type checker.

:class:`StudioBase` is the ``App`` every part of the studio builds on (layout,
editing, the disk watch, the preview flow, the tools, the workspace actions);
``app.StudioApp`` combines them and sets the state in ``__init__``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.screen import Screen
    from textual.timer import Timer

    from ..core.buffers import Buffers
    from ..core.render.pipeline import RenderedMessage, RenderedSms
    from ..core.sink import Sink
    from ..core.workspace import Workspace
    from .browser import BrowserPreview
    from .scheduler import RenderScheduler
    from .widgets import EditorPane, PreviewPane


class StudioBase(App[None]):
    """The studio's state and the small helpers every part uses (set by ``StudioApp``)."""

    if TYPE_CHECKING:
        workspace: Workspace
        current: Path | None  # the file in the editor
        template: str | None  # the template being previewed
        buffers: Buffers  # every file opened, saved or not
        last_good: RenderedMessage | None
        last_sms: RenderedSms | None
        renders: RenderScheduler
        edits: int
        synced_edit: bool
        preview_edits: int
        _findings_timer: Timer | None
        painted: bool
        render_deferred: bool
        tree_wide: bool
        tree_narrow: bool
        sink: Sink | None
        last_recipient: str
        browser: BrowserPreview  # the live browser preview (ctrl+o)

        @property
        def home(self) -> Screen[object]: ...
        @property
        def pane(self) -> EditorPane: ...
        @property
        def generation(self) -> int: ...
        def _live_pane(self) -> PreviewPane | None: ...
        def rel(self, path: Path) -> str: ...
        def warn(self, text: str, severity: SeverityLevel = "warning") -> None: ...
        def release_keys(self) -> None: ...
        # editing.py
        def open_file(self, path: Path) -> bool: ...
        def sync_editor(self) -> None: ...
        def dirty(self, path: Path) -> bool: ...
        def update_status(self) -> None: ...
        def reload_editor(self, path: Path) -> None: ...
        # preview_flow.py
        def request_render(self) -> None: ...
        def choice(self, select_id: str) -> str | None: ...
        # layout.py
        def show_preview(self) -> None: ...
        # pixel_flow.py
        def pixel_cancel(self) -> None: ...
        def pixel_follow(self) -> None: ...
        def pixel_failed(self) -> None: ...


class HoldsKeysOnEnter:
    """A widget whose Enter may take the studio elsewhere (a search match, a finding):
    the studio holds the keys typed after that Enter (``KeyHold.on_event``), so they
    are typed where the jump lands, not here. Such a widget must call
    :func:`release_keys` once its Enter is handled, whatever it did."""


def release_keys(app: object) -> None:
    """Play the keys held since an Enter (a no-op in an app that is not the studio)."""
    if isinstance(app, StudioBase):
        app.release_keys()
