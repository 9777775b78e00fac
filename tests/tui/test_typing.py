"""Typing into every kind of file the studio opens never crashes it.

tree-sitter-json crashed the process (SIGSEGV) on edits under Textual 8.2, so
JSON samples are highlighted with the YAML grammar; this guards every language.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from studio.core.workspace import Workspace

PROBE = Path(__file__).with_name("typing_probe.py")
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "rel",
    [
        "samples/password_reset/en_basic.json",
        "brand/brand.toml",
        "templates/password_reset.mjml",
        "components/footer.mjml",
        "templates/shipping_notification.sms.j2",
    ],
)
def test_typing_into_a_file_does_not_crash(example_copy: Workspace, rel: str) -> None:
    proc = subprocess.run(
        [sys.executable, str(PROBE), str(example_copy.root), rel],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"typed into {rel}: changed=True" in proc.stdout
