"""Brevo's transactional e-mail (``POST /v3/smtp/email``), as far as a template send goes.

The request, as Brevo documents it::

    {"sender": {"name": "...", "email": "..."},
     "to": [{"email": "...", "name": "..."}],
     "templateId": 12, "params": {"firstname": "Ada"}}

``templateId`` is mapped to a Studio template by ``[router] brevo_templates``;
``params`` are the template's variables. The answer is Brevo's: ``201
{"messageId": "<...>"}``, or ``400 {"code": "...", "message": "..."}`` (``401`` with
``unauthorized`` for a bad key). Codes are Brevo's words where one fits
(``invalid_parameter``, ``missing_parameter``, ``unauthorized``); the message is
Studio's, naming each missing or mistyped variable.

Not emulated: ``htmlContent``/``textContent``, ``cc``, ``bcc``, ``attachment``,
``messageVersions`` (batches), ``scheduledAt``, ``batchId``; ``sender`` and
``subject`` come from the workspace and the template.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .engine import Outcome, TriggerRequest
from .providers import ProviderError, template_name


def error(code: str, message: str) -> dict[str, Any]:
    return {"code": code, "message": message}


def parse(
    body: Any,
    templates: Mapping[str, str],
    *,
    application: str | None,
    locale: str | None,
) -> TriggerRequest:
    """The trigger of one request.

    Raises:
        ProviderError: a request Brevo would refuse (400, in Brevo's shape).
    """
    if not isinstance(body, dict):
        raise ProviderError(400, error("bad_request", "the body must be a JSON object"))
    for key in ("htmlContent", "textContent", "messageVersions"):
        if key in body:
            raise ProviderError(
                400, error("invalid_parameter", f"{key} is not emulated: Studio sends templates")
            )
    if "templateId" not in body:
        raise ProviderError(400, error("missing_parameter", "templateId is missing"))
    name = template_name(templates, body["templateId"])
    if name is None:
        raise ProviderError(
            400,
            error(
                "invalid_parameter",
                f"templateId {body['templateId']!r} is not mapped to a Studio template"
                " ([router] brevo_templates)",
            ),
        )
    to = body.get("to")
    if not isinstance(to, list) or not to:
        raise ProviderError(400, error("missing_parameter", "to is missing"))
    if not all(isinstance(t, dict) and isinstance(t.get("email"), str) for t in to):
        raise ProviderError(
            400, error("invalid_parameter", 'to: expected a list of {"email": ...} objects')
        )
    params = body.get("params", {})
    if not isinstance(params, dict):
        raise ProviderError(400, error("invalid_parameter", "params: expected an object"))
    return TriggerRequest(
        template=name,
        recipients=tuple(t["email"] for t in to),
        variables=params,
        locale=locale,
        api="brevo",
        application=application,
    )


def outcome_error(out: Outcome) -> dict[str, Any]:
    """A failed trigger in Brevo's error shape (its status is the outcome's)."""
    if out.problems:
        listed = "; ".join(p.message for p in out.problems)
        return error("invalid_parameter", f"params: {listed}")
    code = {
        "unknown-template": "invalid_parameter",
        "invalid-recipient": "invalid_parameter",
        "recipient-not-allowed": "permission_denied",
    }.get(out.code or "", "bad_request")
    return error(code, out.message)


def success(out: Outcome) -> dict[str, Any]:
    return {"messageId": out.record.message_id or f"<{out.record.id}@studio>"}
