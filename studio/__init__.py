"""Studio: transactional e-mail and SMS templates, preview, preflight and sending.

The public API is small::

    from studio import Workspace

    ws = Workspace.open("path/to/workspace")
    msg = ws.render("order_confirmation", sample="en_basic", locale="en-GB")
    msg.subject, msg.preheader, msg.html, msg.text
    msg.email            # a ready email.message.EmailMessage

Importing ``studio`` never loads Textual, Rich or Click.
"""

from __future__ import annotations

from .core.findings import Finding, Location, Severity
from .core.workspace import Sample, Workspace
from .errors import ConfigError, RenderError, StudioError

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "Finding",
    "Location",
    "RenderError",
    "Sample",
    "Severity",
    "StudioError",
    "Workspace",
    "__version__",
]
