"""The static web archive's pages: pure functions from views to HTML text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from publisher.render.feeds import ATOM_TYPE, RSS_TYPE
from publisher.render.links import Links, stylesheet
from publisher.render.templating import render
from publisher.render.text import typeset
from publisher.render.view import IssueView, SummaryView

JSON_FEED_TYPE = "application/feed+json"
HOME_TITLE = "电子报"


@dataclass(frozen=True)
class FeedLink:
    """A feed offered for autodiscovery."""

    title: str
    type: str
    url: str


@dataclass(frozen=True)
class Chrome:
    """What every page of a publication shows around its content."""

    name: str
    language: str
    stylesheet: str
    index: str
    feeds: tuple[FeedLink, ...]


def chrome(links: Links, name: str, language: str) -> Chrome:
    """The masthead, stylesheet and feed links of the publication at ``links``."""
    feeds = (
        FeedLink(typeset(f"{name}(Atom)"), ATOM_TYPE, links.url(links.feed("atom"))),
        FeedLink(typeset(f"{name}(RSS)"), RSS_TYPE, links.url(links.feed("rss"))),
        FeedLink(typeset(f"{name}(JSON Feed)"), JSON_FEED_TYPE, links.url(links.feed("json"))),
        FeedLink(typeset(f"{name}每期目录(Atom)"), ATOM_TYPE, links.url(links.feed("issues"))),
    )
    return Chrome(name, language, stylesheet(links.base_url), links.url(links.index()), feeds)


def home_page(base_url: str, language: str, publications: Sequence[tuple[str, str]]) -> str:
    """The site's root: a list of ``(name, url)`` of its publications."""
    site = Chrome(HOME_TITLE, language, stylesheet(base_url), base_url, ())
    entries = [{"name": name, "url": url} for name, url in publications]
    return render("home.html", site=site, canonical=base_url, publications=entries)


def index_page(
    site: Chrome, issues: Sequence[IssueView], years: Sequence[int], links: Links
) -> str:
    """The publication's front page: the newest issues' contents, then links to every year."""
    return render(
        "index.html",
        site=site,
        canonical=site.index,
        issues=issues,
        years=years,
        year_links=_year_links(years, links),
    )


def year_page(
    site: Chrome, year: int, issues: Sequence[SummaryView], years: Sequence[int], links: Links
) -> str:
    """Every issue of ``year``, newest first."""
    return render(
        "year.html",
        site=site,
        canonical=links.url(links.year(year)),
        year=year,
        issues=issues,
        years=years,
        year_links=_year_links(years, links),
    )


def issue_page(site: Chrome, issue: IssueView) -> str:
    """The issue laid out like the paper's table of contents."""
    return render("issue.html", site=site, canonical=issue.url, issue=issue)


def article_page(site: Chrome, issue: IssueView, position: int) -> str:
    """The permalink page of the article at ``position`` in ``issue``."""
    articles = issue.articles
    return render(
        "article.html",
        site=site,
        canonical=articles[position].url,
        issue=issue,
        article=articles[position],
        previous=articles[position - 1] if position > 0 else None,
        next=articles[position + 1] if position + 1 < len(articles) else None,
    )


def _year_links(years: Sequence[int], links: Links) -> dict[int, str]:
    return {year: links.url(links.year(year)) for year in years}
