"""Errors that Studio reports to its user.

Every error a user can cause (bad settings, a broken template, an unknown sample,
an unreachable relay) is a :class:`StudioError`. The CLI prints ``str(error)`` on
one line and exits with code 2; the TUI shows it in place. Findings about the
*content* of templates or DNS are data (:mod:`studio.core.findings`), never errors.

::

    StudioError
    ├── ConfigError        settings, brand tokens, sample JSON, unknown names
    ├── RenderError        Jinja, MJML or message-building failure
    │   └── TemplateNotFound
    ├── DnsError           a DNS operation that could not be made at all
    ├── SendError          SMTP relay or sink refused, unreachable, allow-list
    ├── SinkError          the local sink could not start or store
    ├── ShotError          screenshots could not be taken (studio.core.shots)
    └── SaveError          the studio could not save a buffer (studio.core.files)
"""

from __future__ import annotations


class StudioError(Exception):
    """Base class: a problem the user can fix, reported as one line."""

    exit_code = 2


class ConfigError(StudioError):
    """Settings, brand tokens or sample data are missing or malformed."""


class RenderError(StudioError):
    """A template could not be rendered.

    Attributes:
        file: the file the problem is in, when known (relative to the workspace).
        line: the 1-based line in that file, when known.
        kind: ``syntax`` (Jinja), ``mjml``, ``undefined`` (a variable), ``sandbox``,
            ``missing`` (a component or template) or ``error`` (anything else).
        variable: for ``undefined``, the variable as the template reads it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        kind: str = "error",
        variable: str | None = None,
    ):
        super().__init__(message)
        self.file = file
        self.line = line
        self.kind = kind
        self.variable = variable


class TemplateNotFound(RenderError):
    """A template or sample name that does not exist."""


class DnsError(StudioError):
    """A DNS operation that could not be made (bad nameserver, unreadable zone file)."""


class SendError(StudioError):
    """A message could not be sent (refused, unreachable, not allowed)."""


class SinkError(StudioError):
    """The local SMTP sink could not start or store a message."""
