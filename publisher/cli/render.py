"""Commands that render: build the site and feeds, preview an issue's digest."""

from __future__ import annotations

from pathlib import Path

import click

from publisher.cli.context import cli, get_app, publication_option
from publisher.render.build import BuildReport, build_all, build_changed, build_issue
from publisher.render.preview import write_preview


@cli.command()
@click.argument("number", type=int, required=False)
@publication_option
@click.option(
    "--all", "everything", is_flag=True, help="Rebuild every issue (after a template change)."
)
@click.pass_context
def build(
    ctx: click.Context, number: int | None, publication: str | None, everything: bool
) -> None:
    """Render feeds, web pages and the web digest into the site directory.

    With NUMBER, that issue; with --all, every issue; otherwise every issue
    changed since the last build.
    """
    app = get_app(ctx)
    if number is not None and everything:
        raise click.UsageError("give either NUMBER or --all, not both")
    if number is not None:
        report = build_issue(app, number, publication)
    elif everything:
        report = build_all(app)
    else:
        report = build_changed(app)
    echo_report(report)
    if report.failed:
        ctx.exit(1)  # some was built and some could not be: the log said which, a line each


def echo_report(report: BuildReport) -> None:
    """Print what a build wrote: one line per issue, then the feeds (failures are logged)."""
    if not report.issues:
        if not report.failed:
            click.echo("Nothing to build: every stored issue is already rendered.")
        return
    for item in report.issues:
        click.echo(f"built: {item.publication} 第{item.number}期 {item.page}")
    for path in report.feeds:
        click.echo(f"feed: {path}")


@cli.command()
@click.argument("number", type=int)
@publication_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The .eml file to write (default: <data dir>/previews/<publication>-<NUMBER>.eml).",
)
@click.pass_context
def preview(ctx: click.Context, number: int, publication: str | None, out: Path | None) -> None:
    """Write an issue's digest as a complete .eml, with its HTML beside it.

    Open the .eml in a mail client, or the .html in a browser, before sending.
    """
    written = write_preview(get_app(ctx), number, publication, out)
    click.echo(f"subject: {written.subject}")
    click.echo(f"eml: {written.eml}")
    click.echo(f"html: {written.html}")
