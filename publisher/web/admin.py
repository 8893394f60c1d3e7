"""The editors' console: log in, upload and check an issue, preview its digest, test, send.

An upload is stored only after the editor has seen what the parser understood
of it (its outline and warnings) and confirmed.

Every action here is a call into the library (ingest, build, the service's
send and test-send), so anything done here can also be done from the command line.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Awaitable, Callable
from pathlib import PurePath
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from publisher.app import Publisher
from publisher.check import archive_doubts, doubt_message, page_heading, pages
from publisher.errors import PublisherError
from publisher.ingest import Parsed, read_upload
from publisher.parse.doubts import Doubt
from publisher.web.csrf import CSRFError, check_csrf
from publisher.web.sessions import Editor, Sessions
from publisher.web.staging import Staging
from publisher.web.views import page

Handler = Callable[..., Awaitable[Response]]

FLASH = "flash"  # the notice of a finished action, shown once by the page it redirects to
UPLOAD = "upload"  # the staged upload awaiting confirmation: its id, file name, replace flag
_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """The argon2 hash to put in ``[admin] password_hash``."""
    return _HASHER.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (False for an empty or broken hash)."""
    if not stored_hash:
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _editor(request: Request) -> Editor:
    settings = request.app.state.service.app.settings.admin
    return Editor(settings.user, settings.password_hash)


async def _logged_in(request: Request) -> bool:
    """Whether the request carries a session of the editor that has not been ended."""
    sessions: Sessions = request.app.state.sessions
    return await run_in_threadpool(sessions.valid, request.session, _editor(request))


def redirect(request: Request, route: str, **params: object) -> RedirectResponse:
    """A 303 to ``route`` by path alone: never a URL made from the request's Host header."""
    path = request.app.url_path_for(route, **params)
    return RedirectResponse(request.scope.get("root_path", "") + str(path), status_code=303)


def _done(request: Request, notice: str, route: str, **params: object) -> RedirectResponse:
    """Post/Redirect/Get: reloading the page afterwards must not repeat the action."""
    request.session[FLASH] = notice
    return redirect(request, route, **params)


def editor_only(handler: Handler) -> Handler:
    """Send anyone not logged in to the login page instead of running ``handler``."""

    @functools.wraps(handler)
    async def guarded(request: Request, *args: Any, **kwargs: Any) -> Response:
        if not await _logged_in(request):
            return _to_login(request)
        return await handler(request, *args, **kwargs)

    return guarded


def _to_login(request: Request) -> RedirectResponse:
    return redirect(request, "admin_login")


async def login(request: Request) -> Response:
    state = request.app.state
    t = state.catalog
    settings = state.service.app.settings.admin
    if not settings.password_hash:
        return page(request, "admin/login.html", status_code=503, error=t("admin.login.disabled"))
    if request.method == "GET":
        return page(request, "admin/login.html")
    form = await request.form()
    try:
        check_csrf(request, form.get("csrf_token"))
    except CSRFError:
        return page(request, "admin/login.html", status_code=403, error=t("form.expired"))
    client = request.client.host if request.client else "unknown"
    if not state.login_throttle.allow(client):
        return page(request, "admin/login.html", status_code=429, error=t("admin.login.throttled"))
    user = str(form.get("user", ""))
    password = str(form.get("password", ""))
    # Verify even for a wrong user name so timing does not tell which was wrong.
    good_password = await run_in_threadpool(password_matches, settings.password_hash, password)
    if not (good_password and secrets.compare_digest(user, settings.user)):
        return page(
            request, "admin/login.html", status_code=401, error=t("admin.login.failed"), user=user
        )
    request.session.clear()  # a fresh session (and CSRF token) after logging in
    await run_in_threadpool(state.sessions.open, request.session, _editor(request))
    return redirect(request, "admin_home")


async def logout(request: Request) -> Response:
    """End every session of the editor, not only this cookie: a copy of it must not live on."""
    form = await request.form()
    try:
        check_csrf(request, form.get("csrf_token"))
    except CSRFError:
        return _to_login(request)
    if await _logged_in(request):
        await run_in_threadpool(request.app.state.sessions.end_all, _editor(request).user)
    request.session.clear()
    return _to_login(request)


@editor_only
async def home(
    request: Request, *, notice: str | None = None, error: str | None = None, status_code: int = 200
) -> Response:
    notice = notice or request.session.pop(FLASH, None)
    service = request.app.state.service
    issues, counts = await run_in_threadpool(
        lambda: (service.app.archive.list()[:30], service.app.subscribers.count_by_status())
    )
    return page(
        request,
        "admin/index.html",
        status_code=status_code,
        issues=issues,
        counts=counts,
        notice=notice,
        error=error,
    )


@editor_only
async def upload(request: Request) -> Response:
    """Step one of two: parse the upload and show what was understood; store nothing yet."""
    t = request.app.state.catalog
    # The context closes the uploaded file's spool, whatever the answer.
    async with request.form() as form:
        try:
            check_csrf(request, form.get("csrf_token"))
        except CSRFError:
            return await home(request, error=t("form.expired"), status_code=403)
        upload = form.get("issue")
        if upload is None or isinstance(upload, str):
            return await home(request, error=t("admin.upload"), status_code=400)
        # One byte more than allowed is enough for the parser to refuse it.
        data = await upload.read(request.app.state.service.app.settings.ingest.max_bytes + 1)
        replace = form.get("replace") == "1"
    name = PurePath(upload.filename or "upload.md").name
    app = request.app.state.service.app
    try:
        parsed, doubts = await run_in_threadpool(_read_and_doubt, app, name, data)
    except PublisherError as e:
        return await home(request, error=str(e), status_code=400)
    staging = _staging(request)
    previous = request.session.pop(UPLOAD, None)
    if isinstance(previous, dict):
        staging.discard(str(previous.get("id", "")))
    upload_id = await run_in_threadpool(staging.put, data)
    # The signed session binds the staged bytes to this editor; the form only names them.
    request.session[UPLOAD] = {"id": upload_id, "name": name, "replace": replace}
    return page(
        request,
        "admin/check.html",
        issue=parsed.issue,
        pages=pages(parsed.issue),
        page_heading=page_heading,
        warnings=[doubt_message(t, doubt) for doubt in doubts],
        name=name,
        upload_id=upload_id,
    )


def _read_and_doubt(app: Publisher, name: str, data: bytes) -> tuple[Parsed, list[Doubt]]:
    parsed = read_upload(name, data, max_bytes=app.settings.ingest.max_bytes)
    return parsed, [*parsed.doubts, *archive_doubts(app.archive, parsed.issue)]


def _staging(request: Request) -> Staging:
    return Staging(request.app.state.service.app.settings.data.dir / "uploads")


@editor_only
async def confirm_upload(request: Request) -> Response:
    """Step two: store the upload the editor has just seen, then build what changed."""
    t = request.app.state.catalog
    form = await request.form()
    try:
        check_csrf(request, form.get("csrf_token"))
    except CSRFError:
        return await home(request, error=t("form.expired"), status_code=403)
    staged = request.session.get(UPLOAD)
    given = form.get("upload")
    if not (
        isinstance(staged, dict)
        and isinstance(given, str)
        and secrets.compare_digest(given, str(staged.get("id", "")))
    ):
        return await home(request, error=t("admin.check.expired"), status_code=400)
    del request.session[UPLOAD]  # one confirmation per upload, even if storing fails
    data = await run_in_threadpool(_staging(request).take, given)
    if data is None:
        return await home(request, error=t("admin.check.expired"), status_code=400)
    service = request.app.state.service
    name, replace = str(staged["name"]), bool(staged["replace"])
    try:
        ingested = await run_in_threadpool(service.publish_upload, name, data, replace=replace)
    except PublisherError as e:
        return await home(request, error=str(e), status_code=400)
    issue = ingested.issue
    notice = t(
        "admin.upload.done",
        status=t(f"ingest.{ingested.status}"),
        publication=issue.publication,
        number=issue.number,
        count=len(issue.articles),
    )
    return _done(request, notice, "admin_home")


@editor_only
async def cancel_upload(request: Request) -> Response:
    """Forget the staged upload: the editor saw something wrong in it."""
    form = await request.form()
    try:
        check_csrf(request, form.get("csrf_token"))
    except CSRFError:
        return await home(request, error=request.app.state.catalog("form.expired"), status_code=403)
    staged = request.session.pop(UPLOAD, None)
    if isinstance(staged, dict):
        await run_in_threadpool(_staging(request).discard, str(staged.get("id", "")))
    return redirect(request, "admin_home")


@editor_only
async def issue_page(
    request: Request, *, notice: str | None = None, error: str | None = None, status_code: int = 200
) -> Response:
    notice = notice or request.session.pop(FLASH, None)
    service = request.app.state.service
    slug, number = request.path_params["slug"], request.path_params["number"]
    try:
        issue, sends = await run_in_threadpool(service.issue_and_sends, slug, number)
    except PublisherError as e:
        return await home(request, error=str(e), status_code=404)
    return page(
        request,
        "admin/issue.html",
        status_code=status_code,
        issue=issue,
        slug=slug,
        sends=sends,
        notice=notice,
        error=error,
    )


@editor_only
async def digest_preview(request: Request) -> Response:
    service = request.app.state.service
    try:
        html = await run_in_threadpool(
            service.preview_html, request.path_params["slug"], request.path_params["number"]
        )
    except PublisherError as e:
        return HTMLResponse(str(e), status_code=404)
    # The digest is our own rendering of escaped content; keep it from running anything anyway.
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": "default-src 'none'; "
            "style-src 'unsafe-inline'; img-src * data:; frame-ancestors 'self'"
        },
    )


async def test_send(request: Request) -> Response:
    return await _issue_action(request, "test")


async def send_now(request: Request) -> Response:
    return await _issue_action(request, "send")


@editor_only
async def _issue_action(request: Request, action: str) -> Response:
    t = request.app.state.catalog
    service = request.app.state.service
    slug, number = request.path_params["slug"], request.path_params["number"]
    form = await request.form()
    try:
        check_csrf(request, form.get("csrf_token"))
        if action == "test":
            email = str(form.get("email", "")).strip()
            await run_in_threadpool(service.test_send, slug, number, email)
            notice = t("admin.test.done", email=email)
        else:
            await run_in_threadpool(service.trigger_send, slug, number)
            notice = t("admin.send.started", number=number)
    except CSRFError:
        return await issue_page(request, error=t("form.expired"), status_code=403)
    except PublisherError as e:
        return await issue_page(request, error=str(e), status_code=400)
    return _done(request, notice, "admin_issue", slug=slug, number=number)


async def progress(request: Request) -> Response:
    if not await _logged_in(request):
        return JSONResponse({"error": "log in"}, status_code=401)
    service = request.app.state.service
    slug, number = request.path_params["slug"], request.path_params["number"]
    try:
        _, sends = await run_in_threadpool(service.issue_and_sends, slug, number)
    except PublisherError as e:
        return JSONResponse({"error": str(e)}, status_code=404)
    return JSONResponse({"sends": sends}, headers={"Cache-Control": "no-store"})


_ISSUE = "/admin/issues/{slug}/{number:int}"

routes = [
    Route("/admin", home, methods=["GET"], name="admin_home"),
    Route("/admin/login", login, methods=["GET", "POST"], name="admin_login"),
    Route("/admin/logout", logout, methods=["POST"], name="admin_logout"),
    Route("/admin/upload", upload, methods=["POST"], name="admin_upload"),
    Route("/admin/upload/confirm", confirm_upload, methods=["POST"], name="admin_confirm"),
    Route("/admin/upload/cancel", cancel_upload, methods=["POST"], name="admin_cancel"),
    Route(_ISSUE, issue_page, methods=["GET"], name="admin_issue"),
    Route(_ISSUE + "/digest", digest_preview, methods=["GET"], name="admin_digest"),
    Route(_ISSUE + "/test", test_send, methods=["POST"], name="admin_test"),
    Route(_ISSUE + "/send", send_now, methods=["POST"], name="admin_send"),
    Route(_ISSUE + "/progress", progress, methods=["GET"], name="admin_progress"),
]
