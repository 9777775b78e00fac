"""Reading and saving the editor's files, so that no file on disk can crash the studio.

A workspace file may be anything by the time the studio reads or writes it: not
UTF-8, read-only, a symlink into a shared folder, replaced by a directory. Reading
never raises for content (an undecodable file opens read-only, with the reason);
saving raises :class:`SaveError` (one line naming the file) for the app to show,
so a failed save keeps the buffer and the app. Plain Python (the core): tested without Textual.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from ..errors import StudioError
from .safe_text import printable


class SaveError(StudioError):
    """A buffer could not be written (read-only file, no such folder, not a file)."""


@dataclass(frozen=True)
class Loaded:
    """A file as the editor shows it."""

    text: str
    mtime: int
    read_only: str | None
    """Why the buffer cannot be saved (the file is not UTF-8), or None."""


def read_file(path: Path) -> Loaded:
    """Read ``path`` for the editor; raises ``OSError`` only when it cannot be read at all.

    A file that is not UTF-8 is shown with the undecodable bytes replaced (and
    control characters escaped) and opened read-only: saving that text back would
    silently change every byte that did not decode.
    """
    with path.open("rb") as fh:
        mtime = os.fstat(fh.fileno()).st_mtime_ns
        data = fh.read()
    try:
        return Loaded(data.decode("utf-8"), mtime, None)
    except UnicodeDecodeError as exc:
        text = printable(data.decode("utf-8", "replace"))
        why = f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}): opened read-only"
        return Loaded(text, mtime, why)


def save_file(path: Path, text: str) -> int:
    """Replace the file at ``path`` with ``text`` atomically; return its new mtime (ns).

    Readers see the old or the new file, never half (temp file in the same folder,
    fsync, rename). A symlink is written through: its target is replaced and the
    link stays a link. The file keeps its mode; a new file gets the default mode
    of the user's umask. A file without write permission is not overwritten.

    Raises:
        SaveError: the file is read-only, is not a regular file, or the write failed.
    """
    target = Path(os.path.realpath(path))
    shown = str(path)
    try:
        st: os.stat_result | None = target.stat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise SaveError(f"{shown}: cannot save: {exc.strerror or exc}") from exc
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            raise SaveError(f"{shown}: cannot save: not a regular file any more")
        # The write bits, not os.access: as root, access() says yes to a 0444 file.
        if not st.st_mode & 0o222 or not os.access(target, os.W_OK):
            raise SaveError(f"{shown}: the file is read-only; not saved")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return _replace(target, text, None if st is None else stat.S_IMODE(st.st_mode))
    except OSError as exc:
        raise SaveError(f"{shown}: cannot save: {exc.strerror or exc}") from exc


def _replace(target: Path, text: str, mode: int | None) -> int:
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    # O_EXCL: never follow or reuse what someone else put there; 0o666 with the
    # umask applied by the kernel is the mode any new file of the user gets.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            if mode is not None:
                os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target.stat().st_mtime_ns
