"""Provides the studio's screens: deliverability, inbox, send, confirm, quit, diff, help,
name prompt, go to line and search."""

from __future__ import annotations

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
