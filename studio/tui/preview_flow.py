"""The studio's preview flow: render in a worker as the user types, then check the result.

One render runs at a time (``scheduler.RenderScheduler``); edits made meanwhile are
coalesced into the next one. Once typing pauses, the shown message is checked in
another worker. Results of superseded renders, or arriving while the app closes, are
dropped. ``settling`` says whether a render or its checks are still to come.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from .base import StudioBase
from .messages import FindingsComputed, PreviewRendered, RenderFinished
from .scheduler import render_preview

if TYPE_CHECKING:  # the renderer is imported on first render, after the first paint
    from ..core.render.pipeline import RenderedMessage, RenderedSms


FINDINGS_DELAY = 0.15  # s of quiet after a preview before its checks run


class PreviewFlow(StudioBase):
    """Rendering and checking the previewed message: part of ``StudioApp``."""

    def request_render(self) -> None:
        """Render now when idle; otherwise once the render in flight is shown.

        Before the first frame is on screen the render waits (``on_ready`` asks
        again): its worker thread would compete with the first paint for the
        interpreter.
        """
        if self.template is None:
            return
        if not self.painted:
            self.render_deferred = True
            return
        self.pixel_cancel()  # the pixel preview in flight is for older text
        generation = self.renders.request()
        if generation is not None:
            self.start_render(generation)

    def choice(self, select_id: str) -> str | None:
        """The sample or locale picked (``#sample``, ``#locale``), or None."""
        return self.pane.choice(select_id.removeprefix("#"))

    def start_render(self, generation: int) -> None:
        assert self.template is not None
        self.sync_editor()
        buffers = self.buffers.unsaved_texts()
        self.browser.follow(buffers)  # an open browser preview reloads with them
        self.render_worker(
            generation,
            self.edits,
            self.template,
            self.choice("#sample"),
            self.choice("#locale"),
            buffers,
        )

    def on_render_finished(self, event: RenderFinished) -> None:
        generation = self.renders.finished()
        if generation is not None:
            if self._live_pane() is None:
                self.renders.finished()
                return
            self.start_render(generation)

    @work(thread=True, group="render")
    def render_worker(
        self,
        generation: int,
        edits: int,
        template: str,
        sample: str | None,
        locale: str | None,
        buffers: dict[str, str],
    ) -> None:
        """Render in the worker thread; post the result, then that the worker is done.

        The unsaved buffers are an argument of this render only: Send, rendering the
        saved files from another thread at the same time, cannot see them.
        """
        try:
            shown = render_preview(self.workspace, template, sample, locale, buffers)
            self.post_message(
                PreviewRendered(generation, edits, shown.message, shown.sms, shown.error)
            )
        finally:
            self.post_message(RenderFinished(generation))  # the next render may start

    @property
    def settling(self) -> bool:
        """A preview render, or the checks that follow it, is still to come or running
        (what tests and scripts wait on instead of a clock)."""
        return self.render_deferred or self.renders.busy or self._findings_timer is not None

    def start_findings(self) -> None:
        """Check the previewed message once typing pauses (a render never waits for it)."""
        self._findings_timer = None
        msg = self.last_good
        if msg is None or self.renders.busy:
            return  # the render in flight re-arms this when it is shown
        self.compute_findings(self.generation, msg, self.last_sms)

    @work(thread=True, exclusive=True, group="findings")
    def compute_findings(
        self, generation: int, msg: RenderedMessage, sms: RenderedSms | None
    ) -> None:
        from ..core.checks import lint_message, lint_rendered_sms

        findings = lint_message(self.workspace, msg)
        if sms is not None:
            findings += lint_rendered_sms(self.workspace, sms)
        self.post_message(FindingsComputed(generation, findings))

    def on_preview_rendered(self, event: PreviewRendered) -> None:
        pane = self._live_pane()
        if not self.renders.is_latest(event.generation) or pane is None:
            return  # superseded, or the app is closing
        self.preview_edits = event.edits
        if event.message is not None:
            self.last_good, self.last_sms = event.message, event.sms
            pane.show(event.message, event.sms)
            self.pixel_follow()
            if self._findings_timer is not None:
                self._findings_timer.stop()
            self._findings_timer = self.set_timer(FINDINGS_DELAY, self.start_findings)
        elif event.error is not None:
            pane.show_error(event.error)  # the last good preview stays below
            self.pixel_failed()
            line = getattr(event.error, "line", None)
            file = getattr(event.error, "file", None)
            editor = self.pane.editor
            if (
                line
                and self.current is not None
                and file == self.rel(self.current)
                and editor.cursor_location[0] != line - 1  # typing on that line: stay put
            ):
                editor.move_cursor((line - 1, 0))

    def on_findings_computed(self, event: FindingsComputed) -> None:
        pane = self._live_pane()
        if self.renders.is_latest(event.generation) and pane is not None:
            pane.show_findings(event.findings)
