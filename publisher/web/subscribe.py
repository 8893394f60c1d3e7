"""Subscribing and leaving: the double opt-in form, confirmation, one-click unsubscribe, preferences.

Every answer to a subscribe request is the same page, whether the address was
new, pending or already active, so the form cannot be used to learn who reads
the paper; the confirmation mail leaves in the background for the same reason.
"""

from __future__ import annotations

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from publisher.errors import TokenError, ValidationError
from publisher.web.csrf import CSRFError, check_csrf
from publisher.web.views import message, page
from subscribers.model import CADENCES, FORMATS

# RFC 8058: a POST with this body unsubscribes at once, without a page or a cookie.
ONE_CLICK = ("List-Unsubscribe", "One-Click")


async def subscribe_form(request: Request) -> Response:
    return page(request, "subscribe.html")


async def subscribe(request: Request) -> Response:
    state = request.app.state
    t = state.catalog
    form = await request.form()
    email = str(form.get("email", "")).strip()
    name = str(form.get("name", "")).strip() or None
    try:
        check_csrf(request, form.get("csrf_token"))
    except CSRFError:
        return page(
            request,
            "subscribe.html",
            status_code=403,
            error=t("form.expired"),
            email=email,
            name=name,
        )
    client = request.client.host if request.client else "unknown"
    if not state.subscribe_throttle.allow(client):
        return page(
            request,
            "subscribe.html",
            status_code=429,
            error=t("subscribe.throttled"),
            email=email,
            name=name,
        )
    try:
        subscriber, needs_confirmation = state.service.app.subscribers.subscribe(
            email, name, "form"
        )
    except ValidationError:
        return page(
            request,
            "subscribe.html",
            status_code=400,
            error=t("subscribe.invalid"),
            email=email,
            name=name,
        )
    task = (
        BackgroundTask(state.service.send_confirmation, subscriber) if needs_confirmation else None
    )
    response = message(request, t("subscribe.sent.title"), t("subscribe.sent.body", email=email))
    response.background = task
    return response


async def confirm(request: Request) -> Response:
    """A page with one button; only its POST subscribes.

    Mail scanners follow the links in a message (GET) to look at them: a
    confirmation must take a reader's press, as an unsubscribe does.
    """
    t = request.app.state.catalog
    token = request.path_params["token"]
    store = request.app.state.service.app.subscribers
    try:
        if request.method == "GET":
            subscriber = store.by_token(token, "confirm")
            return page(request, "confirm.html", email=subscriber.email)
        form = await request.form()
        try:
            check_csrf(request, form.get("csrf_token"))
        except CSRFError:
            return message(
                request, t("confirm.title"), t("form.expired"), status_code=403, error=True
            )
        store.confirm(token)
    except TokenError:
        return _invalid_link(request)
    publication = request.app.state.publication_name()
    return message(request, t("confirm.title"), t("confirm.body", publication=publication))


async def unsubscribe(request: Request) -> Response:
    state = request.app.state
    t = state.catalog
    token = request.path_params["token"]
    store = state.service.app.subscribers
    if request.method == "GET":
        try:
            subscriber = store.by_token(token, "unsubscribe")
        except TokenError:
            return _invalid_link(request)
        return page(request, "unsubscribe.html", email=subscriber.email)
    form = await request.form()
    one_click = form.get(ONE_CLICK[0]) == ONE_CLICK[1]
    if not one_click:
        try:
            check_csrf(request, form.get("csrf_token"))
        except CSRFError:
            return message(
                request, t("unsubscribe.title"), t("form.expired"), status_code=403, error=True
            )
    try:
        subscriber = store.unsubscribe_by_token(token)
    except TokenError:
        if one_click:
            return PlainTextResponse("invalid link", status_code=400)
        return _invalid_link(request)
    if one_click:
        return PlainTextResponse("unsubscribed")
    return message(
        request, t("unsubscribe.done.title"), t("unsubscribe.done.body", email=subscriber.email)
    )


async def preferences(request: Request) -> Response:
    t = request.app.state.catalog
    token = request.path_params["token"]
    store = request.app.state.service.app.subscribers
    saved = False
    try:
        if request.method == "POST":
            form = await request.form()
            try:
                check_csrf(request, form.get("csrf_token"))
            except CSRFError:
                return message(
                    request, t("preferences.title"), t("form.expired"), status_code=403, error=True
                )
            cadence = form.get("cadence")
            format_ = form.get("format")
            subscriber = store.update_preferences(
                token,
                cadence=cadence if cadence in CADENCES else None,
                format=format_ if format_ in FORMATS else None,
            )
            saved = True
        else:
            subscriber = store.by_token(token, "preferences")
    except TokenError:
        return _invalid_link(request)
    return page(
        request,
        "preferences.html",
        email=subscriber.email,
        cadence=subscriber.cadence,
        format=subscriber.format,
        cadences=CADENCES,
        formats=FORMATS,
        saved=saved,
    )


def _invalid_link(request: Request) -> Response:
    t = request.app.state.catalog
    return message(
        request, t("link.invalid.title"), t("link.invalid.body"), status_code=404, error=True
    )


routes = [
    Route("/subscribe", subscribe_form, methods=["GET"]),
    Route("/subscribe", subscribe, methods=["POST"]),
    Route("/confirm/{token}", confirm, methods=["GET", "POST"]),
    Route("/unsubscribe/{token}", unsubscribe, methods=["GET", "POST"]),
    Route("/preferences/{token}", preferences, methods=["GET", "POST"]),
]
