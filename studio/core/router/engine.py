"""The router's one use case: a trigger in, a message rendered and delivered, a record kept.

Every endpoint (Studio's own ``/v1/messages``, Mailjet's ``/v3.1/send``, Brevo's
``/v3/smtp/email``) turns its request into :class:`TriggerRequest` values and hands
them here; only the shape of the answer differs. :meth:`Router.prepare` checks and
renders without sending (so a batch can be refused whole), :meth:`Router.deliver`
sends what was prepared; :meth:`Router.trigger` does both.

Outcomes carry an HTTP status, the API's own error codes, and the
:class:`~studio.core.router.store.TriggerRecord` that the store keeps.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from ...errors import ConfigError, RenderError, SendError, StudioError
from ..render.pipeline import renderer_for
from ..safe_text import printable
from ..send import RelayTransport, Transport, validate_recipient
from .store import SmsOutbox, StoredSms, TriggerRecord, TriggerStore, now_iso
from .validate import MISSING, MISTYPED, VariableProblem, check_variables

if TYPE_CHECKING:
    from ..workspace import Workspace

CHANNELS = ("email", "sms")
_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{4,22}$")


@dataclass(frozen=True)
class TriggerRequest:
    """What an application asks for, whatever API it used."""

    template: str
    recipients: tuple[str, ...]
    variables: Mapping[str, Any] = field(default_factory=dict)
    locale: str | None = None
    channel: str = "email"
    api: str = "studio"
    application: str | None = None


@dataclass
class Outcome:
    """How a trigger ended: the record, and what the API answers."""

    record: TriggerRecord
    status: int
    """202 accepted; 404 unknown template; 422 bad variables or recipients; 403 refused;
    500 the template does not render; 502 the sink or relay could not be reached."""
    code: str | None = None
    """A stable error code: ``unknown-template``, ``invalid-variables``,
    ``invalid-recipient``, ``invalid-locale``, ``recipient-not-allowed``,
    ``render-failed``, ``delivery-failed``."""
    message: str = ""
    problems: list[VariableProblem] = field(default_factory=list)
    ready: EmailMessage | StoredSms | None = None

    @property
    def ok(self) -> bool:
        return self.status < 300


def _one_line(text: str) -> str:
    return printable(text, one_line=True)[:500]


def is_refusal(reason: str) -> bool:
    """A SendError that is the server's answer (a sink fault rule, a 5xx), not no answer."""
    return " refused " in f" {reason} " and "connection refused" not in reason


class Router:
    """Renders triggers with the workspace's saved files and delivers them.

    Args:
        workspace: the workspace (templates, samples, settings).
        transport: where e-mail goes: the sink, or a relay (its allow-list applies).
        store: the trigger log.
        outbox: where SMS go.
        on_trigger: called with each finished record (the CLI prints a line).
    """

    def __init__(
        self,
        workspace: Workspace,
        *,
        transport: Transport,
        store: TriggerStore,
        outbox: SmsOutbox,
        on_trigger: Callable[[TriggerRecord], None] | None = None,
    ) -> None:
        self.workspace = workspace
        self.transport = transport
        self.store = store
        self.outbox = outbox
        self.on_trigger = on_trigger

    # -- the steps -------------------------------------------------------------

    def _fail(self, out: Outcome, status: int, code: str, message: str, kind: str) -> Outcome:
        out.status, out.code, out.message = status, code, _one_line(message)
        out.record.status = kind
        out.record.event(kind, out.message)
        return out

    def prepare(self, req: TriggerRequest) -> Outcome:
        """Check and render ``req``; nothing is sent. A failed outcome is already final."""
        ws = self.workspace
        record = TriggerRecord(
            id=str(uuid.uuid4()),
            received=now_iso(),
            template=req.template,
            channel=req.channel,
            api=req.api,
            application=req.application,
            recipients=tuple(req.recipients),
        )
        record.event("accepted", f"via {req.api}")
        out = Outcome(record, 202)
        if req.channel not in CHANNELS:
            return self._fail(
                out,
                422,
                "invalid-channel",
                f"channel {req.channel!r}: expected email or sms",
                "invalid",
            )
        try:
            tpl = (
                ws.template(req.template)
                if req.channel == "email"
                else ws.sms_template(req.template)
            )
        except StudioError:
            return self._fail(
                out,
                404,
                "unknown-template",
                f"no {req.channel} template {req.template!r} in the workspace",
                "unknown-template",
            )
        except Exception as exc:  # noqa: BLE001 - an unreadable file is the template's fault
            return self._fail(out, 500, "render-failed", str(exc), "render-failed")
        record.journey = tpl.meta.journey
        if not req.recipients:
            return self._fail(out, 422, "invalid-recipient", "no recipient", "invalid")
        if req.channel == "email":
            try:
                rcpts = tuple(validate_recipient(r) for r in req.recipients)
            except (SendError, RenderError) as exc:  # RenderError: CR/LF in an address
                return self._fail(out, 422, "invalid-recipient", str(exc), "invalid")
            try:
                rcpts = self.transport.check_recipients(rcpts)
            except SendError as exc:
                return self._fail(out, 403, "recipient-not-allowed", str(exc), "refused")
        else:
            bad = [r for r in req.recipients if not _PHONE.match(r)]
            if bad:
                return self._fail(
                    out, 422, "invalid-recipient", f"{bad[0]!r} is not a phone number", "invalid"
                )
            rcpts = tuple(req.recipients)
        record.recipients = rcpts

        env = renderer_for(ws).env
        problems = check_variables(env, tpl, req.variables)
        if problems:
            out.problems = problems
            record.problems = [p.to_dict() for p in problems]
            names = ", ".join(p.variable for p in problems)
            return self._fail(out, 422, "invalid-variables", f"variables: {names}", "invalid")
        try:
            if req.channel == "email":
                msg = ws.render(req.template, variables=dict(req.variables), locale=req.locale)
                email = msg.email
                email["To"] = ", ".join(rcpts)
                email["X-Studio-Trigger"] = record.id
                if req.application:
                    email["X-Studio-Application"] = req.application
                out.ready = email
                record.message_id = str(email.get("Message-ID", "")) or None
            else:
                sms = ws.render_sms(req.template, variables=dict(req.variables), locale=req.locale)
                cost = ws.settings.router.sms_segment_cost * sms.info.count * len(rcpts)
                out.ready = StoredSms(
                    id=record.id,
                    received=record.received,
                    template=req.template,
                    to=rcpts,
                    application=req.application,
                    text=sms.text,
                    encoding=sms.info.encoding,
                    units=sms.info.units,
                    segments=sms.info.segments,
                    cost=round(cost, 4),
                    currency=ws.settings.router.sms_currency,
                )
                record.message_id = record.id
        except RenderError as exc:
            if exc.kind in ("undefined", "error") and exc.variable:
                # a variable the static check could not see, or one holding what no
                # message can carry (a control character): the payload's fault
                check = MISSING if exc.kind == "undefined" else MISTYPED
                p = VariableProblem(check, exc.variable, "value", _one_line(str(exc)))
                out.problems = [p]
                record.problems = [p.to_dict()]
                return self._fail(
                    out, 422, "invalid-variables", f"variables: {p.variable}", "invalid"
                )
            return self._fail(out, 500, "render-failed", str(exc), "render-failed")
        except ConfigError as exc:  # an unknown locale
            return self._fail(out, 422, "invalid-locale", str(exc), "invalid")
        record.event("rendered", record.message_id or "")
        return out

    def deliver(self, out: Outcome) -> Outcome:
        """Send what :meth:`prepare` made; record and log the outcome."""
        record = out.record
        if out.ok and isinstance(out.ready, StoredSms):
            try:
                path = self.outbox.store(out.ready)
            except OSError as exc:
                self._fail(out, 502, "delivery-failed", f"SMS outbox: {exc}", "failed")
            else:
                sms = out.ready
                record.status = "delivered"
                record.event(
                    "delivered",
                    f"SMS outbox {path.name}: {sms.encoding}, {len(sms.segments)} segment(s)",
                )
        elif out.ok and isinstance(out.ready, EmailMessage):
            try:
                result = self.transport.send(out.ready, record.recipients)
            except SendError as exc:
                reason = str(exc)
                if is_refusal(reason):
                    # The sink (a fault rule) or the relay answered no: the trigger
                    # was accepted, its delivery refused, as a provider reports it.
                    out.message = _one_line(reason)
                    record.status = "refused"
                    record.event("refused", out.message)
                else:
                    self._fail(out, 502, "delivery-failed", reason, "failed")
            else:
                relayed = isinstance(self.transport, RelayTransport)
                record.status = "relayed" if relayed else "delivered"
                record.event(record.status, _one_line(f"{result.transport}: {result.reply}"))
        out.ready = None
        self.store.add(record)
        if self.on_trigger is not None:
            self.on_trigger(record)
        return out

    def trigger(self, req: TriggerRequest) -> Outcome:
        """Check, render and deliver one trigger."""
        out = self.prepare(req)
        return self.deliver(out)
