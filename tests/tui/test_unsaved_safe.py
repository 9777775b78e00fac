"""The studio never exits with unsaved edits: whatever a file on disk does, buffers stay.

Each test makes an edit (the buffer the user must not lose), then meets a file that
is read-only, not UTF-8, rewritten as non-UTF-8 or replaced by a folder, and checks
that the app is still running with the edit intact and says what happened.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from textual.widgets import TextArea

from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from tests.pilot import settle

EDIT = "<!-- UNSAVED EDIT -->\n"
LATIN1 = "<mj-text>Caf\xe9 cr\xe8me</mj-text>\n".encode("latin-1")


@pytest.fixture
def ws(scratch: Workspace) -> Workspace:
    return scratch



def editor(app: StudioApp) -> TextArea:
    return app.home.query_one("#editor", TextArea)


async def edit_template(pilot, ws: Workspace) -> Path:  # type: ignore[no-untyped-def]
    """Open the template and type an edit that is not saved."""
    app: StudioApp = pilot.app
    await settle(pilot)
    path = ws.template_path("password_reset")
    assert app.current == path
    editor(app).text = EDIT + editor(app).text
    await settle(pilot)
    assert app.dirty(path)
    return path


def assert_alive_with_edit(app: StudioApp, path: Path) -> None:
    assert app.is_running
    assert app.dirty(path)
    text = editor(app).text if app.current == path else app.buffers[path].text
    assert text.startswith(EDIT)


def notices(app: StudioApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_save_of_a_read_only_file_keeps_the_buffer(ws: Workspace) -> None:
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        path = await edit_template(pilot, ws)
        before = path.read_bytes()
        path.chmod(0o444)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert_alive_with_edit(app, path)
        assert path.read_bytes() == before  # not replaced behind the user's back
        assert any("password_reset.mjml" in n for n in notices(app))


async def test_a_failed_save_keeps_the_buffer(ws: Workspace) -> None:
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        path = await edit_template(pilot, ws)
        shutil.rmtree(path.parent)
        path.parent.write_text("a file where the folder was\n")  # the save cannot write
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert_alive_with_edit(app, path)
        assert "(unsaved)" in app.sub_title


async def test_a_file_that_is_not_utf8_opens_read_only(ws: Workspace) -> None:
    footer = ws.components_dir / "footer.mjml"
    footer.write_bytes(LATIN1)
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        path = await edit_template(pilot, ws)
        assert app.open_file(footer)
        await settle(pilot)
        assert app.current == footer and editor(app).read_only
        assert "(read-only)" in app.sub_title
        assert "Caf" in editor(app).text
        assert any("UTF-8" in n for n in notices(app))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert footer.read_bytes() == LATIN1  # never written back with replaced bytes
        assert_alive_with_edit(app, path)
        app.open_file(path)
        await settle(pilot)
        assert not editor(app).read_only
        assert_alive_with_edit(app, path)


async def test_a_template_that_is_not_utf8_does_not_stop_the_studio(ws: Workspace) -> None:
    path = ws.template_path("password_reset")
    path.write_bytes(path.read_bytes() + LATIN1)
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.is_running
        assert app.current == path and editor(app).read_only
        assert any("UTF-8" in n for n in notices(app))
        app.open_file(ws.components_dir / "footer.mjml")  # other files still edit and save
        editor(app).text = EDIT + editor(app).text
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert (ws.components_dir / "footer.mjml").read_text().startswith(EDIT)


async def test_an_open_file_rewritten_as_invalid_utf8(ws: Workspace) -> None:
    footer = ws.components_dir / "footer.mjml"
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        path = await edit_template(pilot, ws)
        app.open_file(footer)
        app.open_file(path)
        await settle(pilot)
        footer.write_bytes(LATIN1)  # a clean buffer: reloaded, read-only
        path.write_bytes(LATIN1)  # the edited one: the edit stays
        os.utime(footer, ns=(1, 1))
        os.utime(path, ns=(1, 1))
        app.check_disk()
        await settle(pilot)
        assert_alive_with_edit(app, path)
        assert app.buffers[footer].saved.startswith("<mj-text>Caf")
        assert app.buffers[footer].read_only
        app.check_disk()  # again, as the watch timer would: nothing new, nothing breaks
        await settle(pilot)
        assert_alive_with_edit(app, path)


async def test_an_open_file_replaced_by_a_folder(ws: Workspace) -> None:
    footer = ws.components_dir / "footer.mjml"
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        path = await edit_template(pilot, ws)
        app.open_file(footer)
        editor(app).text = EDIT + editor(app).text
        await settle(pilot)
        app.open_file(path)
        await settle(pilot)
        footer.unlink()
        footer.mkdir()
        path.unlink()
        path.mkdir()
        app.check_disk()
        await settle(pilot)
        assert_alive_with_edit(app, path)
        assert_alive_with_edit(app, footer)
        await pilot.press("ctrl+s")  # saving over a folder: refused, edits kept
        await settle(pilot)
        assert_alive_with_edit(app, path)
        assert path.is_dir()
        app.check_disk()
        await settle(pilot)
        assert_alive_with_edit(app, footer)


def test_new_file_mode_follows_the_umask(tmp_path: Path) -> None:
    from studio.core.files import save_file

    old = os.umask(0o022)
    try:
        save_file(tmp_path / "new.json", "{}\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o644
