"""Screenshots of rendered templates in headless Chromium, and visual diffs.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright's Python package
with ``executable_path`` (Playwright's own browser download is never used), and
started with the flags for a closed network: no background networking, no
component updates, no sync, no first run, a fresh profile. Diffs count the share of
pixels that changed against a baseline and write a diff image (changed pixels red).

An email is shown the way an email client shows it, which runs none of its scripts
(:func:`email_context`): JavaScript is off for the page; the email is served with the
preview's own policy (``EMAIL_CSP``: inline styles and ``data:`` images only, and a
``sandbox`` without scripts, which also stops a meta refresh); every request that
is not the email or ``data:`` is refused, and so is every WebSocket, which
``route()`` does not see. Under all that, the browser resolves no host at all
(``--host-resolver-rules``, which covers IP literals too): Chromium opens a
speculative TCP connection for an ``<iframe src>`` even when the policy blocks the
frame, and only the resolver stops it. Chromium keeps its own sandbox, except as
root: Chromium refuses to start as root without ``--no-sandbox``
(crbug.com/638180), so there the guards are the ones above.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import StudioError
from .preview.server import EMAIL_CSP, dark_variant
from .workspace import Workspace

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

CHROMIUM_FLAGS = [
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
]
OFFLINE_FLAGS = ["--host-resolver-rules=MAP * ~NOTFOUND"]  # every host, IP literals too
VIEWPORT_HEIGHT = 800  # full-page shots grow past it
EMAIL_URL = "http://email.studio.invalid/"  # never fetched: the route below answers it
INSTALL_HINT = (
    "install it with `apt-get install chromium` (Debian) and `pip install 'studio[browser]'`"
)


class ShotError(StudioError):
    """Screenshots could not be taken (no Chromium, no Playwright)."""


def as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def launch_chromium(playwright: Any, executable: str, *, offline: bool = False) -> Any:
    """Chromium with its sandbox (only root goes without: Chromium will not start
    sandboxed as root), quiet flags and a fresh profile; ``offline`` resolves no host,
    so nothing on the page can reach any server."""
    root = as_root()
    return playwright.chromium.launch(
        executable_path=executable,
        args=CHROMIUM_FLAGS
        + (["--no-sandbox"] if root else [])
        + (OFFLINE_FLAGS if offline else []),
        chromium_sandbox=not root,
    )


def email_context(browser: Any, page_html: str, **options: Any) -> Any:
    """A browser context that shows ``page_html`` at :data:`EMAIL_URL` as a mail client
    would: no JavaScript, served with ``EMAIL_CSP``, nothing else fetched but ``data:``
    URLs, no WebSocket opened (each is answered by a mock that closes it)."""

    def answer(route: Any) -> None:
        url = route.request.url
        if url == EMAIL_URL:
            route.fulfill(
                status=200,
                body=page_html,
                headers={
                    "Content-Type": "text/html; charset=utf-8",
                    "Content-Security-Policy": EMAIL_CSP,
                },
            )
        elif url.startswith("data:"):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context = browser.new_context(java_script_enabled=False, service_workers="block", **options)
    context.route("**/*", answer)
    context.route_web_socket(lambda url: True, lambda ws: ws.close())
    return context


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise ShotError(f"Chromium not found: {INSTALL_HINT}")


@dataclass(frozen=True)
class Shot:
    template: str
    sample: str | None
    width: int
    dark: bool
    path: Path


def shot_name(template: str, sample: str | None, width: int, dark: bool) -> str:
    return f"{template}__{sample or 'default'}__{width}{'__dark' if dark else ''}.png"


def take_screenshots(
    workspace: Workspace,
    targets: Sequence[tuple[str, str | None]],
    out: Path,
    *,
    widths: Sequence[int] = (600, 375),
    dark: bool = False,
) -> list[Shot]:
    """PNG screenshots (full page) of each (template, sample) at each width."""
    shots: list[Shot] = []

    def pages() -> Iterator[tuple[str, list[tuple[int, Path]]]]:
        for template, sample in targets:
            msg = workspace.render(template, sample=sample)
            mine = [
                Shot(template, sample, w, dark, out / shot_name(template, sample, w, dark))
                for w in widths
            ]
            shots.extend(mine)
            yield (dark_variant(msg.html) if dark else msg.html), [(s.width, s.path) for s in mine]

    shoot_pages(pages(), out, dark=dark)
    return shots


def shoot_pages(
    pages: Iterable[tuple[str, Sequence[tuple[int, Path]]]], out: Path, *, dark: bool = False
) -> None:
    """Full-page PNGs of HTML pages: each page at each (width, path) it is given.

    One Chromium for all of them, offline, each page in a fresh mail-client-like
    context (:func:`email_context`), loaded once and shot at each width in turn.
    """
    exe = chromium_path()
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ShotError(f"Playwright is not installed: {INSTALL_HINT}") from None
    out.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p, exe, offline=True)
            try:
                for page_html, targets in pages:
                    if not targets:
                        continue
                    context = email_context(
                        browser,
                        page_html,
                        viewport={"width": targets[0][0], "height": VIEWPORT_HEIGHT},
                        color_scheme="dark" if dark else "light",
                    )
                    page = context.new_page()
                    page.goto(EMAIL_URL, wait_until="load")
                    shown = targets[0][0]
                    for width, path in targets:
                        # one load per page: a new width lays the same page out again
                        # (pixel for pixel what a fresh context at that width shows)
                        if width != shown:
                            page.set_viewport_size({"width": width, "height": VIEWPORT_HEIGHT})
                            shown = width
                        path.parent.mkdir(parents=True, exist_ok=True)
                        page.screenshot(path=str(path), full_page=True)
                    context.close()
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise ShotError(f"Chromium failed: {str(exc).splitlines()[0]}") from None


@dataclass(frozen=True)
class Comparison:
    name: str
    changed: float  # share of pixels that differ, 0..1 (0 when there is no baseline)
    diff: Path | None
    missing: bool = False
    """No shot of that name in the baseline (a new template, width or dark mode)."""


def compare(baseline: Path, current: Path, diff_dir: Path) -> list[Comparison]:
    """Compare every PNG of ``current`` with the same name in ``baseline``."""
    diff_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for png in sorted(current.glob("*.png")):
        base = baseline / png.name
        if not base.is_file():
            results.append(Comparison(png.name, 0.0, None, missing=True))
            continue
        changed, _ = compare_pair(base, png, diff_dir / png.name)
        results.append(Comparison(png.name, changed, diff_dir / png.name))
    return results


DIFF_FLOOR = 16  # a channel difference at or below this is noise (anti-aliasing, dithering)


def _changed_mask(before: PILImage, after: PILImage) -> tuple[PILImage, PILImage]:
    """``after`` in RGB (padded with white to the larger size) and the mask of changed pixels."""
    from PIL import Image, ImageChops

    a, b = before.convert("RGB"), after.convert("RGB")
    if a.size != b.size:
        w, h = max(a.width, b.width), max(a.height, b.height)
        pad_a, pad_b = Image.new("RGB", (w, h), "white"), Image.new("RGB", (w, h), "white")
        pad_a.paste(a)
        pad_b.paste(b)
        a, b = pad_a, pad_b
    mask = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > DIFF_FLOOR else 0)
    return b, mask


def _diff_picture(after: PILImage, mask: PILImage) -> tuple[float, PILImage]:
    from PIL import Image

    changed = mask.histogram()[255] / (after.width * after.height)
    highlight = Image.new("RGB", after.size, (255, 0, 0))
    return changed, Image.composite(highlight, after.convert("L").convert("RGB"), mask)


def diff_images(before: PILImage, after: PILImage) -> tuple[float, PILImage]:
    """The share of pixels that differ (0..1) and the diff picture: ``after`` in grey with
    every changed pixel red. A smaller picture is padded with white to the larger size."""
    b, mask = _changed_mask(before, after)
    return _diff_picture(b, mask)


def compare_pair(
    before: Path, after: Path, diff: Path, crop: Path | None = None, *, margin: int = 16
) -> tuple[float, tuple[int, int, int, int] | None]:
    """The share of pixels that differ between two PNGs, and the box around them.

    Writes ``diff`` (``after`` in grey, changed pixels red) and, when ``crop`` is
    given and something changed, the changed region of ``after`` (with ``margin``).
    Images of different sizes are compared on a white canvas of the larger size.
    """
    from PIL import Image

    b, mask = _changed_mask(Image.open(before), Image.open(after))
    changed, picture = _diff_picture(b, mask)
    diff.parent.mkdir(parents=True, exist_ok=True)
    picture.save(diff)
    box = mask.getbbox()
    if box is not None and crop is not None:
        x0, y0, x1, y1 = box
        region = (
            max(0, x0 - margin),
            max(0, y0 - margin),
            min(b.width, x1 + margin),
            min(b.height, y1 + margin),
        )
        crop.parent.mkdir(parents=True, exist_ok=True)
        b.crop(region).save(crop)
    return changed, box
