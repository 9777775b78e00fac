"""The router as ``studio serve`` and the studio run it: the API, and a sink to deliver to.

E-mail goes to the workspace's sink: one is started in-process on ``[sink]``'s host
and port (stored in the same Maildir the inbox reads), unless one already listens
there (a ``studio sink`` in another terminal, the studio's own), which is then used.
With a relay (``--relay`` or ``[router] relay``) no sink is started.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ...errors import ConfigError, SinkError
from ..sink import Sink, SinkConfig
from . import api_keys, router_for
from .api import RouterServer
from .store import TriggerRecord

if TYPE_CHECKING:
    from ..workspace import Workspace


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


class RouterService:
    """The API server, its router and (when needed) an embedded sink; ``start``/``stop``.

    Args:
        workspace: the workspace.
        host, port: where the API listens (default ``[router]``'s).
        auth: require an API key (from the environment variables the settings name).
        relay: deliver e-mail through this relay instead of the sink.
        allow_remote: listen on a non-loopback address.
        environ: the environment the keys are read from (default ``os.environ``).
        on_trigger: told about each finished trigger.
    """

    def __init__(
        self,
        workspace: Workspace,
        *,
        host: str | None = None,
        port: int | None = None,
        auth: bool = True,
        relay: str | None = None,
        allow_remote: bool = False,
        environ: Mapping[str, str] | None = None,
        on_trigger: Callable[[TriggerRecord], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        settings = workspace.settings.router
        self.workspace = workspace
        self.relay = relay or settings.relay
        self.sink: Sink | None = None
        self.sink_note = ""
        keys = api_keys(workspace, environ) if auth else None
        if keys is not None and not keys:
            raise ConfigError(
                f"serve: set {settings.api_key_env} to the API key applications will send"
                " (or pass --no-auth, loopback only)"
            )
        self.router = router_for(workspace, relay=self.relay, on_trigger=on_trigger)
        self.server = RouterServer(
            self.router,
            host=host or settings.host,
            port=settings.port if port is None else port,
            keys=keys,
            max_body=settings.max_body,
            rate=settings.rate_limit,
            burst=settings.rate_burst,
            allow_remote=allow_remote,
            on_error=on_error,
        )

    def start(self) -> RouterService:
        if self.relay is None:
            config = SinkConfig.from_settings(self.workspace)
            try:
                self.sink = Sink(config).start()
                self.sink_note = f"sink {config.host}:{config.port} (embedded), {config.maildir}"
            except SinkError:
                if not _listening(config.host, config.port):
                    self.server.stop()
                    raise
                self.sink_note = f"sink {config.host}:{config.port} (already running)"
        else:
            self.sink_note = f"relay {self.relay}"
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()
        self.router.store.close()
        if self.sink is not None:
            self.sink.stop()
            self.sink = None

    def __enter__(self) -> RouterService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
