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
        return self._run_many([args], what=what, stdin=stdin)[0]

    def _run_many(
        self, commands: Sequence[Sequence[str]], *, what: str = "", stdin: bytes | None = None
    ) -> list[bytes]:
        """Run git ``commands`` at the same time; their outputs, or the first failure."""
        procs = []
        try:
            for args in commands:
                procs.append(
                    subprocess.Popen(
                        ["git", "-C", str(self.root), *args],
                        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                    )
                )
        except FileNotFoundError:
            for proc in procs:
                proc.kill()
                proc.wait()
            raise ConfigError("git not found: `studio diff` needs the git command") from None
        results = [(proc, *proc.communicate(stdin)) for proc in procs]
        for (proc, _, stderr), args in zip(results, commands, strict=True):
            if proc.returncode != 0:
                err = stderr.decode("utf-8", "replace").strip().splitlines()
                reason = err[-1] if err else f"git {args[0]} failed"
                if "not a git repository" in reason:
                    raise ConfigError(f"{self.root}: not a git repository")
                raise ConfigError(f"{what or self.root}: {reason.removeprefix('fatal: ')}")
        return [out for _, out, _ in results]

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

    def snapshot(self, commit: str, folders: Iterable[str]) -> tuple[set[str], set[str]]:
        """The files of ``commit`` and the paths whose working-tree text differs from it.

        Files: workspace-relative, under ``folders`` (and at the top level). Differing:
        tracked files changed or gone, and untracked files not ignored. The three git
        commands run at the same time.
        """
        listing, diff, untracked = self._run_many(
            [
                ["ls-tree", "-r", "-z", "--name-only", "--full-tree", f"{commit}:{self.prefix}"],
                ["diff", "--no-renames", "--name-only", "-z", "--relative", commit, "--", "."],
                ["ls-files", "-z", "--others", "--exclude-standard", "--", "."],
            ]
        )
        wanted = tuple(f.rstrip("/") + "/" for f in folders)
        names = (n for n in listing.decode("utf-8", "replace").split("\0") if n)
        files = {n for n in names if n.startswith(wanted) or "/" not in n}
        changed = (diff + b"\0" + untracked).decode("utf-8", "replace").split("\0")
        return files, {n for n in changed if n}

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
