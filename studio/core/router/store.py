"""What the router keeps: a log of every trigger, and the SMS outbox.

* :class:`TriggerStore`: one JSON line per trigger in ``[router] events``
  (``.studio/router/triggers.jsonl``), appended under a lock as each trigger ends,
  and the recent ones in memory for ``GET /v1/messages/{id}``. ``studio stats`` and
  ``studio inventory`` read the file, so they work whether the router runs or not.
* :class:`SmsOutbox`: the SMS the router "sent", one JSON file each in
  ``[router] sms_outbox`` (``.studio/sms``, beside the Maildir), written to a
  temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ...errors import ConfigError

KEEP_IN_MEMORY = 10_000
"""Triggers ``GET /v1/messages/{id}`` can still answer for (the file keeps them all)."""


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Event:
    """One step of a trigger: accepted, rendered, delivered, relayed, refused, invalid, failed."""

    at: str
    kind: str
    detail: str = ""


@dataclass
class TriggerRecord:
    """One trigger, from its request to its outcome."""

    id: str
    received: str
    template: str | None
    channel: str
    api: str
    """``studio``, ``mailjet`` or ``brevo``: which endpoint it came through."""
    application: str | None
    recipients: tuple[str, ...] = ()
    journey: str | None = None
    status: str = "accepted"
    """``delivered`` (to the sink or the SMS outbox), ``relayed``, ``invalid`` (422),
    ``unknown-template``, ``render-failed``, ``refused`` (by the sink or the relay's
    allow-list) or ``failed``."""
    events: list[Event] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)
    message_id: str | None = None
    """The e-mail's Message-ID, or the SMS's file name in the outbox."""

    def event(self, kind: str, detail: str = "") -> None:
        self.events.append(Event(now_iso(), kind, detail))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["recipients"] = list(self.recipients)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TriggerRecord:
        return cls(
            id=str(data["id"]),
            received=str(data.get("received", "")),
            template=data.get("template"),
            channel=str(data.get("channel", "email")),
            api=str(data.get("api", "studio")),
            application=data.get("application"),
            recipients=tuple(data.get("recipients") or ()),
            journey=data.get("journey"),
            status=str(data.get("status", "accepted")),
            events=[Event(**e) for e in data.get("events") or ()],
            problems=list(data.get("problems") or ()),
            message_id=data.get("message_id"),
        )


class TriggerStore:
    """The trigger log (a JSON-lines file) and the recent triggers by id."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, TriggerRecord] = OrderedDict()
        self._file: Any = None

    def add(self, record: TriggerRecord) -> None:
        line = json.dumps(record.to_dict(), ensure_ascii=False) + "\n"
        with self._lock:
            if self._file is None:
                try:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    self._file = self.path.open("a", encoding="utf-8")
                except OSError as exc:
                    raise ConfigError(f"{self.path}: cannot write the trigger log: {exc}") from None
            self._file.write(line)
            self._file.flush()
            self._recent[record.id] = record
            while len(self._recent) > KEEP_IN_MEMORY:
                self._recent.popitem(last=False)

    def get(self, trigger_id: str) -> TriggerRecord | None:
        with self._lock:
            return self._recent.get(trigger_id)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def records(self) -> list[TriggerRecord]:
        """Every trigger in the log, oldest first (a torn or foreign line is skipped)."""
        with self._lock:
            if self._file is not None:
                self._file.flush()
        return list(read_log(self.path))


def read_log(path: Path) -> Iterator[TriggerRecord]:
    """The triggers of a log file (none when it does not exist yet)."""
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the trigger log: {exc}") from None
    with handle:
        for line in handle:
            try:
                yield TriggerRecord.from_dict(json.loads(line))
            except (ValueError, KeyError, TypeError):
                continue  # a line cut by a crash, or not ours


@dataclass(frozen=True)
class StoredSms:
    """One SMS of the outbox."""

    id: str
    received: str
    template: str
    to: tuple[str, ...]
    application: str | None
    text: str
    encoding: str
    units: int
    segments: tuple[str, ...]
    cost: float
    currency: str

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["to"], data["segments"] = list(self.to), list(self.segments)
        return data


class SmsOutbox:
    """SMS the router rendered, one JSON file each (the e-mail goes to the Maildir)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def store(self, sms: StoredSms) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        final = self.root / f"{sms.id}.json"
        tmp = self.root / f".{sms.id}.tmp"
        tmp.write_text(json.dumps(sms.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, final)
        return final

    def list(self) -> list[StoredSms]:
        """Every stored SMS, oldest first (an unreadable file is skipped)."""
        found = []
        try:
            paths = sorted(self.root.glob("*.json"))
        except OSError:
            return []
        for path in paths:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                found.append(
                    StoredSms(
                        id=str(data["id"]),
                        received=str(data["received"]),
                        template=str(data["template"]),
                        to=tuple(data["to"]),
                        application=data.get("application"),
                        text=str(data["text"]),
                        encoding=str(data["encoding"]),
                        units=int(data["units"]),
                        segments=tuple(data["segments"]),
                        cost=float(data.get("cost", 0.0)),
                        currency=str(data.get("currency", "")),
                    )
                )
            except (OSError, ValueError, KeyError, TypeError):
                continue
        found.sort(key=lambda s: (s.received, s.id))
        return found

    def clear(self) -> int:
        n = 0
        for path in self.root.glob("*.json"):
            path.unlink(missing_ok=True)
            n += 1
        return n
