"""message.spam-score: SpamAssassin's verdict on the rendered message, when installed.

``spamassassin -L -t`` (local tests only: nothing leaves the machine) scores the
message as built, with a placeholder To so that the missing recipient is not what
is scored. It takes about a second, so it runs on the first sample of each template
only, and results are cached by the message's content (``.studio/cache/spam``).
When SpamAssassin is not installed the finding says so (info): never a silent pass.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ...findings import Severity
from ..context import MessageContext
from ..registry import Hit, rule

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
TIMEOUT = 60


@dataclass(frozen=True)
class SpamVerdict:
    score: float
    required: float
    tests: tuple[str, ...]


def spamassassin_path() -> str | None:
    return shutil.which("spamassassin")


def score_message(raw: bytes, *, cache_dir: Path | None = None) -> SpamVerdict | None:
    """Score a message with SpamAssassin (None when it is not installed or failed)."""
    exe = spamassassin_path()
    if exe is None:
        return None
    key = hashlib.sha256(raw).hexdigest()
    cached = cache_dir / f"{key}.json" if cache_dir else None
    if cached and cached.is_file():
        data = json.loads(cached.read_text())
        return SpamVerdict(data["score"], data["required"], tuple(data["tests"]))
    try:
        out = subprocess.run(
            [exe, "-L", "-t"], input=raw, capture_output=True, timeout=TIMEOUT, check=False
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = STATUS.search(out)
    if m is None:
        return None
    tests = tuple(t for t in re.split(r"[,\s]+", m.group(4) or "") if t and "=" not in t)
    verdict = SpamVerdict(float(m.group(2)), float(m.group(3)), tests)
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(verdict.__dict__))
    return verdict


def _scored_bytes(ctx: MessageContext) -> bytes:
    msg = copy.copy(ctx.msg.email)
    if "To" not in msg:
        msg["To"] = "customer@example.test"
    for name, value in STABLE.items():
        if name in msg:
            msg.replace_header(name, value)
    return msg.as_bytes()


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
    cache = ctx.workspace.root / ".studio" / "cache" / "spam" if ctx.workspace else None
    verdict = score_message(_scored_bytes(ctx), cache_dir=cache)
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
