"""Commands over the archive: ingest, show, issues."""

from __future__ import annotations

import json
from pathlib import Path

import click

from publisher.cli.check import warning_line
from publisher.cli.context import cli, get_app, publication_option
from publisher.cli.render import echo_report
from publisher.i18n import catalog
from publisher.ingest import ingest_files
from publisher.model import Issue
from publisher.render.build import build_changed


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite a stored issue whose content changed.")
@click.option("--no-build", is_flag=True, help="Store only; render later with 'publisher build'.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], replace: bool, no_build: bool) -> None:
    """Parse issue files, store them in the archive, then build what changed.

    Every file is read first; if any of them is wrong, nothing is stored. The
    warnings of 'publisher check' are printed on stderr; they do not stop storing.
    """
    app = get_app(ctx)
    t = catalog(app.settings.server.language)
    for item in ingest_files(app, list(paths), replace=replace):
        issue = item.issue
        click.echo(
            f"{item.status}: {issue.publication} 第{issue.number}期 {issue.date.isoformat()} "
            f"({len(issue.articles)} articles) from {item.path}"
        )
        # Warnings go to stderr, so scripts reading the status lines are undisturbed;
        # the exit status stays 0: the issue was stored, as asked.
        for doubt in item.doubts:
            click.echo(warning_line(t, str(item.path), doubt), err=True)
    if not no_build:
        echo_report(build_changed(app))


@cli.command()
@click.argument("number", type=int)
@publication_option
@click.option("--json", "as_json", is_flag=True, help="Print the stored issue as JSON.")
@click.pass_context
def show(ctx: click.Context, number: int, publication: str | None, as_json: bool) -> None:
    """Show a stored issue."""
    issue = get_app(ctx).archive.get(number, publication)
    if as_json:
        click.echo(json.dumps(issue.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_issue(issue))


@cli.command("issues")
@publication_option
@click.pass_context
def list_issues(ctx: click.Context, publication: str | None) -> None:
    """List stored issues, newest first."""
    summaries = get_app(ctx).archive.list(publication)
    if not summaries:
        click.echo("The archive is empty: store an issue with 'publisher ingest FILE'.")
    for s in summaries:
        click.echo(f"{s.publication}\t第{s.number}期\t{s.date}\t{s.articles} articles\t{s.title}")


def format_issue(issue: Issue) -> str:
    """A stored issue as a reader-friendly table of contents."""
    head = " ".join(
        part
        for part in (
            f"{issue.publication} 第{issue.number}期",
            issue.date.isoformat(),
            issue.weekday,
            issue.lunar_date,
        )
        if part
    )
    lines = [head]
    if issue.organizers:
        lines.append(f"主办: {'、'.join(issue.organizers)}")
    if issue.publisher:
        lines.append(f"出版: {issue.publisher}")
    for a in issue.articles:
        lines.append("")
        if a.kicker:
            lines.append(f"    {a.kicker}")
        label = "(简讯) " if a.untitled else ""
        lines.append(f"{a.slug:>2}. {label}{a.title}")
        if a.subtitle:
            lines.append(f"    ——{a.subtitle}")
        lines.append(f"    {' '.join(a.authors) or '(无署名)'} · {len(a.paragraphs)} 段")
    return "\n".join(lines)
