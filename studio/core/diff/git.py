"""Git access for ``studio diff``: revisions, changed paths and file texts, by ``git``.

Everything goes through the ``git`` command (no library): one subprocess per
question, and one ``git cat-file --batch`` for all the texts a revision needs.
Paths are workspace-relative POSIX paths, even when the workspace is a folder of a
larger repository. Every failure is a one-line :class:`~studio.errors.ConfigError`
(exit 2): not a git repository, an unknown revision, no ``git`` on the PATH.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from ...errors import ConfigError

WORKTREE = "worktree"
"""The label of the working tree (the files on disk) as a side of a diff."""

DEFAULT_BRANCHES = ("main", "master")


class Git:
    """The git repository holding a workspace, asked through the ``git`` command."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        out = self._run(["rev-parse", "--show-toplevel", "--show-prefix"], what=str(self.root))
        lines = out.splitlines()
        self.toplevel = Path(lines[0])
        self.prefix = lines[1] if len(lines) > 1 else ""  # the workspace folder, "" or "a/b/"

    def _run(self, args: Sequence[str], *, what: str = "", stdin: bytes | None = None) -> str:
        data = self._run_bytes(args, what=what, stdin=stdin)
        return data.decode("utf-8", "replace")

    def _run_bytes(
        self, args: Sequence[str], *, what: str = "", stdin: bytes | None = None
    ) -> bytes:
        try:
            done = subprocess.run(
                ["git", "-C", str(self.root), *args],
                input=stdin,
                capture_output=True,
                check=False,
            )
        except FileNotFoundError:
            raise ConfigError("git not found: `studio diff` needs the git command") from None
        if done.returncode != 0:
            err = done.stderr.decode("utf-8", "replace").strip().splitlines()
            reason = err[-1] if err else f"git {args[0]} failed"
            if "not a git repository" in reason:
                raise ConfigError(f"{self.root}: not a git repository") from None
            raise ConfigError(f"{what or self.root}: {reason.removeprefix('fatal: ')}") from None
        return done.stdout

    # -- revisions -------------------------------------------------------------

    def resolve(self, rev: str) -> str:
        """The commit id of ``rev``, or a one-line error naming it."""
        if not rev or rev.startswith("-"):
            raise ConfigError(f"{rev!r}: not a revision")
        try:
            return self._run(
                ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"]
            ).strip()
        except ConfigError:
            raise ConfigError(f"unknown revision {rev!r} in {self.toplevel}") from None

    def default_base(self) -> str:
        """The merge-base of HEAD with the default branch, else HEAD (as given, unresolved)."""
        candidates: list[str] = []
        try:
            ref = self._run(["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"]).strip()
            candidates.append(ref)
        except ConfigError:
            pass
        candidates += [f"refs/heads/{b}" for b in DEFAULT_BRANCHES]
        for ref in candidates:
            try:
                return self._run(["merge-base", ref, "HEAD"]).strip()
            except ConfigError:
                continue
        return self.resolve("HEAD")

    # -- files -----------------------------------------------------------------

    def files_at(self, commit: str, folders: Iterable[str]) -> set[str]:
        """The workspace-relative files of ``commit`` under ``folders`` (and top-level files)."""
        out = self._run_bytes(["ls-tree", "-r", "-z", "--name-only", f"{commit}:{self.prefix}"])
        wanted = tuple(f.rstrip("/") + "/" for f in folders)
        names = (n for n in out.decode("utf-8", "replace").split("\0") if n)
        return {n for n in names if n.startswith(wanted) or "/" not in n}

    def changed_against_worktree(self, commit: str) -> set[str]:
        """Workspace-relative paths whose working-tree text differs from ``commit``'s.

        Tracked files that differ (or are gone) and untracked files not ignored.
        """
        diff = self._run_bytes(
            ["diff", "--no-renames", "--name-only", "-z", "--relative", commit, "--", "."]
        )
        untracked = self._run_bytes(["ls-files", "-z", "--others", "--exclude-standard", "--", "."])
        names = (diff + b"\0" + untracked).decode("utf-8", "replace").split("\0")
        return {n for n in names if n}

    def read(self, commit: str, paths: Iterable[str]) -> dict[str, str]:
        """The texts of ``paths`` (workspace-relative) at ``commit``; missing ones left out."""
        wanted = sorted(set(paths))
        if not wanted:
            return {}
        stdin = "".join(f"{commit}:{self.prefix}{p}\n" for p in wanted).encode("utf-8")
        raw = self._run_bytes(["cat-file", "--batch"], stdin=stdin)
        out: dict[str, str] = {}
        pos = 0
        for path in wanted:
            end = raw.index(b"\n", pos)
            header = raw[pos:end].split()
            pos = end + 1
            if len(header) < 3 or header[1] == b"missing":
                continue
            size = int(header[2])
            blob = raw[pos : pos + size]
            pos += size + 1
            if header[1] == b"blob":
                out[path] = blob.decode("utf-8", "replace")
        return out
