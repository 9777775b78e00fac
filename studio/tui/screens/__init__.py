"""Provides the studio's screens: deliverability, inbox, send, confirm, quit, diff, changes,
help, name prompt, go to line and search.

Each screen is imported on first use (``from studio.tui.screens import InboxScreen``
loads ``screens/inbox.py`` then): the deliverability, inbox and send screens pull in
DNS, the sink and SMTP, which the studio's first paint does not need.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .changes import ChangesScreen
    from .confirm import ConfirmScreen
    from .deliverability import DeliverabilityScreen
    from .diff import DiffScreen
    from .help import HelpScreen
    from .inbox import InboxScreen, MessageScreen
    from .line import GoToLineScreen
    from .prompt import NamePrompt
    from .quit import QuitScreen
    from .search import SearchScreen
    from .send import SendScreen

_WHERE = {
    "ChangesScreen": "changes",
    "ConfirmScreen": "confirm",
    "DeliverabilityScreen": "deliverability",
    "DiffScreen": "diff",
    "GoToLineScreen": "line",
    "HelpScreen": "help",
    "InboxScreen": "inbox",
    "MessageScreen": "inbox",
    "NamePrompt": "prompt",
    "QuitScreen": "quit",
    "SearchScreen": "search",
    "SendScreen": "send",
}

__all__ = [
    "ChangesScreen",
    "ConfirmScreen",
    "DeliverabilityScreen",
    "DiffScreen",
    "GoToLineScreen",
    "HelpScreen",
    "InboxScreen",
    "MessageScreen",
    "NamePrompt",
    "QuitScreen",
    "SearchScreen",
    "SendScreen",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
