"""The provider-compatible endpoints, with requests shaped as each provider documents them
(written here from the public API references, not copied): an application's existing
client pointed at Studio gets the provider's answers."""

from __future__ import annotations

import base64
from email import message_from_bytes, policy

from tests.router.conftest import BREVO_ID, KEY, MAILJET_ID, Running, sample


def _basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_mailjet_send_v31_with_a_template(running: Running) -> None:
    # Mailjet's client authenticates with Basic auth: API key as the user, secret as
    # the password. Studio checks the secret against its key.
    c = running.client(key=None)
    request = {
        "Messages": [
            {
                "From": {"Email": "pilot@mapleandmoss.example", "Name": "Maple & Moss"},
                "To": [{"Email": "passenger1@example.com", "Name": "Passenger 1"}],
                "TemplateID": MAILJET_ID,
                "TemplateLanguage": True,
                "Subject": "ignored: the template has its own",
                "Variables": sample(running.ws, "order_confirmation"),
            }
        ]
    }
    status, body = c.call("POST", "/v3.1/send", request, headers=_basic("public", KEY))
    assert status == 200, body
    [message] = body["Messages"]
    assert message["Status"] == "success"
    [to] = message["To"]
    assert to["Email"] == "passenger1@example.com" and isinstance(to["MessageID"], int)
    assert to["MessageHref"].endswith(to["MessageUUID"])
    [captured] = running.captured
    mail = message_from_bytes(captured.path.read_bytes(), policy=policy.default)
    assert mail["X-Studio-Trigger"] == to["MessageUUID"]
    status, record = running.client().call("GET", f"/v1/messages/{to['MessageUUID']}")
    assert status == 200 and record["api"] == "mailjet" and record["status"] == "delivered"


def test_mailjet_error_shapes(running: Running) -> None:
    c = running.client(key=None)
    auth = _basic("public", KEY)
    variables = sample(running.ws, "order_confirmation")
    del variables["customer"]
    good = sample(running.ws, "order_confirmation")
    batch = {
        "Messages": [
            {"To": [{"Email": "a@example.com"}], "TemplateID": MAILJET_ID, "Variables": good},
            {"To": [{"Email": "b@example.com"}], "TemplateID": MAILJET_ID, "Variables": variables},
        ]
    }
    status, body = c.call("POST", "/v3.1/send", batch, headers=auth)
    assert status == 400
    first, second = body["Messages"]
    assert first["Status"] == "error" and second["Status"] == "error"
    [err] = second["Errors"]
    assert err["StatusCode"] == 422 and err["ErrorRelatedTo"] == ["Variables.customer"]
    assert {"ErrorIdentifier", "ErrorCode", "ErrorMessage"} <= set(err)
    assert running.captured == []  # a batch with a bad message sends none

    status, body = c.call(
        "POST",
        "/v3.1/send",
        {"Messages": [{"To": [{"Email": "a@example.com"}], "TemplateID": 999}]},
        headers=auth,
    )
    assert status == 400 and "999" in body["Messages"][0]["Errors"][0]["ErrorMessage"]
    status, body = c.call("POST", "/v3.1/send", raw=b"{oops", headers=auth)
    assert status == 400 and set(body) == {"ErrorIdentifier", "StatusCode", "ErrorMessage"}
    status, body = c.call("POST", "/v3.1/send", {"Messages": []})
    assert status == 401 and body["StatusCode"] == 401


def test_brevo_transactional_email_with_a_template(running: Running) -> None:
    c = running.client(key=None)
    request = {
        "sender": {"name": "Maple & Moss", "email": "orders@mail.mapleandmoss.example"},
        "to": [{"email": "jimmy@example.com", "name": "Jimmy"}],
        "templateId": BREVO_ID,
        "params": sample(running.ws, "password_reset"),
    }
    status, body = c.call("POST", "/v3/smtp/email", request, headers={"api-key": KEY})
    assert status == 201, body
    [captured] = running.captured
    mail = message_from_bytes(captured.path.read_bytes(), policy=policy.default)
    assert str(mail["Message-ID"]).strip() == body["messageId"]
    assert mail["To"] == "jimmy@example.com"


def test_brevo_error_shapes(running: Running) -> None:
    c = running.client(key=None)
    params = sample(running.ws, "password_reset")
    del params["reset"]
    status, body = c.call(
        "POST",
        "/v3/smtp/email",
        {"to": [{"email": "j@example.com"}], "templateId": BREVO_ID, "params": params},
        headers={"api-key": KEY},
    )
    assert status == 422 and set(body) == {"code", "message"} and "reset" in body["message"]
    status, body = c.call(
        "POST", "/v3/smtp/email", {"to": [{"email": "j@example.com"}]}, headers={"api-key": KEY}
    )
    assert status == 400 and body["code"] == "missing_parameter"
    status, body = c.call(
        "POST",
        "/v3/smtp/email",
        {"to": [{"email": "j@example.com"}], "templateId": BREVO_ID},
        headers={"api-key": "not-the-key"},
    )
    assert status == 401 and body["code"] == "unauthorized"
    assert running.captured == []
