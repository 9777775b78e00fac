"""The sink killed with SIGKILL under load, then restarted on the same Maildir.

What must hold: every message whose DATA got a 250 is in ``new/``, complete and
byte-identical; nothing partial is ever in ``new/`` (``tmp/`` may keep leftovers, which
the inbox does not list); the restarted sink serves again.

Answering 250 before the message is renamed into ``new/`` fails this test on every
run; writing in place in ``new/`` fails it only when the kill lands inside a write
(about one run in five): a kill shows ordering, it cannot show a missing fsync.
"""

from __future__ import annotations

import os
import signal
import smtplib
import threading
from pathlib import Path

from studio.core.inbox import Inbox
from tests.sink.conftest import (
    digest,
    free_port,
    holds_intact,
    make_message,
    start_sink_process,
    stored_messages,
)

CLIENTS = 8
ROUNDS = 2  # kill, restart on the same Maildir (tmp/ leftovers and all), load again
KILL_AFTER = 150  # acknowledged messages per round before the kill


def load_then_kill(port: int, maildir: Path, cwd: Path, round_: int) -> tuple[dict, set]:
    """Start the sink, load it from CLIENTS threads, SIGKILL it after KILL_AFTER 250s.

    Returns every message a client began to send (id -> size and hash) and the ids
    of those acknowledged.
    """
    sink = start_sink_process(port, maildir, cwd)
    attempted: dict[str, tuple[int, str]] = {}
    acked: set[str] = set()
    progress = threading.Condition()

    def client(n: int) -> None:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=60) as c:
                for i in range(100_000):
                    # 20 KB, and every third 1 MB: kills often land inside a DATA or a write.
                    mid = f"r{round_}-c{n}-m{i}"
                    message = make_message(mid, 1_000_000 if i % 3 == 2 else 20_000)
                    attempted[f"{mid}@load.example"] = digest(message)
                    c.sendmail("load@shop.example", ["sink@x.example"], message)
                    with progress:
                        acked.add(f"{mid}@load.example")
                        progress.notify_all()
        except (OSError, smtplib.SMTPException):
            pass  # the sink died: this client stops

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    with progress:
        reached = progress.wait_for(lambda: len(acked) >= KILL_AFTER, timeout=120)
    os.kill(sink.pid, signal.SIGKILL)
    sink.wait()
    for t in threads:
        t.join()
    assert reached, f"only {len(acked)} messages acknowledged before the kill"
    assert sink.returncode == -signal.SIGKILL
    return attempted, acked


def test_kill_9_under_load_keeps_every_acknowledged_message(tmp_path: Path) -> None:
    maildir, port = tmp_path / "maildir", free_port()
    attempted: dict[str, tuple[int, str]] = {}
    acked: set[str] = set()
    for round_ in range(ROUNDS):
        tried, got = load_then_kill(port, maildir, tmp_path, round_)
        attempted |= tried
        acked |= got

    # A kill inside a write leaves half a file in tmp/ (rarely caught in the act: plant one).
    (maildir / "tmp" / "1.M1P1Q1.crashed").write_bytes(make_message("half")[:7000])

    # Restarted on the same Maildir, it serves again.
    again = start_sink_process(port, maildir, tmp_path)
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as c:
            after = make_message("after-restart")
            c.sendmail("load@shop.example", ["sink@x.example"], after)
    finally:
        again.terminate()
        again.wait()
    attempted["after-restart@load.example"] = digest(after)
    acked.add("after-restart@load.example")

    stored = stored_messages(maildir)
    # Every acknowledged message is there, byte for byte.
    assert acked - stored.keys() == set()
    assert [mid for mid in acked if not holds_intact(stored[mid][0], attempted[mid])] == []
    # Whatever else is in new/ is a whole message a client sent (stored, then killed
    # before its 250 went out), never a part of one, and nothing is there twice.
    assert stored.keys() <= attempted.keys()
    partial = [mid for mid, files in stored.items() if not holds_intact(files[0], attempted[mid])]
    assert partial == []
    assert [mid for mid, files in stored.items() if len(files) != 1] == []
    # The inbox lists exactly new/ and cur/, not what a crash left in tmp/.
    listed = {m.id for m in Inbox(maildir).list()}
    assert listed == {p.name.split(":")[0] for p in (maildir / "new").iterdir()}
    assert len(listed) == len(stored)
