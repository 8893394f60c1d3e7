"""Feeds and pages over real HTTP: validators, 304 with no body, gzip, types, no traversal."""

from __future__ import annotations

import gzip
from pathlib import Path

import httpx
import pytest

from publisher.app import Publisher
from publisher.ingest import ingest_files
from publisher.render.build import build_changed

from .live import Live, live_service


@pytest.fixture
def live(app: Publisher, sample_path: Path) -> Live:
    ingest_files(app, [sample_path])
    build_changed(app)
    with live_service(app) as live:
        yield live


def test_feed_conditional_get_returns_304_without_body(live: Live) -> None:
    url = live.url + "xinjimo/feeds/atom.xml"
    first = httpx.get(url, headers={"Accept-Encoding": "identity"})
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/atom+xml; charset=utf-8"
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and not etag.startswith("W/")  # a strong validator
    assert "max-age" in first.headers["cache-control"]

    again = httpx.get(url, headers={"If-None-Match": etag, "Accept-Encoding": "identity"})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag

    since = httpx.get(url, headers={"If-Modified-Since": modified, "Accept-Encoding": "identity"})
    assert since.status_code == 304 and since.content == b""

    stale = httpx.get(url, headers={"If-None-Match": '"other"', "Accept-Encoding": "identity"})
    assert stale.status_code == 200 and stale.content == first.content


def test_gzip_for_clients_that_ask_with_its_own_etag(live: Live) -> None:
    url = live.url + "xinjimo/feeds/rss.xml"
    with httpx.Client() as client:
        raw = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.headers["vary"] == "Accept-Encoding"
    plain = httpx.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert raw.headers["etag"] != plain.headers["etag"]
    assert raw.content == plain.content  # httpx decodes; the bytes are the same document
    with (
        httpx.Client() as client,
        client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as response,
    ):
        body = b"".join(response.iter_raw())
    assert gzip.decompress(body) == plain.content
    assert len(body) < len(plain.content)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("", "text/html; charset=utf-8"),
        ("xinjimo/2890/", "text/html; charset=utf-8"),
        ("xinjimo/2890/4/", "text/html; charset=utf-8"),
        ("xinjimo/feeds/rss.xml", "application/rss+xml; charset=utf-8"),
        ("xinjimo/feeds/feed.json", "application/feed+json; charset=utf-8"),
    ],
)
def test_pages_and_feeds_have_types_with_charset(live: Live, path: str, kind: str) -> None:
    response = httpx.get(live.url + path)
    assert response.status_code == 200
    assert response.headers["content-type"] == kind
    assert "新即墨" in response.text


def test_feeds_at_the_root_redirect_to_the_publication(live: Live) -> None:
    response = httpx.get(live.url + "feeds/atom.xml")
    assert response.status_code == 301
    assert response.headers["location"].endswith("/xinjimo/feeds/atom.xml")


def test_head_has_headers_and_no_body(live: Live) -> None:
    response = httpx.head(live.url + "xinjimo/feeds/atom.xml")
    assert response.status_code == 200 and response.content == b""
    assert int(response.headers["content-length"]) > 0


@pytest.mark.parametrize("refusal", ["identity", "gzip;q=0", "gzip; q=0.0", "*;q=0"])
def test_no_gzip_for_clients_that_refuse_it(live: Live, refusal: str) -> None:
    response = httpx.get(live.url + "xinjimo/feeds/rss.xml", headers={"Accept-Encoding": refusal})
    assert "content-encoding" not in response.headers


@pytest.mark.parametrize(
    "path",
    [
        "nope.html",
        # The database and the secret sit one level above the site directory;
        # %2F keeps the client from resolving the dots before they are sent.
        "..%2Fpublisher.db",
        "..%2Fsecret.key",
        "xinjimo%2F..%2F..%2Fpublisher.db",
    ],
)
def test_missing_and_escaping_paths_are_404(app: Publisher, live: Live, path: str) -> None:
    database = app.settings.data.dir / "publisher.db"
    if not database.is_file():  # on PostgreSQL: a stand-in, so that a leak would still show
        database.write_bytes(b"SQLite format 3\x00")
    assert database.is_file()  # there is something to steal
    response = httpx.get(live.url + path)
    assert response.status_code == 404
    assert b"SQLite" not in response.content


def test_healthz(live: Live) -> None:
    response = httpx.get(live.url + "healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
