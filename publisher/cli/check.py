"""``publisher check``: what the parser understood of issue files, stored nowhere."""

from __future__ import annotations

import json
from pathlib import Path

import click

from publisher.check import archive_doubts, doubt_message, existing_archive, page_heading, pages
from publisher.check import warnings_json as doubts_json
from publisher.cli.context import cli, get_app
from publisher.i18n import Catalog, catalog
from publisher.ingest import read_file
from publisher.model import Article, Figure, Issue
from publisher.parse.doubts import Doubt

# Separates the parts of an article's summary line and the parts of a date line.
_DOT = " \u00b7 "
_LIST = "\u3001"  # 、 between names


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print each issue as 'show --json' does, plus 'warnings'.",
)
@click.pass_context
def check(ctx: click.Context, paths: tuple[Path, ...], as_json: bool) -> None:
    """Parse issue files and show what was understood, storing nothing.

    Prints each issue's outline (masthead, date line, pages and their articles)
    and a warning for every doubtful reading. Exit status: 0 when clean, 1 when
    there are warnings, 2 when a file cannot be used.
    """
    app = get_app(ctx)
    t = catalog(app.settings.server.language)
    limit = app.settings.ingest.max_bytes
    # Any unusable file stops here (status 2).
    parsed = [read_file(path, max_bytes=limit) for path in paths]
    archive = existing_archive(app)
    results = [(p, [*p.doubts, *archive_doubts(archive, p.issue)]) for p in parsed]
    if as_json:
        documents = [{**p.issue.to_json(), "warnings": doubts_json(t, d)} for p, d in results]
        click.echo(
            json.dumps(documents if len(paths) > 1 else documents[0], ensure_ascii=False, indent=2)
        )
    else:
        click.echo("\n\n".join(report(t, str(p.path), p.issue, d) for p, d in results))
    if any(doubts for _, doubts in results):
        ctx.exit(1)


def report(t: Catalog, name: str, issue: Issue, doubts: list[Doubt]) -> str:
    """The outline of ``issue`` read from ``name`` and a line per doubt, as ``check`` prints it."""
    lines = [f"== {name} ==", *outline(t, issue), ""]
    if doubts:
        lines.append(t("check.warnings", count=len(doubts)))
        lines.extend(warning_line(t, name, doubt) for doubt in doubts)
    else:
        lines.append(t("check.clean"))
    return "\n".join(lines)


def warning_line(t: Catalog, name: str, doubt: Doubt) -> str:
    """One warning, naming the file: what ``check`` and ``ingest`` print."""
    return t("check.warning.line", file=name, message=doubt_message(t, doubt))


def outline(t: Catalog, issue: Issue) -> list[str]:
    """The masthead, the date line, then each page with its articles."""
    date_line = [issue.date.isoformat(), issue.weekday, issue.lunar_date, f"第{issue.number}期"]
    lines = [issue.publication, " ".join(part for part in date_line if part)]
    if issue.organizers:
        lines.append(t("check.organizers", names=_LIST.join(issue.organizers)))
    if issue.publisher:
        lines.append(t("check.publisher", name=issue.publisher))
    for page in pages(issue):
        lines.append("")
        lines.append(page_heading(t, page))
        for article in page.articles:
            lines.extend(_article_lines(t, article))
    return lines


def _article_lines(t: Catalog, article: Article) -> list[str]:
    brief = article.kicker or t("check.brief")
    # A brief titled only by its label (简讯) shows the label once.
    label = f"[{brief}] " if article.untitled and article.title != brief else ""
    kicker = f"{article.kicker} / " if article.kicker and not article.untitled else ""
    lines = [f"  {label}{kicker}{article.title}"]
    if article.subtitle:
        lines.append(f"    \u2014\u2014{article.subtitle}")
    if article.note:
        lines.append(f"    {t('check.note')}")
    facts = [
        t("check.authors", names=" ".join(article.authors))
        if article.authors
        else t("check.no-authors")
    ]
    if article.source:
        facts.append(t("check.source", source=article.source))
    facts.append(t("check.paragraphs", count=len(article.paragraphs)))
    if article.figures:
        facts.append(t("check.figures", count=len(article.figures)))
    lines.append("    " + _DOT.join(facts))
    lines.extend("    " + figure_line(t, figure) for figure in article.figures)
    return lines


def figure_line(t: Catalog, figure: Figure) -> str:
    """A figure in the outline: its caption (or alt text, or file) and its photographer."""
    line = t("check.figure", caption=figure.caption or figure.alt or figure.src or "")
    return line + _DOT + t("check.credit", names=figure.credit) if figure.credit else line
