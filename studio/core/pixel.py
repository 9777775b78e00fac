"""The pixel preview's engine: one long-lived Chromium page that follows the editor.

The studio asks for a picture of the message as Chromium renders it, at a width
(600 or 375 CSS px) in light or dark (``prefers-color-scheme``, set by media
emulation), as the user types. Starting a browser per picture costs seconds, so one
:class:`PixelEngine` keeps one browser, one context and one page alive in a thread
of its own (Playwright's sync API belongs to the thread that started it) and feeds
it the HTML with ``set_content``: no navigation, no network, the page stays warm.

Requests replace each other: a request made while another waits takes its place,
and one made while Chromium works on an older one makes the engine drop the older
picture at the next step (after the content is set, before the capture) instead of
finishing it. The callback runs only for the picture that is still wanted, in the
engine's thread (a UI posts it to its own loop).

The page is shown as a mail client would (see ``shots.py``): JavaScript off, every
request refused (``data:`` URLs aside), no host resolved, and a Content-Security-Policy
in the document. Remote images are never fetched: :func:`placeholders` replaces each
with a grey box of its declared size, so the layout holds.

The "changed pixels" view compares the picture with one of the last saved version
of the message (same width and scheme, kept while its HTML is the same) through
:func:`shots.diff_images`, the diff ``studio shot --compare`` writes.
"""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import io
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .shots import INSTALL_HINT, ShotError, chromium_path, diff_images, launch_chromium

if TYPE_CHECKING:
    from PIL.Image import Image

WIDTHS = (600, 375)  # desktop, mobile (CSS px)
PLACEHOLDER_GREY = "#c8c8c8"
VIEWPORT_HEIGHT = 400  # the capture takes the whole document whatever this is
# In the document itself, since set_content serves no headers: inline styles and
# data: URLs only (the engine's route refuses everything else anyway).
PAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:;"
    " form-action 'none'; base-uri 'none'"
)

_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ATTR = r"""\b{name}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"""
_REMOTE = re.compile(r"^\s*(?:https?:)?//", re.I)
_HEAD = re.compile(r"<head\b[^>]*>", re.I)
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*$")
_STYLE_HEIGHT = re.compile(r"(?:^|;)\s*height\s*:\s*(\d+(?:\.\d+)?)px", re.I)


def install_hint() -> str | None:
    """One line on what to install when the pixel preview cannot run here, else None."""
    try:
        import PIL  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return f"The pixel preview needs Playwright and Pillow: {INSTALL_HINT}"
    try:
        chromium_path()
    except ShotError:
        return f"The pixel preview needs Chromium: {INSTALL_HINT}"
    return None


def _attr(tag: str, name: str) -> tuple[re.Match[str] | None, str | None]:
    found = re.search(_ATTR.format(name=name), tag, re.I)
    if found is None:
        return None, None
    value = next(g for g in found.groups() if g is not None)
    return found, html_lib.unescape(value)


def _size(tag: str) -> tuple[int, int]:
    """The declared size of an ``<img>``: width and height attributes, else the inline
    style's height in px; a height left ``auto`` is taken as half the width."""
    _, w = _attr(tag, "width")
    _, h = _attr(tag, "height")
    _, style = _attr(tag, "style")
    width = float(m.group(1)) if w and (m := _NUMBER.match(w)) else 100.0
    if h and (m := _NUMBER.match(h)):
        height = float(m.group(1))
    elif style and (m := _STYLE_HEIGHT.search(style)):
        height = float(m.group(1))
    else:
        height = width / 2
    return max(1, round(width)), max(1, round(height))


def placeholder_uri(width: int, height: int) -> str:
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}'>"
        f"<rect width='100%' height='100%' fill='{PLACEHOLDER_GREY}'/></svg>"
    )
    return "data:image/svg+xml," + quote(svg, safe="/:=' ")


def placeholders(page: str) -> str:
    """``page`` with every remote image (http, https, protocol-relative) replaced by a
    grey box of its declared size, and the page's policy in its ``<head>``."""

    def swap(match: re.Match[str]) -> str:
        tag = match.group(0)
        found, src = _attr(tag, "src")
        if found is None or src is None or not _REMOTE.match(src):
            return tag
        uri = placeholder_uri(*_size(tag))
        return tag[: found.start()] + f'src="{uri}"' + tag[found.end() :]

    page = _IMG.sub(swap, page)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{PAGE_CSP}">'
    head = _HEAD.search(page)
    if head is None:
        return meta + page
    return page[: head.end()] + meta + page[head.end() :]


@dataclass(frozen=True)
class PixelRequest:
    """What to draw: the message's HTML at a width, light or dark."""

    html: str
    width: int = 600
    dark: bool = False
    token: int = 0
    """The caller's number for this request (handed back with the picture)."""
    scale: float = 1.0
    """Device pixels per CSS px of the picture (a half-block view needs far fewer than 1)."""
    baseline: Callable[[], str | None] | None = None
    """The HTML of the last saved version (called in the engine's thread): when given,
    the picture comes with the changed-pixels view against it."""


@dataclass(frozen=True)
class Picture:
    """A request's outcome: the picture, or the one-line reason there is none."""

    token: int
    width: int
    dark: bool
    image: Image | None = None
    """``width`` CSS px times ``scale`` wide; the whole document high."""
    scale: float = 1.0
    changed: Image | None = None
    """The changed-pixels view (changed pixels red over the greyed picture)."""
    changed_share: float = 0.0
    error: str | None = None
    elapsed: float = 0.0
    """Seconds from the engine taking the request to the picture being decoded."""


Callback = Callable[[Picture], None]
ATTEMPTS = 2  # a request Chromium fails is tried once more, in a fresh browser


def _failure(exc: Exception) -> str:
    """Playwright's error on one line: its message's lines that say something (the
    first is often only the call, ``CDPSession.send:``), without its call log."""
    text = str(exc).split("Call log:")[0]
    said = " ".join(line.strip() for line in text.splitlines() if line.strip())
    return f"Chromium failed: {said or 'no reason given'}"


class PixelEngine:
    """One browser page in one thread, drawing the latest request."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._pending: tuple[PixelRequest, Callback] | None = None
        self._closed = False
        self._cancelled = False
        self._thread: threading.Thread | None = None
        self._baselines: dict[tuple[str, int, bool, float], Image] = {}
        self.drawn = 0  # pictures delivered
        self.dropped = 0  # requests replaced or abandoned for a newer one
        self.retried = 0  # requests tried again in a fresh browser after a failure

    def request(self, req: PixelRequest, done: Callback) -> None:
        """Draw ``req`` as soon as Chromium is free; ``done`` gets its picture (in the
        engine's thread) unless a newer request replaces it first."""
        with self._cond:
            if self._closed:
                return
            if self._pending is not None:
                self.dropped += 1
            self._pending = (req, done)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="pixel", daemon=True)
                self._thread.start()
            self._cond.notify()

    def cancel(self) -> None:
        """Drop the waiting request, and the one in Chromium at its next step."""
        with self._cond:
            if self._pending is not None:
                self.dropped += 1
            self._pending = None
            self._cancelled = True

    def draw(self, req: PixelRequest, timeout: float = 60.0) -> Picture:
        """Draw ``req`` and wait for it (scripts, benchmarks, tests)."""
        box: list[Picture] = []
        ready = threading.Event()

        def done(picture: Picture) -> None:
            box.append(picture)
            ready.set()

        self.request(req, done)
        if not ready.wait(timeout):
            raise ShotError("the pixel preview timed out")
        return box[0]

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._pending = None
            self._cond.notify()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)

    def __enter__(self) -> PixelEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the engine's thread ------------------------------------------------------

    def _next(self) -> tuple[PixelRequest, Callback] | None:
        with self._cond:
            while self._pending is None and not self._closed:
                self._cond.wait()
            if self._closed:
                return None
            job, self._pending = self._pending, None
            self._cancelled = False
            return job

    def _newer(self) -> bool:
        with self._cond:
            return self._pending is not None or self._closed or self._cancelled

    def _run(self) -> None:
        hint = install_hint()
        if hint is not None:
            while (job := self._next()) is not None:
                req, done = job
                done(Picture(req.token, req.width, req.dark, error=hint))
            return
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as p:
                page: _Page | None = None
                try:
                    while (job := self._next()) is not None:
                        req, done = job
                        for attempt in range(ATTEMPTS):
                            try:
                                if page is None:
                                    page = _Page(p)
                                picture = self._draw(page, req)
                                break
                            except PlaywrightError as exc:
                                # A browser that failed once (crashed, or a capture
                                # refused on a loaded machine) is started afresh, and
                                # the request tried again before the error is shown.
                                if page is not None:
                                    page.close()
                                    page = None
                                picture = Picture(
                                    req.token, req.width, req.dark, error=_failure(exc)
                                )
                                if self._newer():  # that one is drawn afresh instead
                                    self.dropped += 1
                                    picture = None
                                    break
                                if attempt == 0:
                                    self.retried += 1
                        if picture is not None:
                            self.drawn += 1
                            done(picture)
                finally:
                    if page is not None:
                        page.close()
        except Exception as exc:  # noqa: BLE001 - the engine must not die silently
            with self._cond:
                job = self._pending
                self._pending = None
            if job is not None:
                req, done = job
                done(Picture(req.token, req.width, req.dark, error=_failure(exc)))

    def _draw(self, page: _Page, req: PixelRequest) -> Picture | None:
        start = time.perf_counter()
        page.show(req.html, req.width, req.dark)
        if self._newer():  # typed again meanwhile: that picture is the one wanted
            self.dropped += 1
            return None
        image = page.capture(req.scale)
        changed, share = None, 0.0
        if req.baseline is not None:
            saved = req.baseline()
            if saved is not None:
                base = self._baseline(page, saved, req.width, req.dark, req.scale)
                share, changed = diff_images(base, image)
        return Picture(
            req.token,
            req.width,
            req.dark,
            image=image,
            scale=req.scale,
            changed=changed,
            changed_share=share,
            elapsed=time.perf_counter() - start,
        )

    def _baseline(self, page: _Page, saved: str, width: int, dark: bool, scale: float) -> Image:
        key = (hashlib.sha256(saved.encode()).hexdigest(), width, dark, scale)
        found = self._baselines.get(key)
        if found is None:
            page.show(saved, width, dark)
            found = page.capture(scale)
            if len(self._baselines) >= 8:
                self._baselines.pop(next(iter(self._baselines)))
            self._baselines[key] = found
        return found


class _Page:
    """The browser, its context and its one page, set up once (engine thread only)."""

    def __init__(self, playwright: Any) -> None:
        self.browser = launch_chromium(playwright, chromium_path(), offline=True)
        self.context = self.browser.new_context(
            java_script_enabled=False,
            service_workers="block",
            viewport={"width": WIDTHS[0], "height": VIEWPORT_HEIGHT},
            color_scheme="light",
        )
        self.context.route("**/*", _refuse_all_but_data)
        self.context.route_web_socket(lambda url: True, lambda ws: ws.close())
        self.page = self.context.new_page()
        self.cdp = self.context.new_cdp_session(self.page)
        self.width = WIDTHS[0]
        self.dark = False

    def show(self, page_html: str, width: int, dark: bool) -> None:
        if width != self.width:
            self.page.set_viewport_size({"width": width, "height": VIEWPORT_HEIGHT})
            self.width = width
        if dark != self.dark:
            self.page.emulate_media(color_scheme="dark" if dark else "light")
            self.dark = dark
        self.page.set_content(placeholders(page_html), wait_until="load")

    def capture(self, scale: float = 1.0) -> Image:
        """The whole document (its own height, not the viewport's), PNG made for speed;
        ``scale`` below 1 has Chromium draw fewer pixels (cheaper to draw, encode, decode)."""
        from PIL import Image as PILImage

        size = self.cdp.send("Page.getLayoutMetrics")["cssContentSize"]
        width, height = self.width, max(1, int(size["height"]))
        shot = self.cdp.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "optimizeForSpeed": True,
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": scale},
            },
        )
        image = PILImage.open(io.BytesIO(base64.b64decode(shot["data"])))
        return image.convert("RGB")

    def close(self) -> None:
        try:
            self.browser.close()
        except Exception:  # noqa: BLE001 - closing a browser that already died
            pass


def _refuse_all_but_data(route: Any) -> None:
    if route.request.url.startswith("data:"):
        route.continue_()
    else:
        route.abort("blockedbyclient")
