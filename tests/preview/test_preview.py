"""Browser preview and screenshots in real headless Chromium (Debian's, via Playwright)."""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.core.preview import PreviewServer
from studio.core.scaffold import init_workspace
from studio.core.shots import chromium_path, compare, compare_pair, take_screenshots
from studio.core.workspace import Workspace
from studio.errors import StudioError

try:
    CHROMIUM = chromium_path()
except StudioError:
    CHROMIUM = None
pytest.importorskip("playwright")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    init_workspace(root)
    (root / "samples" / "password_reset" / "zoe.json").write_text(
        json.dumps(
            {
                "customer": {"first_name": "Zoé"},
                "reset_url": "https://www.shop.example/r",
                "expires_minutes": 15,
            }
        )
    )
    return Workspace.open(root)


@pytest.fixture
def server(ws: Workspace) -> Iterator[PreviewServer]:
    with PreviewServer(ws, watch_interval=0.1) as s:
        yield s


@pytest.fixture
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    from studio.core.shots import launch_chromium

    with sync_playwright() as p:
        b = launch_chromium(p, CHROMIUM)
        yield b
        b.close()


def loopback_page(browser, server: PreviewServer):  # type: ignore[no-untyped-def]
    """A page that may only fetch from the preview server: the e-mails' remote images
    (cdn.*.example) are refused at once instead of being looked up (tests stay on
    loopback, and a page's load event does not wait on a network that is not there)."""
    page = browser.new_page()
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(server.url) else route.abort()
        ),
    )
    return page


def frame_text(page, frame_id: str) -> str:  # type: ignore[no-untyped-def]
    return str(page.frame_locator(f"#{frame_id}").locator("body").inner_text())


@needs_chromium
def test_page_frames_sample_switch_and_live_reload(
    browser,
    server: PreviewServer,  # type: ignore[no-untyped-def]
    ws: Workspace,
) -> None:
    page = loopback_page(browser, server)
    page.goto(server.url + "t/password_reset")
    assert page.locator("#subject").inner_text() == "Reset your Shop password"
    for frame in ("desktop", "mobile", "dark"):
        assert "Hello Ada," in frame_text(page, frame)
    assert page.frame_locator("#desktop").locator("body").evaluate("b => b.clientWidth") > 500
    assert page.frame_locator("#mobile").locator("body").evaluate("b => b.clientWidth") < 400
    assert "Hello Ada," in page.locator("#text").inner_text()
    page.select_option("#sample", "zoe")
    page.wait_for_load_state()
    assert "Hello Zoé," in frame_text(page, "desktop")
    # Save a change to the template: the page reloads by itself with the new text.
    path = ws.template_path("password_reset")
    with page.expect_navigation(timeout=3000):
        path.write_text(
            path.read_text().replace(
                "{% block content %}",
                "{% block content %}"
                "<mj-section><mj-column><mj-text>LIVE RELOADED</mj-text></mj-column>"
                "</mj-section>",
            )
        )
    assert "LIVE RELOADED" in frame_text(page, "desktop")
    page.close()


@needs_chromium
def test_dark_frame_applies_the_templates_dark_styles(
    browser,
    server: PreviewServer,  # type: ignore[no-untyped-def]
    ws: Workspace,
) -> None:
    page = loopback_page(browser, server)
    page.goto(server.url + "t/password_reset")
    js = "el => getComputedStyle(el).backgroundColor"
    light = page.frame_locator("#desktop").locator(".page").first.evaluate(js)
    dark = page.frame_locator("#dark").locator(".page").first.evaluate(js)
    assert dark == "rgb(17, 17, 17)"  # brand.colors.dark_background = #111111
    assert light != dark
    page.close()


def raw_get(server: PreviewServer, path: str, host: str | None = None) -> tuple[int, str]:
    addr, port = server.httpd.server_address[:2]
    conn = http.client.HTTPConnection(str(addr), port, timeout=5)
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", host or f"127.0.0.1:{port}")
    conn.endheaders()
    resp = conn.getresponse()
    body = resp.read().decode("utf-8", "replace")
    conn.close()
    return resp.status, body


@pytest.mark.parametrize(
    "path",
    [
        "/t/../pyproject.toml",
        "/render/..%2f..%2fstudio.toml",
        "/t/%2e%2e/studio.toml",
        "//etc/passwd",
        "/templates/password_reset.mjml",
        "/render//etc/passwd",
    ],
)
def test_nothing_outside_the_workspace_is_served(server: PreviewServer, path: str) -> None:
    status, body = raw_get(server, path)
    assert status == 404 and "transactional_domain" not in body and "root:" not in body


def test_non_loopback_requests_and_binds_are_refused(server: PreviewServer, ws: Workspace) -> None:
    assert raw_get(server, "/", host="evil.example")[0] == 403
    assert raw_get(server, "/", host="192.0.2.1:80")[0] == 403
    assert raw_get(server, "/")[0] == 200
    with pytest.raises(StudioError):
        PreviewServer(ws, host="0.0.0.0")


def test_values_are_escaped(ws: Workspace) -> None:
    (ws.samples_dir / "password_reset" / "evil.json").write_text(
        json.dumps(
            {
                "customer": {"first_name": "<script>alert(1)</script>"},
                "reset_url": "https://www.shop.example/r",
                "expires_minutes": 1,
            }
        )
    )
    with PreviewServer(ws) as s:
        status, body = raw_get(s, "/t/password_reset?sample=evil")
    assert status == 200 and "<script>alert(1)" not in body and "&lt;script&gt;" in body


@needs_chromium
def test_screenshots_are_real_pictures(ws: Workspace, tmp_path: Path) -> None:
    from PIL import Image

    shots = take_screenshots(
        ws, [("password_reset", "en_basic")], tmp_path / "s", widths=(600, 375)
    )
    assert [s.width for s in shots] == [600, 375]
    for s in shots:
        img = Image.open(s.path).convert("RGB")
        assert img.width == s.width and img.height > 300
        colours = img.getcolors(maxcolors=100_000)
        assert colours is not None and len(colours) > 10  # not a blank page
    # the 375 px shot, taken after the 600 px one on the same loaded page, is the
    # picture a page loaded at 375 px gives
    [alone] = take_screenshots(ws, [("password_reset", "en_basic")], tmp_path / "a", widths=(375,))
    assert compare_pair(alone.path, shots[1].path, tmp_path / "d.png") == (0.0, None)


@needs_chromium
def test_compare_detects_a_brand_colour_change_and_only_that(ws: Workspace, tmp_path: Path) -> None:
    targets = [("password_reset", "en_basic")]
    take_screenshots(ws, targets, tmp_path / "base", widths=(600,))
    take_screenshots(ws, targets, tmp_path / "same", widths=(600,))
    same = compare(tmp_path / "base", tmp_path / "same", tmp_path / "d1")
    assert [c.changed for c in same] == [0.0]
    brand = ws.brand_file
    brand.write_text(brand.read_text().replace('primary = "#1f6feb"', 'primary = "#d0021b"'))
    take_screenshots(ws, targets, tmp_path / "new", widths=(600,))
    [changed] = compare(tmp_path / "base", tmp_path / "new", tmp_path / "d2")
    assert changed.changed > 0.001 and changed.diff is not None and changed.diff.is_file()


@needs_chromium
def test_shot_cli_compare_exit_codes(ws: Workspace, tmp_path: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "studio",
                "--workspace",
                str(ws.root),
                "shot",
                "password_reset",
                "-s",
                "en_basic",
                "--width",
                "600",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert cli("-o", str(tmp_path / "base")).returncode == 0
    assert cli("-o", str(tmp_path / "again"), "--compare", str(tmp_path / "base")).returncode == 0
    brand = ws.brand_file
    brand.write_text(brand.read_text().replace('primary = "#1f6feb"', 'primary = "#d0021b"'))
    result = cli("-o", str(tmp_path / "new"), "--compare", str(tmp_path / "base"))
    assert result.returncode == 1 and "CHANGED" in result.stdout
    bad = cli("--width", "abc")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    # dark shots against a light-only baseline: no baseline, counted apart, not "CHANGED"
    dark = cli("-o", str(tmp_path / "dark"), "--dark", "--compare", str(tmp_path / "base"))
    assert "no baseline for this shot" in dark.stdout and "None" not in dark.stdout
    assert "without a baseline" in dark.stdout


def test_missing_chromium_is_a_clear_error(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(StudioError) as info:
        take_screenshots(ws, [("password_reset", "en_basic")], tmp_path)
    assert "apt-get install chromium" in str(info.value)


def test_watcher_sees_saves(ws: Workspace) -> None:
    from studio.core.preview import Watcher

    w = Watcher(ws.root, interval=0.05).start()
    try:
        before = w.generation  # the baseline was scanned when the watcher was made
        (ws.brand_file).write_text(ws.brand_file.read_text() + "\n# changed\n")
        assert w.wait(before, timeout=30) != before  # a deadline against a hang
    finally:
        w.stop()


@needs_chromium
def test_build_with_screenshots_adds_them_to_the_gallery(ws: Workspace, tmp_path: Path) -> None:
    from studio.core.build import build

    result = build(ws, tmp_path / "out", screenshots=True)
    assert not result.errors
    index = (tmp_path / "out" / "index.html").read_text()
    for sample in ws.sample_names("password_reset"):
        for width in (600, 375):
            name = f"password_reset__{sample}__{width}.png"
            assert (tmp_path / "out" / "shots" / name).stat().st_size > 1000
            assert f'src="shots/{name}"' in index


def test_a_save_before_the_event_stream_connects_still_reloads(
    server: PreviewServer, ws: Workspace
) -> None:
    status, page = raw_get(server, "/t/password_reset")
    assert status == 200
    since = int(page.split("/events?since=")[1].split('"')[0])
    path = ws.template_path("password_reset")
    path.write_text(path.read_text() + "\n")
    deadline = time.monotonic() + 10
    while server.watcher.generation == since and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.watcher.generation > since  # saved before the page listens
    addr, port = server.httpd.server_address[:2]
    conn = http.client.HTTPConnection(str(addr), port, timeout=5)
    conn.request("GET", f"/events?since={since}")
    resp = conn.getresponse()
    first = resp.fp.readline() + resp.fp.readline() + resp.fp.readline()
    conn.close()
    assert b"event: reload" in first


def test_the_preview_opens_on_the_default_sample(example_copy: Workspace) -> None:
    # order_confirmation's samples: edge_30_lines, en_basic, fr_fr; one rule everywhere
    with PreviewServer(example_copy) as s:
        status, body = raw_get(s, "/t/order_confirmation")
    assert status == 200
    assert f'<option value="{example_copy.default_sample("order_confirmation")}" selected>' in body
    assert '<option value="en_basic" selected>' in body
