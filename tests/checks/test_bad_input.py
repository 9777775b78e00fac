"""`studio lint FILE` on input that is not what it claims: findings or one clear line, never a
traceback or a hang (the subprocess timeout is a hang guard, not a timing assertion)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from studio.core.checks import lint_file
from studio.core.checks.context import Sources, UrlIndex

HANG_GUARD = 600  # seconds: far above any honest run, only there so a hang fails


def lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studio", "lint", path.name, "--no-spam", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=path.parent,
        timeout=HANG_GUARD,
    )


def handled(result: subprocess.CompletedProcess[str], path: Path) -> list[dict[str, object]]:
    """Findings (exit 0/1, JSON on stdout) or one line naming the file (exit 2); else fail."""
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    if result.returncode == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and path.name in lines[0], result.stderr
        return []
    assert result.returncode in (0, 1), (result.returncode, result.stderr[-2000:])
    findings: list[dict[str, object]] = json.loads(result.stdout)["findings"]
    assert findings
    return findings


def ids_of(findings: list[dict[str, object]]) -> set[object]:
    return {f["id"] for f in findings}


def random_bytes(n: int) -> bytes:
    return random.Random(20261124).randbytes(n)


def test_an_eml_that_is_not_a_message(tmp_path: Path) -> None:
    path = tmp_path / "notes.eml"
    path.write_text("shopping list\nmilk, eggs, bread\nno headers here at all\n" * 50)
    found = ids_of(handled(lint(path), path))
    assert "message.headers" in found
    # text only: nothing to say about an HTML document it does not have
    assert not {"html.lang-missing", "html.title-missing"} & found


@pytest.mark.parametrize("suffix", [".html", ".eml", ".mjml"])
def test_binary_files(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"noise{suffix}"
    path.write_bytes(random_bytes(64 * 1024))
    found = handled(lint(path), path)
    if suffix == ".mjml":
        assert found == []  # not MJML: exit 2 with one line
    elif suffix == ".eml":
        assert "message.headers" in ids_of(found)
    else:  # a lone HTML file is a body, not a message: no header rules
        assert found and "message.headers" not in ids_of(found)


@pytest.mark.parametrize("name", ["empty.mjml", "plain.mjml", "cut.mjml"])
def test_mjml_that_does_not_parse_is_one_line_exit_2(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text({"empty.mjml": "", "plain.mjml": "hello", "cut.mjml": "<mjml><mj-body>"}[name])
    assert handled(lint(path), path) == []


@pytest.mark.slow
def test_a_50_mb_html_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    para = "<p>Your parcel is on its way. Thank you for shopping with us today.</p>\n"
    with path.open("w") as out:
        out.write('<html lang="en"><head><title>Huge</title></head><body>\n')
        for _ in range(50 * 1024 * 1024 // len(para)):
            out.write(para)
        out.write("</body></html>\n")
    found = handled(lint(path), path)
    assert "message.size-clipped" in ids_of(found)


@pytest.mark.slow
def test_an_html_file_with_100k_links(tmp_path: Path) -> None:
    path = tmp_path / "links.html"
    links = "".join(
        f'<a href="http://www.shop.example/p/{i}?utm_source=a&amp;utm_medium=b">item {i}</a>\n'
        for i in range(100_000)
    )
    path.write_text(f'<html lang="en"><head><title>t</title></head><body>\n{links}</body></html>\n')
    found = handled(lint(path), path)
    insecure = [f for f in found if f["id"] == "link.insecure"]
    # a bounded report: the first 25 listed, the other 99,975 counted in one finding
    [summary] = [f for f in insecure if "not_listed" in f["details"]]  # type: ignore[operator]
    listed = [f for f in insecure if f is not summary]
    assert summary["details"] == {"not_listed": 99_975, "limit": 25}
    # each listed one points at its own line (the href is found as written, with &amp;)
    assert sorted(f["location"]["line"] for f in listed) == list(range(2, 27))  # type: ignore[index]
    assert {f["location"]["file"] for f in listed} == {"links.html"}  # type: ignore[index]
    assert "message.text-parity" not in ids_of(found)


def test_an_eml_whose_text_part_lacks_100k_links(tmp_path: Path) -> None:
    # The text part shows none of the links: every link is found missing (25 listed,
    # the rest counted) without searching the text once per link.
    links = "".join(
        f'<a href="https://www.shop.example/p/{i}">item {i}</a>\n' for i in range(100_000)
    )
    path = tmp_path / "many.eml"
    path.write_text(
        "From: a@mail.shop.example\nTo: b@example.test\nSubject: hi\nDate: Tue, 24 Nov 2026"
        " 12:00:00 +0000\nMessage-ID: <1@mail.shop.example>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/alternative; boundary="b"\n\n--b\nContent-Type: text/plain\n\n'
        "See the shop.\n--b\nContent-Type: text/html\n\n"
        f'<html lang="en"><title>t</title>{links}</html>\n--b--\n'
    )
    found = lint_file(path, spam=False)
    parity = [f for f in found if f.id == "message.text-parity"]
    assert len(parity) == 26 and parity[-1].details["not_listed"] == 100_000 - 25
    assert {f.details["href"] for f in parity[:-1]} == {
        f"https://www.shop.example/p/{i}" for i in range(25)
    }


def test_url_index_finds_what_str_find_finds() -> None:
    rng = random.Random(7)
    alphabet = "htp:/s.ab \nH?=&T"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        index = UrlIndex(text)
        for _ in range(10):
            a = rng.randint(0, len(text))
            needle = text[a : rng.randint(a, a + 20)] or "http"
            if rng.random() < 0.3:
                needle = "http" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 5)))
            assert index.find(needle) == text.find(needle), (text, needle)


def test_locate_gives_lines_and_the_html_escaped_form() -> None:
    src = Sources({"a.html": 'x\n<a href="https://s.example/?a=1&amp;b=2">\n<p>hi</p>\n'})
    assert src.locate("https://s.example/?a=1&b=2").line == 2
    assert src.locate("<p>").line == 3
    assert src.locate("absent").line is None
