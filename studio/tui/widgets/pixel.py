"""The Pixel tab: the message as Chromium draws it, in the terminal.

Drawn with the Kitty graphics protocol or Sixel (by ``textual-image``) where the
terminal answers that it has them (asked once, before the studio takes the terminal,
which is why this module imports it at once), in coloured half-blocks (two pixels a
cell, :class:`HalfcellImage`) everywhere else. Inside tmux, and when the output is not
a terminal (tests, pipes), half-blocks are used without asking and textual-image is
not imported: tmux passes neither protocol through Textual's screen updates, and its
answer to the question could come after the studio has taken the terminal.
``STUDIO_PIXELS=halfcell`` forces half-blocks anywhere.

The picture sits in a scrolling container whose position is kept when a newer
picture replaces it; the line above says width, scheme and view, or why there is
no picture (with what to install).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

if TYPE_CHECKING:
    from PIL.Image import Image

    from ...core.pixel import Picture


class HalfcellRenderable:
    """A picture in coloured half-blocks: each cell is ``▀``, the upper pixel its
    colour and the lower one its background (two pixels a cell). The cells are
    textual-image's half-block renderable's (a test compares them), drawn with one Rich
    style per colour pair (a message has few) and runs of equal cells merged into one
    segment, where textual-image builds two colours and a style for every cell
    (measured 1.9x faster on a 60-column picture).

    ``width`` and ``height`` are cells (None or "auto": the space given, the height
    then following the picture's proportions, a cell being twice as tall as wide).
    """

    def __init__(
        self, image: Image, width: int | str | None = None, height: int | str | None = None
    ):
        self.image = image
        self.width = width
        self.height = height

    def cells(self, max_width: int, max_height: int) -> tuple[int, int]:
        width = self.width if isinstance(self.width, int) else max_width
        if isinstance(self.height, int):
            return width, self.height
        if self.height == "auto" and self.image.width:
            return width, round(self.image.height / self.image.width * width / 2)
        return width, max_height

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Any]:
        from rich.color import Color
        from rich.segment import Segment
        from rich.style import Style

        width, height = self.cells(options.max_width, options.height or options.max_height)
        if width < 1 or height < 1:
            return
        image = self.image.convert("RGB").resize((width, height * 2))
        pixels: Any = image.load()
        styles: dict[tuple[Any, Any], Style] = {}
        for y in range(0, height * 2, 2):
            run_style: Style | None = None
            run = 0
            for x in range(width):
                key: tuple[Any, Any] = (pixels[x, y], pixels[x, y + 1])
                style = styles.get(key)
                if style is None:
                    style = styles[key] = Style(
                        color=Color.from_rgb(*key[0]), bgcolor=Color.from_rgb(*key[1])
                    )
                if style is run_style:
                    run += 1
                    continue
                if run:
                    yield Segment("▀" * run, run_style)
                run_style, run = style, 1
            if run:
                yield Segment("▀" * run, run_style)
            yield Segment.line()


class HalfcellImage(Widget):
    """A picture in half-blocks, sized by the pane (``styles.width``/``height`` in
    cells). The studio's own, not textual-image's: importing textual-image asks the
    terminal what it can draw, and in tmux the answer can come after the studio has
    taken the terminal (it then reached the editor as typed text, ``[?1;2c``), while
    the keys typed during the question were lost."""

    DEFAULT_CSS = "HalfcellImage { width: auto; height: auto; }"
    _Renderable = HalfcellRenderable

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._image: Image | None = None

    @property
    def image(self) -> Image | None:
        return self._image

    @image.setter
    def image(self, value: Image | None) -> None:
        self._image = value
        self.refresh(layout=True)

    def get_content_width(self, container: Any, viewport: Any) -> int:
        return container.width if self._image is not None else 0

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        if self._image is None:
            return 0
        return HalfcellRenderable(self._image, width, "auto").cells(width, 0)[1]

    def render(self) -> Any:
        if self._image is None:
            return ""
        size = self.content_size
        return HalfcellRenderable(self._image, size.width, size.height)


def _image_class() -> type[Widget]:
    """The picture widget for this terminal: textual-image's Kitty or Sixel one where the
    terminal has them, else half-blocks (textual-image not installed included)."""
    try:
        out = sys.__stdout__
        if (
            os.environ.get("STUDIO_PIXELS") == "halfcell"
            or os.environ.get("TMUX")
            or out is None
            or not out.isatty()
        ):
            return HalfcellImage
        from textual_image.widget import Image as AutoImage

        renderable = getattr(AutoImage, "_Renderable", None)
        if renderable is None or renderable.__module__.rsplit(".", 1)[-1] in (
            "halfcell",
            "unicode",
        ):
            return HalfcellImage  # neither Kitty nor Sixel answered
        return AutoImage
    except ImportError:
        return HalfcellImage


IMAGE_CLASS = _image_class()


def _cell_size() -> tuple[int, int]:
    """A terminal cell in pixels, as textual-image measured it (half-blocks: 1 by 2)."""
    if IMAGE_CLASS is HalfcellImage:
        return 1, 2
    from textual_image._terminal import get_cell_size  # what its widgets measure with

    size = get_cell_size()
    return max(1, size.width), max(1, size.height)


DESKTOP = 600  # CSS px that fill the pane's width; 375 px takes its share of it
MIN_SCALE = 0.25


class PixelView(Vertical):
    """A status line and the scrolling picture."""

    DEFAULT_CSS = """
    PixelView #pixel-status { height: 1; }
    PixelView #pixel-scroll { height: 1fr; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.picture: Picture | None = None
        self.showing_changes = False
        self.status_text = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="pixel-status", markup=False)
        with VerticalScroll(id="pixel-scroll"):
            yield IMAGE_CLASS(id="pixel-image")

    @property
    def scroller(self) -> VerticalScroll:
        return self.query_one("#pixel-scroll", VerticalScroll)

    @property
    def image(self) -> Image | None:
        """The picture on screen (the changed-pixels view when that is on)."""
        widget = self.query_one("#pixel-image")
        found = getattr(widget, "image", None)
        return found if found is not None and hasattr(found, "getpixel") else None

    def wanted_scale(self) -> float:
        """Device pixels per CSS px worth drawing: half-blocks show one pixel a column,
        so twice the pane's columns is plenty (at least a quarter of the page's pixels);
        Kitty and Sixel show real pixels (all of them)."""
        if IMAGE_CLASS is not HalfcellImage:
            return 1.0
        available = self.scroller.content_size.width or self.size.width or 80
        return min(1.0, max(MIN_SCALE, round(2 * available / DESKTOP, 2)))

    def _fit(self) -> None:
        """Size the picture in cells: 600 px take the pane's width, 375 px their share;
        the height follows the picture's proportions (taller than the pane: it scrolls)."""
        image = self.image
        if image is None or self.picture is None:
            return
        available = self.scroller.content_size.width or self.size.width
        cols = max(4, round(available * min(self.picture.width, DESKTOP) / DESKTOP) - 1)
        cell_w, cell_h = _cell_size()
        rows = max(1, round(image.height / image.width * cols * cell_w / cell_h))
        widget = self.query_one("#pixel-image")
        widget.styles.width = cols
        widget.styles.height = rows

    def on_resize(self) -> None:
        self._fit()

    def say(self, text: str, style: str = "dim") -> None:
        """One line above the picture (an install hint, an error, "drawing…")."""
        self.status_text = text
        self.query_one("#pixel-status", Static).update(Text(text, style=style))

    def show_picture(self, picture: Picture, changes: bool) -> None:
        """Show ``picture`` (its changed-pixels view if ``changes``), keeping the scroll."""
        self.picture = picture
        self.showing_changes = changes and picture.changed is not None
        image = picture.changed if self.showing_changes else picture.image
        widget = self.query_one("#pixel-image")
        if image is None:
            return
        widget.image = image  # type: ignore[attr-defined]
        self._fit()
        scheme = "dark" if picture.dark else "light"
        line = f"{picture.width} px · {scheme}"
        if self.showing_changes:
            line += f" · changed since saved: {picture.changed_share:.1%} of pixels (red)"
        elif changes:
            line += " · changed pixels: nothing saved to compare with"
        self.say(line + f" · {picture.elapsed * 1000:.0f} ms")
