"""The pages and actions of `girok serve`, each with the right it needs (``ROUTES``).

Handlers run in a worker thread, acting as the logged-in user; they call girok.app and render a template.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlencode

from starlette.responses import RedirectResponse, Response

from ..app import users as users_app
from ..errors import UsageError
from ..text.pii import find_rrns
from .messages import LANGS
from .server import LANG_COOKIE, PAGE_SIZE, REFRESH_SECONDS, Ctx, Refused, charts_for, utc_now

MAX_REVIEW_FILE = 8 * 2 ** 20  # bytes: a review file of tens of thousands of rows
UPLOADS = {"review_decide"}  # the handlers that take a file (every other form refuses one)
SEARCH_FIELDS = ("q", "type", "office", "date", "retention", "sort")
HOME = (("status", "/status"), ("search", "/search"), ("review", "/review"), ("users", "/users"))


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _local(next_url: str) -> str:
    """Only a path of this site (never //host or a scheme): no open redirect."""
    return next_url if next_url.startswith("/") and not next_url.startswith("//") and "\\" not in next_url else "/"


# --- log-in, log-out, language --------------------------------------------------------------------------------


def home(ctx: Ctx) -> Response:
    for right, url in HOME:
        if ctx.may(right):
            return _redirect(url)
    raise Refused(403, "error.403")


def login_page(ctx: Ctx, *, error: str = "", status: int = 200) -> Response:
    if ctx.session is None:  # a session for the log-in form's CSRF token
        ctx.session = ctx.web.sessions.new()
        ctx.set_session = ctx.session.id
    info = ""
    if ctx.param("expired"):
        info = ctx.t("login.expired")
    elif ctx.param("out"):
        info = ctx.t("login.out")
    return ctx.render("login.html", status=status, error=error, info=info, next=_local(ctx.param("next", "/")))


def login_post(ctx: Ctx) -> Response:
    name, password = ctx.field("name").strip(), ctx.field("password")
    result = users_app.login(ctx.arch, name, password)
    if result.outcome == "locked":
        return login_page(ctx, error=ctx.t("login.locked", n=users_app.LOCK_AFTER,
                                           minutes=int(users_app.LOCK_FOR.total_seconds() // 60)), status=403)
    if not result.ok:
        return login_page(ctx, error=ctx.t("login.bad"), status=403)
    ctx.web.sessions.drop(ctx.session.id)  # a new id once logged in: a planted id is worth nothing
    ctx.session = ctx.web.sessions.new(result.name, result.role)
    ctx.set_session = ctx.session.id
    return _redirect(_local(ctx.field("next", "/")))


def logout(ctx: Ctx) -> Response:
    users_app.logout(ctx.arch, ctx.user)
    ctx.web.sessions.drop(ctx.session.id)
    ctx.clear_session = True
    return _redirect("/login?out=1")


def language(ctx: Ctx) -> Response:
    code = ctx.request.path_params["code"]
    resp = _redirect(_local(ctx.param("next", "/")))
    if code in LANGS:
        resp.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, httponly=True, samesite="lax",
                        secure=ctx.web.secure, path="/")
    return resp


# --- search ---------------------------------------------------------------------------------------------------------


def _criteria(source) -> dict:
    return {k: (source.get(k) or "").strip()[:500] for k in SEARCH_FIELDS}


def _search_page(ctx: Ctx, crit: dict, page: int, *, notice: str = "", status: int = 200, rrn: dict | None = None,
                 offer: bool = False):
    from ..app.documents import SearchRequest, search

    result = None
    if not rrn and (crit["q"] or any(crit[k] for k in ("type", "office", "date", "retention"))):
        result = search(ctx.arch, SearchRequest(text=crit["q"], doc_type=crit["type"] or None,
                                                office=crit["office"] or None, date=crit["date"] or None,
                                                retention=crit["retention"] or None,
                                                sort=crit["sort"] if crit["sort"] in ("relevance", "newest", "oldest")
                                                else "relevance", limit=PAGE_SIZE, page=page))
    links = {}
    if result is not None:
        base = {k: v for k, v in crit.items() if v}
        if page > 1:
            links["prev"] = "/search?" + urlencode({**base, "page": page - 1})
        if page < result.pages:
            links["next"] = "/search?" + urlencode({**base, "page": page + 1})
    return ctx.render("search.html", status=status, crit=crit, result=result, links=links, notice=notice, rrn=rrn,
                      offer=offer)


def search_get(ctx: Ctx) -> Response:
    crit = _criteria(ctx.request.query_params)
    if any(find_rrns(v) for v in crit.values()):
        # Typed into the address by hand: never echoed, never searched (the URL is in logs and histories).
        return _search_page(ctx, dict.fromkeys(SEARCH_FIELDS, ""), 1, notice=ctx.t("search.rrn_in_url"), status=400)
    try:
        page = max(1, min(int(ctx.param("page", "1") or 1), 10000))
    except ValueError:
        page = 1
    return _search_page(ctx, crit, page)


def search_post(ctx: Ctx) -> Response:
    """The search form posts here: with an RRN in it, the exact look-up is offered (the number stays in the
    session, shown only masked); otherwise on to GET /search?... so that results can be paged and linked."""
    from ..app.documents import rrn_query
    from ..app.serving import PendingRrn

    crit = _criteria(ctx.form)
    rrns = [r for v in crit.values() for r in find_rrns(v)]
    if rrns:
        query = rrn_query(ctx.arch, rrns[0])  # its keyed hash and masked form: the number itself is kept nowhere
        ctx.session.pending_rrn = PendingRrn(query.hmac, query.masked)
        blank = dict.fromkeys(SEARCH_FIELDS, "")
        return _search_page(ctx, blank, 1, notice=ctx.t("search.rrn_found", masked=query.masked), offer=True)
    return _redirect("/search?" + urlencode({k: v for k, v in crit.items() if v}))


def rrn_lookup(ctx: Ctx) -> Response:
    from ..app.documents import RrnQuery, rrn_lookup as lookup

    pending, ctx.session.pending_rrn = ctx.session.pending_rrn, None
    if not pending:
        return _search_page(ctx, dict.fromkeys(SEARCH_FIELDS, ""), 1, notice=ctx.t("search.rrn_gone"), status=400)
    found = lookup(ctx.arch, RrnQuery(pending.hmac, pending.masked))
    return _search_page(ctx, dict.fromkeys(SEARCH_FIELDS, ""), 1,
                        rrn={"masked": found.masked, "rows": found.rows})


# --- a document -----------------------------------------------------------------------------------------------------


def _reg(ctx: Ctx) -> str:
    from ..app.pages import check_reg_no

    try:
        return check_reg_no(ctx.request.path_params["reg_no"])
    except UsageError:
        raise Refused(404, "error.404") from None


def document(ctx: Ctx) -> Response:
    from ..app.documents import TombstoneView, show
    from ..app.pages import history, related

    reg = _reg(ctx)
    shown = show(ctx.arch, reg, with_text=True)  # reading the text is an audited view
    if isinstance(shown, TombstoneView):
        return ctx.render("tombstone.html", status=404, tomb=shown.as_dict(), reg=reg)
    d = shown.as_dict()  # the document object of app.shapes (README "JSON output")
    meta = [
        ("col.id", d["id"]), ("col.title", d["title"]), ("col.type", d["type"]), ("col.date", d["date"]),
        ("col.receipt", d["receipt_no"]), ("col.applicant", d["applicant"]), ("col.office", d["office"]),
        ("col.captured", ctx.web.when(d["captured_at"])), ("col.pages", d["pages"]), ("doc.pdfa", d["pdfa"]),
        ("doc.rrn", ", ".join(d["rrn_masked"])), ("doc.source", d["source"]["name"]),
        ("doc.sha_original", d["original"]["sha256"]), ("doc.sha_archival", d["archival"]["sha256"]),
        # fields the form has but no reading of which passed its check (girok.ingest.fields): left empty
        ("doc.unread", ", ".join(ctx.t(UNREAD_LABELS.get(f, "col.type")) for f in d.get("unread_fields") or [])),
    ]
    return ctx.render("document.html", reg=reg, d=d, meta=[(k, v) for k, v in meta if v not in (None, "")],
                      pages=list(range(1, d["pages"] + 1)), confidence=d["page_confidence"],
                      rescan=d["rescan_suggested"], texts=d.get("text", []),
                      related=related(ctx.arch, reg), history=history(ctx.arch, reg))


UNREAD_LABELS = {"doc_type": "col.type", "date": "col.date", "receipt_no": "col.receipt", "applicant": "col.applicant"}


def page_image(ctx: Ctx) -> Response:
    reg = _reg(ctx)
    try:
        n = int(ctx.request.path_params["page"])
    except ValueError:
        raise Refused(404, "error.404") from None
    png = ctx.web.page_png(ctx, reg, n)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, no-store"})


def pdf(ctx: Ctx) -> Response:
    from ..app.pages import archival_pdf

    reg = _reg(ctx)
    printing = ctx.param("print") == "1"
    f = archival_pdf(ctx.arch, reg, purpose="print" if printing else "pdf")
    return ctx.web.file_response(f.path, f.filename, "application/pdf", inline=printing)


# --- status ---------------------------------------------------------------------------------------------------------


def status(ctx: Ctx) -> Response:
    from ..app.activity import _folder_name, activity
    from ..app.admin import status as archive_status
    from ..app.quarantine import list_quarantined
    from ..app.status import awaiting_rescan

    st = archive_status(ctx.arch)
    act = activity(ctx.arch)
    folders = []
    for f in st["hot_folders"]:
        name = _folder_name(ctx.arch, f["path"])
        today = act["today"].get(name, {"documents": 0, "pages": 0})
        folders.append({"name": name, "profile": f["profile"], "waiting": f["waiting"], **today})
    return ctx.render("status.html", st=st, folders=folders, rescan=awaiting_rescan(ctx.arch, limit=50),
                      quarantined=list_quarantined(ctx.arch), charts=charts_for(ctx, act), refresh=REFRESH_SECONDS,
                      now=utc_now())


def export_bag(ctx: Ctx) -> Response:
    """The document as a BagIt bag (zip), for an officer to hand on (이관, a request for the record): audited as
    ``girok export`` is."""
    from starlette.background import BackgroundTask

    from ..app.records import export_download

    f = export_download(ctx.arch, [_reg(ctx)])
    response = ctx.web.file_response(f.path, f.filename, "application/zip")
    response.background = BackgroundTask(f.remove)
    return response


# --- retention, holds, review -------------------------------------------------------------------------------------


def retention(ctx: Ctx) -> Response:
    from ..app.disposals import list_disposals
    from ..app.retention import list_holds, review

    rv = review(ctx.arch).as_dict()  # the review's JSON: its documents in the keys of the document object
    due = [i for g in rv["groups"] for i in g["documents"]]
    return ctx.render("retention.html", due=due, as_of=rv["as_of"],
                      holds=[h.as_dict() for h in list_holds(ctx.arch)], disposals=list_disposals(ctx.arch),
                      ids=ctx.param("ids"))


def hold_add(ctx: Ctx) -> Response:
    from ..app.retention import add_hold

    ids = [i for i in re.split(r"[\s,]+", ctx.field("ids")) if i]
    reason = ctx.field("reason").strip()
    if not reason:
        raise UsageError(ctx.t("form.reason_required"))
    if not ids:
        raise UsageError(ctx.t("ret.ids_required"))
    added = add_hold(ctx.arch, reason=reason, ids=ids)
    ctx.flash(ctx.t("ret.placed", id=added.info.id, n=len(added.info.documents)))
    return _redirect("/retention")


def hold_release(ctx: Ctx) -> Response:
    from ..app.retention import release_hold

    try:
        hold = int(ctx.request.path_params["hold"])
    except ValueError:
        raise Refused(404, "error.404") from None
    reason = ctx.field("reason").strip()
    if not reason:
        raise UsageError(ctx.t("form.reason_required"))
    release_hold(ctx.arch, hold, reason=reason)
    ctx.flash(ctx.t("ret.released", id=hold))
    return _redirect("/retention")


def certificate(ctx: Ctx) -> Response:
    from ..app.disposals import certificate_file

    number, fmt = ctx.request.path_params["number"], ctx.request.path_params["fmt"]
    try:
        path = certificate_file(ctx.arch, number, fmt)
    except UsageError:
        raise Refused(404, "error.404") from None
    media = "text/csv; charset=utf-8" if fmt == "csv" else "text/plain; charset=utf-8"
    return ctx.web.file_response(path, path.name, media)


def review_page(ctx: Ctx, *, decided: dict | None = None, status: int = 200) -> Response:
    from ..app.retention import review

    rv = review(ctx.arch).as_dict()
    return ctx.render("review.html", status=status, review=rv, as_of=rv["as_of"], decided=decided)


def review_file(ctx: Ctx) -> Response:
    """The review file for the committee (CSV for Excel), as `girok retention review --out FILE.csv` writes it."""
    import tempfile

    from starlette.background import BackgroundTask

    from ..app.retention import review

    folder = Path(tempfile.mkdtemp(prefix="girok-review-"))
    try:
        res = review(ctx.arch, out_file=folder / "review.csv")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    response = ctx.web.file_response(folder / "review.csv", f"girok-review-{res.review.id}.csv", "text/csv")
    response.background = BackgroundTask(shutil.rmtree, folder, ignore_errors=True)
    return response


def review_decide(ctx: Ctx) -> Response:
    """The committee's decisions from the filled-in review file, with the meeting that made them (as `girok
    retention decide FILE --meeting M --meeting-date D`): all recorded, or none when the file does not match."""
    import tempfile

    from ..app.retention import decide

    upload = ctx.files.get("file")
    meeting, meeting_date = ctx.field("meeting").strip(), ctx.field("meeting_date").strip()
    if upload is None or not upload.filename:
        raise UsageError(ctx.t("rev.need_file"))
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in (".csv", ".json"):
        raise UsageError(ctx.t("rev.need_file"))
    data = upload.file.read(MAX_REVIEW_FILE + 1)
    if len(data) > MAX_REVIEW_FILE:
        raise UsageError(ctx.t("rev.too_big", mb=MAX_REVIEW_FILE // 2 ** 20))
    with tempfile.TemporaryDirectory(prefix="girok-decide-") as folder:
        path = Path(folder) / f"decisions{suffix}"  # never the uploaded name as a path
        path.write_bytes(data)
        res = decide(ctx.arch, path, meeting=meeting, meeting_date=meeting_date or None)
    decided = {"review": res.review, "meeting": res.meeting, "counts": res.counts(),
               "rows": [d.as_dict() for d in res.decided]}
    return review_page(ctx, decided=decided)


# --- quarantine -----------------------------------------------------------------------------------------------------


def quarantine(ctx: Ctx) -> Response:
    from ..app.quarantine import list_quarantined

    return ctx.render("quarantine.html", items=list_quarantined(ctx.arch))


def quarantine_action(ctx: Ctx) -> Response:
    from ..app import quarantine as q

    action = ctx.request.path_params["action"]
    reason = ctx.field("reason").strip()
    if not reason:
        raise UsageError(ctx.t("form.reason_required"))
    name = ctx.field("name")
    if action == "retry":
        r = q.retry(ctx.arch, name, reason=reason)
        ctx.flash(ctx.t("q.retried", name=r["name"], status=ctx.t(f"q.status.{r['status']}"))
                  + (f" ({', '.join(r['ids'])})" if r["ids"] else "")
                  + (f": {r['reason']}" if r["reason"] else ""))
    elif action == "dismiss":
        r = q.dismiss(ctx.arch, name, reason=reason)
        ctx.flash(ctx.t("q.dismissed", name=r["name"]))
    else:
        raise Refused(404, "error.404")
    return _redirect("/quarantine")


# --- users ----------------------------------------------------------------------------------------------------------


def users_page(ctx: Ctx) -> Response:
    return ctx.render("users.html", users=users_app.list_users(ctx.arch), roles=users_app.ROLES)


def user_add(ctx: Ctx) -> Response:
    info = users_app.add_user(ctx.arch, ctx.field("name"), ctx.field("role"), ctx.field("password"))
    ctx.flash(ctx.t("users.added", name=info.name))
    return _redirect("/users")


def user_change(ctx: Ctx) -> Response:
    name, action = ctx.request.path_params["name"], ctx.request.path_params["action"]
    if action == "disable":
        users_app.set_disabled(ctx.arch, name, True)
        ctx.web.sessions.drop_user(name)
    elif action == "enable":
        users_app.set_disabled(ctx.arch, name, False)
    elif action == "passwd":
        users_app.set_password(ctx.arch, name, ctx.field("password"))
    elif action == "role":
        users_app.set_role(ctx.arch, name, ctx.field("role"))
    else:
        raise Refused(404, "error.404")
    ctx.flash(ctx.t("users.changed", name=name))
    return _redirect("/users")


# (path, handler, right: "public", None (any logged-in user) or a right of app.users.RIGHTS, methods)
ROUTES = [
    ("/", home, None, ("GET",)),
    ("/login", login_page, "public", ("GET",)),
    ("/login", login_post, "public", ("POST",)),
    ("/logout", logout, None, ("POST",)),
    ("/lang/{code}", language, "public", ("GET",)),
    ("/status", status, "status", ("GET",)),
    ("/search", search_get, "search", ("GET",)),
    ("/search", search_post, "search", ("POST",)),
    ("/search/rrn", rrn_lookup, "search", ("POST",)),
    ("/doc/{reg_no}", document, "view", ("GET",)),
    ("/doc/{reg_no}/page/{page}.png", page_image, "view", ("GET",)),
    ("/doc/{reg_no}/pdf", pdf, "download", ("GET",)),
    ("/doc/{reg_no}/bag", export_bag, "export", ("POST",)),
    ("/retention", retention, "retention", ("GET",)),
    ("/retention/hold", hold_add, "hold", ("POST",)),
    ("/retention/hold/{hold}/release", hold_release, "hold", ("POST",)),
    ("/retention/certificate/{number}.{fmt}", certificate, "retention", ("GET",)),
    ("/review", review_page, "review", ("GET",)),
    ("/review/file.csv", review_file, "review", ("GET",)),
    ("/review/decide", review_decide, "review", ("POST",)),
    ("/quarantine", quarantine, "quarantine", ("GET",)),
    ("/quarantine/{action}", quarantine_action, "quarantine", ("POST",)),
    ("/users", users_page, "users", ("GET",)),
    ("/users/add", user_add, "users", ("POST",)),
    ("/users/{name}/{action}", user_change, "users", ("POST",)),
]
