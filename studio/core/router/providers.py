"""What the provider-compatible endpoints share: a request error in the provider's shape."""

from __future__ import annotations

from typing import Any


class ProviderError(Exception):
    """A request the endpoint refuses before any trigger: its status and body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(str(body))
        self.status = status
        self.body = body


def template_name(mapping: dict[str, str] | Any, template_id: Any) -> str | None:
    """The Studio template a provider's template id stands for (ids compare as text)."""
    if isinstance(template_id, bool) or not isinstance(template_id, (int, str)):
        return None
    return mapping.get(str(template_id))
