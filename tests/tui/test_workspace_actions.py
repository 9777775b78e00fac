"""Templates and samples from the studio, quick open and workspace search (Textual pilot)."""

from __future__ import annotations

import json

from textual.command import CommandList
from textual.widgets import Input, Select, Static, TextArea

from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from studio.tui.screens import ConfirmScreen, NamePrompt
from studio.tui.widgets import WorkspaceTree
from tests.pilot import open_search, quiet, until


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await quiet(pilot)


async def answer(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type ``text`` into the open name prompt (replacing its suggestion) and press Enter."""
    prompt = pilot.app.screen
    assert isinstance(prompt, NamePrompt)
    prompt.query_one("#prompt-input", Input).value = text
    await pilot.press("enter")
    await settle(pilot)


def preview_error(app: StudioApp) -> str:
    box = app.home.query_one("#preview-error", Static)
    return str(box.render()) if box.display else ""


async def test_new_sample_asks_a_name_and_renders_at_once(example_copy: Workspace) -> None:
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        app.open_file(example_copy.template_path("order_confirmation"))
        await settle(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        await answer(pilot, "Bad Name")  # refused, the prompt stays with the reason
        assert isinstance(app.screen, NamePrompt)
        assert "expected" in str(app.screen.query_one("#prompt-error", Static).render())
        await answer(pilot, "draft")
        assert not isinstance(app.screen, NamePrompt)
        path = example_copy.samples_dir / "order_confirmation" / "draft.json"
        assert app.current == path
        data = json.loads(path.read_text())
        assert isinstance(data["order"]["lines"], list)
        await settle(pilot)
        assert app.home.query_one("#sample", Select).value == "draft"
        assert preview_error(app) == ""  # today's new_1.json ("order": "") breaks it
        assert app.last_good is not None and app.last_good.template == "order_confirmation"


async def test_new_duplicate_rename_delete_template(example_copy: Workspace) -> None:
    ws = example_copy
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        app.action_new_template()
        await pilot.pause()
        await answer(pilot, "password_reset")  # taken: refused
        assert isinstance(app.screen, NamePrompt)
        await answer(pilot, "welcome")
        assert app.current == ws.template_path("welcome")
        assert (ws.samples_dir / "welcome" / "example.json").is_file()
        await settle(pilot)
        assert preview_error(app) == "" and app.template == "welcome"

        app.open_file(ws.template_path("account_verification"))
        await settle(pilot)
        app.action_duplicate_template()
        await pilot.pause()
        await answer(pilot, "verify_copy")
        assert ws.sms_template_path("verify_copy").is_file()
        assert app.template == "verify_copy"

        samples = set(ws.sample_names("verify_copy"))
        app.action_rename_template()
        await pilot.pause()
        await answer(pilot, "verify_again")
        assert not ws.template_path("verify_copy").exists()
        assert set(ws.sample_names("verify_again")) == samples
        assert ws.sms_template_path("verify_again").is_file()
        assert app.current == ws.template_path("verify_again")
        await settle(pilot)
        assert preview_error(app) == ""
        tree = app.home.query_one(WorkspaceTree)  # the files listed again, its cursor kept
        assert tree.cursor_node is not None and tree.cursor_node.data == app.current

        app.action_delete_template()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # kept
        await pilot.pause()
        assert ws.template_path("verify_again").is_file()
        app.action_delete_template()
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        assert not ws.template_path("verify_again").exists()
        assert not (ws.samples_dir / "verify_again").exists()
        assert app.current is not None and app.current.exists()


async def test_rename_refused_while_a_file_of_the_template_is_unsaved(
    example_copy: Workspace,
) -> None:
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        editor = app.home.query_one("#editor", TextArea)
        editor.text = "<!-- edit -->\n" + editor.text
        await settle(pilot)
        name = app.template
        app.action_rename_template()
        await pilot.pause()
        assert not isinstance(app.screen, NamePrompt)
        assert name is not None and example_copy.template_path(name).is_file()


async def test_search_opens_a_match_at_its_line(example_copy: Workspace) -> None:
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        screen = await open_search(pilot, "order_totals(order")
        target = screen.matches[0]
        await pilot.press("enter")
        await settle(pilot)
        assert app.current == example_copy.root / target.file
        editor = app.home.query_one("#editor", TextArea)
        assert editor.cursor_location[0] == target.line - 1
        assert "order_totals(order" in editor.document.get_line(target.line - 1)


async def test_palette_opens_any_file_by_name(example_copy: Workspace) -> None:
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"locfr.toml")  # fuzzy: brand/locales/fr.toml
        found = app.screen.query_one(CommandList)

        def first() -> str:
            return str(found.get_option_at_index(0).prompt) if found.option_count else ""

        await until(pilot, lambda: "fr.toml" in first(), "listed")
        await pilot.press("enter")
        await settle(pilot)
        assert app.current == example_copy.root / "brand" / "locales" / "fr.toml"
