"""The local SMTP sink: accepts any message for anyone, stores it, delivers nowhere.

An aiosmtpd handler (``handler.py``) under the threaded controller (``smtp.py``), so
it lives beside Textual's event loop or a test. It answers 250 only after the
message is in the Maildir (``store.py``). Limits: message size, the envelope it adds
included (552 beyond), recipients per message (452 beyond), concurrent connections
(421), idle timeout, SMTP line length; SMTPUTF8 and 8BITMIME are offered; AUTH
PLAIN/LOGIN accepts any credentials when enabled, so an application configured for a
relay can point at the sink unchanged. It binds loopback unless told otherwise.
"""

from __future__ import annotations

import ipaddress
import ssl
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import SinkError
from ..settings import SinkSettings
from .faults import FaultRule, Faults
from .handler import DEFAULT_MAX_RECIPIENTS, DEFAULT_MAX_SIZE, Captured, FaultHandler, SinkHandler
from .smtp import SinkController, check_bindable
from .store import MaildirStore
from .tls import ensure_certificate, server_context

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["Captured", "Sink", "SinkConfig", "SinkHandler", "is_loopback"]

# aiosmtpd 1.4 sets its own deprecated Session.login_data on every AUTH; not ours to fix.
warnings.filterwarnings("ignore", message="Session.login_data is deprecated")


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class SinkConfig:
    host: str = "127.0.0.1"
    port: int = 1025
    maildir: Path = Path(".studio/maildir")
    max_message_size: int = DEFAULT_MAX_SIZE
    max_recipients: int = DEFAULT_MAX_RECIPIENTS
    max_connections: int = 100
    idle_timeout: float = 300.0
    line_length: int = 1000
    auth: bool = True
    allow_remote: bool = False
    keep_messages: int | None = None
    keep_days: float | None = None
    extra: dict[str, object] = field(default_factory=dict)
    faults: tuple[FaultRule, ...] = ()
    """Fault rules (none: the sink accepts everything)."""
    dmarc: Callable[[bytes], str] | None = field(default=None, compare=False, repr=False)
    """The DMARC verdict of a stored message (``dmarc-reject``); the workspace's."""
    starttls: bool = True
    """Offer STARTTLS (with ``tls_cert``/``tls_key``, or a certificate made in ``tls_dir``)."""
    tls_port: int | None = None
    """A second port speaking implicit TLS (as port 465 does), if given."""
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_dir: Path | None = None
    """Where the self-signed certificate is made (default: beside the Maildir)."""

    def certificate(self) -> tuple[Path, Path]:
        """The certificate and key to serve: the configured ones, or a self-signed pair."""
        if self.tls_cert is not None and self.tls_key is not None:
            return self.tls_cert, self.tls_key
        return ensure_certificate(self.tls_dir or self.maildir.parent)

    @classmethod
    def from_settings(
        cls,
        workspace: Workspace | None,
        *,
        host: str | None = None,
        port: int | None = None,
        maildir: Path | None = None,
        auth: bool = True,
        allow_remote: bool = False,
        faults: tuple[FaultRule, ...] | None = None,
        tls_port: int | None = None,
        starttls: bool | None = None,
    ) -> SinkConfig:
        """The sink the workspace's ``[sink]`` settings describe (defaults without one).

        ``studio sink``, ``studio inbox`` and the TUI's inbox all build it here; the
        arguments given override the settings.
        """
        s = workspace.settings.sink if workspace is not None else SinkSettings()
        root = workspace.root if workspace is not None else Path()
        rules = s.faults if faults is None else s.faults + faults
        return cls(
            host=host or s.host,
            port=port or s.port,
            maildir=maildir if maildir is not None else root / s.maildir,
            max_message_size=s.max_message_size,
            max_recipients=s.max_recipients,
            auth=auth,
            allow_remote=allow_remote,
            keep_messages=s.keep_messages,
            keep_days=s.keep_days,
            faults=rules,
            dmarc=(
                _dmarc_verdict(workspace) if any(r.kind == "dmarc-reject" for r in rules) else None
            ),
            starttls=s.starttls if starttls is None else starttls,
            tls_port=tls_port or s.tls_port,
            tls_cert=root / s.tls_cert if s.tls_cert else None,
            tls_key=root / s.tls_key if s.tls_key else None,
            tls_dir=root / ".studio" if workspace is not None else None,
        )


def _dmarc_verdict(workspace: Workspace | None) -> Callable[[bytes], str]:
    """The inbox's DMARC verdict of a message as the sink would store it."""

    def verdict(raw: bytes) -> str:
        from ..inbox import verdict_of  # the inbox reads the sink's store: imported late

        return verdict_of(raw, workspace).dmarc

    return verdict


class Sink:
    """The sink, embeddable: ``with Sink(config, on_message=...) as sink: ...``."""

    def __init__(
        self,
        config: SinkConfig,
        *,
        on_message: Callable[[Captured], None] | None = None,
        faults: Faults | None = None,
    ):
        """``faults``: a rules engine to use (the studio keeps its switches across
        restarts); by default one is made from ``config.faults`` when there are any."""
        if not config.allow_remote and not is_loopback(config.host):
            raise SinkError(
                f"refusing to bind {config.host}: the sink listens on loopback only;"
                " pass --allow-remote to expose it on the network"
            )
        self.config = config
        self.store = MaildirStore(config.maildir)
        limits: dict[str, Any] = dict(
            on_message=on_message,
            keep_messages=config.keep_messages,
            keep_days=config.keep_days,
            max_recipients=config.max_recipients,
            max_size=config.max_message_size,
        )
        self.faults: Faults | None = None
        if faults is None and config.faults:
            faults = Faults(config.faults, config.maildir, dmarc=config.dmarc)
        if faults is not None:
            self.faults = faults
            self.handler: SinkHandler = FaultHandler(self.store, faults, **limits)
        else:
            self.handler = SinkHandler(self.store, **limits)
        self._controller: SinkController | None = None
        self._tls_controller: SinkController | None = None

    @property
    def address(self) -> tuple[str, int]:
        return self.config.host, self.config.port

    def start(self) -> Sink:
        cfg = self.config
        tls: ssl.SSLContext | None = None
        if cfg.starttls or cfg.tls_port:
            tls = server_context(*cfg.certificate())
        ports = [cfg.port] + ([cfg.tls_port] if cfg.tls_port else [])
        for port in ports:
            try:
                check_bindable(cfg.host, port)
            except OSError as exc:
                raise SinkError(
                    f"cannot listen on {cfg.host}:{port}: {exc.strerror or exc}"
                ) from None
        if self.faults is not None:
            self.faults.listening = False
        self._controller = self._start_controller(
            cfg.port, tls if cfg.starttls else None, implicit=False
        )
        if cfg.tls_port:
            try:
                self._tls_controller = self._start_controller(cfg.tls_port, tls, implicit=True)
            except SinkError:
                self.stop()
                raise
        if self.faults is not None:
            self.faults.listening = True
        return self

    def _start_controller(
        self, port: int, tls: ssl.SSLContext | None, *, implicit: bool
    ) -> SinkController:
        controller = SinkController(
            self.handler, self.config, port=port, tls=tls, implicit=implicit
        )
        host = self.config.host
        try:
            controller.start()
        except OSError as exc:
            controller.loop.close()
            raise SinkError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        except TimeoutError:
            controller.loop.close()
            raise SinkError(f"the sink did not start on {host}:{port}") from None
        return controller

    def stop(self) -> None:
        for controller in (self._tls_controller, self._controller):
            if controller is not None:
                controller.stop()
        self._controller = self._tls_controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def __enter__(self) -> Sink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
