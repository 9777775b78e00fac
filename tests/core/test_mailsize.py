"""The size of a message counted without serialising it is ``len(as_bytes())``
(issue 18: the spam rules learn that a 29 MB message is too big to score without
holding it three times over)."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

from studio.core.mailparse import read_message
from studio.core.mailsize import serialised_size
from studio.core.workspace import Workspace


def _built() -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Caf\u00e9 <a@shop.example>"
    msg["Subject"] = "caf\u00e9 " * 40  # folded, encoded words
    msg.set_content("Gr\u00fc\u00dfe\r\nline two\rthree\n" * 50)
    msg.add_alternative("<p>caf\u00e9 =&amp; " + "x" * 200 + "</p>\n" * 30, "html")
    msg.add_attachment(b"\x00\x01binary" * 100, "application", "octet-stream", filename="a.bin")
    inner = EmailMessage()
    inner["Subject"] = "inner"
    inner.set_content("forwarded\n")
    msg.add_attachment(inner)
    return msg


RAW_8BIT = (
    b"From: a@b.example\r\nSubject: raw\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="XX"\r\n\r\npreamble\r\n--XX\r\n'
    b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    b"caf\xc3\xa9 \xff\r\nbare\rcr\n--XX\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n"
    b"--XX--\r\nepilogue\r\n"
)


def test_a_built_message_counts_as_it_serialises() -> None:
    msg = _built()
    assert msg.get_boundary() is None  # the count sets one, as as_bytes would
    assert serialised_size(msg) == len(msg.as_bytes())
    crlf = email.message_from_bytes(
        msg.as_bytes(policy=email.policy.SMTP), policy=email.policy.SMTP
    )
    assert serialised_size(crlf) == len(crlf.as_bytes())


def test_a_parsed_message_counts_as_it_serialises() -> None:
    for parsed in (
        read_message(RAW_8BIT),
        email.message_from_bytes(RAW_8BIT, policy=email.policy.default),
        email.message_from_bytes(RAW_8BIT, policy=email.policy.compat32),
        email.message_from_bytes(RAW_8BIT, policy=email.policy.SMTP),  # written with CRLF
    ):
        assert serialised_size(parsed) == len(parsed.as_bytes())


def test_rendered_messages_count_as_they_serialise(example: Workspace) -> None:
    for name in ("password_reset", "order_confirmation"):
        msg = example.render(name, sample="en_basic").email
        assert serialised_size(msg) == len(msg.as_bytes())
