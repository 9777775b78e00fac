"""Issue 16: mj-include partials in the studio: opening one keeps the template that
includes it in the preview, which shows the partial and follows its unsaved edits."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TextArea

from studio.tui.app import StudioApp
from tests.mjml.test_include import _workspace
from tests.pilot import settle, until
from tests.tui.test_app import preview_text


async def test_a_partial_under_templates_keeps_the_previewed_template(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    (ws.samples_dir / "promo").mkdir(parents=True, exist_ok=True)
    (ws.samples_dir / "promo" / "en_basic.json").write_text('{"name": "Ada"}', encoding="utf-8")
    partial = ws.root / "templates" / "partials" / "banner.mjml"
    app = StudioApp(ws, watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_file(ws.template_path("promo"))
        await settle(pilot)
        assert app.template == "promo" and "Saved banner" in preview_text(app)
        app.open_file(partial)
        await settle(pilot)
        assert app.template == "promo" and app.current == partial
        editor = app.home.query_one("#editor", TextArea)
        editor.text = editor.text.replace("Saved banner", "Unsaved banner")
        await until(pilot, lambda: "Unsaved banner" in preview_text(app), "the partial's edit")
        assert app.template == "promo"
