"""Rendering the service's own pages (subscribe, unsubscribe, console) with Jinja2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from publisher.i18n import Catalog
from publisher.render.text import clean
from publisher.web.csrf import csrf_token

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    # Escaping makes markup inert; clean also drops bidi controls, which could
    # make a hostile title reorder the console around it.
    finalize=lambda value: clean(value) if isinstance(value, str) else value,
    trim_blocks=True,
    lstrip_blocks=True,
)


def page(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page from ``templates/web/``, with the catalog, CSRF token and site names filled in."""
    state = request.app.state
    catalog: Catalog = state.catalog
    html = _ENV.get_template(f"web/{template}").render(
        t=catalog,
        csrf=csrf_token(request),
        publication=state.publication_name(),
        base_path=request.scope.get("root_path", "") + "/",
        **context,
    )
    return HTMLResponse(
        html,
        status_code=status_code,
        headers={
            "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
            "script-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; "
            "frame-src 'self'; frame-ancestors 'self'; base-uri 'none'",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


def message(
    request: Request, title: str, body: str, *, status_code: int = 200, error: bool = False
) -> HTMLResponse:
    """A page that only says something: a title and a sentence."""
    return page(
        request, "message.html", status_code=status_code, title=title, body=body, error=error
    )
