"""The router (``studio serve``) started and stopped from the palette, one per app.

It delivers to the app's embedded sink (started first, so the inbox sees each message
arrive) and lives until it is stopped or the app quits. With the workspace's API key
variable set, requests need that key; without it, the router accepts unauthenticated
requests on loopback only (as ``studio serve --no-auth``), and says so.
"""

from __future__ import annotations

import os
from typing import Any

from textual.app import App

from ..core.router.service import RouterService
from ..core.workspace import Workspace
from .sink_control import start_embedded_sink


def running_router(app: App[Any]) -> RouterService | None:
    service: RouterService | None = getattr(app, "router", None)
    return service


def toggle_router(app: App[Any], workspace: Workspace) -> str:
    """Start the router, or stop the running one; what happened, on one line.

    Raises:
        StudioError: the sink or the router's port cannot be bound (the message says which).
    """
    service = running_router(app)
    if service is not None:
        stop_router(app)
        return "router stopped"
    if workspace.settings.router.relay is None:
        start_embedded_sink(app, workspace)
    auth = bool(os.environ.get(workspace.settings.router.api_key_env))
    service = RouterService(workspace, auth=auth).start()
    app.router = service  # type: ignore[attr-defined]
    note = "" if auth else f" (no {workspace.settings.router.api_key_env}: no key required)"
    return f"router on {service.server.url}{note}; e-mail to {service.sink_note}"


def stop_router(app: App[Any]) -> None:
    service = running_router(app)
    if service is not None:
        service.stop()
    app.router = None  # type: ignore[attr-defined]
