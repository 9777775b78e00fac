"""Search across the workspace: a query, the matching lines, Enter opens one at its line."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ...core.safe_text import printable
from ...core.workspace import Workspace
from ...core.workspace_files import Match, search_workspace
from ..base import HoldsKeysOnEnter, release_keys


class SearchDone(Message):
    """A search finished (posted from the worker)."""

    def __init__(self, query: str, matches: list[Match]) -> None:
        super().__init__()
        self.query, self.matches = query, matches


class SearchScreen(ModalScreen[Match | None]):
    """Type to search every template, component, sample and brand file (unsaved text too)."""

    BINDINGS = [("escape", "dismiss", "Close")]

    def __init__(self, workspace: Workspace, buffers: Callable[[], dict[str, str]]) -> None:
        super().__init__()
        self.workspace = workspace
        self.buffers = buffers
        self.matches: list[Match] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="search-dialog"):
            yield Label("Search in workspace (Enter: first match; ↓ then Enter: a match)")
            yield SearchInput(placeholder="text to find", id="search-query")
            yield SearchResults(id="search-results")
            yield Label("", id="search-count")

    def on_mount(self) -> None:
        self.query_one("#search-query", Input).focus()

    @on(Input.Changed, "#search-query")
    def changed(self, event: Input.Changed) -> None:
        self.search(event.value, self.buffers())

    @work(thread=True, exclusive=True, group="search")
    def search(self, query: str, buffers: dict[str, str]) -> None:
        self.post_message(
            SearchDone(query, search_workspace(self.workspace, query, buffers=buffers))
        )

    def on_search_done(self, event: SearchDone) -> None:
        if event.query != self.query_one("#search-query", Input).value:
            return  # typed on since
        self.matches = event.matches
        results = self.query_one("#search-results", OptionList)
        results.clear_options()
        for i, m in enumerate(event.matches):
            line = Text(f"{m.file}:{m.line}  ", style="bold")
            line.append(printable(m.text.strip(), one_line=True)[:200])
            results.add_option(Option(line, id=str(i)))
        if event.matches:
            results.highlighted = 0
        count = f"{len(event.matches)} match(es)" if event.query else ""
        self.query_one("#search-count", Label).update(count)

    def open_match(self) -> None:
        """Enter in the query: the highlighted match (the first one) if any."""
        if self.matches:
            results = self.query_one("#search-results", OptionList)
            self.dismiss(self.matches[results.highlighted or 0])  # the studio releases
        else:
            release_keys(self.app)  # nothing to open (yet): typing goes on here

    @on(OptionList.OptionSelected, "#search-results")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.matches[int(event.option_id or 0)])


class SearchInput(HoldsKeysOnEnter, Input):
    """The query: Enter opens the highlighted match."""

    async def action_submit(self) -> None:
        screen = self.screen
        if isinstance(screen, SearchScreen):
            screen.open_match()
        else:
            release_keys(self.app)


class SearchResults(HoldsKeysOnEnter, OptionList):
    """The matches: Enter opens the highlighted one."""

    def action_select(self) -> None:
        if self.highlighted is None:
            release_keys(self.app)  # nothing highlighted: Enter does nothing
        super().action_select()  # OptionSelected: the screen closes on the match
