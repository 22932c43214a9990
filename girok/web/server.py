"""`girok serve`: the web front end for clerks and records officers (Starlette, Jinja2, uvicorn).

One resident process: the archive, its search index and the Korean analyser are opened once. Every page calls
the same use cases as the CLI (girok.app); this module only checks who may do what, and renders.

The security model, route by route (see README, "Web front end"):

- every route but /login, /lang and /static needs a session (server-side; the cookie holds a random id:
  HttpOnly, SameSite=Lax, Secure behind https); sessions end after 8 hours idle;
- the user is read from the catalog on every request: a disabled user or a changed role takes effect at once;
- every route checks the role's right on the server (``girok.app.users.RIGHTS``), and every POST its CSRF token;
- everything done is done ``acting`` as the user, so the audit trail names ``name (web)``;
- templates escape everything (autoescape); snippets are escaped first, then marked;
- a 주민등록번호 is never put in a URL, a page or a log: typed in the search box (POST), it is kept in the session
  and offered as the audited exact look-up, shown only masked;
- files are found by registration number or certificate number, never by a path.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from collections import OrderedDict
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Callable
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..app import users as users_app
from ..archive.layout import Archive
from ..errors import GirokError, MissingDependency, NotFound, UsageError
from ..i18n import speaking
from ..text.pii import find_rrns, mask_rrn
from ..text.times import local
from . import charts
from .messages import text as msg, lang_of
from ..app.serving import SessionStore

log = logging.getLogger("girok.web")

HERE = Path(__file__).resolve().parent
COOKIE = "girok_session"
LANG_COOKIE = "girok_lang"
REFRESH_SECONDS = 30
PAGE_SIZE = 20
MAX_FORM_FIELDS = 40
PAGE_CACHE_BYTES = 64 * 1024 * 1024
SESSIONS_FILE = "web/sessions.sqlite"  # in the archive's folder, shared by the worker processes

HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
                               "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class Refused(Exception):
    """A request refused with an HTTP status and a message key."""

    def __init__(self, status: int, key: str):
        super().__init__(key)
        self.status, self.key = status, key


@dataclass
class Ctx:
    """One request as a handler sees it."""

    request: Request
    web: "Web"
    lang: str
    session: object | None
    form: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)  # uploaded files, only for the handlers of pages.UPLOADS
    set_session: str | None = None  # a new session id to put in the cookie
    clear_session: bool = False

    @property
    def arch(self) -> Archive:
        return self.web.arch

    @property
    def user(self) -> str | None:
        return getattr(self.session, "user", None)

    @property
    def role(self) -> str | None:
        return getattr(self.session, "role", None)

    def may(self, right: str) -> bool:
        return users_app.may(self.role, right)

    def t(self, key: str, **kw) -> str:
        return msg(self.lang, key, **kw)

    def param(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default)[:500]

    def field(self, name: str, default: str = "") -> str:
        v = self.form.get(name, default)
        return v[:2000] if isinstance(v, str) else default

    def flash(self, line: str) -> None:
        if self.session is not None:
            self.session.flash.append(line)

    def render(self, template: str, status: int = 200, **values) -> HTMLResponse:
        return self.web.render(self, template, status=status, **values)


THREADS = 6  # pages a worker process runs at once


@asynccontextmanager
async def _lifespan(app):  # noqa: ANN001
    """Pages run in a few threads of each worker process, not anyio's default 40: they hold the GIL for most of
    their time, and forty of them taking turns at it served fewer pages per second (bench/web.py)."""
    import anyio.to_thread

    anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
    yield


class PageCache:
    """Rendered page images by (archival SHA-256, page, dpi), in memory, least recently used out first: nothing
    is written to disk, so a disposed-of document leaves no page image behind."""

    def __init__(self, max_bytes: int = PAGE_CACHE_BYTES):
        self.max_bytes = max_bytes
        self._d: OrderedDict[tuple, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            v = self._d.get(key)
            if v is not None:
                self._d.move_to_end(key)
            return v

    def put(self, key: tuple, value: bytes) -> None:
        with self._lock:
            if key in self._d:
                return
            self._d[key] = value
            self._size += len(value)
            while self._size > self.max_bytes and self._d:
                _, old = self._d.popitem(last=False)
                self._size -= len(old)


def when(value, tz) -> str:
    """A time as the pages show it: ``2026-03-01 09:30 KST`` (naive UTC from the catalog, or ISO with offset)."""
    if value is None or value == "":
        return ""
    try:
        if isinstance(value, str):
            at = datetime.fromisoformat(value.replace("Z", "+00:00"))
            at = at.astimezone(tz) if at.tzinfo else local(at, tz)
        else:
            at = local(value, tz)
    except (ValueError, TypeError):
        return str(value)
    name = at.tzname() or ""
    if not name or name[0] in "+-" or name.startswith("UTC"):
        off = at.strftime("%z")
        name = f"{off[:3]}:{off[3:]}" if off else ""
    return f"{at:%Y-%m-%d %H:%M} {name}".strip()


def snippet_html(snippet: str) -> Markup:
    """A search snippet with its matches (``[[...]]``) marked: every piece escaped first, then marked."""
    out, rest = [], mask_rrn(snippet or "")
    while "[[" in rest:
        before, _, after = rest.partition("[[")
        inside, closed, tail = after.partition("]]")
        out.append(escape(before))
        if closed:
            out.append(Markup("<mark>") + escape(inside) + Markup("</mark>"))
            rest = tail
        else:
            out.append(escape("[[" + inside))
            rest = ""
    out.append(escape(rest))
    return Markup("").join(out)


# --- the application ----------------------------------------------------------------------------------------------


class Web:
    def __init__(self, arch: Archive, *, secure_cookies: bool = False, sessions: SessionStore | None = None):
        self.arch = arch
        self.secure = secure_cookies
        self.sessions = sessions or SessionStore(arch.root / SESSIONS_FILE)
        self.pages = PageCache()
        self.env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=True,
                               trim_blocks=True, lstrip_blocks=True)
        self.env.filters["snippet"] = snippet_html
        self.app = Starlette(routes=self._routes(), lifespan=_lifespan)

    # -- plumbing --------------------------------------------------------------------------------------------------

    def _routes(self) -> list:
        from . import pages

        r = []
        for path, handler, right, methods in pages.ROUTES:
            r.append(Route(path, self._endpoint(handler, right), methods=list(methods)))
        r.append(Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"))
        return r

    def _endpoint(self, handler: Callable, right: str | None):
        from .pages import UPLOADS as uploads

        async def endpoint(request: Request) -> Response:
            started = time.monotonic()
            ctx = Ctx(request, self, lang_of(request.cookies.get(LANG_COOKIE)), None)
            try:
                if request.method == "POST":
                    form = await request.form(max_files=1 if handler.__name__ in uploads else 0,
                                              max_fields=MAX_FORM_FIELDS, max_part_size=64 * 1024)
                    ctx.form = {k: v for k, v in form.items() if isinstance(v, str)}
                    ctx.files = {k: v for k, v in form.items() if not isinstance(v, str)}
                # one trip to a worker thread for the session, the user's rights and the page
                response = await run_in_threadpool(self._serve, handler, right, ctx)
            finally:
                for upload in ctx.files.values():
                    await upload.close()
            return self._finish(ctx, response, started)

        endpoint.__name__ = handler.__name__
        return endpoint

    def _serve(self, handler: Callable, right: str | None, ctx: Ctx) -> Response:
        """Who asks (the session, and the user as the catalog has them now: a disabled user or a changed role takes
        effect at once), whether they may, then the page."""
        request, public = ctx.request, right == "public"
        session, expired = self.sessions.get(request.cookies.get(COOKIE))
        ctx.session = session
        try:
            if request.method == "POST" and (session is None or not session.csrf_ok(ctx.form.get("csrf"))):
                raise Refused(403, "error.csrf")
            if not public:
                if session is None or session.user is None:
                    if request.method == "GET":
                        nxt = request.url.path
                        if request.url.query and not find_rrns(request.url.query):
                            nxt += "?" + request.url.query
                        return RedirectResponse(
                            "/login?" + urlencode({"next": nxt, **({"expired": "1"} if expired else {})}),
                            status_code=303)
                    raise Refused(403, "error.403")
                user = users_app.active_user(self.arch, session.user)
                if user is None:  # disabled or removed since logging in
                    self.sessions.drop(session.id)
                    ctx.clear_session = True
                    return RedirectResponse("/login", status_code=303)
                session.role = user.role
                if right and not users_app.may(user.role, right):
                    raise Refused(403, "error.403")
        except Refused as r:
            return self._error(ctx, r.status, ctx.t(r.key))
        return self._run(handler, ctx)

    def _run(self, handler: Callable, ctx: Ctx) -> Response:
        """The handler, then what it changed of the session kept (for whichever worker process gets the next
        request)."""
        try:
            return self._handle(handler, ctx)
        finally:
            if ctx.session is not None and not ctx.clear_session:
                self.sessions.save(ctx.session)

    def _handle(self, handler: Callable, ctx: Ctx) -> Response:
        """The handler, acting as the user (the audit trail names them) and speaking the page's language (girok's
        own messages, e.g. an error of girok.app, as the page's words), with girok's errors as pages."""
        try:
            with speaking(ctx.lang):
                if ctx.user:
                    with users_app.acting_as(ctx.user):
                        return handler(ctx)
                return handler(ctx)
        except Refused as r:
            return self._error(ctx, r.status, ctx.t(r.key))
        except NotFound as exc:
            return self._error(ctx, 404, mask_rrn(exc.message) or ctx.t("error.404"))
        except UsageError as exc:
            return self._error(ctx, 400, mask_rrn(exc.message))
        except MissingDependency as exc:
            return self._error(ctx, 503, mask_rrn(exc.message))
        except GirokError as exc:
            log.error("girok error on %s: %s", ctx.request.url.path, mask_rrn(str(exc)))
            return self._error(ctx, 500, mask_rrn(exc.message))
        except Exception:  # never a traceback (with who knows what in it) on a page
            log.error("error on %s:\n%s", ctx.request.url.path, mask_rrn(traceback.format_exc()))
            return self._error(ctx, 500, ctx.t("error.500"))

    def _error(self, ctx: Ctx, status: int, message: str) -> HTMLResponse:
        return self.render(ctx, "error.html", status=status, message=message, code=status)

    def _finish(self, ctx: Ctx, response: Response, started: float) -> Response:
        for k, v in HEADERS.items():
            response.headers.setdefault(k, v)
        if ctx.set_session:
            response.set_cookie(COOKIE, ctx.set_session, httponly=True, samesite="lax", secure=self.secure, path="/")
        elif ctx.clear_session:
            response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=self.secure)
        # The access log: never a query string (it may hold words of a search), only the path.
        log.info("[%d] %s %s %s %s %.0fms", os.getpid(), ctx.user or "-", ctx.request.method, ctx.request.url.path,
                 response.status_code, (time.monotonic() - started) * 1000)
        return response

    def render(self, ctx: Ctx, template: str, *, status: int = 200, **values) -> HTMLResponse:
        session = ctx.session
        flash = []
        if session is not None and session.flash:
            flash, session.flash = session.flash, []
        nav = [(path, key) for path, key, right in (
            ("/status", "nav.status", "status"), ("/search", "nav.search", "search"),
            ("/retention", "nav.retention", "retention"), ("/review", "nav.review", "review"),
            ("/quarantine", "nav.quarantine", "quarantine"), ("/users", "nav.users", "users"),
        ) if ctx.may(right)]
        page = self.env.get_template(template).render(
            t=ctx.t, lang=ctx.lang, user=ctx.user, role=ctx.role, may=ctx.may, nav=nav, flash=flash,
            csrf=getattr(session, "csrf", ""), path=ctx.request.url.path, when=lambda v: when(v, self.arch.tz),
            quote=quote, archive_name=self.arch.config.name, **values)
        return HTMLResponse(page, status_code=status)

    # -- pieces the pages share ----------------------------------------------------------------------------------

    def when(self, value) -> str:
        return when(value, self.arch.tz)

    def page_png(self, ctx: Ctx, reg_no: str, page: int) -> bytes:
        from ..app.pages import PAGE_DPI, archival_key, audit_page_view, page_image

        sha, pages = archival_key(self.arch, reg_no)
        if not 1 <= page <= pages:
            raise Refused(404, "error.404")
        key = (sha, page, PAGE_DPI)
        png = self.pages.get(key)
        if png is None:
            png = page_image(self.arch, reg_no, page, audit=False)
            self.pages.put(key, png)
        audit_page_view(self.arch, reg_no, page)
        return png

    def file_response(self, path: Path, filename: str, media_type: str, *, inline: bool = False) -> FileResponse:
        disposition = "inline" if inline else "attachment"
        return FileResponse(path, media_type=media_type, filename=filename, content_disposition_type=disposition)


def charts_for(ctx: Ctx, act: dict) -> dict:
    days = act["days"]
    return {
        "pages": charts.stacked_bars(days, act["pages"], ctx.t("status.chart_pages", days=len(days))),
        "confidence": charts.lines(days, act["confidence"], ctx.t("status.chart_conf", days=len(days))),
    }


def create_app(arch: Archive, *, secure_cookies: bool = False, sessions: SessionStore | None = None) -> Starlette:
    """The ASGI application for ``arch`` (``.state.web`` is the Web object, for tests)."""
    web = Web(arch, secure_cookies=secure_cookies, sessions=sessions)
    web.app.state.web = web
    return web.app


def warm_up(arch: Archive) -> None:
    """Load the search index and the Korean analyser now, not on the first clerk's search."""
    from ..app.serving import warm_up as warm

    warm(arch)


def access_log() -> None:
    """girok.web's lines (one per request: time, process, user, method, path, status, milliseconds; never a query
    string) on standard error, where systemd's journal takes them."""
    logger = logging.getLogger("girok.web")
    logger.setLevel(logging.INFO)
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False


ENV_ARCHIVE = "GIROK_SERVE_ARCHIVE"  # what the worker processes of `girok serve --workers N` open
ENV_SECURE = "GIROK_SERVE_SECURE"


def app_from_environment() -> Starlette:
    """The application of one worker process of ``girok serve --workers N`` (uvicorn starts each with this
    factory): the archive named by the serving command, its index and the Korean analyser loaded once per worker."""

    from ..app.admin import open_archive

    arch = open_archive(Path(os.environ[ENV_ARCHIVE]))
    warm_up(arch)
    access_log()
    return create_app(arch, secure_cookies=os.environ.get(ENV_SECURE) == "1")


def serve(archive_path: Path, *, host: str = "127.0.0.1", port: int = 8470, behind_https: bool = False,
          certfile: Path | None = None, keyfile: Path | None = None, workers: int = 1,
          on_ready: Callable[[str], None] | None = None) -> None:
    """Run the web front end until interrupted: one process, or ``workers`` processes sharing the port (each with
    its own index and analyser; sessions are shared through the archive's web/sessions.sqlite)."""

    import uvicorn

    from ..app.admin import open_archive

    tls = certfile is not None
    common = dict(host=host, port=port, access_log=False, log_level="warning", server_header=False,
                  ssl_certfile=str(certfile) if certfile else None, ssl_keyfile=str(keyfile) if keyfile else None,
                  proxy_headers=False)
    url = f"{'https' if tls else 'http'}://{host}:{port}/"
    if workers > 1:
        open_archive(archive_path).close()  # a clear error here rather than in every worker; migrated once
        os.environ[ENV_ARCHIVE] = str(Path(archive_path).resolve())
        os.environ[ENV_SECURE] = "1" if (behind_https or tls) else "0"
        if on_ready:
            on_ready(url)
        uvicorn.run("girok.web.server:app_from_environment", factory=True, workers=workers, **common)
        return
    arch = open_archive(archive_path)
    warm_up(arch)
    app = create_app(arch, secure_cookies=behind_https or tls)
    access_log()
    if on_ready:
        on_ready(url)
    try:
        uvicorn.Server(uvicorn.Config(app, **common)).run()
    finally:
        arch.close()


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
