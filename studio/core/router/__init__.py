"""The local transactional router: the trigger API applications call, as they call a provider.

Business applications give the signal; the router renders the workspace's template
with the variables they send and delivers it: e-mail to the sink (or through an
allowed relay), SMS to an outbox beside the Maildir. Modules:

* :mod:`.engine`: one trigger checked, rendered, delivered and recorded;
* :mod:`.validate`: variables against what the template reads (lint's ids);
* :mod:`.api`: the HTTP server (Studio's endpoints, auth, size and rate limits);
* :mod:`.mailjet`, :mod:`.brevo`: the provider-compatible request and answer shapes;
* :mod:`.store`: the trigger log and the SMS outbox;
* :mod:`.stats`: what was triggered, per template, journey, channel, application.

:func:`router_for` and :func:`api_keys` are what ``studio serve``, the studio and
the tests build it with.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from .stats import Stats, compute_stats, format_stats
from .store import SmsOutbox, StoredSms, TriggerRecord, TriggerStore, read_log

if TYPE_CHECKING:
    from ..send import Transport
    from ..workspace import Workspace
    from .api import RouterServer
    from .engine import Outcome, Router, TriggerRequest

# Loaded on first use: sending (DKIM, dnspython, HTTP) and the server are heavy, and
# `studio lint` reaches this package only for `.validate`.
_LAZY = {
    "RouterServer": ".api",
    "Outcome": ".engine",
    "Router": ".engine",
    "TriggerRequest": ".engine",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value

__all__ = [
    "Outcome",
    "Router",
    "RouterServer",
    "SmsOutbox",
    "Stats",
    "StoredSms",
    "TriggerRecord",
    "TriggerRequest",
    "TriggerStore",
    "api_keys",
    "compute_stats",
    "format_stats",
    "outbox_for",
    "read_log",
    "router_for",
    "trigger_log",
]


def trigger_log(workspace: Workspace) -> TriggerStore:
    """The workspace's trigger log (``[router] events``)."""
    return TriggerStore(workspace.root / workspace.settings.router.events)


def outbox_for(workspace: Workspace) -> SmsOutbox:
    """The workspace's SMS outbox (``[router] sms_outbox``)."""
    return SmsOutbox(workspace.root / workspace.settings.router.sms_outbox)


def router_for(
    workspace: Workspace,
    *,
    relay: str | None = None,
    sink: tuple[str, int] | None = None,
    transport: Transport | None = None,
    on_trigger: Callable[[TriggerRecord], None] | None = None,
) -> Router:
    """The workspace's router: e-mail to ``relay`` (else ``[router] relay``) or the sink.

    Args:
        sink: the sink's host and port, instead of ``[sink]``'s (an embedded one).
        transport: any transport (tests, the benchmark), instead of both.
    """
    from ..send import SinkTransport, transport_for
    from .engine import Router

    if transport is None:
        name = relay or workspace.settings.router.relay
        if name:
            transport = transport_for(workspace, name)
        elif sink is not None:
            transport = SinkTransport(*sink)
        else:
            transport = transport_for(workspace)
    return Router(
        workspace,
        transport=transport,
        store=trigger_log(workspace),
        outbox=outbox_for(workspace),
        on_trigger=on_trigger,
    )


def api_keys(workspace: Workspace, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Application name ("" for the unnamed key) → key, from the environment variables
    the settings name; a variable that is unset or empty gives no key."""
    env = os.environ if environ is None else environ
    settings = workspace.settings.router
    keys = {"": env.get(settings.api_key_env, "")}
    for name, var in settings.keys.items():
        keys[name] = env.get(var, "")
    return {k: v for k, v in keys.items() if v}
