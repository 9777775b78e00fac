"""Trigger payloads: the JSON an application posts to send a transactional message.

``studio send --vars FILE`` replays one locally. A payload names the template, the
recipient(s) and the variables::

    {"template": "password_reset", "to": "ada@example.com",
     "locale": "en-GB", "variables": {"customer": {...}, "reset": {...}}}

A file without a ``variables`` object is taken as the variables themselves (as
``studio render --vars`` reads it). Other top-level keys (an event id, a
timestamp) are ignored, as an application's own metadata.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from .workspace import is_plain_name


@dataclass(frozen=True)
class Trigger:
    template: str | None = None
    recipients: tuple[str, ...] = ()
    locale: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)


def _text(data: Mapping[str, Any], key: str, source: str) -> str | None:
    value = data.get(key)
    if value is not None and not (isinstance(value, str) and value.strip()):
        raise ConfigError(f"{source}: {key} = {value!r}: expected a non-empty string")
    return value


def parse_trigger(data: Mapping[str, Any], source: str) -> Trigger:
    """A :class:`Trigger` from a payload (or plain variables); errors name ``source``."""
    if not isinstance(data.get("variables"), Mapping):
        if "variables" in data:
            raise ConfigError(f"{source}: variables: expected a JSON object")
        return Trigger(variables=dict(data))
    recipients: list[str] = []
    for key in ("to", "recipient", "recipients"):
        value = data.get(key)
        if value is None:
            continue
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ConfigError(f"{source}: {key}: expected an address or a list of addresses")
        recipients += values
    template = _text(data, "template", source)
    if template is not None and not is_plain_name(template):
        raise ConfigError(
            f"{source}: template = {template!r}: expected a template name as"
            " `studio inventory` lists it (templates/<name>.mjml), not a path"
        )
    return Trigger(
        template=template,
        recipients=tuple(recipients),
        locale=_text(data, "locale", source),
        variables=dict(data["variables"]),
    )
