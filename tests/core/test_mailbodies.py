"""A message whose long bodies are cut out before parsing and put back after parses
as the ``email`` package parses it whole (issue 18: a 29 MB message is not held as
400,000 line strings)."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest

from studio.core import mailbodies
from studio.core.mailparse import _parse_text, read_message


def _lines(word: str, n: int, nl: str = "\n") -> str:
    return "".join(f"{word} {i} =3D x{nl}" for i in range(n))


def _multipart(nl: str) -> str:
    msg = EmailMessage()
    msg["From"] = "a@shop.example"
    msg["Subject"] = "caf\u00e9"
    msg.set_content("Gr\u00fc\u00dfe\n" * 40, cte="base64")
    msg.add_alternative("<p>caf\u00e9 " + "x" * 100 + "</p>\n" * 60, "html", cte="quoted-printable")
    msg.add_attachment(b"\x00bin" * 300, "application", "octet-stream", filename="a.bin")
    policy = email.policy.SMTP if nl == "\r\n" else email.policy.default
    return msg.as_bytes(policy=policy).decode("ascii")


CASES = {
    "multipart": _multipart("\n"),
    "multipart, CRLF": _multipart("\r\n"),
    "single part": "From: a@b.example\nSubject: s\n\n" + _lines("body", 50),
    "no final newline": "From: a@b.example\n\n" + _lines("body", 50).rstrip("\n"),
    "bare CR line ends": "From: a@b.example\r\r" + _lines("body", 50, "\r"),
    # body lines starting with "--" that are not boundaries, and a blank line in a body
    "dashes in a body": (
        'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain\n\n'
        + _lines("a", 30)
        + "-- \nsig\n\n"
        + _lines("b", 30)
        + "--not-B\n"
        + _lines("c", 30)
        + "--B--\n"
    ),
    # a long preamble, a long epilogue, a message/rfc822 part: parsed whole
    "preamble": 'Content-Type: multipart/mixed; boundary="B"\n\n'
    + _lines("pre", 30)
    + "--B\n\nx\n--B--\n",
    "epilogue": 'Content-Type: multipart/mixed; boundary="B"\n\n--B\n\nx\n--B--\n'
    + _lines("epi", 30),
    "rfc822": 'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: message/rfc822\n\n'
    "From: inner@b.example\n\n" + _lines("inner", 30) + "--B--\n",
    "no header separator": "From: a@b.example\nnot a header line\n"
    + _lines("a", 30)
    + "\n"
    + _lines("b", 30),
    "nested": (
        'Content-Type: multipart/mixed; boundary="A"\n\n--A\n'
        'Content-Type: multipart/alternative; boundary="B"\n\n--B\nContent-Type: text/plain\n\n'
        + _lines("t", 30)
        + "--B\nContent-Type: text/html\n\n"
        + _lines("h", 30)
        + "--B--\n\n--A\nContent-Type: text/plain\n\n"
        + _lines("p", 30)
        + "--A--\n"
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_message_parses_as_the_email_package_parses_it(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = CASES[name]
    monkeypatch.setattr(mailbodies, "MIN_RUN", 100)
    whole = email.message_from_string(text, policy=email.policy.default)
    parsed = read_message(text)
    assert parsed.as_bytes() == whole.as_bytes()
    assert [type(d) for d in parsed.defects] == [type(d) for d in whole.defects]
    for mine, theirs in zip(parsed.walk(), whole.walk(), strict=True):
        assert vars(mine).get("_payload") == vars(theirs).get("_payload") or mine.is_multipart()
        assert (mine.preamble, mine.epilogue) == (theirs.preamble, theirs.epilogue)
    cut = mailbodies.parse_with_runs_cut(text, _parse_text)
    put_back = name not in ("preamble", "epilogue", "rfc822")
    assert (cut is not None) == put_back, "a run should be put back only into a leaf's body"


def test_a_big_body_is_cut_at_the_default_size() -> None:
    body = _lines("line", 10_000)
    text = "From: a@b.example\nContent-Type: text/html\n\n" + body
    assert len(body) > mailbodies.MIN_RUN
    cut = mailbodies.parse_with_runs_cut(text, _parse_text)
    assert cut is not None and cut.get_payload() == body
