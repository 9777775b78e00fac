"""The render scheduler (plain Python): one render at a time, requests coalesced."""

from __future__ import annotations

from studio.tui.scheduler import RenderScheduler


def test_requests_while_rendering_coalesce_into_one_next_render() -> None:
    s = RenderScheduler()
    assert s.request() == 1 and s.busy
    assert s.request() is None and s.request() is None  # typed during the render
    assert not s.is_latest(0) and s.is_latest(1)
    assert s.finished() == 2  # one render with everything typed meanwhile
    assert s.finished() is None and not s.busy


def test_an_idle_scheduler_starts_at_once() -> None:
    s = RenderScheduler()
    assert s.request() == 1
    assert s.finished() is None
    assert s.request() == 2 and s.is_latest(2)
