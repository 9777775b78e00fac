"""The pixel preview's engine in real headless Chromium: one warm page, no fetch, the diff."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from studio.core.pixel import (
    PLACEHOLDER_GREY,
    Picture,
    PixelEngine,
    PixelRequest,
    install_hint,
    placeholders,
)
from studio.core.shots import chromium_path, compare, diff_images
from studio.errors import StudioError

try:
    CHROMIUM: str | None = chromium_path()
except StudioError:
    CHROMIUM = None
pytest.importorskip("playwright")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")

GREY = tuple(int(PLACEHOLDER_GREY[i : i + 2], 16) for i in (1, 3, 5))


def page(body: str, style: str = "") -> str:
    return (
        "<!doctype html><html><head><style>body{margin:0;background:#fff}"
        f"{style}</style></head><body>{body}</body></html>"
    )


@pytest.fixture(scope="module")
def engine() -> Iterator[PixelEngine]:
    if CHROMIUM is None:
        pytest.skip("chromium not installed")
    with PixelEngine() as e:
        yield e


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        type(self).hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str]]]:
    _Recorder.hits = []
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.hits
    finally:
        server.shutdown()
        server.server_close()


def test_placeholders_replace_remote_images_only() -> None:
    html = page(
        '<img src="https://cdn.example/a.png" width="160" height="auto">'
        "<img src='//cdn.example/b.png' width=56 height=56>"
        '<img src="data:image/png;base64,AAAA" width="10">'
        '<img alt="x" style="height:30px" src="http://cdn.example/c.png" width="90">'
    )
    out = placeholders(html)
    assert "cdn.example" not in out
    assert "data:image/png;base64,AAAA" in out
    assert "width%3D%27160%27%20height%3D%2780%27" in out or "width='160' height='80'" in out
    assert "width='56' height='56'" in out.replace("%27", "'").replace("%20", " ")
    assert "width='90' height='30'" in out.replace("%27", "'").replace("%20", " ")
    assert 'http-equiv="Content-Security-Policy"' in out


@needs_chromium
def test_a_remote_image_is_never_fetched_and_its_box_keeps_its_size(
    engine: PixelEngine, recorder: tuple[str, list[str]]
) -> None:
    url, hits = recorder
    html = page(
        f'<img src="{url}/logo.png" width="200" height="100" style="display:block">'
        f'<div style="background:url({url}/bg.png);height:20px"></div>'
        f'<link rel="stylesheet" href="{url}/x.css">'
    )
    picture = engine.draw(PixelRequest(html, 600, False, 1))
    assert picture.error is None and picture.image is not None
    assert picture.image.width == 600
    assert picture.image.getpixel((100, 50)) == GREY  # inside the 200x100 box
    assert picture.image.getpixel((199, 99)) == GREY
    assert picture.image.getpixel((205, 50)) == (255, 255, 255)  # beside it
    assert picture.image.getpixel((100, 105)) == (255, 255, 255)  # below it
    assert hits == []


@needs_chromium
def test_width_and_dark_scheme(engine: PixelEngine) -> None:
    html = page(
        '<div style="height:50px;background:#00f"></div>',
        "@media (prefers-color-scheme: dark){body{background:#000}}",
    )
    light = engine.draw(PixelRequest(html, 600, False, 1))
    dark = engine.draw(PixelRequest(html, 375, True, 2))
    assert light.image is not None and dark.image is not None
    assert (light.width, light.image.width, dark.image.width) == (600, 600, 375)
    assert light.image.getpixel((10, 10)) == (0, 0, 255)
    assert light.image.getpixel((10, light.image.height - 1)) == (255, 255, 255)
    assert dark.image.getpixel((10, dark.image.height - 1)) == (0, 0, 0)
    assert light.image.height == dark.image.height  # the document's height, not a viewport


@needs_chromium
def test_a_newer_request_replaces_the_waiting_one(engine: PixelEngine) -> None:
    """Requests made back to back: only the last one's picture is delivered."""
    got: list[Picture] = []
    last = threading.Event()

    def done(picture: Picture) -> None:
        got.append(picture)
        if picture.token == 20:
            last.set()

    for token in range(1, 21):
        engine.request(PixelRequest(page(f"<p>{token}</p>"), 600, False, token), done)
    assert last.wait(60)
    assert got[-1].token == 20
    assert len(got) < 20  # older requests were dropped, not drawn one by one
    assert [p.token for p in got] == sorted(p.token for p in got)


@needs_chromium
def test_changed_pixels_mark_the_edit_only(engine: PixelEngine) -> None:
    saved = page('<div style="height:300px;background:#eee"></div><p>footer one</p>')
    edited = page('<div style="height:300px;background:#eee"></div><p>footer two!</p>')
    picture = engine.draw(PixelRequest(edited, 600, False, 1, baseline=lambda: saved))
    assert picture.changed is not None and picture.image is not None
    assert 0 < picture.changed_share < 0.1
    red = [
        (x, y)
        for y in range(picture.changed.height)
        for x in range(0, picture.changed.width, 2)
        if picture.changed.getpixel((x, y)) == (255, 0, 0)
    ]
    assert red and min(y for _, y in red) >= 300  # nothing above the edited paragraph
    same = engine.draw(PixelRequest(saved, 600, False, 2, baseline=lambda: saved))
    assert same.changed_share == 0.0


def test_shot_compare_uses_the_same_diff(tmp_path: Path) -> None:
    from PIL import Image

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    before = Image.new("RGB", (20, 10), "white")
    after = before.copy()
    after.putpixel((3, 4), (0, 0, 0))
    before.save(tmp_path / "a" / "x.png")
    after.save(tmp_path / "b" / "x.png")
    [result] = compare(tmp_path / "a", tmp_path / "b", tmp_path / "diff")
    share, picture = diff_images(before, after)
    assert result.changed == share == 1 / 200
    assert result.diff is not None
    assert list(Image.open(result.diff).getdata()) == list(picture.getdata())


def test_without_chromium_the_hint_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    hint = install_hint()
    assert hint is not None and "\n" not in hint
    assert "apt-get install chromium" in hint and "pip install 'studio[browser]'" in hint
    with PixelEngine() as e:
        picture = e.draw(PixelRequest(page("<p>x</p>"), 600, False, 7))
    assert picture.token == 7 and picture.image is None and picture.error == hint


@needs_chromium
def test_a_failed_capture_is_drawn_again_in_a_fresh_browser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Chromium refusing a capture once (as it did on a loaded machine) costs a retry
    in a new browser, not an error in the Pixel tab; twice, and the error is shown."""
    from playwright.sync_api import Error as PlaywrightError

    from studio.core import pixel

    real = pixel._Page.capture
    failures = {"left": 1}
    browsers: list[object] = []

    def capture(self: pixel._Page, scale: float = 1.0) -> object:
        browsers.append(self.browser)
        if failures["left"] > 0:
            failures["left"] -= 1
            raise PlaywrightError("CDPSession.send:\nProtocol error: Unable to capture screenshot")
        return real(self, scale)

    monkeypatch.setattr(pixel._Page, "capture", capture)
    html = page('<div style="height:40px;background:#0f0"></div>')
    with PixelEngine() as engine:
        picture = engine.draw(PixelRequest(html, 600, False, 1))
        assert picture.error is None and picture.image is not None
        assert picture.image.getpixel((5, 5)) == (0, 255, 0)
        assert engine.retried == 1 and len(browsers) == 2 and browsers[0] is not browsers[1]

        failures["left"] = 2  # fails in the fresh browser too: now it is said
        failed = engine.draw(PixelRequest(html, 600, False, 2))
        assert failed.image is None and failed.error is not None
        assert "Unable to capture screenshot" in failed.error  # the reason, not the call
        assert "\n" not in failed.error

        again = engine.draw(PixelRequest(html, 375, False, 3))  # and the next one draws
        assert again.error is None and again.image is not None and again.image.width == 375


@needs_chromium
def test_a_failed_request_with_a_newer_one_waiting_gives_way_to_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import Error as PlaywrightError

    from studio.core import pixel

    real = pixel._Page.capture
    old_html = page('<div style="height:40px;background:#f00"></div>')
    new_html = page('<div style="height:40px;background:#00f"></div>')
    got: dict[int, Picture] = {}
    newer_drawn = threading.Event()

    def newer(picture: Picture) -> None:
        got[picture.token] = picture
        newer_drawn.set()

    with PixelEngine() as engine:

        def capture(self: pixel._Page, scale: float = 1.0) -> object:
            if not got and 2 not in calls:
                calls.append(2)
                engine.request(PixelRequest(new_html, 600, False, 2), newer)  # typed meanwhile
                raise PlaywrightError("Target crashed")
            return real(self, scale)

        calls: list[int] = []
        monkeypatch.setattr(pixel._Page, "capture", capture)
        engine.request(PixelRequest(old_html, 600, False, 1), lambda p: got.setdefault(1, p))
        assert newer_drawn.wait(60)
        assert list(got) == [2] and got[2].image is not None
        assert got[2].image.getpixel((5, 5)) == (0, 0, 255)
        assert engine.retried == 0 and engine.dropped >= 1
