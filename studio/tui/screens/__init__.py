"""Provides the studio's screens: deliverability, inbox, send, confirm, quit, diff, changes, help,
name prompt, go to line and search."""

from __future__ import annotations

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
