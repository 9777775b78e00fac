"""Provides the studio's modal screens: a yes/no question and the help screen."""

from __future__ import annotations

from .confirm import ConfirmScreen
from .help import HelpScreen

__all__ = ["ConfirmScreen", "HelpScreen"]
