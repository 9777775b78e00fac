"""When the preview renders, and what it renders.

A keystroke asks for a render. When none is running it starts at once; when one
is, the request is remembered and a single render starts as soon as the running
one is shown, with everything typed meanwhile. Each render gets a generation
number so that a result that was superseded is dropped. :func:`render_preview`
is what the worker runs. Plain Python: the app starts the worker for the
generation the scheduler returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.workspace import Workspace
from ..errors import StudioError

if TYPE_CHECKING:  # the renderer is imported on first render, after the first paint
    from ..core.render.pipeline import RenderedMessage, RenderedSms


@dataclass(frozen=True)
class Preview:
    """A render of the preview: the message (and SMS), or why it failed."""

    message: RenderedMessage | None
    sms: RenderedSms | None
    error: StudioError | None


def render_preview(
    workspace: Workspace,
    template: str,
    sample: str | None,
    locale: str | None,
    buffers: Mapping[str, str],
) -> Preview:
    """The template (and its SMS) as the editor's unsaved ``buffers`` make it; never raises.

    ``buffers`` (workspace-relative path -> text) stand in for the files for this
    render only. Any failure, including a file on disk that cannot be read (not
    UTF-8, now a folder), is the preview's error: it must never stop the studio
    and lose the buffers.
    """
    try:
        # Imported here, in the worker: the first paint does not wait for the renderer.
        from ..core.render.pipeline import renderer_for

        renderer = renderer_for(workspace, buffers)
        msg = renderer.render(template, sample=sample, locale=locale)
        sms = None
        if workspace.sms_template_path(template).is_file():
            sms = renderer.render_sms(template, sample=sample, locale=locale)
        return Preview(msg, sms, None)
    except StudioError as exc:
        return Preview(None, None, exc)
    except Exception as exc:  # noqa: BLE001 - see above
        return Preview(None, None, StudioError(f"cannot render {template}: {exc}"))


class RenderScheduler:
    def __init__(self) -> None:
        self.generation = 0
        """The generation of the latest render started."""
        self.running = False
        self.wanted = False
        """A render was asked for while one was running."""

    @property
    def busy(self) -> bool:
        """A render is running or waiting: the preview is about to change."""
        return self.running or self.wanted

    def request(self) -> int | None:
        """The generation to render now, or None when one is running (it is remembered)."""
        if self.running:
            self.wanted = True
            return None
        return self._start()

    def finished(self) -> int | None:
        """The running render is done: the generation of the next one to start, if wanted."""
        self.running = False
        return self._start() if self.wanted else None

    def is_latest(self, generation: int) -> bool:
        return generation == self.generation

    def _start(self) -> int:
        self.running = True
        self.wanted = False
        self.generation += 1
        return self.generation
