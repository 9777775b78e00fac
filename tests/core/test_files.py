"""Saving keeps what the file is (symlink, mode); ctrl+o writes into a private folder."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest
from textual.widgets import TextArea

from studio.core.files import SaveError, read_file, save_file
from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from tests.pilot import settle


@pytest.fixture
def ws(scratch: Workspace) -> Workspace:
    return scratch



async def test_ctrl_s_saves_through_a_symlinked_component(ws: Workspace, tmp_path: Path) -> None:
    shared = tmp_path / "shared" / "footer.mjml"
    shared.parent.mkdir()
    link = ws.components_dir / "footer.mjml"
    shared.write_text(link.read_text())
    shared.chmod(0o640)
    link.unlink()
    link.symlink_to(shared)
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_file(link)
        editor = app.home.query_one("#editor", TextArea)
        editor.text = "<!-- SAVED THROUGH THE LINK -->\n" + editor.text
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not app.dirty(link)
    assert link.is_symlink() and link.resolve() == shared.resolve()
    assert shared.read_text().startswith("<!-- SAVED THROUGH THE LINK -->")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640
    assert not list(shared.parent.glob(".*.tmp")) and not list(link.parent.glob(".*.tmp"))


async def test_ctrl_s_keeps_the_file_mode(ws: Workspace) -> None:
    path = ws.template_path("password_reset")
    path.chmod(0o664)
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        editor = app.home.query_one("#editor", TextArea)
        editor.text = editor.text + "\n"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not app.dirty(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o664


async def test_a_new_sample_gets_the_umask_default_mode(ws: Workspace) -> None:
    old = os.umask(0o022)
    try:
        app = StudioApp(ws, watch_interval=0)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+n")
            await settle(pilot)
            await pilot.press("enter")  # the name it suggests: new_1
            await settle(pilot)
    finally:
        os.umask(old)
    new = ws.samples_dir / "password_reset" / "new_1.json"
    assert stat.S_IMODE(new.stat().st_mode) == 0o644


async def test_ctrl_o_writes_no_file_it_opens_the_loopback_preview(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    predictable = Path(tempfile.gettempdir()) / "studio-password_reset.html"
    before = predictable.stat().st_mtime_ns if predictable.exists() else None
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        server = app.browser.server
        assert server is not None and server.httpd.server_address[0] == "127.0.0.1"
    assert len(opened) == 1 and opened[0].startswith("http://127.0.0.1:")
    assert app.browser.server is None  # stopped with the studio
    after = predictable.stat().st_mtime_ns if predictable.exists() else None
    assert after == before  # the predictable name in /tmp is not written


def test_save_refuses_a_read_only_file_and_reads_never_raise_for_content(tmp_path: Path) -> None:
    path = tmp_path / "a.mjml"
    path.write_bytes(b"caf\xe9\x1b]0;title\x07\n")
    loaded = read_file(path)
    assert loaded.read_only and "\x1b" not in loaded.text and "caf" in loaded.text
    path.chmod(0o444)
    with pytest.raises(SaveError):
        save_file(path, "x")
    assert path.read_bytes().startswith(b"caf\xe9")
