"""Mailjet's Send API v3.1 (``POST /v3.1/send``), as far as a template send goes.

The request, as Mailjet documents it::

    {"Messages": [{"From": {"Email": "...", "Name": "..."},
                   "To": [{"Email": "...", "Name": "..."}],
                   "TemplateID": 4412345, "TemplateLanguage": true,
                   "Variables": {"firstname": "Ada"}}],
     "Globals": {...}}

Each message's ``TemplateID`` is mapped to a Studio template by
``[router] mailjet_templates``; ``Variables`` (over ``Globals``) are the template's
variables. The answer is Mailjet's: ``200 {"Messages": [{"Status": "success", "To":
[{"Email", "MessageUUID", "MessageID", "MessageHref"}]}]}``, or ``400`` with each
message's ``Status`` and ``Errors`` (``ErrorIdentifier``, ``ErrorCode``,
``StatusCode``, ``ErrorMessage``, ``ErrorRelatedTo``). A batch with one bad message
sends none. Error codes are Studio's own (``studio-...``), in Mailjet's fields.

Not emulated: ``HTMLPart``/``TextPart`` (content not from a template), ``Cc``,
``Bcc``, attachments, ``SandboxMode``, ``CustomCampaign``, scheduling; ``From`` and
``Subject`` come from the workspace and the template, as Studio renders them.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from .engine import Outcome, TriggerRequest
from .providers import ProviderError, template_name

_ids = itertools.count(1)
_ids_lock = threading.Lock()


def error(status: int, message: str) -> dict[str, Any]:
    """Mailjet's shape for an error of the whole request (auth, size, JSON)."""
    return {"ErrorIdentifier": str(uuid.uuid4()), "StatusCode": status, "ErrorMessage": message}


def _message_error(code: str, status: int, message: str, related: Sequence[str]) -> dict[str, Any]:
    return {
        "ErrorIdentifier": str(uuid.uuid4()),
        "ErrorCode": code,
        "StatusCode": status,
        "ErrorMessage": message,
        "ErrorRelatedTo": list(related),
    }


def parse(
    body: Any,
    templates: Mapping[str, str],
    *,
    application: str | None,
    locale: str | None,
) -> list[TriggerRequest | dict[str, Any]]:
    """One trigger per message, or the message's error (in Mailjet's shape).

    Raises:
        ProviderError: the body is not a ``Messages`` request at all.
    """
    if not isinstance(body, dict) or not isinstance(body.get("Messages"), list):
        raise ProviderError(400, error(400, 'A "Messages" array of messages is required.'))
    messages = body["Messages"]
    if not messages:
        raise ProviderError(400, error(400, '"Messages" is empty.'))
    globals_ = body.get("Globals")
    shared = globals_.get("Variables") if isinstance(globals_, dict) else None
    shared = shared if isinstance(shared, dict) else {}
    parsed: list[TriggerRequest | dict[str, Any]] = []
    for m in messages:
        if not isinstance(m, dict):
            parsed.append(_message_error("studio-message", 400, "A message must be an object.", []))
            continue
        if "HTMLPart" in m or "TextPart" in m or "TemplateID" not in m:
            parsed.append(
                _message_error(
                    "studio-template-only",
                    400,
                    "Studio sends templates: give TemplateID (HTMLPart and TextPart are"
                    " not emulated).",
                    ["TemplateID"],
                )
            )
            continue
        name = template_name(templates, m["TemplateID"])
        if name is None:
            parsed.append(
                _message_error(
                    "studio-unknown-template",
                    400,
                    f"TemplateID {m['TemplateID']!r} is not mapped to a Studio template"
                    " ([router] mailjet_templates).",
                    ["TemplateID"],
                )
            )
            continue
        to = m.get("To")
        if (
            not isinstance(to, list)
            or not to
            or not all(isinstance(t, dict) and isinstance(t.get("Email"), str) for t in to)
        ):
            parsed.append(
                _message_error(
                    "studio-to", 400, '"To" must be a list of {"Email": ...} objects.', ["To"]
                )
            )
            continue
        variables = m.get("Variables", {})
        if not isinstance(variables, dict):
            parsed.append(
                _message_error("studio-variables", 400, '"Variables" must be an object.', [])
            )
            continue
        parsed.append(
            TriggerRequest(
                template=name,
                recipients=tuple(t["Email"] for t in to),
                variables={**shared, **variables},
                locale=locale,
                api="mailjet",
                application=application,
            )
        )
    return parsed


def outcome_error(out: Outcome) -> dict[str, Any]:
    """A failed trigger as Mailjet's per-message error."""
    if out.problems:
        errors = [
            _message_error(
                "studio-" + p.check.split(".", 1)[1],
                out.status,
                p.message,
                [f"Variables.{p.variable}"],
            )
            for p in out.problems
        ]
    else:
        errors = [_message_error(f"studio-{out.code}", out.status, out.message, [])]
    return {"Status": "error", "Errors": errors}


def success(out: Outcome, href: str) -> dict[str, Any]:
    with _ids_lock:
        number = next(_ids)
    return {
        "Status": "success",
        "CustomID": "",
        "To": [
            {
                "Email": r,
                "MessageUUID": out.record.id,
                "MessageID": number,
                "MessageHref": f"{href}/{out.record.id}",
            }
            for r in out.record.recipients
        ],
        "Cc": [],
        "Bcc": [],
    }
