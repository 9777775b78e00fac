"""The ``studio`` command: a click group whose commands are thin layers over the core.

Each command module registers itself on :data:`cli`; errors from the core
(:class:`studio.errors.StudioError`) are printed on one line to stderr and exit
with code 2, in one place (:func:`main`).
"""

from __future__ import annotations

import importlib
import sys

import click

from .. import __version__
from ..errors import StudioError
from ._common import console_err

# Command modules, imported for their side effect of adding commands to ``cli``.
COMMAND_MODULES = (
    "render",
    "build",
    "init",
    "tui",
    "inventory",
    "lint",
    "dns",
    "sink",
    "preview",
)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="studio")
@click.option(
    "--workspace",
    "-w",
    "workspace",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    help="Workspace directory (default: the nearest one at or above the current directory).",
)
@click.pass_context
def cli(ctx: click.Context, workspace: str | None) -> None:
    """Studio: author, preview, preflight and send transactional e-mail and SMS.

    Run without a command to open the studio (the terminal UI) on the workspace.
    """
    ctx.ensure_object(dict)
    ctx.obj["workspace"] = workspace
    if ctx.invoked_subcommand is None:
        from .tui import run_tui

        run_tui(workspace)


for _name in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``studio`` console script."""
    try:
        cli.main(args=argv, prog_name="studio", standalone_mode=False)
    except StudioError as exc:
        console_err(f"error: {exc}")
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        console_err("aborted")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(0)
