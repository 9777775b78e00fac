"""The preview pane: rendition, text part, HTML source, SMS, size, findings, pixels."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.rule import Rule
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.lazy import Lazy
from textual.widget import Widget
from textual.widgets import Static, TextArea

from ...core.catalogue import explain
from ...core.findings import Finding
from ...core.safe_text import printable
from ...errors import StudioError
from ..base import release_keys
from ..messages import LocationChosen
from .pixel import PixelView

if TYPE_CHECKING:  # the renderer is imported on first render, after the first paint
    from textual.widgets import DataTable, TabbedContent

    from ...core.render.pipeline import RenderedMessage, RenderedSms


SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
SEVERITY_MARK = {"error": "✖", "warning": "▲", "info": "i"}
MESSAGE_WIDTH = 44  # the message column before the pane's width is known
MIN_MESSAGE = 8  # the message column never narrower (the details below hold all of it)
READABLE_MESSAGE = 30  # the id column shows only beside a message at least this wide
ERROR_ROW = "render-error"
TAB_IDS = ("tab-preview", "tab-text", "tab-html", "tab-sms", "tab-findings", "tab-pixel")


def rendition(msg: RenderedMessage) -> Group:
    """The inbox line and the size against Gmail's clip, then the message itself."""
    from ...core.message import GMAIL_CLIP_BYTES  # loaded by the render already
    from ..rendition import rendition as message_rendition  # not needed by the first frame

    head = Text()
    head.append(msg.subject, style="bold")
    head.append("  —  " + msg.preheader + "\n", style="dim")
    kb = msg.size / 1024
    style = "bold red" if msg.size > GMAIL_CLIP_BYTES else "green"
    head.append(f"HTML {kb:.1f} KB of Gmail's 102 KB", style=style)
    # the MJML with its mj-include partials spliced in, as MRML compiled it
    mjml = msg.mjml_source.text if msg.mjml_source is not None else msg.mjml
    return Group(head, Rule(style="dim"), message_rendition(mjml))


def sms_rendition(sms: RenderedSms) -> Text:
    info = sms.info
    out = Text()
    out.append(f"{info.encoding}, {info.count} segment(s), {info.units} units\n", style="bold")
    if info.forcing:
        out.append(
            "UCS-2 forced by: " + ", ".join(str(f) for f in info.forcing) + "\n", style="yellow"
        )
    for i, seg in enumerate(info.segments, 1):
        out.append(f"\n┌─ segment {i} ({len(seg)} chars) " + "─" * 20 + "\n", style="dim")
        out.append(seg + "\n")
    return out


def finding_details(f: Finding) -> Text:
    """What the details box shows for a finding: where, the message, why and how to fix."""
    out = Text()
    out.append(f.id, style=SEVERITY_STYLE[str(f.severity)])
    try:
        why = explain(f.id)
    except KeyError:
        why = None
    if why is not None:
        out.append(f" — {why.title}", style="bold")
    out.append("\n")
    if f.location is not None:
        out.append(printable(str(f.location), one_line=True) + "  (enter: go there)\n", style="dim")
    out.append(printable(f.message) + "\n")  # quotes the template's text: literal
    if why is not None:
        out.append("\nWhy: ", style="bold")
        out.append(why.why + "\n")
        out.append("How to fix: ", style="bold")
        out.append(why.fix + "\n")
    return out


def error_details(error: StudioError) -> Text:
    out = Text()
    out.append("The message does not render\n", style="bold red")
    where = error_location(error)
    if where is not None:
        out.append(f"{where[0]}:{where[1] or ''}  (enter: go there)\n", style="dim")
    out.append(printable(str(error)) + "\n")
    out.append(
        "\nThe last good preview stays shown until this is fixed; the message cannot be"
        " sent as it is.\n"
    )
    return out


def short_place(file: str, line: int | None) -> str:
    """Where a finding is, short enough for the table: the file's name and line."""
    name = printable(file.rsplit("/", 1)[-1], one_line=True)
    return f"{name}:{line}" if line else name


def error_location(error: StudioError) -> tuple[str, int | None] | None:
    """(file, line) a render error names (``RenderError`` and ``ConfigError`` carry them)."""
    file = getattr(error, "file", None)
    if not isinstance(file, str) or not file:
        return None
    line = getattr(error, "line", None)
    return file, line if isinstance(line, int) else None


TAB_TITLES = ("Preview", "Text", "HTML", "SMS", "Findings", "Pixel")
EMPTY_PREVIEW = "Pick a template in the tree."


class TabsSketch(Widget):
    """The preview's tabs as the studio's first frame shows them, drawn by one widget.

    Textual's tabs are some twenty widgets (the tab strip, its underline, the
    switcher and a pane per tab), and mounting, styling and drawing them was a
    fifth of the work from the app's start to its first frame (159 of 754 million
    instructions, counted with callgrind). The first frame
    shows this sketch instead, in the same places, colours (the tab's and the
    underline's rules, with the same variables) and text; the real tabs replace it
    right after (:meth:`PreviewPane.mount_tabs`).
    """

    DEFAULT_CSS = """
    TabsSketch { height: 1fr; }
    TabsSketch > .sketch--tab { color: $foreground 50%; }
    TabsSketch > .sketch--active { color: $foreground; }
    TabsSketch > .sketch--bar { color: $block-cursor-background; background: $foreground 10%; }
    """
    COMPONENT_CLASSES = {"sketch--tab", "sketch--active", "sketch--bar"}

    def render(self) -> Group:
        from textual.renderables.bar import Bar

        strip = Text(no_wrap=True, overflow="crop")
        for i, title in enumerate(TAB_TITLES):
            style = self.get_component_rich_style("sketch--active" if i == 0 else "sketch--tab")
            strip.append(f" {title} ", style)
        bar = self.get_component_rich_style("sketch--bar")
        underline = Bar(  # no highlight yet: Textual's tabs place it after their first frame
            highlight_range=(0, 0),
            highlight_style=Style.from_color(bar.color),
            background_style=Style.from_color(bar.bgcolor),
        )
        return Group(strip, underline, Text("\n" + EMPTY_PREVIEW))  # the bar ends no line


class PreviewPane(Vertical):
    """The tabs of the preview. The studio's first frame shows a sketch of them
    (:class:`TabsSketch`); the tabs themselves are mounted right after it, the
    hidden tabs' widgets (``Lazy``) after that. The pane keeps its own references
    to them, so a result arriving before they are mounted is still shown; the tab
    asked for before then is shown once they are."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sketch: TabsSketch | None = TabsSketch()
        self._wanted_tab = "tab-preview"  # shown once the tabs are mounted
        self._when_mounted: list[Callable[[], object]] = []
        self.shown: RenderedMessage | None = None
        self._stale: set[str] = set()  # lazy tabs not yet loaded with `shown`
        self.findings: list[Finding] = []
        self.error: StudioError | None = None  # the render error shown, if any
        self._error = Static("", id="preview-error")
        self._error.display = False
        self._rendition = Static(EMPTY_PREVIEW, id="rendition")
        self._text_part = TextArea("", read_only=True, id="text-part", soft_wrap=True)
        self._html_source = TextArea("", read_only=True, id="html-source", soft_wrap=True)
        self._sms = Static("No SMS template for this message.", id="sms")
        self._findings_empty = Static("Checking…", id="findings-empty")
        self._finding_detail = Static("", id="finding-detail")
        self._finding_box = VerticalScroll(self._finding_detail, id="finding-box")
        self._built: tuple[TabbedContent, DataTable[Text]] | None = None

    def _build(self) -> tuple[TabbedContent, DataTable[Text]]:
        """The tabs and the findings table, made on first use: after the first frame
        (their modules too), or when a result needs them sooner."""
        if self._built is not None:
            return self._built
        from textual.widgets import TabbedContent, TabPane

        from .findings_table import FindingsTable

        tabs = TabbedContent(id="tabs")
        table = FindingsTable(self.go_to_row, id="findings", cursor_type="row")
        table.display = False
        table.add_column("", key="severity")
        table.add_column("where", key="where")
        table.add_column("message", key="message", width=MESSAGE_WIDTH)
        table.add_column("id", key="id")
        titles = dict(zip(TAB_IDS, TAB_TITLES, strict=True))
        for tab, *content in (
            ("tab-preview", VerticalScroll(self._rendition)),
            ("tab-text", Lazy(self._text_part)),
            ("tab-html", Lazy(self._html_source)),
            ("tab-sms", Lazy(VerticalScroll(self._sms))),
            ("tab-findings", Lazy(self._findings_empty), Lazy(table), Lazy(self._finding_box)),
            ("tab-pixel", Lazy(PixelView(id="pixel"))),
        ):
            tabs.compose_add_child(TabPane(titles[tab], *content, id=tab))
        self._built = tabs, table
        return self._built

    @property
    def _tabs(self) -> TabbedContent:
        return self._build()[0]

    @property
    def _table(self) -> DataTable[Text]:
        return self._build()[1]

    def compose(self) -> ComposeResult:
        yield self._error
        yield self._sketch or self._tabs

    def on_mount(self) -> None:
        if self._sketch is not None:
            self.call_after_refresh(self.mount_tabs)

    async def mount_tabs(self) -> None:
        """Put the tabs in the sketch's place (in one screen update), then show the
        tab asked for meanwhile and do what waited for them (focus)."""
        sketch = self._sketch
        if sketch is None or not self.is_attached:
            return
        with self.app.batch_update():
            await self.mount(self._tabs, after=sketch)
            await sketch.remove()
            self._sketch = None
        self._tabs.active = self._wanted_tab
        for call in self._when_mounted:
            call()
        self._when_mounted.clear()

    @property
    def tabs_mounted(self) -> bool:
        return self._sketch is None

    @property
    def alive(self) -> bool:
        """False once the app is closing (its widgets removed): late results are dropped."""
        return self._error.is_attached

    # The text and HTML tabs hold long documents that are costly to lay out (the
    # HTML is tens of KB, wrapped): they are loaded when shown, not on each render.
    _LAZY = ("tab-text", "tab-html")

    def show(self, msg: RenderedMessage, sms: RenderedSms | None) -> None:
        self.shown = msg
        self._error.display = False
        if self.error is not None:
            self.error = None
            self._fill_findings()
        self._rendition.update(rendition(msg))
        self._sms.update(sms_rendition(sms) if sms else "No SMS template for this message.")
        self._stale = set(self._LAZY)
        self._load_tab(self.active_tab)

    def _load_tab(self, tab: str) -> None:
        if tab not in self._stale or self.shown is None:
            return
        self._stale.discard(tab)
        text = self.shown.text if tab == "tab-text" else self.shown.html
        (self._text_part if tab == "tab-text" else self._html_source).load_text(text)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.tabbed_content is self._tabs and event.pane.id is not None:
            self._load_tab(event.pane.id)

    def show_error(self, error: StudioError) -> None:
        box = self._error
        box.update(Text(f"⚠ {printable(str(error))}", style="bold red"))
        box.display = True
        self.error = error
        self._fill_findings()

    def show_findings(self, findings: list[Finding]) -> None:
        self.findings = findings
        self._fill_findings()

    def _fill_findings(self) -> None:
        """The render error (if any) first, then every finding; or say there is none."""
        table = self._table
        table.clear()
        if self.error is not None:
            where = error_location(self.error)
            table.add_row(
                Text(SEVERITY_MARK["error"], style=SEVERITY_STYLE["error"]),
                Text(short_place(where[0], where[1]) if where else ""),
                Text(printable(str(self.error), one_line=True)),
                Text("render error"),
                key=ERROR_ROW,
            )
        for i, f in enumerate(self.findings):
            sev = str(f.severity)
            table.add_row(
                Text(SEVERITY_MARK[sev], style=SEVERITY_STYLE[sev]),
                Text(short_place(f.location.file, f.location.line) if f.location else ""),
                # a finding quotes the sample's and the template's text: literal, never markup
                Text(printable(f.message, one_line=True)),
                Text(f.id),
                key=str(i),
            )
        self._fit_columns()
        empty = table.row_count == 0
        table.display = not empty
        self._finding_box.display = not empty
        self._findings_empty.update(
            "No findings: every check passed for this template, sample and locale."
        )
        self._findings_empty.display = empty
        if not empty:
            self._show_details(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _fit_columns(self) -> None:
        """Fit the columns to the pane: where a finding is always stays on screen.

        Severity and where (a file name and line) come first, as wide as their
        cells; the message takes the rest, and the id (last) shows too when there is
        room for it beside a readable message. The details box below holds the
        full text and the id.
        """
        if self._built is None:  # no findings yet (a resize before the first frame)
            return
        from textual.widgets.data_table import ColumnKey

        table = self._table
        columns = table.columns
        if not columns:
            return
        width = self.content_size.width or 80
        pad = 2 * table.cell_padding
        # the cells' widths from the rows themselves (the table measures its new rows later)
        cells: dict[str, int] = {"severity": 1, "where": len("where"), "id": len("id")}
        for row in table.ordered_rows:
            for key in ("where", "id"):
                text = table.get_cell(row.key, ColumnKey(key))
                cells[key] = max(cells[key], Text(str(text)).cell_len)
        fixed = cells["severity"] + cells["where"] + 2 * pad
        id_width = cells["id"] + pad
        scrollbar = table.styles.scrollbar_size_vertical
        room = width - fixed - pad - scrollbar  # less the message's padding and a scrollbar
        if room - id_width >= READABLE_MESSAGE:
            room -= id_width
        message = columns[ColumnKey("message")]
        message.auto_width = False
        message.width = max(MIN_MESSAGE, room)
        table.refresh()

    def on_resize(self) -> None:
        self._fit_columns()

    def _show_details(self, key: str | None) -> None:
        detail = self._finding_detail
        if key == ERROR_ROW and self.error is not None:
            detail.update(error_details(self.error))
        elif key is not None and key.isdigit() and int(key) < len(self.findings):
            detail.update(finding_details(self.findings[int(key)]))
        else:
            detail.update("")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is self._table:
            self._show_details(event.row_key.value)

    def _location(self, key: str | None) -> tuple[str, int | None] | None:
        """The file and line of a row of the findings table (a finding or the error)."""
        if key == ERROR_ROW and self.error is not None:
            return error_location(self.error)
        if key is not None and key.isdigit() and int(key) < len(self.findings):
            f = self.findings[int(key)]
            if f.location is not None:
                return f.location.file, f.location.line
        return None

    def go_to_row(self, key: str | None) -> None:
        """Enter on the findings table: go to the row's file and line. The keys typed
        after Enter are held until the studio is there (``LocationChosen``)."""
        where = self._location(key)
        if where is None:
            release_keys(self.app)  # nowhere to go: typing goes on here
        else:
            self.post_message(LocationChosen(*where))  # the studio releases them

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """A click on a finding or the render error: go to its file and line
        (Enter is :meth:`go_to_row`)."""
        if event.data_table is not self._table:
            return
        event.stop()
        where = self._location(event.row_key.value)
        if where is not None:
            self.post_message(LocationChosen(*where))

    def on_click(self, event: object) -> None:
        """A click on the render error above the preview goes to its line."""
        widget = getattr(event, "widget", None)
        if self.error is not None and widget is self._error:
            where = error_location(self.error)
            if where is not None:
                self.post_message(LocationChosen(*where))

    def focus_findings(self) -> None:
        if not self.tabs_mounted:
            self._wanted_tab = "tab-findings"
            self._when_mounted.append(self.focus_findings)
            return
        self._tabs.active = "tab-findings"
        table = self._table
        if table.display and table.is_mounted:
            # now, not after the keys already queued: the next Enter goes to the table
            self.screen.set_focus(table)
        else:
            self._tabs.query_one("Tabs").focus()

    def focus_tabs(self) -> None:
        if not self.tabs_mounted:
            self._when_mounted.append(self.focus_tabs)
            return
        self._tabs.query_one("Tabs").focus()

    @property
    def active_tab(self) -> str:
        return self._tabs.active if self.tabs_mounted else self._wanted_tab

    def show_tab(self, tab: str) -> None:
        if self.tabs_mounted:
            self._tabs.active = tab
        else:
            self._wanted_tab = tab
