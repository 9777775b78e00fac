"""Provides the studio's screens: deliverability, inbox, send, confirm and help."""

from __future__ import annotations

from .confirm import ConfirmScreen
from .deliverability import DeliverabilityScreen
from .help import HelpScreen
from .inbox import InboxScreen, MessageScreen
from .send import SendScreen

__all__ = [
    "ConfirmScreen",
    "DeliverabilityScreen",
    "HelpScreen",
    "InboxScreen",
    "MessageScreen",
    "SendScreen",
]
