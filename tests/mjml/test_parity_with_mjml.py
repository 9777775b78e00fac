"""``studio render FILE.mjml`` of a file using mj-include matches npm mjml 5's words and links.

Runs the real mjml CLI that ``.ci/run`` installs into ``.ci/node`` (or one on PATH);
skipped where neither node nor mjml is there.
"""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from studio.cli import cli
from tests.mjml.test_include import project

REPO = Path(__file__).resolve().parents[2]
LOCAL = REPO / ".ci" / "node" / "node_modules" / ".bin" / "mjml"
MJML = str(LOCAL) if LOCAL.exists() else shutil.which("mjml")

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or MJML is None,
    reason="node and mjml 5 absent (.ci/run installs them into .ci/node)",
)


class Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.words: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "title", "head"):
            self.skip += 1
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "title", "head"):
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.words += data.split()


def _seen(html: str) -> tuple[list[str], list[str]]:
    v = Visible()
    v.feed(html)
    return v.words, v.hrefs


def test_render_matches_mjml_words_and_links_on_an_include_using_file(tmp_path: Path) -> None:
    main = project(tmp_path)
    ours = CliRunner().invoke(cli, ["render", str(main), "--format", "html"])
    assert ours.exit_code == 0, ours.output
    theirs = subprocess.run(
        [str(MJML), str(main), "-s", "--config.allowIncludes", "true"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    our_words, our_links = _seen(ours.output)
    their_words, their_links = _seen(theirs)
    assert "Footer" in their_words  # mjml did splice the partials
    # Same words; not compared in order: an mj-raw in a column comes before the column's
    # table in MRML's HTML and inside its <tbody> in mjml's, where browsers hoist it
    # out in front of the table, so both show it at the same place.
    assert sorted(our_words) == sorted(their_words)
    assert our_links == their_links
