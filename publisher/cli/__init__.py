"""The command line: a thin layer that parses options, calls the library, prints results.

Each command module registers its commands on ``cli`` when it is imported, which
happens when the command is used (see ``context.COMMAND_MODULES``). The only error handling
is here: the publisher's own errors (and usage mistakes) become one line on
stderr and exit status 2; nothing else is caught, so real bugs stay visible.
"""

from __future__ import annotations

import sys

import click

from publisher.cli.context import cli
from publisher.errors import PublisherError
from publisher.modes import restrict_umask

__all__ = ["cli", "main"]


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``publisher`` console script."""
    restrict_umask()  # the archive, outbox and previews are private (README "Security")
    try:
        # A command that ends with ctx.exit(status) returns its status (check: 1 = warnings).
        status = cli.main(args=argv, prog_name="publisher", standalone_mode=False)
    except PublisherError as e:
        _fail(str(e))
    except click.UsageError as e:
        command = e.ctx.command_path if e.ctx else "publisher"
        _fail(f"{e.format_message()} (see '{command} --help')")
    except click.ClickException as e:
        _fail(e.format_message())
    except click.exceptions.Abort:
        _fail("aborted", status=130)
    except KeyboardInterrupt:
        _fail("interrupted", status=130)
    sys.exit(status if type(status) is int else 0)


def _fail(message: str, status: int = 2) -> None:
    # One line, always: some messages (a database driver's, say) span several.
    click.echo("publisher: " + " ".join(message.split()), err=True)
    sys.exit(status)
