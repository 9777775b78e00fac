"""Provides the studio's screens: DNS, inbox, send, confirm, help, name prompt, search."""

from __future__ import annotations

from .confirm import ConfirmScreen
from .deliverability import DeliverabilityScreen
from .help import HelpScreen
from .inbox import InboxScreen, MessageScreen
from .prompt import NamePrompt
from .search import SearchScreen
from .send import SendScreen

__all__ = [
    "ConfirmScreen",
    "DeliverabilityScreen",
    "HelpScreen",
    "InboxScreen",
    "MessageScreen",
    "NamePrompt",
    "SearchScreen",
    "SendScreen",
]
