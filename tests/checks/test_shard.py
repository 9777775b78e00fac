"""``--shard K/N``: the N shards' reports together are the unsharded report."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from studio.cli import cli
from studio.core.check import run_check
from studio.core.findings import Finding
from studio.core.shard import Shard
from studio.core.workspace import Workspace
from tests.checks.test_catalogue_coverage import twins


def key(f: Finding) -> str:
    return json.dumps(f.to_dict(), sort_keys=True)


@pytest.mark.parametrize("count", [2, 3])
def test_the_union_of_the_shards_is_the_unsharded_report(
    example_copy: Workspace, count: int
) -> None:
    whole = Counter(key(f) for f in run_check(example_copy, spam=False))
    parts: Counter[str] = Counter()
    for k in range(1, count + 1):
        parts.update(key(f) for f in run_check(example_copy, spam=False, shard=Shard(k, count)))
    assert whole and parts == whole


def test_a_pair_across_shards_is_reported_once(tmp_path: Path) -> None:
    from studio.core.checks import lint_workspace

    twins(differ=False)(tmp_path)  # "first" and "second", alike, in tmp/ws
    ws = Workspace.open(tmp_path / "ws")
    whole = Counter(key(f) for f in lint_workspace(ws, spam=False))
    assert any("template.near-duplicate" in k for k in whole)
    for count in (2, 3, 5):
        parts: Counter[str] = Counter()
        for k in range(1, count + 1):
            parts.update(key(f) for f in lint_workspace(ws, spam=False, shard=Shard(k, count)))
        assert parts == whole, count


def test_shards_are_stable_and_partition_the_names() -> None:
    names = [f"template_{i}" for i in range(200)]
    held = [[n for n in names if Shard(k, 4).holds(n)] for k in range(1, 5)]
    assert sorted(sum(held, [])) == sorted(names)
    assert all(30 < len(h) < 70 for h in held)  # roughly a quarter each
    assert Shard(1, 4).holds("order_confirmation") == Shard.parse("1/4").holds("order_confirmation")


@pytest.mark.parametrize("spec", ["0/2", "3/2", "x", "1/0", "1-2"])
def test_a_bad_shard_is_a_one_line_error(example_copy: Workspace, spec: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "studio", "-w", str(example_copy.root), "check", "--shard", spec],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "--shard" in proc.stderr


def test_lint_takes_a_shard(example_copy: Workspace) -> None:
    args = ["-w", str(example_copy.root), "lint", "--no-spam", "-f", "json"]
    ids = set()
    for k in (1, 2):
        result = CliRunner().invoke(cli, [*args, "--shard", f"{k}/2"])
        assert result.exit_code in (0, 1), result.output
        ids |= {f["subject"] for f in json.loads(result.output)["findings"]}
    whole = CliRunner().invoke(cli, args)
    assert ids == {f["subject"] for f in json.loads(whole.output)["findings"]}
