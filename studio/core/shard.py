"""Sharding: a stable share of a workspace's templates for one of N CI runners.

``studio check --shard K/N`` (and ``lint``) checks the templates whose name hashes
to shard K. The hash is of the name alone (SHA-256, not Python's salted ``hash``),
so a template stays on its shard from run to run and machine to machine, and
adding a template moves no other. The N shards partition the templates, and what
concerns the workspace as a whole (the DNS preflight) is reported by shard 1 only:
the N reports together are the unsharded report.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ..errors import ConfigError

_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    index: int
    """1-based: this runner's shard."""
    count: int
    """How many shards the templates are spread over."""

    @classmethod
    def parse(cls, spec: str) -> Shard:
        """Read ``K/N`` (1 ≤ K ≤ N); a one-line error otherwise."""
        m = _SPEC.match(spec)
        if m is None or not 1 <= int(m.group(1)) <= int(m.group(2)):
            raise ConfigError(f"--shard {spec!r}: expected K/N with 1 <= K <= N, e.g. 2/4")
        return cls(int(m.group(1)), int(m.group(2)))

    @property
    def first(self) -> bool:
        """Whether this shard also reports what concerns the workspace as a whole."""
        return self.index == 1

    def holds(self, name: str) -> bool:
        """Whether the template ``name`` is checked on this shard."""
        digest = hashlib.sha256(name.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1
