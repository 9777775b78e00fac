"""The render pipeline: Jinja (sandboxed) → MJML (MRML) → tracking → text → MIME.

:func:`~studio.core.render.pipeline.renderer_for` gives a workspace's
:class:`~studio.core.render.pipeline.Renderer` (or a variant seeing unsaved
buffers); :func:`~studio.core.render.pipeline.render_mjml_file` compiles a lone MJML
file; :mod:`~studio.core.render.result` holds what a render returns. This package
imports none of them itself, so that naming a result type does not load Jinja.
"""
