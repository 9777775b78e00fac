"""The studio's Changes screen (Textual pilot): the messages unsaved and uncommitted
edits affect, with their text diffs, in a git repository built in the test."""

from __future__ import annotations

import re

from textual.widgets import DataTable, Static, TextArea

from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from studio.tui.commands import StudioCommands
from studio.tui.screens import ChangesScreen
from tests.diff.conftest import edit
from tests.pilot import settle, until

LEGAL = '{{ t("footer.legal"'


def footer_users(ws: Workspace) -> set[str]:
    return {
        t
        for t in ws.template_names()
        if "components/footer.mjml" in ws.template_path(t).read_text(encoding="utf-8")
    }


async def test_unsaved_footer_edit_lists_its_messages_with_text_diffs(repo: Workspace) -> None:
    # an uncommitted (saved) edit of a sample, and an unsaved edit of the footer
    old = "reset-password?token"
    edit(repo, "samples/password_reset/en_basic.json", old, "new-password?token")
    app = StudioApp(repo, watch_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        app.open_file(repo.components_dir / "footer.mjml")
        await settle(pilot)
        area = app.home.query_one("#editor", TextArea)
        area.text = area.text.replace(LEGAL, "Unsaved footer line. " + LEGAL, 1)
        await pilot.pause()
        await pilot.press("f11")
        await until(pilot, lambda: isinstance(app.screen, ChangesScreen), "the Changes screen")
        screen = app.screen
        assert isinstance(screen, ChangesScreen)
        await until(pilot, lambda: screen.report is not None, "the diff finished")
        report = screen.report
        assert report is not None
        assert report.inputs == ["components/footer.mjml", "samples/password_reset/en_basic.json"]
        users = footer_users(repo)
        assert {m.id.template for m in report.changed} == users
        table = screen.query_one("#changes-table", DataTable)
        assert table.row_count == len(report.changed)
        labels = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert "password_reset / en_basic" in labels
        detail = screen.query_one("#changes-detail", Static)
        assert re.search(r"^\+.*Unsaved footer line\.", str(detail.render()), re.M)
        row = labels.index("password_reset / en_basic")
        table.move_cursor(row=row)
        await pilot.pause()
        shown = str(detail.render())
        assert "new-password" in shown and "samples/password_reset/en_basic.json" in shown
        # the file on disk was not touched by the diff
        assert "Unsaved footer line." not in (repo.components_dir / "footer.mjml").read_text()
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ChangesScreen), "back")


async def test_changes_is_in_the_palette_and_says_when_there_is_no_repository(
    example_copy: Workspace,
) -> None:
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        hits = [h async for h in StudioCommands(app.screen).discover()]
        found = [h for h in hits if str(h.display) == "Changes  (f11)"]
        assert len(found) == 1
        await found[0].command()  # type: ignore[misc]

        def title() -> str:
            found = app.screen.query("#changes-title")
            return str(found.first(Static).render()) if found else ""

        await until(pilot, lambda: "not a git repository" in title(), "the error")
        assert isinstance(app.screen, ChangesScreen) and app.screen.report is None
