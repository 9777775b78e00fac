"""The studio's tools beyond the editor: browser, deliverability, inbox, send, help, theme.

Each action opens a screen (``screens/``) or the live browser preview
(``browser.py``); the screens do their blocking work in workers of their own.
"""

from __future__ import annotations

from textual import work

from ..errors import StudioError
from .base import StudioBase
from .messages import MessageCaptured
from .screens import DeliverabilityScreen, HelpScreen, InboxScreen, SendScreen


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
        self.push_screen(DeliverabilityScreen(self.workspace))

    def action_inbox(self) -> None:
        self.push_screen(InboxScreen(self.workspace))

    def action_send(self) -> None:
        if self.template is None:
            return
        self.push_screen(
            SendScreen(
                self.workspace,
                self.template,
                self.choice("#sample"),
                self.choice("#locale"),
            )
        )

    def on_message_captured(self, event: MessageCaptured) -> None:
        if isinstance(self.screen, InboxScreen):
            self.screen.action_refresh()
        self.notify(f"captured {event.id}")

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_help(self) -> None:
        self.push_screen(HelpScreen())
