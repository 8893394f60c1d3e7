"""The root command group and the one ``Publisher`` every command shares."""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from publisher.app import Publisher

# The module that defines each command, imported only when the command is used:
# 'publisher send' then loads no feed or page renderer, and starts that much sooner.
COMMAND_MODULES = {
    "check": "publisher.cli.check",
    "ingest": "publisher.cli.archive",
    "show": "publisher.cli.archive",
    "issues": "publisher.cli.archive",
    "subscribers": "publisher.cli.subscribers",
    "build": "publisher.cli.render",
    "preview": "publisher.cli.render",
    "serve": "publisher.cli.serve",
    "schedule": "publisher.cli.serve",
    "run-cycle": "publisher.cli.serve",
    "admin-password": "publisher.cli.serve",
    "send": "publisher.cli.send",
    "sends": "publisher.cli.send",
}


class _CommandsOnDemand(click.Group):
    """The root group: a command's module is imported (and registers it) when it is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(COMMAND_MODULES[cmd_name])
        return super().get_command(ctx, cmd_name)


@click.group(cls=_CommandsOnDemand, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file (default: $PUBLISHER_CONFIG, then ./publisher.toml).",
)
@click.version_option(package_name="publisher")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """Publish issues of a newspaper as feeds, a web archive and an email digest."""
    ctx.obj = _LazyPublisher(config_path)
    ctx.call_on_close(ctx.obj.close)


class _LazyPublisher:
    """Loads settings only when a command needs them, so ``--help`` always works."""

    def __init__(self, config_path: Path | None) -> None:
        self.config_path = config_path
        self._app: Publisher | None = None

    def get(self) -> Publisher:
        if self._app is None:
            self._app = Publisher.from_config(self.config_path)
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.close()


def get_app(ctx: click.Context) -> Publisher:
    """The configured ``Publisher`` for the running command."""
    return ctx.find_object(_LazyPublisher).get()  # type: ignore[union-attr]


publication_option = click.option(
    "--publication",
    "-p",
    metavar="NAME",
    help="The publication, when the archive holds more than one.",
)
