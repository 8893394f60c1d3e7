"""What every request passes before a route sees it: sane paths, bounded bodies, a harmless HEAD.

A pure ASGI middleware, so that limits hold while the body streams in: a
request whose ``Content-Length`` is over its route's limit is answered 413
before one byte is read, and one that sends more than it announced (or no
length at all) is cut off as soon as it passes the limit, so nothing larger
than the limit is ever spooled to disk or memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FORM_BYTES = 16 * 1024  # the largest form a page of ours posts (subscribe, login, buttons)
MAX_PATH_CHARS = 2048  # far beyond any URL we make; filesystems refuse longer names anyway


@dataclass(frozen=True)
class BodyLimits:
    """How large a request body may be: ``uploads`` on the paths that take a file, else ``forms``."""

    upload_paths: frozenset[str]
    uploads: int
    forms: int = FORM_BYTES

    def for_path(self, path: str) -> tuple[int, bool]:
        """The byte limit for ``path`` and whether it takes multipart bodies."""
        if path in self.upload_paths:
            return self.uploads, True
        return self.forms, False


class TooLarge(HTTPException):
    """A body passed its limit while streaming in (Starlette answers it 413)."""

    def __init__(self) -> None:
        # Closing the connection stops the rest of the body, which the server
        # would otherwise read (and discard) to the end before the next request.
        super().__init__(413, "Request body too large", headers={"Connection": "close"})


class RequestGuard:
    """ASGI middleware: refuse odd paths and oversized or misplaced bodies; run HEAD as GET."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if not _sane(path):
            await PlainTextResponse("400 Bad Request", status_code=400)(scope, receive, send)
            return
        if scope["method"] == "HEAD":
            await self._head(scope, send)
            return
        limit, takes_files = self.limits.for_path(path)
        headers = _headers(scope["headers"])
        if _is_multipart(headers.get("content-type", "")) and not takes_files:
            refusal = PlainTextResponse("415 Unsupported Media Type", status_code=415)
            await refusal(scope, receive, send)
            return
        if _declared_length(headers) > limit:
            refusal = PlainTextResponse("413 Request body too large", status_code=413)
            # Close the connection: the body we did not read must not be taken for a request.
            refusal.headers["Connection"] = "close"
            await refusal(scope, receive, send)
            return
        await self.app(scope, _counted(receive, limit), send)

    async def _head(self, scope: Scope, send: Send) -> None:
        """Answer HEAD as the GET of the same URL without its body.

        Routes then never see a HEAD: a handler that treats every method other
        than GET as a form post (as a one-click unsubscribe does) cannot be
        triggered by one, and the request's own body is never read.
        """

        async def no_body() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        # A new scope: the server reads the method from its own, and must still know it is HEAD.
        await self.app({**scope, "method": "GET"}, no_body, headers_only)


def _sane(path: str) -> bool:
    """Whether ``path`` (percent-decoded) is one any file or route could have."""
    return len(path) <= MAX_PATH_CHARS and not any(ord(c) < 0x20 or ord(c) == 0x7F for c in path)


def _headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in raw}


def _is_multipart(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower().startswith("multipart/")


def _declared_length(headers: dict[str, str]) -> int:
    """The Content-Length, or 0 when absent (the stream is counted anyway)."""
    try:
        return int(headers.get("content-length", "0"))
    except ValueError:
        return 0  # the server refuses a malformed length before we see it


def _counted(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises TooLarge as soon as the body passes ``limit`` bytes."""
    seen = 0

    async def receive_counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise TooLarge()
        return message

    return receive_counted
