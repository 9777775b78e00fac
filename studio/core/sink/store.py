"""A Maildir store that never acknowledges what it has not safely written.

Each message is written to ``tmp/``, flushed and fsynced, then renamed into
``new/`` (an atomic step on one filesystem), and the directory is fsynced (once
for all the deliveries renamed while the previous fsync ran): a crash leaves at worst
a file in ``tmp/``, never half a message in ``new/``.
Any Maildir reader (mutt, Thunderbird's import, Python's ``mailbox``) can read it.
"""

from __future__ import annotations

import itertools
import os
import re
import socket
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ...errors import SinkError

_counter = itertools.count()
_NAME_TIME = re.compile(r"(\d+)\.M(\d{1,6})P")


def delivered_at(name: str) -> float | None:
    """When the sink delivered the message of file ``name`` (seconds, to the
    microsecond, from the name it gave the file), or None for a name of another
    form. Finer than the file's mtime, which the kernel's coarse clock stamps: two
    messages a few milliseconds apart can share one."""
    m = _NAME_TIME.match(name)
    return int(m.group(1)) + int(m.group(2)) / 1e6 if m else None


@dataclass(frozen=True)
class StoredFile:
    id: str
    path: Path


class _GroupSync:
    """fsync of a directory, shared by the threads that need it at the same time.

    A caller needs a sync that *starts* after its call (after its rename); while one
    runs, the callers arriving wait and the next sync covers them all. Under load,
    one fsync of ``new/`` serves many messages instead of one each.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Condition()
        self._started = 0  # number of the last sync started
        self._done = 0  # number of the last sync completed
        self._running = False

    def sync(self) -> None:
        with self._lock:
            needed = self._started + 1
            while self._running or self._done >= needed:
                if self._done >= needed:
                    return
                self._lock.wait()
            self._running = True
            self._started += 1
            number = self._started
        try:
            fd = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except BaseException:
            with self._lock:
                self._running = False
                self._lock.notify_all()
            raise
        with self._lock:
            self._running = False
            self._done = number
            self._lock.notify_all()


class MaildirStore:
    """``new/``, ``cur/`` and ``tmp/`` under ``root``.

    The sink creates them (``create=True``); a reader passes ``create=False`` and
    finds no message where there is no Maildir (reading never creates folders).
    """

    def __init__(self, root: Path, *, create: bool = True) -> None:
        self.root = root
        self._new_synced = _GroupSync(root / "new")
        if not create:
            return
        try:
            for sub in ("tmp", "new", "cur"):
                (root / sub).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SinkError(f"{root}: cannot create the Maildir: {exc.strerror}") from None

    @property
    def exists(self) -> bool:
        """Whether ``root`` holds a Maildir (``new/`` or ``cur/``) to read."""
        return (self.root / "new").is_dir() or (self.root / "cur").is_dir()

    def _unique(self) -> str:
        now = time.time()
        host = socket.gethostname().replace("/", "\\057").replace(":", "\\072")
        return f"{int(now)}.M{int(now * 1e6) % 1_000_000}P{os.getpid()}Q{next(_counter)}.{host}"

    def deliver(self, data: bytes) -> StoredFile:
        """Store one message durably; return its id once it is in ``new/``."""
        name = self._unique()
        tmp = self.root / "tmp" / name
        final = self.root / "new" / name
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            tmp.unlink(missing_ok=True)
            raise
        os.close(fd)
        os.rename(tmp, final)
        self._new_synced.sync()
        return StoredFile(name, final)

    def files(self) -> list[StoredFile]:
        """Every stored message, oldest first (new/ and cur/)."""
        found: list[tuple[float, StoredFile]] = []
        for sub in ("new", "cur"):
            directory = self.root / sub
            if not directory.is_dir():
                continue
            try:
                entries = list(directory.iterdir())
            except OSError as exc:
                raise SinkError(f"{directory}: cannot read: {exc.strerror}") from None
            for p in entries:
                if p.name.startswith("."):
                    continue
                try:  # a message removed meanwhile (retention, another reader) is skipped
                    st = p.stat()
                except OSError:
                    continue
                if stat.S_ISREG(st.st_mode):
                    found.append((st.st_mtime, StoredFile(p.name.split(":", 1)[0], p)))
        found.sort(key=lambda f: (f[0], f[1].id))
        return [f for _, f in found]

    def find(self, message_id: str) -> StoredFile:
        matches = [f for f in self.files() if f.id == message_id or f.id.startswith(message_id)]
        if len(matches) != 1:
            what = "no message" if not matches else f"{len(matches)} messages"
            raise SinkError(f"{what} with id {message_id!r} in {self.root}")
        return matches[0]

    def delete(self, message_id: str) -> None:
        path = self.find(message_id).path
        try:
            path.unlink()
        except OSError as exc:
            raise SinkError(f"{path}: cannot delete: {exc.strerror}") from None

    def clear(self) -> int:
        files = self.files()
        for f in files:
            try:
                f.path.unlink(missing_ok=True)
            except OSError as exc:
                raise SinkError(f"{f.path}: cannot delete: {exc.strerror}") from None
        return len(files)

    def prune(self, *, keep_messages: int | None = None, keep_days: float | None = None) -> int:
        """Retention: drop the oldest beyond ``keep_messages`` and any older than ``keep_days``."""
        files = self.files()
        drop: list[StoredFile] = []
        if keep_days is not None:
            cutoff = time.time() - keep_days * 86400
            drop += [f for f in files if f.path.stat().st_mtime < cutoff]
        if keep_messages is not None and len(files) > keep_messages:
            drop += files[: len(files) - keep_messages]
        for f in {f.path: f for f in drop}.values():
            f.path.unlink(missing_ok=True)
        return len({f.path for f in drop})
