"""Bad files and paths end in one line on stderr and exit code 2, never a traceback.

Each case ran into an unhandled exception (issue 14 item 10): a UnicodeDecodeError
from a non-UTF-8 file, an OSError from a path that cannot be written, an
OverflowError from a port the OS cannot bind. They run ``python -m studio`` so that
what is checked is what a user sees on the terminal.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from studio.core.workspace import Workspace

NOT_UTF8 = b'x = "caf\xe9 \xff"\n'


def studio(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studio", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,  # a guard against a hang, not a synchronisation
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *named: str) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for name in named:
        assert name in lines[0]


def test_a_vars_file_that_is_not_utf8(scratch: Workspace, tmp_path: Path) -> None:
    bad = tmp_path / "vars.json"
    bad.write_bytes(b'{"name": "Ad\xe1"}')
    result = studio("render", "password_reset", "--vars", str(bad), cwd=scratch.root)
    assert_one_line_error(result, "vars.json")


def test_a_binary_zone_file(scratch: Workspace, tmp_path: Path) -> None:
    zone = tmp_path / "shop.example.zone"
    zone.write_bytes(bytes(range(256)) * 4)
    result = studio("dns", "shop.example", "--zone-file", str(zone), cwd=scratch.root)
    assert_one_line_error(result, "shop.example.zone")


@pytest.mark.parametrize("relative", ["studio.toml", "brand/brand.toml", "brand/locales/en.toml"])
def test_a_settings_brand_or_locale_file_that_is_not_utf8(
    scratch: Workspace, relative: str
) -> None:
    path = scratch.root / relative
    assert path.is_file()
    path.write_bytes(path.read_bytes() + NOT_UTF8)
    result = studio("render", "password_reset", "-s", "en_basic", cwd=scratch.root)
    assert_one_line_error(result, Path(relative).name)


def test_render_to_a_folder_that_does_not_exist(scratch: Workspace, tmp_path: Path) -> None:
    target = tmp_path / "nonexistent" / "x.html"
    result = studio(
        "render", "password_reset", "-s", "en_basic", "-o", str(target), cwd=scratch.root
    )
    assert_one_line_error(result, "x.html")
    assert not target.exists()


def _uncreatable(tmp_path: Path) -> Path:
    """A directory that cannot be made: its parent is a file (as /proc/x is for root)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    return blocker / "x"


def test_build_into_a_directory_that_cannot_be_made(scratch: Workspace, tmp_path: Path) -> None:
    result = studio("build", "--out", str(_uncreatable(tmp_path)), cwd=scratch.root)
    assert_one_line_error(result, "a-file")


def test_init_a_directory_that_cannot_be_made(tmp_path: Path) -> None:
    result = studio("init", str(_uncreatable(tmp_path)), cwd=tmp_path)
    assert_one_line_error(result, "a-file")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
@pytest.mark.parametrize("command", [["build", "--out", "/proc/x"], ["init", "/proc/nope"]])
def test_writing_under_proc(scratch: Workspace, command: list[str]) -> None:
    assert_one_line_error(studio(*command, cwd=scratch.root), "/proc/")


def test_a_sink_port_out_of_range(scratch: Workspace) -> None:
    settings = scratch.root / "studio.toml"
    settings.write_text(settings.read_text() + "\n[sink]\nport = 99999999\n")
    result = studio("sink", cwd=scratch.root)
    assert_one_line_error(result, "studio.toml", "sink.port")


def test_build_never_overwrites_a_directory_it_did_not_write(
    scratch: Workspace, tmp_path: Path
) -> None:
    # `build --out .` in a project used to overwrite its index.html without a word
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<h1>my own page</h1>\n")
    refused = studio("build", "--out", str(site), cwd=scratch.root)
    assert_one_line_error(refused, "--force")
    assert (site / "index.html").read_text() == "<h1>my own page</h1>\n"
    assert sorted(p.name for p in site.iterdir()) == ["index.html"]
    # a new directory, then the same one again (it holds the build's marker)
    out = tmp_path / "out"
    for _ in range(2):
        result = studio("build", "--out", str(out), cwd=scratch.root)
        assert result.returncode == 0, result.stderr
    assert (out / "password_reset" / "en_basic.html").is_file()
    # --force: the user said so
    forced = studio("build", "--out", str(site), "--force", cwd=scratch.root)
    assert forced.returncode == 0, forced.stderr
    assert "password_reset/en_basic.html" in (site / "index.html").read_text()
