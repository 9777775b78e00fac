"""``studio preview`` and ``studio shot``: the browser preview and screenshots."""

from __future__ import annotations

import threading
import webbrowser
from pathlib import Path
from urllib.parse import quote

import click

from ..core.preview import PreviewServer
from ..core.shots import compare, take_screenshots
from ..errors import ConfigError
from . import cli
from ._common import console_err, open_workspace


@cli.command("preview")
@click.argument("template", required=False)
@click.option("--port", type=click.IntRange(0, 65535), default=8025, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--open/--no-open", "open_browser", default=True, help="Open a browser tab.")
@click.pass_context
def preview(
    ctx: click.Context, template: str | None, port: int, host: str, open_browser: bool
) -> None:
    """Preview templates in a browser (loopback only); pages reload when files are saved."""
    ws = open_workspace(ctx)
    if template is not None:
        ws.template(template)  # unknown → one-line error listing the templates
    with PreviewServer(ws, host=host, port=port) as server:
        url = server.url + (f"t/{quote(template)}" if template else "")
        click.echo(f"preview at {url} (Ctrl-C to stop)")
        if open_browser:
            webbrowser.open(url)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo("stopped")


def _widths(value: str) -> list[int]:
    try:
        widths = [int(w) for w in value.split(",") if w.strip()]
    except ValueError:
        raise ConfigError(f"--width {value!r}: expected pixel widths such as 600,375") from None
    if not widths or any(not 200 <= w <= 4000 for w in widths):
        raise ConfigError(f"--width {value!r}: expected widths from 200 to 4000")
    return widths


@cli.command("shot")
@click.argument("target")
@click.option("--sample", "-s", help="One sample (default: every sample of the template).")
@click.option(
    "--width", "width", default="600,375", show_default=True, help="Viewport widths in pixels."
)
@click.option("--dark", is_flag=True, help="Apply the email's own dark-mode styles.")
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("shots"),
    show_default=True,
)
@click.option(
    "--compare",
    "baseline",
    type=click.Path(file_okay=False, path_type=Path),
    help="Compare with the PNGs of a baseline directory.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 100),
    default=0.1,
    show_default=True,
    help="Percentage of changed pixels that fails --compare.",
)
@click.pass_context
def shot(
    ctx: click.Context,
    target: str,
    sample: str | None,
    width: str,
    dark: bool,
    out: Path,
    baseline: Path | None,
    threshold: float,
) -> None:
    """PNG screenshots of TARGET (a template name, or `all`) in headless Chromium.

    With --compare, report the share of changed pixels per template × sample × width,
    write diff images beside the shots, and exit 1 past --threshold.
    """
    ws = open_workspace(ctx)
    names = ws.template_names() if target == "all" else [ws.template(target).name]
    targets: list[tuple[str, str | None]] = []
    for n in names:
        samples: list[str | None] = [sample] if sample else [*ws.sample_names(n)] or [None]
        targets += [(n, s) for s in samples]
    if baseline is not None and not baseline.is_dir():
        raise ConfigError(f"--compare {baseline}: no such directory")
    shots = take_screenshots(ws, targets, out, widths=_widths(width), dark=dark)
    click.echo(f"{len(shots)} screenshots in {out}")
    if baseline is None:
        return
    failed = new = 0
    for c in compare(baseline, out, out / "diff"):
        if c.missing:
            new += 1
            click.echo(f"{'NEW':7} {'':7}  {c.name}  (no baseline for this shot)")
            continue
        over = c.changed * 100 > threshold
        failed += over
        mark = "CHANGED" if over else "same"
        click.echo(
            f"{mark:7} {c.changed * 100:6.2f}%  {c.name}" + (f"  → {c.diff}" if over else "")
        )
    if new:
        click.echo(f"{new} screenshot(s) without a baseline in {baseline} (not compared)")
    if failed:
        console_err(f"{failed} screenshot(s) changed past {threshold}%")
        raise SystemExit(1)
