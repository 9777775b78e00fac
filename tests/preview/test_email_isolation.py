"""An email runs no script and reaches nothing, in screenshots and in the preview.

A template carrying ``<script>new WebSocket("ws://127.0.0.1:…")</script>`` (and
fetch, images, frames, CSS backgrounds, a meta refresh, all aimed at a loopback
listener) made ``studio shot`` connect to that listener (issue 14 item 9). Mail
clients run no script and the preview must not either. The listener records every
connection in order; after the shot or the page load, the test connects a canary
itself and waits for the listener to see it, so anything the browser opened earlier
is already on record: no sleep decides the outcome.
"""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.core.preview import PreviewServer
from studio.core.preview.server import EMAIL_CSP, MAX_CONNECTIONS
from studio.core.shots import launch_chromium, take_screenshots
from studio.core.workspace import Workspace

from .test_preview import CHROMIUM, needs_chromium

CANARY = b"CANARY\n"


class Listener:
    """A TCP listener on loopback (WebSocket, HTTP or anything) noting each connection."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        self.seen: list[bytes] = []
        self.canary = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)  # a guard for a client that says nothing
                try:
                    data = conn.recv(300) or b"(closed)"
                except OSError:
                    data = b"(silent)"
            self.seen.append(data)
            if data == CANARY:
                self.canary.set()

    def before_canary(self) -> list[bytes]:
        """Every connection made before now (accepted in the order they arrived)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as c:
            c.sendall(CANARY)
        assert self.canary.wait(30)
        return self.seen[: self.seen.index(CANARY)]

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


def hostile(ws: Workspace, port: int, *, frame: bool = True) -> None:
    """Put every way an email could call out into password_reset."""
    at = f"127.0.0.1:{port}"
    payload = (
        "<mj-raw><script>new WebSocket('ws://AT/ws'); fetch('http://AT/fetch');"
        " new Image().src = 'http://AT/js-image';</script></mj-raw>"
        '<mj-raw><meta http-equiv="refresh" content="0;url=http://AT/refresh">'
        '<img src="http://AT/img" alt=""><object data="http://AT/object"></object>'
        '<link rel="stylesheet" href="http://AT/sheet">'
        '<div style="background-image:url(http://AT/css)">x</div></mj-raw>'
        + ('<mj-raw><iframe src="http://AT/frame"></iframe></mj-raw>' if frame else "")
    ).replace("AT", at)
    path = ws.template_path("password_reset")
    path.write_text(
        path.read_text().replace("{% block content %}", "{% block content %}" + payload)
    )
    html = ws.render("password_reset", sample="en_basic").html
    assert f"new WebSocket('ws://{at}/ws')" in html and f"http://{at}/img" in html


@needs_chromium
@pytest.mark.parametrize("dark", [False, True])
def test_a_screenshot_runs_no_script_and_fetches_nothing(
    scratch: Workspace,
    listener: Listener,
    tmp_path: Path,
    dark: bool,
) -> None:
    hostile(scratch, listener.port)
    [shot] = take_screenshots(
        scratch, [("password_reset", "en_basic")], tmp_path, widths=[600], dark=dark
    )
    assert shot.path.stat().st_size > 1000
    assert listener.before_canary() == []


@needs_chromium
@pytest.mark.parametrize("frame", [False, True])
def test_the_preview_page_runs_no_email_script(
    scratch: Workspace,
    listener: Listener,
    frame: bool,
) -> None:
    from playwright.sync_api import sync_playwright

    hostile(scratch, listener.port, frame=frame)
    assert CHROMIUM is not None
    with PreviewServer(scratch) as server, sync_playwright() as p:
        browser = launch_chromium(p, CHROMIUM)
        try:
            # a browser as the user's: JavaScript on for the page, nothing routed
            page = browser.new_page()
            page.goto(server.url + "t/password_reset", wait_until="load")
            assert page.locator("#subject").inner_text() == "Reset your Shop password"
            for frame in ("desktop", "mobile", "dark"):
                assert page.locator(f"#{frame}").get_attribute("sandbox") is not None
                body = page.frame_locator(f"#{frame}").locator("body").inner_text()
                assert "Hello Ada," in body
            # the email opened on its own, outside its frame
            page.goto(server.url + "render/password_reset", wait_until="load")
            assert "Hello Ada," in page.locator("body").inner_text()
        finally:
            browser.close()
    seen = listener.before_canary()
    if not frame:
        assert seen == []
    else:
        # The policy blocks the frame, but Chromium still opens a speculative TCP
        # connection for an <iframe src> (closed unused) that no policy or sandbox
        # can stop in the user's browser: no request is ever sent on it.
        assert all(data == b"(closed)" for data in seen), seen


def test_the_email_is_served_with_a_policy_that_allows_no_script(scratch: Workspace) -> None:
    with PreviewServer(scratch) as server:
        addr, port = server.httpd.server_address[:2]
        conn = http.client.HTTPConnection(str(addr), port, timeout=10)
        conn.request("GET", "/render/password_reset")
        resp = conn.getresponse()
        resp.read()
        conn.close()
    policy = resp.getheader("Content-Security-Policy") or ""
    assert policy == EMAIL_CSP
    directives = dict((d.split() + [""])[:2] for d in policy.split(";") if d.strip())
    assert directives["default-src"] == "'none'" and "script-src" not in directives
    assert "sandbox" in directives and "allow-scripts" not in policy
    assert MAX_CONNECTIONS > 0
