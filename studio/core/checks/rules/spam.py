"""message.spam-score: SpamAssassin's verdict on the rendered message, when installed.

``spamassassin -L -t`` (local tests only: nothing leaves the machine) scores the
message as built, with a placeholder To so that the missing recipient is not what
is scored. SpamAssassin's start-up (loading and compiling its rules, about a
second) dominates its cost, so a run starts it once: all its messages in **one**
``spamassassin --mbox`` process (:func:`score_messages`), started on the first
sample of each template rendered up front and scoring while the templates are
linted (:meth:`ScoreAhead.prefetch`); or with ``STUDIO_SPAM_ENGINE=spamd`` one
``spamd`` fed as the templates are linted (:class:`ScoreAhead`,
:mod:`studio.core.checks.spamd`); or, opt-in, a ``spamd`` kept between runs
(``STUDIO_SPAMD_KEEP``, :mod:`studio.core.checks.spamd_keeper`), which pays the
start-up once for many runs. A lone message (``studio lint FILE``) is scored in
the background while its other rules run (:func:`score_in_background`).
``benchmarks/startup_and_spam.py`` measures them all. It
runs on the first sample of each template only, and verdicts are
cached by the message's content (``.studio/cache/spam``), with what changes on
every build (Date, Message-ID, the random MIME boundaries) replaced by fixed
values first so that the same content hits the cache.

Messages above :data:`MAX_SIZE` (500 KB, the limit ``spamc`` applies) are not
scored: ``message.spam-not-scored`` says so. When SpamAssassin is not installed
the finding says so (info): never a silent pass.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from ...findings import Severity
from ...mailsize import serialised_size
from ..context import MessageContext
from ..registry import Hit, rule

if TYPE_CHECKING:
    from concurrent.futures import Future

    from ...workspace import Workspace
    from ..spamd import SpamdRun

STATUS = re.compile(
    r"^X-Spam-Status:\s*(Yes|No),\s*score=(-?[\d.]+)\s+required=([\d.]+)"
    r"(?:\s+tests=([^\n]*(?:\n[ \t][^\n]*)*))?",
    re.M,
)
# Replaced by fixed values so that the cache key does not change on every build.
STABLE = {
    "Message-ID": "<studio-spam-check@studio.invalid>",
    "Date": "Tue, 24 Nov 2026 12:00:00 +0000",
}
BOUNDARY = re.compile(rb'boundary="?([^";\r\n]+)"?', re.I)
# The mbox separator line of message ``n`` in a batch (and how to find it in the output).
SEPARATOR = b"From studio-%d@studio.invalid Tue Nov 24 12:00:00 2026\n"
SEPARATORS = re.compile(rb"^From studio-(\d+)@studio\.invalid .*$", re.M)
TIMEOUT = 60
"""Seconds per message scored (a batch gets its size times this)."""
SPAM_RULES = frozenset({"message.spam-score", "message.spam-not-scored"})
"""The rules that need SpamAssassin (run after a batch scored ahead)."""
MAX_SIZE = 500 * 1024
"""Larger messages are not scored (``spamc``'s default limit: SpamAssassin is slow on them)."""


@dataclass(frozen=True)
class SpamVerdict:
    score: float
    required: float
    tests: tuple[str, ...]


def spamassassin_path() -> str | None:
    return shutil.which("spamassassin")


def _cache_file(cache_dir: Path | None, raw: bytes) -> Path | None:
    return cache_dir / f"{hashlib.sha256(raw).hexdigest()}.json" if cache_dir else None


_MEMORY: dict[str, SpamVerdict] = {}
"""Verdicts of this process by content hash (a batch scored ahead of the rules fills it)."""


def _cached(raw: bytes, path: Path | None) -> SpamVerdict | None:
    key = hashlib.sha256(raw).hexdigest()
    if key in _MEMORY:
        return _MEMORY[key]
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        verdict = SpamVerdict(float(data["score"]), float(data["required"]), tuple(data["tests"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a damaged cache entry is scored again
    _MEMORY[key] = verdict
    return verdict


def parse_report(report: bytes) -> SpamVerdict | None:
    m = STATUS.search(report.decode("utf-8", "replace"))
    if m is None:
        return None
    tests = tuple(t for t in re.split(r"[,\s]+", m.group(4) or "") if t and "=" not in t)
    return SpamVerdict(float(m.group(2)), float(m.group(3)), tests)


def _mbox(raws: Sequence[bytes]) -> bytes:
    """The messages as one mbox, each after a numbered separator (body From_ lines quoted)."""
    parts = []
    for n, raw in enumerate(raws):
        body = raw.replace(b"\r\n", b"\n")
        body = re.sub(rb"^(>*From )", rb">\1", body, flags=re.M)
        parts.append(SEPARATOR % n + body + (b"" if body.endswith(b"\n") else b"\n") + b"\n")
    return b"".join(parts)


def _run_batch(exe: str, raws: Sequence[bytes]) -> list[SpamVerdict | None]:
    """Score ``raws`` in one ``spamassassin --mbox`` process (one rules start-up)."""
    try:
        out = subprocess.run(
            [exe, "-L", "-t", "--mbox"],
            input=_mbox(raws),
            capture_output=True,
            timeout=TIMEOUT * len(raws),
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return [None] * len(raws)
    verdicts: list[SpamVerdict | None] = [None] * len(raws)
    marks = list(SEPARATORS.finditer(out))
    for i, m in enumerate(marks):
        n = int(m.group(1))
        end = marks[i + 1].start() if i + 1 < len(marks) else len(out)
        if 0 <= n < len(raws):
            verdicts[n] = parse_report(out[m.end() : end])
    return verdicts


def score_messages(
    raws: Sequence[bytes], *, cache_dir: Path | None = None, keep: Path | None = None
) -> list[SpamVerdict | None]:
    """Score messages with SpamAssassin, the uncached ones in one process.

    With ``STUDIO_SPAMD_KEEP`` set they go to the spamd kept between runs whose
    state file is ``keep`` (started if none runs); what it cannot score goes to
    ``spamassassin``. Returns a verdict per message, None where SpamAssassin is not
    installed, failed, or the message is above :data:`MAX_SIZE`.
    """
    exe = spamassassin_path()
    if exe is None:
        return [None] * len(raws)
    verdicts: list[SpamVerdict | None] = [None] * len(raws)
    todo: list[int] = []
    for i, raw in enumerate(raws):
        if len(raw) > MAX_SIZE:
            continue
        verdicts[i] = _cached(raw, _cache_file(cache_dir, raw))
        if verdicts[i] is None:
            todo.append(i)
    if todo and _engine() == "kept":
        from ..spamd import SpamdRun, keep_seconds

        idle = keep_seconds()
        if idle is not None:
            with SpamdRun(keep=(keep or _keep_state(None), idle)) as run:
                for i, verdict in zip(todo, run.score([raws[i] for i in todo]), strict=True):
                    verdicts[i] = verdict
                    remember(raws[i], verdict, cache_dir)
            todo = [i for i in todo if verdicts[i] is None]
    if todo:
        pending = [raws[i] for i in todo]
        for i, verdict in zip(todo, _run_batch(exe, pending), strict=True):
            verdicts[i] = verdict
            remember(raws[i], verdict, cache_dir)
    return verdicts


def _keep_state(workspace: Workspace | None) -> Path:
    from ..spamd import state_path

    return state_path(workspace.root if workspace else None)


def _engine() -> str:
    from ..spamd import engine

    return engine()


def uncached(raw: bytes, cache_dir: Path | None) -> bool:
    """Whether ``raw`` (scored bytes) still needs SpamAssassin: not too big, no verdict kept."""
    return len(raw) <= MAX_SIZE and _cached(raw, _cache_file(cache_dir, raw)) is None


def remember(raw: bytes, verdict: SpamVerdict | None, cache_dir: Path | None) -> None:
    """Keep ``verdict`` for ``raw`` in this process and in the workspace's cache."""
    if verdict is None:
        return
    _MEMORY[hashlib.sha256(raw).hexdigest()] = verdict
    path = _cache_file(cache_dir, raw)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(verdict.__dict__))
        except OSError:
            pass  # a read-only workspace: scored again next run


def score_message(
    raw: bytes, *, cache_dir: Path | None = None, keep: Path | None = None
) -> SpamVerdict | None:
    """Score one message with SpamAssassin (None when not installed, failed or too big)."""
    return score_messages([raw], cache_dir=cache_dir, keep=keep)[0]


def stable_bytes(raw: bytes) -> bytes:
    """``raw`` with its random MIME boundaries replaced by fixed ones (same content, same bytes)."""
    seen: dict[bytes, bytes] = {}
    for m in BOUNDARY.finditer(raw):
        seen.setdefault(m.group(1), b"studio-boundary-%d" % len(seen))
    for old, new in seen.items():
        raw = raw.replace(old, new)
    return raw


_last: tuple[EmailMessage | None, int, bytes | None] = (None, 0, None)
"""The scored size and bytes of the last message (both spam rules use them: built once)."""


def scored(email: EmailMessage) -> tuple[int, bytes | None]:
    """The size of ``email`` as scored, and its scored bytes (None: too big to score).

    Kept for the last message asked about: :func:`studio.core.checks.lint_file` asks
    while a parsed ``.eml`` is whole, before its HTML body is taken out of it.
    """
    global _last
    last = _last
    if last[0] is email:
        return last[1], last[2]
    size = scored_size(email)
    raw = scored_bytes(email) if size <= MAX_SIZE else None
    _last = (email, size, raw)
    return size, raw


def _scored(ctx: MessageContext) -> tuple[int, bytes | None]:
    return scored(ctx.msg.email)


def _scoring_copy(email: EmailMessage) -> EmailMessage:
    msg = copy.copy(email)
    if "To" not in msg:
        msg["To"] = "customer@example.test"
    for name, value in STABLE.items():
        if name in msg:
            msg.replace_header(name, value)
    return msg


def scored_size(email: EmailMessage) -> int:
    """The size of the bytes :func:`scored_bytes` builds before its boundaries are
    fixed (what :data:`MAX_SIZE` is compared with), counted without building them."""
    return serialised_size(_scoring_copy(email))


def scorable_bytes(email: EmailMessage) -> bytes | None:
    """:func:`scored_bytes`, or None without serialising when it is above :data:`MAX_SIZE`."""
    return scored_bytes(email) if scored_size(email) <= MAX_SIZE else None


def scored_bytes(email: EmailMessage) -> bytes:
    """The bytes SpamAssassin scores: a placeholder To, stable Date, Message-ID, boundaries."""
    raw = _scoring_copy(email).as_bytes()
    return raw if len(raw) > MAX_SIZE else stable_bytes(raw)  # too big: not scored


@rule("message.spam-score")
def spam_score(ctx: MessageContext) -> Iterator[Hit]:
    if not ctx.spam:
        return
    if spamassassin_path() is None:
        yield Hit(
            ctx.subject,
            "SpamAssassin is not installed, so the spam score was not checked"
            " (apt-get install spamassassin)",
            severity=Severity.INFO,
        )
        return
    raw = _scored(ctx)[1]
    if raw is None:
        return  # too big: message.spam-not-scored says so
    if raw in _BACKGROUND:
        verdict = _BACKGROUND.pop(raw)
    else:
        verdict = score_message(raw, cache_dir=cache_dir(ctx), keep=_keep_state(ctx.workspace))
    if verdict is None:
        yield Hit(ctx.subject, "SpamAssassin did not give a verdict", severity=Severity.INFO)
        return
    if verdict.score >= verdict.required / 2:
        severity = Severity.ERROR if verdict.score >= verdict.required else Severity.WARNING
        yield Hit(
            ctx.subject,
            f"SpamAssassin score {verdict.score} (spam at {verdict.required});"
            f" rules: {', '.join(verdict.tests)}",
            details={
                "score": verdict.score,
                "required": verdict.required,
                "tests": list(verdict.tests),
            },
            severity=severity,
        )


def score_in_background(ctx: MessageContext) -> threading.Thread | None:
    """Start scoring ``ctx``'s message in a thread, so that the other rules run meanwhile.

    SpamAssassin is a process of its own: while it loads its rules and scores, the
    Python rules use the other core, and ``lint`` of one message waits for the
    longer of the two instead of their sum. The rule then finds the verdict kept
    in memory. None when there is nothing to score (no spam check, not installed,
    too big, cached): the rule does what it always did.
    """
    if not ctx.spam or spamassassin_path() is None:
        return None
    raw = _scored(ctx)[1]
    where = cache_dir(ctx)
    if raw is None or not uncached(raw, where):
        return None

    keep = _keep_state(ctx.workspace)
    _engine()  # a bad STUDIO_SPAMD_KEEP is reported here, not in the thread

    def score() -> None:
        _BACKGROUND[raw] = score_message(raw, cache_dir=where, keep=keep)

    thread = threading.Thread(target=score, name="spamassassin", daemon=True)
    thread.start()
    return thread


_BACKGROUND: dict[bytes, SpamVerdict | None] = {}
"""Verdicts scored in the background, None included (the rule does not score twice)."""


def cache_dir(ctx: MessageContext) -> Path | None:
    return _cache_root(ctx.workspace)


def _cache_root(workspace: Workspace | None) -> Path | None:
    return workspace.root / ".studio" / "cache" / "spam" if workspace else None


@rule("message.spam-not-scored")
def spam_not_scored(ctx: MessageContext) -> Iterator[Hit]:
    if not ctx.spam or spamassassin_path() is None:
        return
    size = _scored(ctx)[0]
    if size > MAX_SIZE:
        yield Hit(
            ctx.subject,
            f"the message is {size:,} bytes, above SpamAssassin's {MAX_SIZE:,}:"
            " its spam score was not checked",
            details={"size": size, "limit": MAX_SIZE},
            severity=Severity.INFO,
        )


def score_ahead(workspace: Workspace | None, emails: Sequence[EmailMessage]) -> None:
    """Score ``emails`` in one SpamAssassin process, so that the rule finds them cached.

    :func:`studio.core.checks.lint_workspace` calls it with the first sample of
    every template before running the spam rules on them: one start-up per run.
    (Scoring in the background while the run goes on, in a process per batch that
    had arrived, measured slower: each process pays the start-up again.)
    """
    if spamassassin_path() is None:
        return
    raws = [scorable_bytes(e) for e in emails]
    score_messages(
        [r for r in raws if r is not None],
        cache_dir=_cache_root(workspace),
        keep=_keep_state(workspace),
    )


class ScoreAhead:
    """A run's spam scoring, fed the first sample of each template as it is linted.

    With the batch engine the messages are kept and scored in one ``spamassassin``
    at :meth:`finish`; with ``spamd`` (:mod:`studio.core.checks.spamd`) each uncached
    message goes to the daemon at once, so the daemon's start-up and the scoring
    run while the other templates are linted. Either way the spam rules then find
    every verdict cached.
    """

    def __init__(self, workspace: Workspace | None, templates: int = 2) -> None:
        self.workspace = workspace
        self.cache_dir = _cache_root(workspace)
        self.installed = spamassassin_path() is not None
        # One template (``studio lint NAME``): one message, which one spamassassin
        # scores sooner than a daemon loads its rules (unless the daemon is kept).
        engine = _engine() if self.installed else "batch"
        self.spamd = engine == "kept" or (templates > 1 and engine == "spamd")
        self.keep = engine == "kept"
        self.emails: list[EmailMessage] = []
        self._prefetched: set[bytes] = set()
        self._prefetch: threading.Thread | None = None
        self._run: SpamdRun | None = None
        self._pending: list[tuple[bytes, Future[SpamVerdict | None]]] = []

    def prefetch(self, emails: Sequence[EmailMessage]) -> None:
        """Batch engine: score ``emails`` now, in the background, in one ``spamassassin``.

        SpamAssassin reads all its input before it loads its rules, so the batch
        cannot start before its messages are known: :func:`lint_workspace` renders
        the first sample of each template up front and hands them here, and the
        batch runs while the templates are linted. A message :meth:`add` offers
        later that was not among them (a sample that rendered differently) is
        scored at :meth:`finish`. With spamd (per run or kept) messages already go
        to the daemon as they come: nothing to do here.
        """
        if not self.installed or self.spamd or self._prefetch is not None:
            return
        raws = [r for r in map(scorable_bytes, emails) if r is not None]
        todo = [r for r in raws if uncached(r, self.cache_dir)]
        self._prefetched = set(raws)
        if not todo:
            return
        keep, where = _keep_state(self.workspace), self.cache_dir

        def score() -> None:
            score_messages(todo, cache_dir=where, keep=keep)

        self._prefetch = threading.Thread(target=score, name="spamassassin-batch", daemon=True)
        self._prefetch.start()

    def add(self, email: EmailMessage) -> None:
        if not self.installed:
            return
        raw = scorable_bytes(email)
        if raw is None:
            return  # too big to score
        if not self.spamd:
            if raw not in self._prefetched:
                self.emails.append(email)
            return
        if not uncached(raw, self.cache_dir):
            return
        if self._run is None:
            from ..spamd import SpamdRun, keep_seconds

            idle = keep_seconds() if self.keep else None
            keep = (_keep_state(self.workspace), idle) if idle is not None else None
            self._run = SpamdRun(keep=keep)
        self._pending.append((raw, self._run.submit(raw)))

    def finish(self) -> None:
        """Wait for every verdict (and stop spamd, if one was started)."""
        prefetch, self._prefetch = self._prefetch, None
        if prefetch is not None:
            prefetch.join()
        emails, self.emails = self.emails, []
        if emails:
            score_ahead(self.workspace, emails)
        pending, self._pending = self._pending, []
        missed: list[bytes] = []
        try:
            for raw, future in pending:
                verdict = future.result()
                remember(raw, verdict, self.cache_dir)
                if verdict is None:
                    missed.append(raw)
        finally:
            self.close()
        exe = spamassassin_path()
        if missed and exe is not None:
            # spamd could not score them (it did not start, a port taken, a timeout):
            # the batch gets its chance, so a failing daemon costs time, not verdicts.
            for raw, verdict in zip(missed, _run_batch(exe, missed), strict=True):
                remember(raw, verdict, self.cache_dir)

    def close(self) -> None:
        """Stop spamd if one was started (a run that failed half-way still stops it).

        A batch scoring in the background is waited for: no SpamAssassin outlives the run.
        """
        prefetch, self._prefetch = self._prefetch, None
        if prefetch is not None:
            prefetch.join()
        run, self._run = self._run, None
        if run is not None:
            run.close()
