"""The preview server's threads are bounded: idle sockets cannot pile up threads or
keep a page out, and live-reload streams have their own cap (issue 14 item 16).

Before the cap, 3,000 idle connections to ``/events`` held 3,003 threads and 130 MB.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time

from studio.core.preview import PreviewServer
from studio.core.preview.server import MAX_CONNECTIONS, MAX_STREAMS
from studio.core.workspace import Workspace


def handler_threads() -> int:
    return sum("process_request_thread" in t.name for t in threading.enumerate())


def get(server: PreviewServer, path: str) -> tuple[int, bytes]:
    addr, port = server.httpd.server_address[:2]
    conn = http.client.HTTPConnection(str(addr), port, timeout=30)
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body


def test_idle_sockets_are_capped_and_a_page_still_loads(scratch: Workspace) -> None:
    with PreviewServer(scratch) as server:
        addr, port = server.httpd.server_address[:2]
        idle = [
            socket.create_connection((str(addr), port), timeout=30)
            for _ in range(3 * MAX_CONNECTIONS)
        ]
        try:
            # accepted after every idle socket, so answered only once all of them were
            # handed out; at that point MAX_CONNECTIONS idle ones still hold their slot
            status, body = get(server, "/")
            assert status == 200 and b"password_reset" in body
            # the oldest idle sockets were closed to make room (they read EOF) ...
            for s in idle[: len(idle) - MAX_CONNECTIONS]:
                assert s.recv(1) == b""
            # ... and their threads end: the count comes down to the cap
            deadline = time.monotonic() + 30
            while handler_threads() > MAX_CONNECTIONS and time.monotonic() < deadline:
                time.sleep(0.05)
            assert handler_threads() <= MAX_CONNECTIONS
        finally:
            for s in idle:
                s.close()


def test_event_streams_have_their_own_cap(scratch: Workspace) -> None:
    with PreviewServer(scratch) as server:
        addr, port = server.httpd.server_address[:2]
        streams = []
        try:
            for _ in range(MAX_STREAMS):
                conn = http.client.HTTPConnection(str(addr), port, timeout=30)
                conn.request("GET", "/events")
                resp = conn.getresponse()
                assert resp.status == 200
                assert resp.fp.readline() == b": connected\n"  # the stream is open
                streams.append(conn)
            extra = http.client.HTTPConnection(str(addr), port, timeout=30)
            extra.request("GET", "/events")
            streams.append(extra)
            assert extra.getresponse().status == 503
            status, _ = get(server, "/t/password_reset")  # pages are still served
            assert status == 200
        finally:
            for conn in streams:
                conn.close()
