"""The root command group and the one ``Publisher`` every command shares."""

from __future__ import annotations

from pathlib import Path

import click

from publisher.app import Publisher


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
