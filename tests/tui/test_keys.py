"""The one key table: app bindings, palette entries and help lines all come from it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit

from studio.core.scaffold import init_workspace
from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from studio.tui.commands import StudioCommands
from studio.tui.keys import EDITOR_KEYS, KEYS
from studio.tui.screens.help import help_text


def _app_keys(app: StudioApp) -> set[tuple[str, str]]:
    """(key, action) of every binding of the running app, less Textual's own (ctrl+p...)."""
    textual_own = {(b.key, b.action) for b in App.BINDINGS if isinstance(b, Binding)}
    textual_own.add((App.COMMAND_PALETTE_BINDING, "command_palette"))
    table = {(k.key, k.action) for k in KEYS if k.key}
    return {
        (b.key, b.action)
        for bindings in app._bindings.key_to_bindings.values()
        for b in bindings
        if not b.system and ((b.key, b.action) in table or (b.key, b.action) not in textual_own)
    }


async def _palette(app: StudioApp) -> set[tuple[str, str]]:
    """What the studio's palette provider discovers: (displayed key, action) pairs."""
    provider = StudioCommands(app.screen)
    found: set[tuple[str, str]] = set()
    async for hit in provider.discover():
        assert isinstance(hit, DiscoveryHit)
        match = re.search(r"\(([^()]+)\)$", str(hit.display))
        key = match.group(1) if match else ""  # a palette-only action shows no key
        assert key or str(hit.display) in {k.title for k in KEYS if not k.key}, hit.display
        found.add((key, hit.command.args[0]))  # type: ignore[attr-defined]
    return found


def _help_keys() -> set[str]:
    """The keys of the help screen's table (markdown rows ``| key | text |``)."""
    rows = re.findall(r"^\| (.+?) \| .+ \|$", help_text(), flags=re.M)
    return {r for r in rows if r not in ("key", "---")}


async def test_every_binding_has_a_palette_entry_and_a_help_line_and_vice_versa(
    tmp_path: Path,
) -> None:
    init_workspace(tmp_path / "ws")
    app = StudioApp(Workspace.open(tmp_path / "ws"), watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        bindings = _app_keys(app)
        palette = await _palette(app)
    table = {(k.key, k.action) for k in KEYS}
    assert bindings == {(k, a) for k, a in table if k}
    assert palette == table
    assert _help_keys() == {k.shown for k in KEYS} | {key for key, _ in EDITOR_KEYS}
    for k in KEYS:  # each key runs an action the app has
        assert callable(getattr(app, f"action_{k.action}", None)), k.action


def test_the_key_table_has_no_duplicates() -> None:
    bound = [k.key for k in KEYS if k.key]  # "" is a palette-only action
    assert len(set(bound)) == len(bound)
    assert len({k.action for k in KEYS}) == len(KEYS)
    assert len({k.title for k in KEYS}) == len(KEYS)


def test_keys_commands_and_help_do_not_import_the_app() -> None:
    """The app <-> commands <-> help import circle is gone: none of them loads the app."""
    code = (
        "import sys\n"
        "import studio.tui.keys, studio.tui.commands, studio.tui.screens.help\n"
        "print('studio.tui.app' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_docs_tui_keys_table_is_up_to_date() -> None:
    """docs/tui.md's key table is generated from the key table (scripts/gen_tui_keys.py)."""
    repo = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, str(repo / "scripts" / "gen_tui_keys.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
