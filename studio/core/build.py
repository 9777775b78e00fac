"""``build``: every template × every sample to .html, .txt and .eml, plus a gallery.

Renders run in worker processes (one Jinja environment per process, reused), so a
build uses every core; the caller gets progress through a plain callback. A broken
template does not stop the build: its error is recorded and the rest go on.

A build writes only into a directory it may own: a new or empty one, or one holding
:data:`BUILD_MARKER` (left by an earlier build). Anything else (``--out .`` in a
project, a folder of someone's files) is refused unless the caller forces it, since
``index.html`` and ``<template>/<sample>.html`` would overwrite what is there.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, StudioError
from .workspace import Workspace


@dataclass(frozen=True)
class BuildItem:
    template: str
    sample: str
    subject: str = ""
    size: int = 0
    error: str | None = None

    @property
    def stem(self) -> str:
        return f"{self.template}/{self.sample}"


@dataclass(frozen=True)
class BuildResult:
    out: Path
    items: tuple[BuildItem, ...]

    @property
    def errors(self) -> list[BuildItem]:
        return [i for i in self.items if i.error]


BUILD_MARKER = ".studio-build"
"""The file a build leaves in its output directory, so the next build may write there."""

_WORKER_WS: Workspace | None = None
MIN_RENDERS_PER_WORKER = 24


def _init_worker(root: str) -> None:
    global _WORKER_WS
    _WORKER_WS = Workspace.open(root)


def _render_in_worker(root: str, out: str, template: str, samples: list[str]) -> list[BuildItem]:
    ws = _WORKER_WS if _WORKER_WS is not None else Workspace.open(root)
    return [_render_one(ws, out, template, s) for s in samples]


def _render_one(ws: Workspace, out: str, template: str, sample: str) -> BuildItem:
    try:
        msg = ws.render(template, sample=sample)
    except StudioError as exc:
        return BuildItem(template, sample, error=str(exc))
    target = Path(out) / template
    target.mkdir(parents=True, exist_ok=True)
    (target / f"{sample}.html").write_text(msg.html, encoding="utf-8")
    (target / f"{sample}.txt").write_text(msg.text, encoding="utf-8")
    (target / f"{sample}.eml").write_bytes(msg.email.as_bytes())
    return BuildItem(template, sample, subject=msg.subject, size=msg.size)


def prepare_out(out: Path, *, force: bool = False) -> Path:
    """Create ``out`` (resolved) and mark it as a build's, or a one-line ConfigError.

    Refuses a non-empty directory without :data:`BUILD_MARKER` unless ``force``.
    """
    out = out.resolve()
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out}: exists and is not a directory")
    try:
        if not force and out.is_dir() and not (out / BUILD_MARKER).is_file() and any(out.iterdir()):
            raise ConfigError(
                f"{out}: not empty and not an earlier build's output; build writes only"
                " into a new or empty directory (--force to write there anyway)"
            )
        out.mkdir(parents=True, exist_ok=True)
        (out / BUILD_MARKER).write_text(
            "Written by `studio build`: a later build may overwrite this directory.\n",
            encoding="utf-8",
        )
    except OSError as exc:
        raise ConfigError(
            f"{out}: cannot create the output directory: {exc.strerror or exc}"
        ) from None
    return out


def build_jobs(workspace: Workspace) -> list[tuple[str, str]]:
    """The (template, sample) pairs a build renders."""
    return [(t, s) for t in workspace.template_names() for s in workspace.sample_names(t)]


def build(
    workspace: Workspace,
    out: Path,
    *,
    jobs: int | None = None,
    on_progress: Callable[[BuildItem], None] | None = None,
    screenshots: bool = False,
    force: bool = False,
) -> BuildResult:
    """Render every template × sample into ``out`` and write ``out/index.html``.

    With ``screenshots``, PNGs at 600 and 375 px (headless Chromium) go to
    ``out/shots`` and into the gallery. ``out`` must be new, empty or an earlier
    build's output, unless ``force`` (see :func:`prepare_out`).
    """
    out = prepare_out(out, force=force)
    pairs = build_jobs(workspace)
    if jobs is None:
        # Starting a worker (imports, compiling the templates) costs about as much as
        # a dozen renders: small workspaces build faster in this process.
        jobs = min(os.cpu_count() or 1, max(1, len(pairs) // MIN_RENDERS_PER_WORKER))
    jobs = max(1, jobs)
    items: list[BuildItem] = []
    root = str(workspace.root)
    if jobs == 1 or len(pairs) <= 1:
        for t, s in pairs:
            item = _render_one(workspace, str(out), t, s)
            items.append(item)
            if on_progress:
                on_progress(item)
    else:
        # One task per template: its samples share the compiled template, so each
        # template is compiled by one worker only.
        by_template: dict[str, list[str]] = {}
        for t, s in pairs:
            by_template.setdefault(t, []).append(s)
        with ProcessPoolExecutor(
            max_workers=jobs, initializer=_init_worker, initargs=(root,)
        ) as pool:
            futures = [
                pool.submit(_render_in_worker, root, str(out), t, samples)
                for t, samples in by_template.items()
            ]
            for fut in as_completed(futures):
                for item in fut.result():
                    items.append(item)
                    if on_progress:
                        on_progress(item)
    items.sort(key=lambda i: (i.template, i.sample))
    if screenshots:
        from .shots import take_screenshots

        ok: list[tuple[str, str | None]] = [(i.template, i.sample) for i in items if not i.error]
        take_screenshots(workspace, ok, out / "shots", widths=SHOT_WIDTHS)
    (out / "index.html").write_text(gallery(workspace, items, screenshots), encoding="utf-8")
    return BuildResult(out=out, items=tuple(items))


SHOT_WIDTHS = (600, 375)


def gallery(workspace: Workspace, items: list[BuildItem], screenshots: bool = False) -> str:
    """The index page linking every rendered file (all values escaped)."""
    from .shots import shot_name

    esc = html.escape
    rows = []
    for i in items:
        if i.error:
            rows.append(
                f"<tr><td>{esc(i.template)}</td><td>{esc(i.sample)}</td>"
                f'<td colspan="3" class="err">{esc(i.error)}</td></tr>'
            )
            continue
        base = f"{esc(i.template)}/{esc(i.sample)}"
        rows.append(
            f"<tr><td>{esc(i.template)}</td><td>{esc(i.sample)}</td><td>{esc(i.subject)}</td>"
            f'<td><a href="{base}.html">html</a> · <a href="{base}.txt">text</a> · '
            f'<a href="{base}.eml">eml</a></td><td>{i.size / 1024:.1f} KB</td>'
            + (
                "<td>"
                + "".join(
                    f'<a href="shots/{esc(shot_name(i.template, i.sample, w, False))}">'
                    f'<img src="shots/{esc(shot_name(i.template, i.sample, w, False))}" '
                    f'alt="{esc(i.stem)} at {w}px" width="{w // 5}"></a> '
                    for w in SHOT_WIDTHS
                )
                + "</td>"
                if screenshots
                else ""
            )
            + "</tr>"
        )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Studio build — {esc(workspace.root.name)}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2rem}"
        "table{border-collapse:collapse}td,th{padding:.3rem .8rem;border-bottom:1px solid #ddd;"
        "text-align:left}.err{color:#b00}</style></head><body>"
        f"<h1>{esc(workspace.root.name)}: {len(items)} renders</h1>"
        "<table><tr><th>template</th><th>sample</th><th>subject</th><th>files</th>"
        "<th>HTML size</th></tr>" + "".join(rows) + "</table></body></html>\n"
    )
