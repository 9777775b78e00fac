"""Issue 17 with Textual's pilot and real headless Chromium: the Pixel tab follows the
editor (unsaved text included), at 600 or 375 px, light or dark, and marks what changed
since the last save.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from textual.widgets import TabbedContent, TextArea

from studio.core.shots import chromium_path
from studio.core.workspace import Workspace
from studio.errors import StudioError
from studio.tui.app import StudioApp
from studio.tui.pixel_flow import PIXEL_TAB
from studio.tui.widgets import PixelView
from tests.pilot import quiet, until

pytest.importorskip("playwright")
PIL = pytest.importorskip("PIL")
from PIL import Image, ImageChops, ImageStat  # noqa: E402

try:
    chromium_path()
    HAVE_CHROMIUM = True
except StudioError:
    HAVE_CHROMIUM = False
needs_chromium = pytest.mark.skipif(not HAVE_CHROMIUM, reason="chromium not installed")

SIZE = (140, 45)
HEADER_ROWS = 100  # px: the brand band at the top of every example message


async def drawn(pilot: Any) -> PixelView:
    """Wait until the Pixel tab shows a picture of what the editor holds now."""
    app: StudioApp = pilot.app
    await pilot.pause()  # the edit's Changed event first
    await quiet(pilot)
    await until(
        pilot,
        lambda: not app.pixel_settling,
        "the pixel preview is drawn",
        tries=1200,
        state=lambda: (
            app._pixel_timer,
            app._pixel_stale,
            app._pixel_asked,
            app._pixel_shown,
            app.renders.busy,
            app.pixel_view.status_text,
        ),
    )
    await pilot.pause()
    return app.pixel_view


def picture(view: PixelView) -> Image.Image:
    assert view.picture is not None and view.picture.error is None, view.status_text
    image = view.image
    assert image is not None
    return image.copy()


async def open_pixel(pilot: Any) -> PixelView:
    await quiet(pilot)
    await pilot.press("alt+p")
    return await drawn(pilot)


def differs(a: Image.Image, b: Image.Image, box: tuple[int, int, int, int]) -> float:
    """The share of pixels of ``box`` that differ between two pictures."""
    diff = ImageChops.difference(a.crop(box), b.crop(box)).convert("L")
    changed = sum(1 for v in diff.getdata() if v > 16)
    return changed / ((box[2] - box[0]) * (box[3] - box[1]))


@needs_chromium
async def test_every_example_template_is_drawn_at_both_widths(example_copy: Workspace) -> None:
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_pixel(pilot)
        assert app.home.query_one(TabbedContent).active == PIXEL_TAB
        for name in example_copy.template_names():
            app.open_file(example_copy.template_path(name))
            for width in (600, 375):
                if app.pixel_width != width:
                    await pilot.press("alt+w")
                view = await drawn(pilot)
                image = picture(view)
                assert view.picture is not None
                scale = view.picture.scale  # half-blocks: about 2 px a column are drawn
                assert 0.25 <= scale <= 1
                assert abs(image.width - width * scale) <= 1, (name, image.size, scale)
                assert image.height > image.width, name  # a whole message, not a viewport
                spread = ImageStat.Stat(image.convert("L")).stddev[0]
                assert spread > 20, (name, width, spread)  # not blank
                shown = view.query_one("#pixel-image").size
                full = view.scroller.content_size.width
                assert abs(shown.width / full - width / 600) < 0.08, (name, width, shown, full)
                # as tall as the picture's proportions say (half-blocks: 2 px a row)
                assert abs(shown.height - image.height / image.width * shown.width / 2) <= 1.5
                assert f"{width} px · light" in view.status_text


@needs_chromium
async def test_an_unsaved_brand_colour_changes_the_header_band(example_copy: Workspace) -> None:
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        app.open_file(example_copy.template_path("password_reset"))
        before = picture(await open_pixel(pilot))
        brand = example_copy.root / "brand" / "brand.toml"
        app.open_file(brand)
        await quiet(pilot)
        editor = app.home.query_one("#editor", TextArea)
        editor.text = editor.text.replace('primary = "#2F5D50"', 'primary = "#C02070"', 1)
        after = picture(await drawn(pilot))
        assert app.dirty(brand) and '"#2F5D50"' in brand.read_text()  # not saved
        scale = before.width / 600
        header = (0, 0, before.width, round(HEADER_ROWS * scale))
        assert differs(before, after, header) > 0.3
        band = after.getpixel((round(20 * scale), round(20 * scale)))
        assert band[0] > 150 and band[1] < 80, band  # the new magenta, not moss green


@needs_chromium
async def test_dark_differs_from_light(example_copy: Workspace) -> None:
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        light = picture(await open_pixel(pilot))
        await pilot.press("alt+d")
        view = await drawn(pilot)
        dark = picture(view)
        assert "dark" in view.status_text
        body = (
            0,
            round(HEADER_ROWS * light.width / 600),
            light.width,
            min(light.height, dark.height),
        )
        assert differs(light, dark, body) > 0.5
        lum = ImageStat.Stat(light.convert("L")).mean[0]
        assert ImageStat.Stat(dark.convert("L")).mean[0] < lum - 60


@needs_chromium
async def test_changed_pixels_mark_a_footer_edit_and_nothing_else(
    example_copy: Workspace,
) -> None:
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        app.open_file(example_copy.template_path("password_reset"))
        await open_pixel(pilot)
        await pilot.press("alt+c")
        view = await drawn(pilot)
        assert view.showing_changes and view.picture is not None
        assert view.picture.changed_share == 0.0  # nothing edited yet
        assert "0.0% of pixels" in view.status_text
        footer = example_copy.root / "components" / "footer.mjml"
        app.open_file(footer)
        await quiet(pilot)
        editor = app.home.query_one("#editor", TextArea)
        edited = editor.text.replace(
            "</mj-column>", "<mj-text>A NEW FOOTER LINE</mj-text></mj-column>", 1
        )
        assert edited != editor.text
        editor.text = edited
        view = await drawn(pilot)
        changed = picture(view)
        plain = view.picture.image if view.picture else None
        assert plain is not None
        assert 0 < view.picture.changed_share < 0.4  # type: ignore[union-attr]
        red = Image.new("RGB", changed.size, (255, 0, 0))
        mask = ImageChops.difference(changed, red).convert("L").point(lambda v: 255 if v < 8 else 0)
        box = mask.getbbox()
        assert box is not None
        # the footer is the last part of the message: everything above it is untouched
        assert box[1] > changed.height * 0.55, (box, changed.size)
        assert not app.dirty(example_copy.template_path("password_reset"))


@needs_chromium
async def test_the_scroll_position_survives_a_refresh(example_copy: Workspace) -> None:
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        app.open_file(example_copy.template_path("order_confirmation"))
        view = await open_pixel(pilot)
        view.scroller.scroll_to(y=12, animate=False)
        await pilot.pause()
        assert view.scroller.scroll_y == 12
        first = view.picture
        editor = app.home.query_one("#editor", TextArea)
        edited = editor.text.replace("{{ ui.divider() }}", '{{ ui.text("Edited.") }}', 1)
        assert edited != editor.text
        editor.text = edited
        view = await drawn(pilot)
        assert view.picture is not first
        assert view.scroller.scroll_y == 12


@needs_chromium
async def test_an_edit_drops_the_refresh_in_flight(example_copy: Workspace) -> None:
    """Typing while a picture is being drawn: that picture never shows, the last one does."""
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_pixel(pilot)
        editor = app.home.query_one("#editor", TextArea)
        editor.focus()
        shown: list[int] = []
        original = view.show_picture

        def record(pic: Any, changes: bool) -> None:
            shown.append(pic.token)
            original(pic, changes)

        view.show_picture = record  # type: ignore[method-assign]
        editor.text += "{# #}"  # type into a comment: every keystroke renders
        await drawn(pilot)
        last = editor.document.line_count - 1
        editor.move_cursor((last, 3))
        shown.clear()
        app.pixel_refresh()  # typing paused: a refresh is in flight...
        in_flight = app._pixel_asked
        app.pixel_cancel()  # ...and what a keystroke does to it, before its picture can land
        await pilot.press("a", "b")
        await drawn(pilot)
        assert in_flight not in shown
        assert shown and shown[-1] == app._pixel_asked > in_flight
        assert "{# ab#}" in editor.text


async def test_without_chromium_the_tab_says_how_to_install_it(
    example_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await quiet(pilot)
        await pilot.press("alt+p")
        await until(pilot, lambda: bool(app.pixel_view.status_text), "the tab says something")
        text = app.pixel_view.status_text
        assert "\n" not in text
        assert "apt-get install chromium" in text and "pip install 'studio[browser]'" in text
        # everything else works: the text preview follows an edit
        editor = app.home.query_one("#editor", TextArea)
        edited = editor.text.replace("</mj-text>", " STILL HERE</mj-text>", 1)
        assert edited != editor.text
        editor.text = edited
        await pilot.pause()
        await quiet(pilot)
        assert app.last_good is not None and "STILL HERE" in app.last_good.text


async def test_the_palette_lists_pixel_entries(example_copy: Workspace) -> None:
    from textual.command import DiscoveryHit

    from studio.tui.commands import StudioCommands

    app = StudioApp(example_copy, watch_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await quiet(pilot)
        titles = [
            str(hit.display)
            async for hit in StudioCommands(app.screen).discover()
            if isinstance(hit, DiscoveryHit)
        ]
    pixel = [t for t in titles if "Pixel" in t]
    assert len(pixel) == 4, pixel
    assert any("(alt+w)" in t for t in pixel) and any("(alt+d)" in t for t in pixel)


def test_the_half_block_drawing_matches_textual_images_own() -> None:
    """The studio's half-block renderable (cached styles, merged runs) draws the same
    cells as textual-image's."""
    from rich.console import Console
    from textual_image.renderable.halfcell import Image as TextualImageHalfcell

    from studio.tui.widgets.pixel import IMAGE_CLASS

    assert IMAGE_CLASS is not None and IMAGE_CLASS.__name__ == "HalfcellImage"
    ours = IMAGE_CLASS._Renderable  # type: ignore[attr-defined]
    image = Image.new("RGB", (30, 40), (255, 255, 255))
    for x in range(30):
        for y in range(0, 40, 3):
            image.putpixel((x, y), (x * 8, y * 6, 120))
    console = Console(width=20, color_system="truecolor", file=io.StringIO())

    def cells(renderable: Any) -> list[tuple[Any, Any]]:
        out: list[tuple[Any, Any]] = []
        for seg in console.render(renderable, console.options.update(width=20)):
            if seg.text != "\n":
                assert set(seg.text) == {"▀"}
                out += [(seg.style.color.triplet, seg.style.bgcolor.triplet)] * len(seg.text)
        return out

    theirs = cells(TextualImageHalfcell(image, 20, "auto"))
    assert len(theirs) > 100 and cells(ours(image, 20, "auto")) == theirs
