"""The editor pane: the sample and locale pickers, the file's status, the find bar, the editor.

The pane owns what happens inside it (loading a file's text, the find and
replace bar, going to a line); the app decides which file is in the editor and
what the preview shows.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.lazy import Lazy
from textual.widgets import Button, Input, Label, Select, Static

from ...core.safe_text import printable
from .highlight import TemplateEditor

LOCALES = ["en-GB", "fr-FR", "en-US", "de-DE"]


def find_after(text: str, needle: str, row: int, col: int) -> tuple[int, int] | None:
    """(row, column) of the next ``needle`` after the cursor, wrapping round; None if absent."""
    if not needle:
        return None
    lines = text.split("\n")
    offset = sum(len(x) + 1 for x in lines[:row]) + col + 1
    i = text.find(needle, offset)
    if i < 0:
        i = text.find(needle)
    if i < 0:
        return None
    return text.count("\n", 0, i), i - (text.rfind("\n", 0, i) + 1)


class FindBar(Horizontal):
    """One row: what to find, what to replace it with (replace mode), "all". Esc closes it.

    Hidden until ctrl+f, and mounted only after the studio's first paint (``Lazy``):
    the pane reaches its fields through the bar, mounted or not yet.
    """

    BINDINGS = [("escape", "close", "Close")]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.display = False
        self.find = Input(placeholder="find… (enter: next)", id="find")
        self.replace = Input(placeholder="replace with… (enter: next)", id="replace")
        self.replace_all = Button("all", id="replace-all")

    def compose(self) -> ComposeResult:
        yield self.find
        yield self.replace
        yield self.replace_all

    def action_close(self) -> None:
        pane = self.query_ancestor(EditorPane)
        pane.close_find()


class PickerSketch(Static):
    """A picker (``Select``) as the studio's first frame shows it, drawn by one widget.

    A ``Select`` is seven widgets (the current value, its label and arrows, the
    option list): the two pickers were a tenth of the work from the app's start to
    its first frame (74 of 754 million instructions, counted with callgrind). The
    first frame shows these sketches instead: the same box
    (the rules of Textual's ``SelectCurrent``, with the same variables), the same
    text; the pickers replace them right after (:meth:`EditorPane.mount_pickers`).
    """

    DEFAULT_CSS = """
    PickerSketch {
        border: tall $border-blurred;
        color: $foreground;
        background: $surface;
        height: auto;
        padding: 0 2;
    }
    PickerSketch > .sketch--prompt { color: $foreground 50%; }
    PickerSketch > .sketch--arrow { color: $foreground 50%; }
    """
    COMPONENT_CLASSES = {"sketch--prompt", "sketch--arrow"}

    def __init__(self, prompt: str, value: str | None) -> None:
        super().__init__()
        self.prompt = prompt
        self.value = value

    def render(self) -> Text:
        width = max(1, self.content_size.width - 2)  # the arrow and the space before it
        label = Text(self.value) if self.value else Text(self.prompt)
        if not self.value:
            label.stylize(self.get_component_rich_style("sketch--prompt"))
        label.truncate(width, pad=True)
        label.append(" ▼", self.get_component_rich_style("sketch--arrow"))
        return label


class EditorPane(Vertical):
    """Pickers above, the status line, the find bar (hidden until ctrl+f), the editor.

    The studio's first frame shows sketches of the pickers (:class:`PickerSketch`);
    the pickers themselves are mounted right after it, with the options and values
    given meanwhile."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.find_bar = FindBar(id="find-bar")
        self.sample_picker = self._sample_picker([], None)
        self.locale_picker = Select[str](
            [(x, x) for x in LOCALES], prompt="locale", id="locale", allow_blank=True
        )
        self._mount_values: dict[str, str | None] = {}
        self._sketches: list[PickerSketch] | None = [
            PickerSketch("sample", None),
            PickerSketch("locale", None),
        ]
        # Highlighting starts after the studio's first frame (start_highlighting):
        # parsing a template with tree-sitter and querying its highlights is work the
        # first frame need not wait for. Until then a file shows as plain text.
        self.highlighting = False
        self._highlight: tuple[str | None, bool] = (None, False)  # the file's (language, jinja)

    def compose(self) -> ComposeResult:
        with Horizontal(id="toolbar"):
            yield from self._sketches or (self.sample_picker, self.locale_picker)
        yield Label("", id="status")
        yield Lazy(self.find_bar)
        yield TemplateEditor(
            "", id="editor", show_line_numbers=True, tab_behavior="indent", soft_wrap=False
        )

    def on_mount(self) -> None:
        self.editor.cursor_blink = False
        if self._sketches is not None:
            self.call_after_refresh(self.mount_pickers)

    async def mount_pickers(self) -> None:
        """Put the pickers in their sketches' places, in one screen update."""
        sketches = self._sketches
        if sketches is None or not self.is_attached:
            return
        toolbar = self.query_one("#toolbar")
        # Mounted, a picker takes the value it was made with and says it changed:
        # what the preview already shows (see picker_mounted).
        self._mount_values = {p: self.choice(p) for p in ("sample", "locale")}
        with self.app.batch_update():
            await toolbar.mount(self.sample_picker, self.locale_picker, before=sketches[0])
            await toolbar.remove_children(sketches)
            self._sketches = None

    @on(Select.Changed)
    def picker_mounted(self, event: Select.Changed) -> None:
        """A picker taking, as it mounts, the value it was given: no change to render."""
        expected = self._mount_values.pop(event.select.id or "", None)
        if expected is not None and expected == event.value:
            event.stop()

    @property
    def pickers_mounted(self) -> bool:
        return self._sketches is None

    @staticmethod
    def _sample_picker(samples: list[str], value: str | None) -> Select[str]:
        return Select[str](
            [(Text(s), s) for s in samples],
            prompt="sample",
            id="sample",
            allow_blank=True,
            value=Select.NULL if value is None else value,
        )

    def set_samples(self, samples: list[str], value: str | None = None) -> None:
        """The sample picker's options, and its value (None: none picked)."""
        if self._sketches is None:
            self.sample_picker.set_options([(Text(s), s) for s in samples])
            if value is not None:
                self.sample_picker.value = value
        else:  # not mounted yet: one made with them replaces it (no Changed meanwhile)
            self.sample_picker = self._sample_picker(samples, value)
            self._sketches[0].value = value
            self._sketches[0].refresh()

    def set_sample(self, value: str) -> None:
        """Pick one of the sample picker's options."""
        if self._sketches is None:
            self.sample_picker.value = value
        else:
            samples = [str(v) for _, v in self.sample_picker._options if isinstance(v, str)]
            self.set_samples(samples, value)

    def choice(self, picker: str) -> str | None:
        """What the sample or the locale picker (``sample``, ``locale``) shows, or None."""
        select = self.sample_picker if picker == "sample" else self.locale_picker
        value = select.value if self._sketches is None else select._value
        return value if isinstance(value, str) else None

    @property
    def editor(self) -> TemplateEditor:
        return self.query_one("#editor", TemplateEditor)

    def load(
        self, text: str, *, language: str | None, read_only: bool, jinja: bool = False
    ) -> None:
        """Show a file's text (its buffer) in the editor, highlighted if possible
        (with Jinja's tags laid over the language's when ``jinja``)."""
        editor = self.editor
        self._highlight = (language, jinja)
        if not self.highlighting:
            language, jinja = None, False
        editor.jinja = jinja
        editor.load_text(text)
        editor.read_only = read_only
        self._set_language(language)

    def _set_language(self, language: str | None) -> None:
        editor = self.editor
        try:
            editor.language = language
        except Exception:  # noqa: BLE001 - no highlighting for this language here
            editor.language = None

    def start_highlighting(self) -> None:
        """Highlight from now on, the file already in the editor too (its cursor,
        selection and scroll kept: keys typed meanwhile stay where they went)."""
        if self.highlighting:
            return
        self.highlighting = True
        language, jinja = self._highlight
        if language is None and not jinja:
            return
        editor = self.editor
        selection, (x, y) = editor.selection, editor.scroll_offset
        editor.jinja = jinja
        if language is None:
            editor.rehighlight()
        else:
            self._set_language(language)  # parses the text again, cursor at the start
        editor.selection = selection
        editor.scroll_to(x, y, animate=False, immediate=True)

    def set_status(self, status: Text) -> None:
        self.query_one("#status", Label).update(status)

    def go_to(self, row: int, column: int = 0) -> None:
        """Put the cursor at (row, column), scrolled into view, and focus the editor."""
        editor = self.editor
        editor.move_cursor((row, column), center=True)
        self.screen.set_focus(editor)  # now: the keys typed next go to the editor

    # -- find and replace ------------------------------------------------------

    @property
    def find_shown(self) -> bool:
        return bool(self.find_bar.display)

    def toggle_find(self, *, replace: bool = False) -> None:
        """Open the find bar (with the replace field if ``replace``), or close it."""
        bar = self.find_bar
        replacing = bool(bar.replace.display)
        if bar.display and replacing == replace:
            self.close_find()
            return
        bar.display = True
        bar.replace.display = replace
        bar.replace_all.display = replace
        box = bar.find
        selected = self.editor.selected_text
        if selected and "\n" not in selected:
            box.value = selected
        box.focus()

    def close_find(self) -> None:
        self.find_bar.display = False
        self.editor.focus()

    def _select_next(self, needle: str) -> bool:
        editor = self.editor
        found = find_after(editor.text, needle, *editor.cursor_location)
        if found is None:
            if needle:
                self.notify(printable(f"{needle!r} not found"), severity="warning", markup=False)
            return False
        r, c = found
        editor.move_cursor((r, c))
        editor.move_cursor((r, c + len(needle)), select=True)
        return True

    @on(Input.Submitted, "#find")
    def find_next(self, event: Input.Submitted) -> None:
        """Select the next match of the find box's text after the editor's cursor."""
        event.stop()
        self._select_next(event.value)

    @on(Input.Submitted, "#replace")
    def replace_next(self, event: Input.Submitted) -> None:
        """Replace the selected match (if one is selected), then select the next."""
        event.stop()
        needle = self.find_bar.find.value
        editor = self.editor
        if not needle or editor.read_only:
            return
        if editor.selected_text == needle:
            editor.replace(event.value, *editor.selection)
        self._select_next(needle)

    @on(Button.Pressed, "#replace-all")
    def replace_all(self, event: Button.Pressed) -> None:
        event.stop()
        needle = self.find_bar.find.value
        editor = self.editor
        if not needle or editor.read_only:
            return
        count = editor.text.count(needle)
        if count:
            # one edit: a single undo brings the text back
            end = editor.document.end
            editor.replace(editor.text.replace(needle, self.find_bar.replace.value), (0, 0), end)
        self.notify(f"{count} replaced", markup=False)
