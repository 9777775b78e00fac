"""The local SMTP sink and its Maildir store (see ``server.py`` and ``store.py``)."""

from __future__ import annotations

from .server import Captured, Sink, SinkConfig, is_loopback
from .store import MaildirStore

__all__ = ["Captured", "MaildirStore", "Sink", "SinkConfig", "is_loopback"]
