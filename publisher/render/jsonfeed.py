"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1/): the same entries as the Atom feed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from publisher.render.links import Links
from publisher.render.templating import render
from publisher.render.text import typeset
from publisher.render.view import ArticleView, IssueView

VERSION = "https://jsonfeed.org/version/1.1"


def json_feed(issues: Sequence[IssueView], links: Links) -> bytes:
    """One item per article of ``issues`` (newest issue first), as UTF-8 JSON."""
    newest = issues[0]
    document: dict[str, Any] = {
        "version": VERSION,
        "title": newest.publication,
        "home_page_url": links.url(links.index()),
        "feed_url": links.url(links.feed("json")),
        "description": typeset(f"{newest.publication}:每期文章全文"),
        "language": newest.language,
        "authors": [{"name": newest.credit}],
        "items": [_item(issue, article) for issue in issues for article in issue.articles],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def _item(issue: IssueView, article: ArticleView) -> dict[str, Any]:
    tags = [issue.label, *([article.label] if article.label else [])]
    item: dict[str, Any] = {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "content_html": render("entry.html", issue=issue, article=article),
        "summary": article.lede,
        "date_published": article.published.isoformat(),
        "date_modified": article.updated.isoformat(),
        "authors": [{"name": name} for name in issue.authors(article)],
        "tags": tags,
        "language": issue.language,
    }
    if article.images:
        item["image"] = article.images[0].url
        item["attachments"] = [
            {"url": f.url, "mime_type": f.media_type, "size_in_bytes": f.length}
            for f in article.images
        ]
    return item
