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

# Each command and the module that defines it (on ``cli``). A module is imported
# only when one of its commands runs (or for the help listing), so that
# ``studio sink`` does not load the DNS, checks or browser code: start-up time and
# memory stay those of the command used.
COMMANDS = {
    "render": "render",
    "build": "build",
    "init": "init",
    "tui": "tui",
    "inventory": "inventory",
    "lint": "lint",
    "check": "lint",
    "explain": "lint",
    "dns": "dns",
    "sink": "sink",
    "inbox": "mail",
    "send": "mail",
    "preview": "preview",
    "shot": "preview",
}
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDS.values()))


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(f"{__name__}.{module}")
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
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


def usage_error_line(exc: click.UsageError) -> str:
    """A usage error on one line: what was wrong and where to read the usage."""
    command = exc.ctx.command_path if exc.ctx is not None else "studio"
    message = " ".join(exc.format_message().split())
    return f"error: {message} (see '{command} --help')"


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
    except click.UsageError as exc:  # one line, as every bad input (README), with the hint
        console_err(usage_error_line(exc))
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(0)
