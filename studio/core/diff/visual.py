"""``studio diff --shots``: each changed e-mail at 600 and 375 px on both sides.

Uses the studio's screenshots (:func:`studio.core.shots.shoot_pages`: headless
Chromium, offline, as a mail client shows a message) and its visual diff
(:func:`studio.core.shots.compare_pair`), which also crops the changed region.
Files go to ``OUT/shots/{base,head,diff,crop}/<template>__<sample>__<width>.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..shots import compare_pair, shoot_pages

if TYPE_CHECKING:
    from .engine import DiffReport, ShotDiff

WIDTHS = (600, 375)


def shoot_changes(report: DiffReport, out: Path, widths: tuple[int, ...] = WIDTHS) -> None:
    """Screenshots and pixel diffs of every changed e-mail rendered on both sides."""
    from .engine import EMAIL, ShotDiff

    folder = out / "shots"
    todo = [
        m
        for m in report.changed
        if m.id.channel == EMAIL
        and m.base is not None
        and m.head is not None
        and m.base.html
        and m.head.html
    ]
    if not todo:
        return
    pages: list[tuple[str, list[tuple[int, Path]]]] = []
    for m in todo:
        assert m.base is not None and m.head is not None
        for side, html in (("base", m.base.html), ("head", m.head.html)):
            pages.append((html, [(w, folder / side / f"{m.id.slug}__{w}.png") for w in widths]))
    shoot_pages(pages, folder)
    for m in todo:
        shots: list[ShotDiff] = []
        for w in widths:
            name = f"{m.id.slug}__{w}.png"
            base, head = folder / "base" / name, folder / "head" / name
            crop = folder / "crop" / name
            changed, box = compare_pair(base, head, folder / "diff" / name, crop)
            shots.append(
                ShotDiff(w, base, head, changed, folder / "diff" / name, crop if box else None)
            )
        m.shots = shots
