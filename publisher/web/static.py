"""Serving the built site: strong validators, 304s, caching headers and gzip.

Starlette's StaticFiles sends one ETag for both the plain and the gzipped body
and no Cache-Control; feed readers poll often, so this small handler does
conditional GET properly: a strong ETag per representation (content hash, with
a ``-gzip`` suffix for the compressed body), ``Last-Modified``,
``If-None-Match`` before ``If-Modified-Since`` (RFC 9110), and ``Vary``.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".eml": "message/rfc822",
    ".xml": "application/xml; charset=utf-8",
}
_FEED_TYPES = {
    "atom.xml": "application/atom+xml; charset=utf-8",
    "issues.atom.xml": "application/atom+xml; charset=utf-8",
    "rss.xml": "application/rss+xml; charset=utf-8",
    "feed.json": "application/feed+json; charset=utf-8",
}
_COMPRESSIBLE = (
    "text/",
    "application/atom+xml",
    "application/rss+xml",
    "application/feed+json",
    "application/json",
    "application/xml",
    "image/svg+xml",
)
_MIN_GZIP = 512


@dataclass(frozen=True)
class _Variant:
    body: bytes
    etag: str


@dataclass(frozen=True)
class _File:
    plain: _Variant
    gzipped: _Variant | None
    content_type: str
    last_modified: float


def content_type(path: Path) -> str:
    """The Content-Type (with charset for text) of a file in the site."""
    if path.name in _FEED_TYPES:
        return _FEED_TYPES[path.name]
    if path.suffix in _TYPES:
        return _TYPES[path.suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def cache_control(path: Path) -> str:
    """Feeds and pages change when an issue is published; assets change rarely."""
    if path.name in _FEED_TYPES or path.suffix == ".html":
        return "public, max-age=300"
    return "public, max-age=86400"


def serve_file(request: Request, root: Path) -> Response:
    """Answer a GET or HEAD for ``request.url.path`` from the site directory ``root``."""
    path = resolve(root, request.path_params.get("path", ""))
    if path is None:
        return PlainTextResponse("404 Not Found", status_code=404)
    stat = path.stat()
    entry = _load(path, stat.st_mtime_ns, stat.st_size)
    wants_gzip = entry.gzipped is not None and _accepts_gzip(request)
    variant = entry.gzipped if wants_gzip and entry.gzipped else entry.plain
    headers = {
        "ETag": variant.etag,
        "Last-Modified": email.utils.formatdate(entry.last_modified, usegmt=True),
        "Cache-Control": cache_control(path),
        "Content-Type": entry.content_type,
    }
    if entry.gzipped is not None:
        headers["Vary"] = "Accept-Encoding"
    if _not_modified(request, variant.etag, entry.last_modified):
        del headers["Content-Type"]
        return Response(status_code=304, headers=headers)
    if wants_gzip:
        headers["Content-Encoding"] = "gzip"
    body = b"" if request.method == "HEAD" else variant.body
    response = Response(body, headers=headers)
    response.headers["Content-Length"] = str(len(variant.body))
    return response


def resolve(root: Path, relative: str) -> Path | None:
    """The file ``relative`` names inside ``root`` (a directory means its index.html), or None.

    Never a dot file: the site has none of its own, and what has a leading dot
    there (a build's temporary files, a ``.git``) is not for readers.
    """
    if any(part.startswith(".") for part in relative.split("/")):
        return None  # also every ../ out of the site
    try:
        root = root.resolve()
        candidate = (root / relative.lstrip("/")).resolve()
        if candidate != root and root not in candidate.parents:
            return None  # a symbolic link out of the site
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None
    except (OSError, ValueError):
        return None  # a name too long for the file system, or with a NUL in it


@lru_cache(maxsize=512)
def _load(path: Path, mtime_ns: int, size: int) -> _File:
    """Read and hash a file once per version (mtime and size are part of the cache key)."""
    body = path.read_bytes()
    digest = hashlib.sha256(body).hexdigest()[:32]
    kind = content_type(path)
    gzipped = None
    if len(body) >= _MIN_GZIP and kind.startswith(_COMPRESSIBLE):
        gzipped = _Variant(gzip.compress(body, mtime=0), f'"{digest}-gzip"')
    return _File(_Variant(body, f'"{digest}"'), gzipped, kind, mtime_ns / 1e9)


def _accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*") and _quality(params) > 0:
            return True
    return False


def _quality(params: str) -> float:
    """The q value of an Accept-Encoding item (1 when absent or unreadable)."""
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 1.0
    return 1.0


def _not_modified(request: Request, etag: str, last_modified: float) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since:
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError):
            return False
        return int(last_modified) <= since
    return False
