"""Browser preview (a loopback web server with live reload) and PNG screenshots."""

from __future__ import annotations

from .server import PreviewServer, dark_variant
from .watch import Watcher

__all__ = ["PreviewServer", "Watcher", "dark_variant"]
