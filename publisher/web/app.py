"""The ASGI application: the built site, subscribing, the console and a health check."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from publisher.i18n import catalog
from publisher.web import admin, subscribe
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

    async def site(request: Request) -> Response:
        return serve_file(request, settings.site_dir)

    async def root_feed(request: Request) -> Response:
        # Feeds live under each publication; /feeds/... points readers at the only one.
        names = service.app.archive.publications()
        if len(names) != 1:
            return await site(request)
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
        Middleware(
            SessionMiddleware,
            secret_key=service.session_secret(),
            session_cookie="publisher_session",
            same_site="lax",
            https_only=settings.site.base_url.startswith("https://"),
            max_age=12 * 3600,
        )
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
    app.state.service = service
    app.state.catalog = catalog(settings.server.language)
    app.state.publication_name = service.publication_name
    app.state.subscribe_throttle = Throttle(settings.server.subscribe_rate, SUBSCRIBE_WINDOW)
    app.state.login_throttle = Throttle(LOGIN_ATTEMPTS, SUBSCRIBE_WINDOW)
    return app
