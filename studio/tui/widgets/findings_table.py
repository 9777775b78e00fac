"""The findings table: Enter goes to the chosen finding's file and line.

Imported when the preview's tabs are built, after the first frame (``DataTable``
is not needed for it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from ..base import HoldsKeysOnEnter


class FindingsTable(HoldsKeysOnEnter, DataTable[Text]):
    """Rows keyed by finding; Enter calls ``go_to(row key)``, which releases the keys
    the studio holds after Enter once it is at the line (or at once, if nowhere)."""

    def __init__(self, go_to: Callable[[str | None], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.go_to = go_to

    def action_select_cursor(self) -> None:
        key: str | None = None
        if self.row_count:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        self.go_to(key)
