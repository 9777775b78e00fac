"""The router's HTTP API: Studio's own endpoints and the provider-compatible ones.

Standard library ``ThreadingHTTPServer``: a request's work is rendering and an SMTP
exchange, both blocking, so a thread per connection is the natural fit and no web
framework is needed (README, design notes). HTTP/1.1 keep-alive is kept, every
answer has a length, and every answer is JSON — malformed requests, oversized
bodies and server faults included; no traceback ever leaves the process.

==========================  ==========================================================
``POST /v1/messages``       Studio's trigger: template, to, locale, variables, channel
``GET /v1/messages/{id}``   a trigger's status and events
``GET /v1/stats``           volumes and failures (:mod:`.stats`)
``POST /v3.1/send``         Mailjet Send API v3.1 (:mod:`.mailjet`)
``POST /v3/smtp/email``     Brevo transactional e-mail (:mod:`.brevo`)
==========================  ==========================================================

Guards, before any work: the API key (``Authorization: Bearer``, Mailjet's Basic
auth, or Brevo's ``api-key`` header; refused without one unless the server runs with
``auth=False``, which only a loopback bind allows), a body limit (413; the body is
read and dropped when small enough so that the client sees the answer), and a
token-bucket rate limit per application or client address (429).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ...errors import ConfigError
from ..settings import is_loopback
from . import brevo, mailjet, native
from .engine import Outcome, Router, TriggerRequest
from .providers import ProviderError
from .stats import compute_stats

DRAIN_LIMIT = 64 * 1024 * 1024
"""An oversized body up to this size is read and dropped so the client reads the 413."""
STOP_POLL = 0.05  # seconds between the server loop's looks for stop(): it returns within this
_APP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._:/@-]{0,63}$")


class RateLimiter:
    """A token bucket per client: ``rate`` requests a second, ``burst`` at once."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        with self._lock:
            now = self.clock()
            tokens, last = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
            if len(self._buckets) > 10_000:  # forget idle clients rather than grow
                self._buckets.clear()
            return allowed


class _Reply(Exception):
    """An answer decided early (auth, size, rate, JSON): status, body, close after."""

    def __init__(self, status: int, body: dict[str, Any], close: bool = False) -> None:
        super().__init__(status)
        self.status, self.body, self.close = status, body, close


def _api_of(path: str) -> str:
    if path.startswith("/v3.1/"):
        return "mailjet"
    if path.startswith("/v3/"):
        return "brevo"
    return "studio"


def _error(api: str, status: int, code: str, message: str) -> dict[str, Any]:
    """An error of the whole request, in the shape of the API it was sent to."""
    if api == "mailjet":
        return mailjet.error(status, message)
    if api == "brevo":
        return brevo.error(code.replace("-", "_"), message)
    return native.error(code, message)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "StudioRouter"
    sys_version = ""
    timeout = 30  # a client that stops mid-request does not hold a thread forever
    server: _Server

    # -- plumbing --------------------------------------------------------------

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass  # the router reports triggers through on_trigger, not access lines

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed request lines and headers: JSON like every other answer."""
        self.close_connection = True
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            # A request line too broken to name a version: answer with a status line
            # and headers all the same (nobody speaks HTTP/0.9 to an API).
            self.request_version = "HTTP/1.0"
        text = message or self.responses.get(code, ("error",))[0]
        self._send(code, _error("studio", code, "bad-request", text))

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        except OSError:
            self.close_connection = True  # the client went away: nothing to tell it

    def _dispatch(self, work: Callable[[str], tuple[int, dict[str, Any]]]) -> None:
        api = _api_of(self.path)
        try:
            status, body = work(api)
        except _Reply as reply:
            if reply.close:
                self.close_connection = True
            status, body = reply.status, reply.body
        except Exception as exc:  # noqa: BLE001 - a fault is a 500 in JSON, never a traceback
            self.server.report(f"internal error on {self.command} {self.path}: {exc!r}")
            status, body = (
                500,
                _error(api, 500, "internal", "internal error (see the router's log)"),
            )
        self._send(status, body)

    # -- guards ----------------------------------------------------------------

    def _authenticate(self, api: str) -> str | None:
        """The key's application name (None for the unnamed key); raises a 401 reply."""
        keys = self.server.keys
        if keys is None:
            return None
        offered: list[str] = []
        auth = self.headers.get("Authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer":
            offered.append(value.strip())
        elif scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(value.strip()).decode().partition(":")
                offered += [password, user]
            except (binascii.Error, UnicodeDecodeError):
                pass
        if self.headers.get("api-key"):
            offered.append(self.headers["api-key"].strip())
        for name, key in keys.items():
            for candidate in offered:
                if candidate and hmac.compare_digest(candidate.encode(), key.encode()):
                    return name or None
        message = "an API key is required" if not offered else "API key not recognised"
        if api == "brevo":
            raise _Reply(401, brevo.error("unauthorized", message))
        raise _Reply(401, _error(api, 401, "unauthorized", message))

    def _application(self, key_name: str | None, api: str) -> str | None:
        named = self.headers.get("X-Studio-Application")
        if named is None:
            return key_name
        named = named.strip()
        if not _APP_NAME.match(named):
            raise _Reply(
                400,
                _error(
                    api,
                    400,
                    "invalid-application",
                    "X-Studio-Application: expected a name of up to 64 letters, digits,"
                    " spaces or ._:/@-",
                ),
            )
        return named

    def _locale(self, api: str) -> str | None:
        locale = self.headers.get("X-Studio-Locale")
        if locale is not None and not native.LOCALE.match(locale.strip()):
            raise _Reply(
                400,
                _error(api, 400, "invalid-locale", "X-Studio-Locale: expected a tag like fr-FR"),
            )
        return locale.strip() if locale else None

    def _limit(self, client: str, api: str) -> None:
        if not self.server.limiter.allow(client):
            raise _Reply(429, _error(api, 429, "rate-limited", "too many requests: slow down"))

    def _length(self) -> int:
        """The request's Content-Length, or -1 when absent or not a number."""
        try:
            return int(self.headers.get("Content-Length", "-1"))
        except ValueError:
            return -1

    def _body(self, api: str) -> Any:
        if self.headers.get("Transfer-Encoding"):
            raise _Reply(
                411, _error(api, 411, "length-required", "send a Content-Length body"), True
            )
        length = self._length()
        if length < 0:
            raise _Reply(
                411, _error(api, 411, "length-required", "send a Content-Length body"), True
            )
        limit = self.server.max_body
        if length > limit:
            if length <= DRAIN_LIMIT:
                self._drain(length)
            raise _Reply(
                413,
                _error(
                    api,
                    413,
                    "too-large",
                    f"request body of {length:,} bytes: the limit is {limit:,}",
                ),
                True,
            )
        data = self.rfile.read(length)
        if len(data) < length:
            raise _Reply(400, _error(api, 400, "bad-request", "request body cut short"), True)
        try:
            return json.loads(data)
        except RecursionError:
            raise _Reply(
                400, _error(api, 400, "invalid-json", "the body nests JSON too deeply")
            ) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise _Reply(
                400, _error(api, 400, "invalid-json", f"the body is not valid JSON: {exc}")
            ) from None

    def _discard(self) -> None:
        """Read and drop the body of a request that is answered without it."""
        length = self._length()
        if 0 <= length <= DRAIN_LIMIT:
            self._drain(length)
        else:
            self.close_connection = True

    def _drain(self, length: int) -> None:
        left = length
        try:
            while left > 0:
                chunk = self.rfile.read(min(left, 1 << 16))
                if not chunk:
                    break
                left -= len(chunk)
        except OSError:
            pass

    def _guarded(self, api: str) -> tuple[str | None, str | None]:
        """Authenticated, within the rate: (application, locale)."""
        key_name = self._authenticate(api)
        application = self._application(key_name, api)
        self._limit(application or self.client_address[0], api)
        return application, self._locale(api)

    # -- routes ----------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - the base class's naming
        self._dispatch(self._get)

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch(self._post)

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch(self._not_allowed)

    do_DELETE = do_PATCH = do_PUT  # noqa: N815

    def _not_allowed(self, api: str) -> tuple[int, dict[str, Any]]:
        self._discard()
        return 405, _error(api, 405, "method-not-allowed", f"{self.command} is not supported here")

    def _get(self, api: str) -> tuple[int, dict[str, Any]]:
        self._guarded(api)
        path = self.path.split("?", 1)[0]
        if path == "/v1/stats":
            return 200, compute_stats(self.server.router.store.records()).to_dict()
        if path.startswith("/v1/messages/"):
            record = self.server.router.store.get(path.removeprefix("/v1/messages/"))
            if record is None:
                return 404, _error(api, 404, "not-found", "no such message (or long forgotten)")
            return 200, record.to_dict()
        return 404, _error(api, 404, "not-found", f"no endpoint {path}")

    def _post(self, api: str) -> tuple[int, dict[str, Any]]:
        path = self.path.split("?", 1)[0]
        if path not in ("/v1/messages", "/v3.1/send", "/v3/smtp/email"):
            self._discard()
            return 404, _error(api, 404, "not-found", f"no endpoint {path}")
        application, locale = self._guarded(api)
        body = self._body(api)
        router = self.server.router
        templates = router.workspace.settings.router
        try:
            if api == "mailjet":
                return self._mailjet(
                    mailjet.parse(
                        body, templates.mailjet_templates, application=application, locale=locale
                    )
                )
            if api == "brevo":
                req = brevo.parse(
                    body, templates.brevo_templates, application=application, locale=locale
                )
                out = router.trigger(req)
                if out.ok:
                    return 201, brevo.success(out)
                return out.status, brevo.outcome_error(out)
            req = native.parse(body, application=application, locale=locale)
        except ProviderError as exc:
            return exc.status, exc.body
        out = router.trigger(req)
        return out.status, native.answer(out)

    def _mailjet(self, parsed: list[TriggerRequest | dict[str, Any]]) -> tuple[int, dict[str, Any]]:
        router = self.server.router
        prepared: list[Outcome | dict[str, Any]] = [
            router.prepare(p) if isinstance(p, TriggerRequest) else p for p in parsed
        ]
        bad = any(not isinstance(p, Outcome) or not p.ok for p in prepared)
        messages = []
        for p in prepared:
            if not isinstance(p, Outcome):
                messages.append({"Status": "error", "Errors": [p]})
                continue
            if bad and p.ok:  # the batch is refused whole: this one is not sent either
                p.ready = None
                p.record.status = "invalid"
                p.record.event("invalid", "another message of the batch was refused")
                router.deliver(p)
                messages.append({"Status": "error", "Errors": []})
                continue
            router.deliver(p)
            messages.append(
                mailjet.success(p, self.server.href) if p.ok else mailjet.outcome_error(p)
            )
        return (400 if bad else 200), {"Messages": messages}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    router: Router
    keys: Mapping[str, str] | None
    max_body: int
    limiter: RateLimiter
    href: str
    report: Callable[[str], None]


class _Server6(_Server):
    address_family = socket.AF_INET6


class RouterServer:
    """The HTTP API on a thread of its own (``start``/``stop``, or ``with``).

    Args:
        router: what handles the triggers.
        host, port: where to listen (port 0: any free one; see :attr:`address`).
        keys: application name ("" for unnamed) → API key; ``None`` turns auth off,
            which only a loopback ``host`` allows.
        max_body: largest request body (413 beyond).
        rate, burst: the rate limit per application or client address (429 beyond).
        allow_remote: listen on a non-loopback address (auth stays required).
        on_error: told about server faults (one line, no secrets).

    Raises:
        ConfigError: auth off on a non-loopback host, a non-loopback host without
            ``allow_remote``, or the port cannot be bound.
    """

    def __init__(
        self,
        router: Router,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        keys: Mapping[str, str] | None,
        max_body: int = 1024 * 1024,
        rate: float = 200.0,
        burst: int = 400,
        allow_remote: bool = False,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        if not is_loopback(host):
            if keys is None:
                raise ConfigError(f"router: --no-auth is for loopback only, not {host}")
            if not allow_remote:
                raise ConfigError(
                    f"router: {host} is not a loopback address (pass --allow-remote to listen"
                    " on the network)"
                )
        if keys is not None and not any(keys.values()):
            raise ConfigError("router: no API key: set the key's environment variable first")
        try:
            cls = _Server6 if ":" in host else _Server
            self._server = cls((host.strip("[]"), port), _Handler, bind_and_activate=True)
        except OSError as exc:
            raise ConfigError(f"router: cannot listen on {host}:{port}: {exc.strerror}") from None
        s = self._server
        self.router = router
        s.router = router
        s.keys = {k: v for k, v in keys.items() if v} if keys is not None else None
        s.max_body = max_body
        s.limiter = RateLimiter(rate, burst)
        s.report = on_error or (lambda line: None)
        self.host, self.port = str(s.server_address[0]), int(s.server_address[1])
        s.href = f"http://{self.host}:{self.port}/v1/messages"
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        return str(self.host), int(self.port)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> RouterServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": STOP_POLL},
            name="studio-router",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    @property
    def running(self) -> bool:
        return self._thread is not None

    def __enter__(self) -> RouterServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
