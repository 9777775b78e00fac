"""``studio diff [BASE [HEAD]]``: every message a change affects, and how."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..core.diff import run_diff
from ..core.diff.report import FORMATS, format_html, format_json, format_markdown, format_text
from ..core.safe_text import printable, printable_json
from . import cli
from ._common import open_workspace


@cli.command("diff")
@click.argument("base", required=False)
@click.argument("head", required=False)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text (one line per message), markdown (a pull-request comment) or json.",
)
@click.option(
    "--shots",
    is_flag=True,
    help="Screenshot each changed e-mail at 600 and 375 px on both sides (headless Chromium).",
)
@click.option(
    "--html",
    "html_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write a self-contained report page, DIR/index.html (screenshots beside it).",
)
@click.option(
    "--out",
    "-o",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the screenshots (default: the --html DIR, else ./studio-diff).",
)
@click.option(
    "--image-base",
    default="",
    help="URL prefix for the images in the markdown (default: paths relative to --out).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["new-error", "any-change"]),
    help="Exit 1 when a change adds an error finding, or changes any message.",
)
@click.option("--verbose", "-v", is_flag=True, help="Text format: print each text diff too.")
@click.pass_context
def diff_cmd(
    ctx: click.Context,
    base: str | None,
    head: str | None,
    fmt: str,
    shots: bool,
    html_dir: Path | None,
    out: Path | None,
    image_base: str,
    fail_on: str | None,
    verbose: bool,
) -> None:
    """Every message a change affects, and how: text, size, links, findings, SMS, pixels.

    BASE defaults to the merge-base with the default branch (main or master), else
    HEAD; HEAD defaults to the working tree (saved files). Messages whose inputs
    did not change are listed as unaffected and not rendered.
    """
    ws = open_workspace(ctx)
    folder = out or html_dir or (Path("studio-diff") if shots else None)
    report = run_diff(ws, base, head, shots=folder.resolve() if (shots and folder) else None)
    if html_dir is not None:
        html_dir.mkdir(parents=True, exist_ok=True)
        if report.out is None:
            report.out = html_dir.resolve()
        (html_dir / "index.html").write_text(format_html(report), encoding="utf-8")
    if fmt == "json":
        click.echo(printable_json(format_json(report)), nl=False)
    elif fmt == "markdown":
        click.echo(printable(format_markdown(report, image_base=image_base)), nl=False)
    else:  # values are made printable inside; the colours are the report's own
        click.echo(format_text(report, color=sys.stdout.isatty(), details=verbose), nl=False)
    if (fail_on == "any-change" and report.changed) or (
        fail_on == "new-error" and report.new_errors
    ):
        raise SystemExit(1)
