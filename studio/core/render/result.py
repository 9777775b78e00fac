"""What a render produces: :class:`RenderedMessage` and :class:`RenderedSms`.

Plain values with no tie to a workspace or a renderer, so that the workspace can
name them (``Workspace.render`` returns one) without importing the pipeline.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import cached_property
from typing import Any

from ..sms import SmsInfo
from ..templates import Template
from .include import Expanded


@dataclass(frozen=True)
class RenderedMessage:
    """Everything a render produces.

    Attributes:
        template: the template name (None for a lone MJML file).
        sample: the sample set's name, when one was used.
        locale: the locale rendered in, e.g. ``fr-FR``.
        subject, preheader: rendered from the front matter.
        mjml: the MJML after Jinja and link tagging (what MRML compiled).
        html: the final HTML part.
        text: the plain-text part.
        email: a ready :class:`EmailMessage` (no To: the sender adds it), built lazily.
        meta_source: the template as loaded (front matter and body), if any.
        warnings: MRML's warnings.
        timings: seconds spent in each stage of :data:`STAGES`.
    """

    template: str | None
    sample: str | None
    locale: str
    subject: str
    preheader: str
    mjml: str
    html: str
    text: str
    build_email: Callable[[RenderedMessage], EmailMessage] = field(repr=False, compare=False)
    meta_source: Template | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    mjml_source: Expanded | None = field(default=None, repr=False, compare=False)
    """The MJML MRML compiled (includes spliced) and where each part came from."""

    @cached_property
    def email(self) -> EmailMessage:
        """The MIME message, built on first use (previews never need it).

        A fresh Message-ID and Date are set when it is built; the ``mime`` entry of
        :attr:`timings` records the cost.
        """
        t0 = time.perf_counter()
        msg = self.build_email(self)
        self.timings["mime"] = time.perf_counter() - t0
        return msg

    @property
    def size(self) -> int:
        """Size of the HTML part in bytes (what Gmail's 102 KB clipping counts)."""
        html = self.html
        return len(html) if html.isascii() else len(html.encode("utf-8"))

    def to_dict(self) -> dict[str, object]:
        """The render as ``studio render --format json`` prints it."""
        return {
            "template": self.template,
            "sample": self.sample,
            "locale": self.locale,
            "subject": self.subject,
            "preheader": self.preheader,
            "html": self.html,
            "text": self.text,
            "size": self.size,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class RenderedSms:
    """A rendered SMS template: its text and how it is encoded and split."""

    template: str
    sample: str | None
    locale: str
    text: str
    info: SmsInfo
    meta_source: Template | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)
