"""Provides the studio's screens: deliverability, inbox, send, confirm, quit, diff and help."""

from __future__ import annotations

from .confirm import ConfirmScreen
from .deliverability import DeliverabilityScreen
from .diff import DiffScreen
from .help import HelpScreen
from .inbox import InboxScreen, MessageScreen
from .line import GoToLineScreen
from .quit import QuitScreen
from .send import SendScreen

__all__ = [
    "ConfirmScreen",
    "DeliverabilityScreen",
    "DiffScreen",
    "GoToLineScreen",
    "HelpScreen",
    "InboxScreen",
    "MessageScreen",
    "QuitScreen",
    "SendScreen",
]
