"""The render pipeline: Jinja (sandboxed) → MJML (MRML) → tracking → text → MIME.

:class:`~studio.core.render.pipeline.Renderer` runs it for a workspace;
:func:`~studio.core.render.pipeline.render_mjml_file` compiles a lone MJML file.
"""

from __future__ import annotations

from .pipeline import RenderedMessage, RenderedSms, Renderer, render_mjml_file

__all__ = ["RenderedMessage", "RenderedSms", "Renderer", "render_mjml_file"]
