"""The studio's pixel flow: the Pixel tab follows the editor once typing pauses.

Every render of the text preview (each keystroke's) re-arms a short timer; when it
fires with no render in flight, the shown message's HTML goes to the pixel engine
(``core/pixel.py``: one Chromium page in its own thread, warm). A keystroke drops
the refresh in flight (the engine abandons it at its next step and its picture,
should it still come, is ignored), so the picture always ends on the last edit and
the text preview never waits for Chromium. Nothing is drawn while the tab is
hidden; showing it draws at once. The width, the scheme and the changed-pixels view
(against the saved files, through the diff of ``studio shot --compare``) each have
a key (``keys.py``) and a palette entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import StudioBase
from .messages import PixelDrawn
from .scheduler import render_preview
from .widgets import PixelView, PreviewPane

if TYPE_CHECKING:
    from textual.timer import Timer
    from textual.widgets import TabbedContent

    from ..core.pixel import Picture, PixelEngine

PIXEL_DELAY = 0.1  # s without a keystroke before the pixel preview is drawn again
PIXEL_TAB = "tab-pixel"


class PixelFlow(StudioBase):
    """The Pixel tab's state and actions: part of ``StudioApp``."""

    pixel_width = 600
    pixel_dark = False
    pixel_changes = False
    _pixel_engine: PixelEngine | None = None
    _pixel_timer: Timer | None = None
    _pixel_asked = 0  # token of the latest request sent to the engine
    _pixel_shown = 0  # token of the picture on screen
    _pixel_stale = True  # the message or the options changed since the last request

    # -- state -------------------------------------------------------------------

    @property
    def pixel_view(self) -> PixelView:
        return self.home.query_one(PixelView)

    @property
    def pixel_visible(self) -> bool:
        panes = self.home.query(PreviewPane)
        if not panes or not panes.first().tabs_mounted:
            return False
        return panes.first().active_tab == PIXEL_TAB

    @property
    def pixel_settling(self) -> bool:
        """A picture is still to come for what the Pixel tab should show (tests wait on it)."""
        if not self.pixel_visible:
            return False
        return (
            self._pixel_timer is not None
            or self._pixel_stale
            or self._pixel_asked != self._pixel_shown
            or self.renders.busy
        )

    # -- the flow ------------------------------------------------------------------

    def pixel_cancel(self) -> None:
        """An edit: the refresh in flight is for older text (its picture is dropped)."""
        self._pixel_stale = True
        if self._pixel_asked != self._pixel_shown and self._pixel_engine is not None:
            self._pixel_engine.cancel()
            self._pixel_asked += 1  # its picture, should it still come, is not the latest
            self._pixel_shown = self._pixel_asked  # and nothing else is coming

    def pixel_follow(self) -> None:
        """A new preview is shown: draw it once typing pauses (if the tab is visible)."""
        self._pixel_stale = True
        if not self.pixel_visible:
            return
        if self._pixel_timer is not None:
            self._pixel_timer.stop()
        self._pixel_timer = self.set_timer(PIXEL_DELAY, self.pixel_refresh)

    def pixel_failed(self) -> None:
        """The text no longer renders: the last picture stays, and the line says why."""
        self._pixel_stale = False
        if self._pixel_timer is not None:
            self._pixel_timer.stop()
            self._pixel_timer = None
        if self.pixel_visible:
            self.pixel_view.say(
                "⚠ The message does not render (the error is above): this is the last picture.",
                style="bold red",
            )

    def pixel_refresh(self) -> None:
        """Send the shown message to the engine (the options as they are now)."""
        self._pixel_timer = None
        if not self.pixel_visible:
            return
        view = self.pixel_view
        from ..core.pixel import PixelEngine, PixelRequest, install_hint

        hint = install_hint()
        if hint is not None:
            view.say(hint, style="bold yellow")
            self._pixel_stale = False
            return
        msg = self.last_good
        if msg is None or self.template is None:
            view.say("Nothing to draw yet: the message does not render.")
            self._pixel_stale = False
            return
        if self.renders.busy:
            return  # the render in flight calls pixel_follow when it is shown
        if self._pixel_engine is None:
            self._pixel_engine = PixelEngine()
        self._pixel_asked += 1
        self._pixel_stale = False
        baseline = None
        if self.pixel_changes:
            template, sample, locale = self.template, self.choice("#sample"), self.choice("#locale")
            ws = self.workspace

            def baseline() -> str | None:  # the saved files, rendered in the engine's thread
                saved = render_preview(ws, template, sample, locale, {})
                return saved.message.html if saved.message is not None else None

        if view.picture is None:
            view.say("Drawing in Chromium…")
        self._pixel_engine.request(
            PixelRequest(
                msg.html,
                self.pixel_width,
                self.pixel_dark,
                self._pixel_asked,
                view.wanted_scale(),
                baseline,
            ),
            self._pixel_drawn,
        )

    def _pixel_drawn(self, picture: Picture) -> None:
        """In the engine's thread: hand the picture to the UI's loop."""
        self.post_message(PixelDrawn(picture))

    def on_pixel_drawn(self, event: PixelDrawn) -> None:
        picture = event.picture
        if picture.token != self._pixel_asked or not self.screen_stack:
            return  # an older request's picture, or the app is closing
        self._pixel_shown = picture.token
        view = self.pixel_view
        if picture.error is not None:
            view.say(picture.error, style="bold red")
        else:
            view.show_picture(picture, self.pixel_changes)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == PIXEL_TAB and self._pixel_stale:
            self.pixel_refresh()

    def close_pixel(self) -> None:
        if self._pixel_engine is not None:
            self._pixel_engine.close()
            self._pixel_engine = None

    # -- actions (keys.py) -----------------------------------------------------------

    def _pixel_option_changed(self) -> None:
        self.pixel_cancel()
        if self.pixel_visible:
            self.show_preview()
            self.pixel_refresh()
        else:
            self.action_show_pixel()  # the tab draws when it is shown

    def action_show_pixel(self) -> None:
        self.show_preview()
        self.home.query_one(PreviewPane).show_tab(PIXEL_TAB)

    def action_pixel_width(self) -> None:
        self.pixel_width = 375 if self.pixel_width == 600 else 600
        self._pixel_option_changed()

    def action_pixel_dark(self) -> None:
        self.pixel_dark = not self.pixel_dark
        self._pixel_option_changed()

    def action_pixel_changes(self) -> None:
        self.pixel_changes = not self.pixel_changes
        self._pixel_option_changed()
