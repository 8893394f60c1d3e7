"""The ASGI application: the built site, subscribing, the console and a health check."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from publisher.config import Settings
from publisher.errors import ConfigError
from publisher.i18n import catalog
from publisher.web import accesslog, admin, subscribe
from publisher.web.guard import BodyLimits, RequestGuard
from publisher.web.sessions import Sessions
from publisher.web.static import serve_file
from publisher.web.throttle import Throttle

if TYPE_CHECKING:
    from publisher.service import Service

ASSETS = Path(__file__).with_name("assets")
SUBSCRIBE_WINDOW = 600.0  # seconds over which [server] subscribe_rate is counted
LOGIN_ATTEMPTS = 10  # per client per window


def create_app(service: Service, *, run_service: bool = False) -> Starlette:
    """The web application of ``service``.

    With ``run_service`` the app starts and stops the service with the server
    (ASGI lifespan), so a signal that stops uvicorn lets sends pause cleanly.
    """
    settings = service.app.settings
    # Whichever server runs the app, its access log must not hand out signed links.
    accesslog.install()

    async def site(request: Request) -> Response:
        return serve_file(request, settings.site_dir)

    async def root_feed(request: Request) -> Response:
        # Feeds live under each publication; /feeds/... points readers at the only one.
        names = service.app.archive.publications()
        if len(names) != 1:
            # Which publication's? A page here would be a soft 404 that caches cache.
            return PlainTextResponse("404 Not Found", status_code=404)
        slug = service.app.archive.publication_slug(names[0])
        root = request.scope.get("root_path", "")
        return RedirectResponse(f"{root}/{slug}/feeds/{request.path_params['name']}", 301)

    async def healthz(request: Request) -> Response:
        healthy, facts = service.health()
        return JSONResponse(
            facts, status_code=200 if healthy else 503, headers={"Cache-Control": "no-store"}
        )

    async def progress_js(request: Request) -> Response:
        return FileResponse(ASSETS / "progress.js", media_type="text/javascript; charset=utf-8")

    routes = [
        Route("/healthz", healthz, methods=["GET", "HEAD"]),
        Route("/admin/progress.js", progress_js, methods=["GET"]),
        Route("/feeds/{name}", root_feed, methods=["GET", "HEAD"]),
        *subscribe.routes,
        *admin.routes,
        Route("/{path:path}", site, methods=["GET", "HEAD"]),
    ]
    middleware = [
        # Outermost: a request for another host, an odd path or an oversized body
        # is refused before anything reads it.
        Middleware(
            TrustedHostMiddleware, allowed_hosts=allowed_hosts(settings), www_redirect=False
        ),
        Middleware(
            RequestGuard,
            limits=BodyLimits(
                upload_paths=frozenset({"/admin/upload"}),
                uploads=round(settings.admin.max_upload_mb * 1024 * 1024),
            ),
        ),
        Middleware(
            SessionMiddleware,
            secret_key=service.session_secret(),
            session_cookie="publisher_session",
            same_site="lax",
            https_only=settings.site.base_url.startswith("https://"),
            max_age=12 * 3600,
        ),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await run_in_threadpool(service.start)
        try:
            yield
        finally:
            await run_in_threadpool(service.stop)

    app = Starlette(
        routes=routes, middleware=middleware, lifespan=lifespan if run_service else None
    )
    # Routes match every path (the site's catch-all), so Starlette's slash redirect,
    # which builds its URL from the Host header, must never run.
    app.router.redirect_slashes = False
    app.state.service = service
    app.state.sessions = Sessions(service.app.db)
    app.state.catalog = catalog(settings.server.language)
    app.state.publication_name = service.publication_name
    app.state.subscribe_throttle = Throttle(settings.server.subscribe_rate, SUBSCRIBE_WINDOW)
    app.state.login_throttle = Throttle(LOGIN_ATTEMPTS, SUBSCRIBE_WINDOW)
    return app


LOOPBACK = ("localhost", "127.0.0.1", "[::1]")  # health checks and the operator's own curl


def allowed_hosts(settings: Settings) -> list[str]:
    """The Host header values to answer: ``[server] allowed_hosts``, else base_url's and loopback."""
    hosts = list(settings.server.allowed_hosts)
    for pattern in hosts:
        wildcard = pattern.startswith("*") and pattern != "*"
        if "*" in pattern[1:] or (wildcard and not pattern.startswith("*.")):
            raise ConfigError(
                f"[server] allowed_hosts has {pattern!r}, which is not a host name or pattern",
                'use names like "news.example.cn", "*.example.cn", or "*" for any',
            )
    if hosts:
        return hosts
    base_host = urlsplit(settings.site.base_url).hostname or "localhost"
    return [base_host, *LOOPBACK]
