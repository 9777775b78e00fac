"""The studio's tools beyond the editor: browser, deliverability, inbox, send, router, help.

Each action opens a screen (``screens/``) or the live browser preview
(``browser.py``); the screens do their blocking work in workers of their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from ..core.safe_text import printable
from ..errors import StudioError
from .base import StudioBase

if TYPE_CHECKING:  # the sink's modules load on first use
    from .sink_control import MessageCaptured

# The screens (and DNS, the sink, the inbox and sending behind them) are imported by
# the action that opens them: the studio's first paint does not wait for them.


class ToolActions(StudioBase):
    """Screens and tools: part of ``StudioApp``."""

    def action_open_browser(self) -> None:
        """The live browser preview (``browser.py``) on the previewed template, sample
        and locale, with the unsaved edits; the server starts on first use."""
        if self.template is None:
            self.notify("nothing to preview yet", severity="warning")
            return
        self.sync_editor()
        try:
            url = self.browser.url(
                self.template,
                self.choice("#sample"),
                self.choice("#locale"),
                self.buffers.unsaved_texts(),
            )
        except StudioError as exc:
            self.warn(str(exc), "error")
            return
        self.launch_browser(url)

    @work(thread=True, group="browser")
    def launch_browser(self, url: str) -> None:
        opened = self.browser.opener(url)
        self.call_from_thread(
            self.notify, f"{'opened' if opened else 'browser preview at'} {url}", markup=False
        )

    def action_deliverability(self) -> None:
        from .screens.deliverability import DeliverabilityScreen

        self.push_screen(DeliverabilityScreen(self.workspace))

    def action_changes(self) -> None:
        """The messages the unsaved and uncommitted edits affect (``studio diff HEAD``)."""
        from .screens.changes import ChangesScreen

        self.sync_editor()
        self.push_screen(ChangesScreen(self.workspace, self.buffers.unsaved_texts()))

    def action_inbox(self) -> None:
        from .screens.inbox import InboxScreen

        self.push_screen(InboxScreen(self.workspace))

    def action_send(self) -> None:
        if self.template is None:
            return
        from .screens.send import SendScreen

        self.push_screen(
            SendScreen(
                self.workspace,
                self.template,
                self.choice("#sample"),
                self.choice("#locale"),
            )
        )

    def on_message_captured(self, event: MessageCaptured) -> None:
        # Only a started sink captures, and only the inbox or send screen starts it.
        from .screens.inbox import InboxScreen

        if isinstance(self.screen, InboxScreen):
            self.screen.action_refresh()
        self.notify(f"captured {event.id}")

    def action_toggle_router(self) -> None:
        from .router_control import toggle_router

        try:
            self.notify(toggle_router(self, self.workspace), markup=False)
        except StudioError as exc:
            self.notify(printable(str(exc), one_line=True), severity="error", markup=False)

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        self.push_screen(HelpScreen())
