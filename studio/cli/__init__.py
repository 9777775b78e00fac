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
from ._common import console_err, workspace_option

# Each command, the module that defines it (on ``cli``) and its one-line help. A
# module is imported only when one of its commands runs, so that ``studio sink``
# does not load the DNS, checks or browser code, and ``studio --help`` lists the
# commands from this table without importing any (a test keeps the lines equal to
# the commands' own docstrings).
COMMANDS: dict[str, tuple[str, str]] = {
    "render": (
        "render",
        "Render TARGET (a template name or an .mjml file) with a sample's variables.",
    ),
    "build": (
        "build",
        "Render every template with every sample to html, txt and eml, with a gallery.",
    ),
    "init": (
        "init",
        "Create a new workspace in DIRECTORY (brand, components, one template, a sample).",
    ),
    "tui": ("tui", "Open the studio (the terminal UI) on the workspace."),
    "inventory": (
        "inventory",
        "List every message: journey, channels, trigger, owner, variables, samples, review.",
    ),
    "lint": (
        "lint",
        "Check templates and messages: variables, links, images, size, CSS, spam score.",
    ),
    "check": (
        "lint",
        "The CI gate: lint every template and SMS, and preflight the sending domain's DNS.",
    ),
    "explain": (
        "lint",
        "What a check id means, why it matters and how to fix it (all ids when none given).",
    ),
    "dns": (
        "dns",
        "Check SPF, DKIM, DMARC, MX, MTA-STS, TLS-RPT, BIMI and PTR of the sending domain.",
    ),
    "sink": (
        "sink",
        "Run the local SMTP sink: accept any message, store it in a Maildir, deliver nowhere.",
    ),
    "inbox": (
        "mail",
        "Messages captured by the sink: list (default), show ID, delete ID, clear.",
    ),
    "send": ("mail", "Render TARGET and send it: to the local sink, or through --relay."),
    "preview": (
        "preview",
        "Preview templates in a browser (loopback only); pages reload when files are saved.",
    ),
    "serve": (
        "serve",
        "Run the local router: the trigger API (Studio's, Mailjet v3.1, Brevo) on loopback.",
    ),
    "stats": (
        "serve",
        "What applications triggered through the router: volumes, failures, missing variables.",
    ),
    "shot": (
        "preview",
        "PNG screenshots of TARGET (a template name, or `all`) in headless Chromium.",
    ),
    "spamd": (
        "spamd",
        "The spamd kept between runs (STUDIO_SPAMD_KEEP=SECONDS): status (default) or stop.",
    ),
    "diff": (
        "diff",
        "Every message a change affects, and how: text, size, links, findings, SMS, pixels.",
    ),
}
COMMAND_MODULES = tuple(dict.fromkeys(module for module, _ in COMMANDS.values()))


class LazyGroup(click.Group):
    """A group whose commands are imported on first use (the help lists them from the table)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is not None and cmd_name not in self.commands:
            importlib.import_module(f"{__name__}.{entry[0]}")
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, click.Command(name, help=summary).get_short_help_str(limit))
            for name, (_, summary) in sorted(COMMANDS.items())
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "--version", prog_name="studio")
@workspace_option(
    "Workspace directory (default: the nearest one at or above the current directory)."
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
