"""``studio build``: every template × sample to html, txt and eml, plus index.html."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.build import BuildItem, build, build_jobs, prepare_out
from ..errors import StudioError
from . import cli
from ._common import console_err, open_workspace
from ._progress import progress_bar


@cli.command("build")
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Directory to write into.",
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: cores).")
@click.option(
    "--screenshots",
    is_flag=True,
    help="Add PNG screenshots at 600 and 375 px (headless Chromium) to the gallery.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Write into --out even when it holds files that an earlier build did not write.",
)
@click.pass_context
def build_cmd(
    ctx: click.Context, out: Path, jobs: int | None, screenshots: bool, force: bool
) -> None:
    """Render every template with every sample to html, txt and eml, with a gallery.

    --out must be a new or empty directory, or an earlier build's (it holds a
    .studio-build file); anything else is refused unless --force.
    """
    ws = open_workspace(ctx)
    out = prepare_out(out, force=force)  # refused before any progress is drawn
    total = len(build_jobs(ws))
    with progress_bar("building", total) as steps:

        def advance(item: BuildItem) -> None:
            steps.done(item.stem)

        result = build(
            ws, out, jobs=jobs, on_progress=advance, screenshots=screenshots, force=force
        )
    for item in result.errors:
        console_err(f"error: {item.error}")
    ok = len(result.items) - len(result.errors)
    click.echo(f"{ok} of {len(result.items)} renders written to {result.out}/index.html")
    if result.errors:
        raise SystemExit(StudioError.exit_code)
