"""The files open in an editor: their text, whether it is saved, and what changed on disk.

The studio's editor keeps one :class:`Buffer` per file it has shown. This model
says which are unsaved (the marker in the tree, the count in the status line,
the list the quit dialog and the palette show), what a render must see instead
of the files on disk (:meth:`Buffers.unsaved_texts`), how a buffer differs from
its file (:meth:`Buffers.diff`), and what someone else did to the files
(:meth:`Buffers.poll_disk`). Plain Python with no UI, so that it is tested
without Textual; the app shows what it returns.
"""

from __future__ import annotations

import difflib
import enum
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .files import SaveError, read_file, save_file


@dataclass
class Buffer:
    """One file as the editor holds it."""

    path: Path
    text: str
    """What the editor holds (the user's text)."""
    saved: str
    """The file's text as last read or saved."""
    mtime: int
    """The file's mtime (ns) when last read or saved, or when a change was reported."""
    read_only: str | None = None
    """Why the buffer cannot be saved (the file is not UTF-8), or None."""

    @property
    def dirty(self) -> bool:
        return self.text != self.saved


class Change(enum.Enum):
    """What :meth:`Buffers.poll_disk` found happened to a file."""

    RELOADED = "reloaded"
    """Changed on disk, no edits here: the buffer now holds the new text."""
    CONFLICT = "conflict"
    """Changed on disk while edited here: the caller asks (see :meth:`Buffers.take_disk`)."""
    READ_ONLY = "read-only"
    """Changed on disk into something not savable (not UTF-8) while edited: edits kept."""
    UNREADABLE = "unreadable"
    """Cannot be read any more (removed, a folder, no permission): edits kept."""


@dataclass(frozen=True)
class DiskChange:
    path: Path
    change: Change
    text: str = ""
    """The file's new text (RELOADED, CONFLICT)."""
    mtime: int = 0
    why: str = ""
    """Why it is read-only or unreadable."""


class Buffers:
    """Every file opened in the editor, in the order they were opened."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._open: dict[Path, Buffer] = {}

    def __contains__(self, path: object) -> bool:
        return path in self._open

    def __getitem__(self, path: Path) -> Buffer:
        return self._open[path]

    def __iter__(self) -> Iterator[Path]:
        return iter(list(self._open))

    def forget(self, path: Path) -> None:
        """Drop the buffer of a file that was moved or removed (its edits go with it)."""
        self._open.pop(path, None)

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def open(self, path: Path) -> Buffer:
        """The buffer of ``path``, read from disk the first time.

        Raises:
            OSError: the file cannot be read at all (an undecodable file opens read-only).
        """
        if path not in self._open:
            loaded = read_file(path)
            self._open[path] = Buffer(
                path, loaded.text, loaded.text, loaded.mtime, loaded.read_only
            )
        return self._open[path]

    def edit(self, path: Path, text: str) -> None:
        self._open[path].text = text

    def dirty(self, path: Path) -> bool:
        buf = self._open.get(path)
        return buf is not None and buf.dirty

    def unsaved(self) -> list[Path]:
        """The files with edits not on disk, in the order they were opened."""
        return [p for p, b in self._open.items() if b.dirty]

    def unsaved_texts(self) -> dict[str, str]:
        """Workspace-relative path -> text of every unsaved buffer: what a preview renders."""
        return {self.rel(p): self._open[p].text for p in self.unsaved()}

    def save(self, path: Path) -> None:
        """Write the buffer to its file; the buffer is then saved.

        Raises:
            SaveError: read-only, invalid JSON (a sample), or the write failed; the
                buffer keeps its text, still unsaved.
        """
        buf = self._open[path]
        if buf.read_only:
            raise SaveError(f"{self.rel(path)}: {buf.read_only}; not saved")
        if path.suffix == ".json":
            try:
                json.loads(buf.text)
            except json.JSONDecodeError as exc:
                raise SaveError(
                    f"{self.rel(path)}:{exc.lineno}: invalid JSON ({exc.msg}); not saved"
                ) from None
        text = buf.text
        buf.mtime = save_file(path, text)
        buf.saved = text

    def save_all(self) -> list[tuple[Path, SaveError]]:
        """Save every unsaved buffer; the ones that failed, and why (the rest are saved)."""
        failed = []
        for path in self.unsaved():
            try:
                self.save(path)
            except SaveError as exc:
                failed.append((path, exc))
        return failed

    def revert(self, path: Path) -> Buffer:
        """Drop the edits: the buffer takes the file's text on disk now.

        Raises:
            OSError: the file cannot be read any more (the buffer is unchanged).
        """
        loaded = read_file(path)
        self.take_disk(path, loaded.text, loaded.mtime, loaded.read_only)
        return self._open[path]

    def take_disk(self, path: Path, text: str, mtime: int, read_only: str | None) -> None:
        """The file's text on disk becomes the buffer's text and its saved text."""
        buf = self._open[path]
        buf.text = buf.saved = text
        buf.mtime = mtime
        buf.read_only = read_only

    def diff(self, path: Path) -> str:
        """A unified diff from the file on disk (or its last saved text) to the buffer."""
        buf = self._open[path]
        try:
            disk = read_file(path).text
        except OSError:
            disk = buf.saved
        rel = self.rel(path)
        return "".join(
            difflib.unified_diff(
                disk.splitlines(keepends=True),
                buf.text.splitlines(keepends=True),
                fromfile=f"{rel} (on disk)",
                tofile=f"{rel} (unsaved)",
            )
        )

    def poll_disk(self) -> list[DiskChange]:
        """What changed on disk since the last poll, read, or save.

        A file without edits here is reloaded; one with edits is reported as a
        conflict (or as read-only/unreadable, edits kept), and each change is
        reported once.
        """
        changes = []
        for path, buf in self._open.items():
            try:
                now = path.stat().st_mtime_ns
            except OSError:
                continue
            if now == buf.mtime:
                continue
            try:
                loaded = read_file(path)
            except OSError as exc:
                buf.mtime = now
                changes.append(DiskChange(path, Change.UNREADABLE, why=str(exc.strerror or exc)))
                continue
            if buf.dirty:
                buf.mtime = now
                if loaded.read_only:
                    changes.append(DiskChange(path, Change.READ_ONLY, why=loaded.read_only))
                else:
                    changes.append(DiskChange(path, Change.CONFLICT, loaded.text, now))
                continue
            self.take_disk(path, loaded.text, now, loaded.read_only)
            changes.append(
                DiskChange(path, Change.RELOADED, loaded.text, now, loaded.read_only or "")
            )
        return changes
