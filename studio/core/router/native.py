"""Studio's own trigger API (``POST /v1/messages``): the request and the answer.

The request::

    {"template": "order_confirmation", "to": "ada@example.com" | [...],
     "locale": "fr-FR", "variables": {...}, "channel": "email" | "sms"}

The answer is ``{"id", "status"}`` (202 once delivered to the sink or relay), with
``"error": {"code", "message", "variables"?}`` when the trigger failed; an error of
the whole request is ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import re
from typing import Any

from .engine import Outcome, TriggerRequest
from .providers import ProviderError

LOCALE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")


def error(code: str, message: str) -> dict[str, Any]:
    """Studio's shape for an error of the whole request."""
    return {"error": {"code": code, "message": message}}


def parse(body: Any, *, application: str | None, locale: str | None) -> TriggerRequest:
    """Studio's own trigger body; a bad one is a 400 naming the key."""

    def bad(message: str) -> ProviderError:
        return ProviderError(400, error("bad-request", message))

    if not isinstance(body, dict):
        raise bad("the body must be a JSON object")
    template = body.get("template")
    if not isinstance(template, str) or not template:
        raise bad("template: expected a template name")
    to = body.get("to")
    recipients = [to] if isinstance(to, str) else to
    if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
        raise bad("to: expected an address (or phone number) or a list of them")
    variables = body.get("variables", {})
    if not isinstance(variables, dict):
        raise bad("variables: expected an object")
    channel = body.get("channel", "email")
    if channel not in ("email", "sms"):
        raise bad("channel: expected email or sms")
    body_locale = body.get("locale")
    if body_locale is not None and not (
        isinstance(body_locale, str) and LOCALE.match(body_locale)
    ):
        raise bad("locale: expected a tag like fr-FR")
    return TriggerRequest(
        template=template,
        recipients=tuple(recipients),
        variables=variables,
        locale=body_locale or locale,
        channel=channel,
        application=application,
    )


def answer(out: Outcome) -> dict[str, Any]:
    if out.ok:
        return {"id": out.record.id, "status": out.record.status}
    error: dict[str, Any] = {"code": out.code, "message": out.message}
    if out.problems:
        error["variables"] = [p.to_dict() for p in out.problems]
    return {"id": out.record.id, "status": out.record.status, "error": error}
