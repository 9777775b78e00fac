"""The preview web server: loopback only, every value escaped, nothing read from disk
by URL (templates are looked up by name among the workspace's own).

Routes: ``/`` lists templates; ``/t/NAME?sample=&locale=`` shows one with desktop
(600 px) and mobile (375 px) frames, a dark-mode frame (the email's own
``prefers-color-scheme: dark`` styles applied), the inbox line, the text part, the
HTML source and the findings; ``/render/NAME?...&dark=1`` is the email itself;
``/events`` is a Server-Sent Events stream that says ``reload`` when a template,
component, brand token or sample is saved, or when the caller hands the server new
unsaved buffers (:meth:`PreviewServer.set_buffers`: the studio's editor text, which
every page then renders in place of the files).

The email runs no script, as in a mail client: its frames carry a ``sandbox``
attribute without ``allow-scripts``, and ``/render/`` answers with a
Content-Security-Policy (:data:`EMAIL_CSP`) that allows inline styles and ``data:``
images and fonts and nothing else: no script, no connection, no remote image, no
frame, no form, even when the email is opened on its own.

Connections are bounded (:data:`MAX_CONNECTIONS` threads, :data:`MAX_STREAMS` event
streams among them) and time out when idle (:data:`IDLE_TIMEOUT`). At the cap, a new
connection takes the place of the oldest one that has not sent its request yet, so
a pile of idle sockets neither grows the threads nor keeps a real page out.
"""

from __future__ import annotations

import html
import ipaddress
import re
import socket
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from ...errors import ConfigError, StudioError
from ..workspace import Workspace
from .watch import Watcher

_DARK = re.compile(r"@media\s*\(\s*prefers-color-scheme\s*:\s*dark\s*\)", re.I)
_LIGHT = re.compile(r"@media\s*\(\s*prefers-color-scheme\s*:\s*light\s*\)", re.I)
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}

MAX_CONNECTIONS = 64  # handler threads at once
MAX_STREAMS = 32  # of which /events streams (one per open preview tab)
IDLE_TIMEOUT = 20.0  # seconds a socket may stay silent (before its request, or unread)
STOP_POLL = 0.05  # seconds between the server loop's looks for stop(): it returns within this

# What an email needs to show as it will in a mail client: inline styles, data:
# images and fonts. Nothing else loads (default-src 'none': no script, fetch,
# WebSocket, remote image, frame or object), forms go nowhere, and the ``sandbox``
# directive keeps scripts off even when /render/ is opened outside its frame. Links
# open in a new tab (allow-popups), as from a mail client.
EMAIL_SANDBOX = "allow-popups allow-popups-to-escape-sandbox"
EMAIL_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:;"
    " form-action 'none'; base-uri 'none'; frame-ancestors 'self';"
    f" sandbox {EMAIL_SANDBOX}"
)
# The preview page itself: its own inline script (live reload, sample switch) and
# event stream, frames from this server only.
PAGE_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline';"
    " connect-src 'self'; frame-src 'self'; img-src 'self' data:; form-action 'self';"
    " base-uri 'none'; frame-ancestors 'none'"
)


def dark_variant(page: str) -> str:
    """The email as a dark-mode client shows it: its dark media queries always apply."""
    return _LIGHT.sub("@media not all", _DARK.sub("@media all", page))


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in LOOPBACK_NAMES


PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;margin:1rem;background:#f6f6f4}}
.frames{{display:flex;gap:1rem;align-items:flex-start;flex-wrap:wrap}}
iframe{{border:1px solid #ccc;background:#fff;height:720px}}
.inbox{{background:#fff;border:1px solid #ddd;padding:.5rem 1rem;max-width:1000px}}
.inbox b{{margin-right:.5rem}} .inbox span{{color:#666}}
pre{{white-space:pre-wrap;background:#fff;border:1px solid #ddd;padding:1rem;max-width:1000px}}
.error{{color:#a00;font-weight:bold}} li.error,li.warning{{color:#a00}} li.info{{color:#066}}
</style></head><body>{body}
<script>const es=new EventSource("/events?since={since}");
es.addEventListener("reload",()=>location.reload());</script>
</body></html>"""


def query_since(path: str) -> int | None:
    """The ``since`` generation an event stream asks from (``/events?since=3``)."""
    value = parse_qs(urlsplit(path).query).get("since", [""])[0]
    return int(value) if value.isdigit() else None


class PreviewServer:
    """``with PreviewServer(ws) as server: server.url``."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        allow_remote: bool = False,
        watch_interval: float = 0.25,
    ) -> None:
        if not allow_remote and not _loopback(host):
            raise ConfigError(f"refusing to serve the preview on {host}: loopback only")
        self.workspace = workspace
        self.allow_remote = allow_remote
        self.watcher = Watcher(workspace.root, watch_interval)
        self.lock = threading.Lock()  # one render at a time: the renderer is not shared-safe
        # Unsaved texts (workspace-relative path -> text) rendered in place of the
        # files. Replaced whole, never changed in place: a request reads it once.
        self.buffers: Mapping[str, str] = MappingProxyType({})
        server = self

        class Handler(_Handler):
            preview = server

        try:
            self.httpd = _BoundedServer((host, port), Handler)
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": STOP_POLL}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{'[' + name + ']' if ':' in name else name}:{port}/"

    def page_url(
        self, template: str, *, sample: str | None = None, locale: str | None = None
    ) -> str:
        """The address of ``template``'s page, on ``sample`` and ``locale`` if given."""
        query = urlencode({k: v for k, v in (("sample", sample), ("locale", locale)) if v})
        return f"{self.url}t/{quote(template)}" + (f"?{query}" if query else "")

    def set_buffers(self, buffers: Mapping[str, str]) -> bool:
        """Render ``buffers`` (workspace-relative path -> unsaved text) in place of
        those files from now on, and reload the open pages if they changed.

        Returns whether they changed. Safe to call from any thread.
        """
        fresh = dict(buffers)
        if fresh == self.buffers:
            return False
        self.buffers = MappingProxyType(fresh)
        self.watcher.bump()
        return True

    def start(self) -> PreviewServer:
        self.watcher.start()
        self._thread.start()
        return self

    def stop(self) -> None:
        self.watcher.stop()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> PreviewServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


_BUSY = (
    b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
    b"Connection: close\r\nContent-Length: 5\r\n\r\nbusy\n"
)


class _BoundedServer(ThreadingHTTPServer):
    """A thread per connection, at most :data:`MAX_CONNECTIONS` of them.

    ``waiting`` holds the connections that have not sent a request line yet, oldest
    first. At the cap, the oldest of them is shut down to make room; when every
    connection is busy with a request, the new one gets ``503`` from the accepting
    thread, which never blocks on it.
    """

    daemon_threads = True
    request_queue_size = 128  # a burst of connections waits in the kernel, not in threads

    def __init__(self, address: tuple[str, int], handler: type[_Handler]) -> None:
        self.guard = threading.Lock()
        self.handlers = 0
        self.waiting: dict[socket.socket, None] = {}  # insertion-ordered
        self.streams = threading.BoundedSemaphore(MAX_STREAMS)
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.guard:
            if self.handlers >= MAX_CONNECTIONS:
                # the threads of evicted connections end at once (they read EOF); the
                # second bound holds even if they have not ended yet
                if not self.waiting or self.handlers >= 2 * MAX_CONNECTIONS:
                    self._refuse(request)
                    return
                oldest = next(iter(self.waiting))
                del self.waiting[oldest]
                try:
                    oldest.shutdown(socket.SHUT_RDWR)  # its thread reads EOF and ends
                except OSError:
                    pass
            self.handlers += 1
            self.waiting[request] = None
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._done(request)
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._done(request)

    def started(self, request: Any) -> None:
        """``request`` sent its request line: no longer idle, never evicted."""
        with self.guard:
            self.waiting.pop(request, None)

    def _done(self, request: Any) -> None:
        with self.guard:
            self.handlers -= 1
            self.waiting.pop(request, None)

    def _refuse(self, request: Any) -> None:
        try:
            request.settimeout(0)
            request.send(_BUSY)  # a fresh socket's buffer takes it at once, or it is lost
        except OSError:
            pass
        self.shutdown_request(request)


class _Handler(BaseHTTPRequestHandler):
    preview: PreviewServer
    server: _BoundedServer
    server_version = "studio-preview"
    timeout = IDLE_TIMEOUT  # for reading the request and for writes a client never reads

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        return

    def parse_request(self) -> bool:
        self.server.started(self.connection)
        return super().parse_request()

    def _send(
        self, status: int, body: str, content_type: str = "text/html", csp: str | None = None
    ) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if content_type == "text/html":
            self.send_header("Content-Security-Policy", csp or PAGE_CSP)
        self.end_headers()
        self.wfile.write(data)

    def _allowed(self) -> bool:
        if self.preview.allow_remote:
            return True
        client = self.client_address[0]
        host = (self.headers.get("Host") or "").strip()
        hostname = urlsplit("//" + host).hostname or ""
        return _loopback(client) and _loopback(hostname)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if not self._allowed():
            self._send(403, "forbidden: the preview answers loopback requests only", "text/plain")
            return
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = parts.path
        ws = self.preview.workspace
        names = ws.template_names()
        # The page asks for changes made after this point, so that a save landing
        # between this render and the page's event stream connecting still reloads it.
        self.since = self.preview.watcher.generation
        try:
            if path == "/":
                self._send(200, self.index(names))
            elif path == "/events":
                self.events()
            elif path.startswith("/t/") and path[3:] in names:
                self._send(200, self.template_page(path[3:], query))
            elif path.startswith("/render/") and path[8:] in names:
                msg = self.render(path[8:], query)
                page = msg.html if not query.get("dark") else dark_variant(msg.html)
                self._send(200, page, csp=EMAIL_CSP)
            else:
                self._send(404, "not found", "text/plain")
        except StudioError as exc:
            self._send(
                200,
                PAGE.format(
                    since=self.since,
                    title="error",
                    body=f'<p class="error">{html.escape(str(exc))}</p>',
                ),
            )
        except OSError:  # the client went away or stopped reading (IDLE_TIMEOUT)
            return

    def render(self, name: str, query: dict[str, str]) -> Any:
        ws = self.preview.workspace
        sample = query.get("sample")
        names = ws.sample_names(name)
        if sample not in names:
            sample = ws.default_sample(name)
        buffers = self.preview.buffers
        with self.preview.lock:
            return ws.render(
                name, sample=sample, locale=query.get("locale") or None, buffers=buffers
            )

    def index(self, names: list[str]) -> str:
        items = "".join(f'<li><a href="/t/{quote(n)}">{html.escape(n)}</a></li>' for n in names)
        return PAGE.format(
            since=self.since,
            title="Studio preview",
            body=f"<h1>{html.escape(self.preview.workspace.root.name)}</h1><ul>{items}</ul>",
        )

    def template_page(self, name: str, query: dict[str, str]) -> str:
        ws = self.preview.workspace
        esc = html.escape
        msg = self.render(name, query)
        from ..checks import lint_message

        with self.preview.lock:
            findings = lint_message(ws, msg)
        q = f"sample={quote(msg.sample or '')}&locale={quote(query.get('locale', ''))}"
        src = esc(f"/render/{quote(name)}?{q}")
        samples = "".join(
            f'<option value="{esc(s)}"{" selected" if s == msg.sample else ""}>{esc(s)}</option>'
            for s in ws.sample_names(name)
        )
        locales = "".join(
            f'<option value="{esc(x)}"{" selected" if x == query.get("locale") else ""}>'
            f"{esc(x) or 'sample locale'}</option>"
            for x in ("", "en-GB", "fr-FR", "en-US")
        )
        sender = esc(str(msg.email.get("From", "")))
        items = (
            "".join(
                f'<li class="{f.severity}">{esc(str(f.severity))} <code>{esc(f.id)}</code>'
                f" {esc(f.message)}</li>"
                for f in findings
            )
            or "<li>no findings</li>"
        )
        body = f"""<p><a href="/">templates</a> / {esc(name)}</p>
<form id="choose"><label>sample <select name="sample" id="sample" onchange="this.form.submit()">
{samples}</select></label> <label>locale <select name="locale" id="locale"
onchange="this.form.submit()">{locales}</select></label></form>
<div class="inbox" id="inbox"><b>{sender}</b> <b id="subject">{esc(msg.subject)}</b>
<span id="preheader">{esc(msg.preheader)}</span></div>
<div class="frames">
<div><h3>desktop 600 px</h3><iframe id="desktop" title="desktop" width="620"
 sandbox="{EMAIL_SANDBOX}" src="{src}"></iframe></div>
<div><h3>mobile 375 px</h3><iframe id="mobile" title="mobile" width="375"
 sandbox="{EMAIL_SANDBOX}" src="{src}"></iframe></div>
<div><h3>dark mode</h3><iframe id="dark" title="dark" width="375"
 sandbox="{EMAIL_SANDBOX}" src="{src}&amp;dark=1"></iframe></div>
</div>
<h2>Findings</h2><ul id="findings">{items}</ul>
<h2>Text part</h2><pre id="text">{esc(msg.text)}</pre>
<h2>HTML source ({msg.size / 1024:.1f} KB of Gmail's 102 KB)</h2>
<pre id="source">{esc(msg.html)}</pre>"""
        return PAGE.format(since=self.since, title=f"{esc(name)} — Studio preview", body=body)

    def events(self) -> None:
        if not self.server.streams.acquire(blocking=False):
            self._send(503, f"busy: {MAX_STREAMS} event streams are open", "text/plain")
            return
        try:
            self._stream()
        finally:
            self.server.streams.release()

    def _stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        watcher = self.preview.watcher
        seen = watcher.generation
        asked = query_since(self.path)
        if asked is not None and asked < seen:
            seen = asked  # changed since the page was served: reload at once
        try:
            self.wfile.write(b": connected\n\n")
            self.wfile.flush()
            while True:
                now = watcher.wait(seen, timeout=15)
                if watcher._stop.is_set():  # noqa: SLF001 - shutting down
                    return
                if now != seen:
                    seen = now
                    self.wfile.write(b"event: reload\ndata: changed\n\n")
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            return
