"""The router's own endpoints, called over real HTTP on loopback."""

from __future__ import annotations

import json
import socket
from email import message_from_bytes, policy

from studio.core.router import read_log
from tests.router.conftest import Running, sample


def _stored(running: Running) -> list:
    return [
        message_from_bytes(c.path.read_bytes(), policy=policy.default) for c in running.captured
    ]


def test_a_trigger_is_rendered_delivered_to_the_sink_and_its_events_kept(
    running: Running,
) -> None:
    c = running.client()
    status, body = c.call(
        "POST",
        "/v1/messages",
        {
            "template": "order_confirmation",
            "to": "ada@example.com",
            "locale": "fr-FR",
            "variables": sample(running.ws, "order_confirmation", "fr_fr"),
        },
        headers={"X-Studio-Application": "checkout"},
    )
    assert status == 202 and body["status"] == "delivered"
    [mail] = _stored(running)
    assert mail["X-Studio-Trigger"] == body["id"] and mail["To"] == "ada@example.com"
    assert mail["X-Studio-Application"] == "checkout"

    status, record = c.call("GET", f"/v1/messages/{body['id']}")
    assert status == 200
    assert [e["kind"] for e in record["events"]] == ["accepted", "rendered", "delivered"]
    assert record["message_id"] == str(mail["Message-ID"]).strip()
    assert record["application"] == "checkout" and record["journey"] == "Checkout"
    [logged] = list(read_log(running.ws.root / ".studio/router/triggers.jsonl"))
    assert logged.id == body["id"] and logged.status == "delivered"

    status, missing = c.call("GET", "/v1/messages/no-such-id")
    assert status == 404 and missing["error"]["code"] == "not-found"


def test_422_names_each_missing_and_mistyped_variable_with_lint_ids(running: Running) -> None:
    variables = sample(running.ws, "order_confirmation")
    del variables["customer"]
    del variables["order"]["number"]
    variables["order"]["lines"] = "three socks"
    status, body = running.client().call(
        "POST",
        "/v1/messages",
        {"template": "order_confirmation", "to": "ada@example.com", "variables": variables},
    )
    assert status == 422 and body["error"]["code"] == "invalid-variables"
    found = {(v["check"], v["variable"]) for v in body["error"]["variables"]}
    assert found == {
        ("template.undefined-variable", "customer"),
        ("template.undefined-variable", "order.number"),
        ("template.variable-type", "order.lines"),
    }
    assert running.captured == []  # nothing sent


def test_optional_variables_may_be_left_out(running: Running) -> None:
    # The template guards these with `is defined`: the router must not ask for them.
    variables = sample(running.ws, "order_confirmation")
    for key in ("recommendations", "referral", "loyalty"):
        variables.pop(key, None)
    status, body = running.client().call(
        "POST",
        "/v1/messages",
        {"template": "order_confirmation", "to": "ada@example.com", "variables": variables},
    )
    assert status == 202, body


def test_an_sms_is_stored_in_the_outbox_with_encoding_segments_and_cost(
    running: Running,
) -> None:
    variables = sample(running.ws, "shipping_notification")
    status, body = running.client().call(
        "POST",
        "/v1/messages",
        {
            "template": "shipping_notification",
            "channel": "sms",
            "to": "+44 7700 900123",
            "variables": variables,
        },
    )
    assert status == 202 and body["status"] == "delivered", body
    path = running.ws.root / ".studio/sms" / f"{body['id']}.json"
    stored = json.loads(path.read_text())
    sms = running.ws.render_sms("shipping_notification", variables=variables)
    assert stored["text"] == sms.text
    assert stored["encoding"] == sms.info.encoding
    assert stored["segments"] == list(sms.info.segments) and len(stored["segments"]) >= 1
    assert stored["cost"] == round(0.05 * len(stored["segments"]), 4)
    assert running.captured == []  # an SMS is not an e-mail

    status, bad = running.client().call(
        "POST",
        "/v1/messages",
        {
            "template": "shipping_notification",
            "channel": "sms",
            "to": "ada@example.com",
            "variables": variables,
        },
    )
    assert status == 422 and bad["error"]["code"] == "invalid-recipient"


def test_unknown_template_and_bad_bodies_are_json_errors(running: Running) -> None:
    c = running.client()
    status, body = c.call("POST", "/v1/messages", {"template": "nope", "to": "a@b.example"})
    assert status == 404 and body["error"]["code"] == "unknown-template"
    status, body = c.call("POST", "/v1/messages", {"to": "a@b.example"})
    assert status == 400 and "template" in body["error"]["message"]
    status, body = c.call("POST", "/v1/nothing-here", {})
    assert status == 404
    status, body = c.call("DELETE", "/v1/messages/x")
    assert status == 405


def test_the_server_keeps_serving_after_malformed_json(running: Running) -> None:
    c = running.client()
    status, body = c.call("POST", "/v1/messages", raw=b'{"template": "order_confirmation",')
    assert status == 400 and body["error"]["code"] == "invalid-json"
    assert "Traceback" not in json.dumps(body)
    # the same keep-alive connection, then a new one
    status, _ = c.call(
        "POST",
        "/v1/messages",
        {
            "template": "password_reset",
            "to": "a@b.example",
            "variables": sample(running.ws, "password_reset"),
        },
    )
    assert status == 202
    status, _ = running.client().call("GET", "/v1/stats")
    assert status == 200


def test_a_malformed_request_line_gets_a_json_answer(running: Running) -> None:
    with socket.create_connection((running.server.host, running.server.port), timeout=10) as s:
        s.sendall(b"NOT A REQUEST\r\n\r\n")
        reply = b""
        while chunk := s.recv(4096):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.") and b" 400 " in head.split(b"\r\n")[0]
    assert "error" in json.loads(body)


def test_requests_without_a_valid_key_are_refused(running: Running) -> None:
    body = {
        "template": "password_reset",
        "to": "a@b.example",
        "variables": sample(running.ws, "password_reset"),
    }
    status, reply = running.client(key=None).call("POST", "/v1/messages", body)
    assert status == 401 and reply["error"]["code"] == "unauthorized"
    status, _ = running.client(key="wrong").call("POST", "/v1/messages", body)
    assert status == 401
    status, _ = running.client(key=None).call("GET", "/v1/stats")
    assert status == 401
    assert running.captured == []


def test_an_application_key_names_the_application(running: Running) -> None:
    from tests.router.conftest import BILLING_KEY

    status, body = running.client(key=BILLING_KEY).call(
        "POST",
        "/v1/messages",
        {
            "template": "password_reset",
            "to": "a@b.example",
            "variables": sample(running.ws, "password_reset"),
        },
    )
    assert status == 202
    _, record = running.client().call("GET", f"/v1/messages/{body['id']}")
    assert record["application"] == "billing"


def test_a_10_mb_body_is_refused_and_the_server_goes_on(running: Running) -> None:
    c = running.client()
    huge = b'{"template": "password_reset", "pad": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    status, body = c.call("POST", "/v1/messages", raw=huge)
    assert status == 413 and body["error"]["code"] == "too-large"
    status, _ = running.client().call("GET", "/v1/stats")
    assert status == 200


def test_stats_count_what_was_triggered(running: Running) -> None:
    c = running.client()
    ok = sample(running.ws, "password_reset")
    for _ in range(2):
        c.call(
            "POST",
            "/v1/messages",
            {"template": "password_reset", "to": "a@b.example", "variables": ok},
            headers={"X-Studio-Application": "web"},
        )
    c.call(
        "POST", "/v1/messages", {"template": "password_reset", "to": "a@b.example", "variables": {}}
    )
    c.call("POST", "/v1/messages", {"template": "gift_card", "to": "a@b.example"})
    status, stats = c.call("GET", "/v1/stats")
    assert status == 200
    assert stats["total"]["triggered"] == 4 and stats["total"]["delivered"] == 2
    assert stats["by_template"]["password_reset"] == {
        "triggered": 3,
        "delivered": 2,
        "invalid": 1,
        "render_failures": 0,
        "refused": 0,
        "failed": 0,
    }
    assert stats["by_application"]["web"]["delivered"] == 2
    assert stats["by_journey"]["Account"]["triggered"] == 3
    assert stats["by_channel"]["email"]["triggered"] == 4
    assert stats["unknown_templates"] == {"gift_card": 1}
    assert any(k.startswith("password_reset: ") for k in stats["missing_variables"])


def test_payload_faults_are_422_or_400_not_500(running: Running) -> None:
    c = running.client()
    variables = sample(running.ws, "password_reset")
    variables["customer"] = {**variables["customer"], "first_name": "Ada\x07"}
    status, body = c.call(
        "POST",
        "/v1/messages",
        {"template": "password_reset", "to": "a@b.example", "variables": variables},
    )
    assert status == 422 and body["error"]["variables"][0]["variable"] == "customer.first_name"
    status, body = c.call("POST", "/v1/messages", raw=b"[" * 200_000 + b"]" * 200_000)
    assert status == 400 and body["error"]["code"] == "invalid-json"
    status, body = c.call(
        "POST",
        "/v1/messages",
        {
            "template": "password_reset",
            "to": "a@b.example\r\nBcc: x@y",
            "variables": sample(running.ws, "password_reset"),
        },
    )
    assert status == 422 and body["error"]["code"] == "invalid-recipient"
    assert running.captured == []
