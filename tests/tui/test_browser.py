"""Issue 25 item 6: the studio's "open in browser" is the live browser preview, started
on first use, opened on the current template and sample, following unsaved edits."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit
from urllib.request import ProxyHandler, build_opener

from textual.widgets import Select, TextArea

from studio.core.workspace import Workspace
from studio.tui.app import StudioApp
from tests.pilot import settle, until

MARK = "SEEN UNSAVED IN THE BROWSER"


def fetch(url: str) -> str:
    assert urlsplit(url).hostname == "127.0.0.1"  # tests talk to loopback only
    with build_opener(ProxyHandler({})).open(url, timeout=10) as response:
        return str(response.read().decode("utf-8"))


async def test_ctrl_o_serves_the_template_and_sample_and_follows_unsaved_edits(
    example_copy: Workspace,
) -> None:
    opened: list[str] = []
    app = StudioApp(example_copy, watch_interval=0)
    app.browser.opener = lambda url: opened.append(url) or True
    path = example_copy.template_path("password_reset")
    saved = path.read_text(encoding="utf-8")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_file(path)
        samples = example_copy.sample_names("password_reset")
        other = next(s for s in samples if s != app.choice("#sample"))
        app.home.query_one("#sample", Select).value = other
        await settle(pilot)
        assert app.browser.server is None  # nothing runs before the first use

        await pilot.press("ctrl+o")
        await until(pilot, lambda: bool(opened), "the browser was opened")
        url = opened[0]
        parts = urlsplit(url)
        assert parts.hostname == "127.0.0.1" and parts.path == "/t/password_reset"
        assert parse_qs(parts.query)["sample"] == [other]
        page = await asyncio.to_thread(fetch, url)
        assert f'value="{other}" selected' in page and MARK not in page

        server = app.browser.server
        assert server is not None
        generation = server.watcher.generation
        editor = app.home.query_one("#editor", TextArea)
        editor.text = editor.text.replace(
            "{% block content %}",
            "{% block content %}<mj-section><mj-column><mj-text>"
            f"{MARK}</mj-text></mj-column></mj-section>",
        )
        await until(
            pilot,
            lambda: any(MARK in text for text in server.buffers.values()),
            "the server has the unsaved buffer",
        )
        assert server.watcher.generation > generation  # open pages are told to reload
        page = await asyncio.to_thread(fetch, url)
        assert MARK in page
        assert path.read_text(encoding="utf-8") == saved  # still unsaved

        # a second ctrl+o reuses the running server
        await pilot.press("ctrl+o")
        await until(pilot, lambda: len(opened) == 2, "the browser was opened again")
        assert app.browser.server is server and urlsplit(opened[1]).netloc == parts.netloc
    assert app.browser.server is None
