"""`girok serve` through the ASGI test client: every route for every role (allowed or 403), sessions and CSRF,
lock-out, escaping, 주민등록번호 never in clear, path traversal, and the audit trail naming the web user."""

from __future__ import annotations

import json
from pathlib import Path
import re

import pytest

from girok.app import users
from helpers_retention import BACKENDS
from helpers_web import PASSWORD, ROLES, RRN, RRN_DIGITS, XSS_TEXT, XSS_TITLE, env, png_size, web  # noqa: F401


@pytest.fixture(params=BACKENDS)
def env_backend(request):
    """Every route on SQLite and on PostgreSQL (the catalog several machines share)."""
    return request.param


# (method, path, right needed); {real}/{plain}: documents of the test archive
ROUTES = [
    ("GET", "/status", "status"),
    ("GET", "/search?q=민원실", "search"),
    ("POST", "/search", "search"),
    ("POST", "/search/rrn", "search"),
    ("GET", "/doc/{real}", "view"),
    ("GET", "/doc/{real}/page/1.png", "view"),
    ("GET", "/doc/{real}/pdf", "download"),
    ("POST", "/doc/{real}/bag", "export"),
    ("GET", "/retention", "retention"),
    ("POST", "/retention/hold", "hold"),
    ("POST", "/retention/hold/1/release", "hold"),
    ("GET", "/retention/certificate/2026-0001.txt", "retention"),
    ("GET", "/review", "review"),
    ("GET", "/quarantine", "quarantine"),
    ("POST", "/quarantine/dismiss", "quarantine"),
    ("GET", "/users", "users"),
    ("POST", "/users/add", "users"),
    ("POST", "/users/clerk1/role", "users"),
]
FORMS = {"/search": {"q": "민원실"}, "/retention/hold": {"ids": "{plain}", "reason": "소송 2026가합1"},
         "/retention/hold/1/release": {"reason": "판결 확정"}, "/quarantine/dismiss": {"name": "x", "reason": "r"},
         "/users/add": {"name": "new1", "role": "clerk", "password": PASSWORD}, "/users/clerk1/role": {"role": "clerk"}}


def _url(web, path: str) -> str:  # noqa: F811
    return path.format(**web.docs)


def _call(c, web, method, path):  # noqa: F811
    if method == "GET":
        return c.get(_url(web, path))
    data = {k: _url(web, v) for k, v in FORMS.get(path, {}).items()}
    return c.post(_url(web, path), data)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_checks_the_role_on_the_server(web, role):  # noqa: F811
    c = web.client(role)
    for method, path, right in ROUTES:
        r = _call(c, web, method, path)
        if users.may(role, right):
            assert r.status_code != 403, (role, method, path, r.status_code, r.text[:300])
        else:
            assert r.status_code == 403, (role, method, path, r.status_code)
            assert "권한이 없습니다" in r.text


def test_nothing_but_login_and_static_without_a_session(web):  # noqa: F811
    c = web.client()
    for method, path, _ in ROUTES:
        r = _call(c, web, method, path) if method == "GET" else c.post(_url(web, path), {}, csrf=False)
        if method == "GET":
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
        else:
            assert r.status_code == 403, path
    assert c.get("/login").status_code == 200
    assert c.get("/static/girok.css").status_code == 200
    assert c.get("/").status_code == 303


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(web):  # noqa: F811
    c = web.client("officer")
    r = c.post("/retention/hold", {"ids": web.docs["plain"], "reason": "소송"}, csrf=False)
    assert r.status_code == 403 and "요청이 만료" in r.text
    r = c.post("/retention/hold", {"ids": web.docs["plain"], "reason": "소송", "csrf": "forged"}, csrf=False)
    assert r.status_code == 403
    assert web.events("hold-add") == []
    r = c.post("/retention/hold", {"ids": web.docs["plain"], "reason": "소송 2026가합1"})
    assert r.status_code == 303
    assert [e.actor for e in web.events("hold-add")] == ["officer1 (web)"]
    other = web.client("officer")  # another session's token is no good either
    r = other.post("/logout", {"csrf": c.csrf()}, csrf=False)
    assert r.status_code == 403


def test_five_failed_logins_lock_out_for_fifteen_minutes_audited(web):  # noqa: F811
    c = web.client()
    for i in range(users.LOCK_AFTER - 1):
        r = c.login("clerk1", "wrong password")
        assert r.status_code == 403 and "맞지 않습니다" in r.text
    r = c.login("clerk1", "wrong password")
    assert r.status_code == 403 and "15분" in r.text
    r = c.login("clerk1", PASSWORD)
    assert r.status_code == 403 and "잠겼습니다" in r.text
    assert len(web.events("login-locked")) == 1
    web.env.clock.now += users.LOCK_FOR
    web.env.clock.now = web.env.clock.now.replace(second=59)
    assert c.login("clerk1", PASSWORD).status_code == 303


def test_session_cookie_flags_and_logout(web, env):  # noqa: F811
    c = web.client()
    r = c.login("clerk1")
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie and "Secure" not in cookie
    before = c.http.cookies.get("girok_session")
    assert c.get("/status").status_code == 200
    assert c.post("/logout").status_code == 303
    assert [e.actor for e in web.events("logout")] == ["clerk1 (web)"]
    c.http.cookies.set("girok_session", before)
    assert c.get("/status").status_code == 303  # the old session is gone


def test_secure_cookies_behind_https(env):  # noqa: F811
    from girok.web.server import create_app
    from helpers_web import Client, PASSWORD as PW

    users.add_user(env.arch, "clerk1", "clerk", PW)
    from starlette.testclient import TestClient

    c = Client(TestClient(create_app(env.arch, secure_cookies=True), base_url="https://testserver"))
    r = c.login("clerk1")
    assert r.status_code == 303 and "Secure" in r.headers["set-cookie"]


def test_a_disabled_user_or_a_new_role_takes_effect_at_the_next_request(web):  # noqa: F811
    c = web.client("officer")
    assert c.get("/retention").status_code == 200
    users.set_role(web.env.arch, "officer1", "clerk")
    assert c.get("/retention").status_code == 403
    users.set_disabled(web.env.arch, "officer1")
    r = c.get("/status")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert web.client().login("officer1").status_code == 403


def test_login_session_is_new_and_next_is_local_only(web):  # noqa: F811
    c = web.client()
    c.get("/login")
    planted = c.http.cookies.get("girok_session")
    r = c.login("clerk1")
    assert c.http.cookies.get("girok_session") != planted
    r = c.http.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    r = c.http.post("/login", data={"csrf": token, "name": "clerk1", "password": PASSWORD,
                                    "next": "//evil.example/x"}, follow_redirects=False)
    assert r.headers["location"] == "/"


def test_security_headers(web):  # noqa: F811
    r = web.client("clerk").get("/status")
    assert "script-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY" and r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"


# --- search ---------------------------------------------------------------------------------------------------------


def test_search_with_a_particle_highlights_escaped_snippets_and_is_audited(web):  # noqa: F811
    c = web.client("officer")
    r = c.post("/search", {"q": "신고서를"})
    assert r.status_code == 303 and r.headers["location"].startswith("/search?q=")
    page = c.get(r.headers["location"])
    assert page.status_code == 200
    assert web.docs["plain"] in page.text and "<mark>" in page.text
    [ev] = [e for e in web.events("search") if "신고서를" in e.detail]
    assert ev.actor == "officer1 (web)"


def test_xss_in_text_and_title_is_rendered_escaped(web):  # noqa: F811
    c = web.client("officer")
    page = c.get("/search?q=민원실")
    doc = c.get(f"/doc/{web.docs['xss']}")
    hold = c.post("/retention/hold", {"ids": web.docs["xss"], "reason": '<script>alert("r")</script>'})
    ret = c.get("/retention")
    assert hold.status_code == 303
    for body in (page.text, doc.text, ret.text):
        assert "<script>alert" not in body and "<img src=x" not in body and "<b>굵게</b>" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in doc.text
    assert "&lt;script&gt;alert(" in doc.text and "&lt;script&gt;alert(" in ret.text
    assert web.docs["xss"] in page.text
    assert XSS_TEXT and XSS_TITLE


def test_an_rrn_in_the_search_box_is_offered_as_the_audited_lookup_never_echoed(web):  # noqa: F811
    c = web.client("clerk")
    r = c.post("/search", {"q": f"홍길동 {RRN}"})
    assert r.status_code == 200 and "정확 조회" in r.text and "870501-1******" in r.text
    assert web.events("rrn-lookup") == []  # offered, not yet done
    r = c.post("/search/rrn")
    assert r.status_code == 200 and web.docs["real"] in r.text
    [ev] = web.events("rrn-lookup")
    assert ev.actor == "clerk1 (web)" and RRN not in ev.detail
    assert c.post("/search/rrn").status_code == 400  # the number was used once and forgotten
    r = c.get(f"/search?q={RRN}")  # typed into the address by hand
    assert r.status_code == 400 and "주소(URL)" in r.text
    r = c.get(f"/search?q=x&office={RRN_DIGITS[:6]}-{RRN_DIGITS[6:]}")
    assert r.status_code == 400


def test_no_response_ever_shows_an_rrn_in_clear(web):  # noqa: F811
    officer, clerk = web.client("officer"), web.client("clerk")
    for c in (officer, clerk):
        c.get("/search?q=민원실")
        c.get("/search?q=홍길동")
        c.post("/search", {"q": RRN})
        c.post("/search/rrn")
        for reg in web.docs.values():
            c.get(f"/doc/{reg}")
        c.get("/status")
    officer.get("/retention")
    for body in web.bodies():
        assert RRN not in body and RRN_DIGITS not in body
    assert any("870501-1******" in b for b in web.bodies())
    for ev in web.events():
        assert RRN not in (ev.detail or "")


# --- documents ------------------------------------------------------------------------------------------------------


def test_document_page_metadata_related_history_and_rescan(web):  # noqa: F811
    c = web.client("clerk")
    r = c.get(f"/doc/{web.docs['real']}")
    assert r.status_code == 200
    t = r.text
    assert "접수번호" in t and "2026-서초-0042" in t and "다시 스캔 권장" in t and "42" in t
    assert web.docs["real2"] in t  # the other document of the same receipt number
    assert f'/doc/{web.docs["real"]}/page/1.png' in t
    assert "capture" in t  # the audit history
    assert "PDF 내려받기" not in t  # a clerk may not download
    assert [e.actor for e in web.events("view")][-1] == "clerk1 (web)"


def test_page_image_is_rendered_from_the_archival_pdf_and_audited(web):  # noqa: F811
    c = web.client("clerk")
    r = c.get(f"/doc/{web.docs['real']}/page/1.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    w, h = png_size(r.content)
    assert w > 500 and h > 300
    again = c.get(f"/doc/{web.docs['real']}/page/1.png")  # from the cache, audited all the same
    assert again.content == r.content
    views = [json.loads(e.detail)["what"] for e in web.events("view") if e.actor == "clerk1 (web)"]
    assert views.count("page 1") == 2
    assert c.get(f"/doc/{web.docs['real']}/page/2.png").status_code == 404
    assert c.get(f"/doc/{web.docs['real']}/page/x.png").status_code == 404


def test_pdf_download_and_print_are_audited_views_naming_the_officer(web):  # noqa: F811
    c = web.client("officer")
    r = c.get(f"/doc/{web.docs['real']}/pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert "attachment" in r.headers["content-disposition"] and web.docs["real"] in r.headers["content-disposition"]
    r = c.get(f"/doc/{web.docs['real']}/pdf?print=1")
    assert "inline" in r.headers["content-disposition"]
    views = [(e.actor, json.loads(e.detail)["what"]) for e in web.events("view")]
    assert ("officer1 (web)", "pdf") in views and ("officer1 (web)", "print") in views


def test_paths_are_never_taken_from_the_request(web):  # noqa: F811
    c = web.client("officer")
    for url in ("/doc/..%2F..%2Fgirok.toml", "/doc/../girok.toml/pdf", "/doc/%2e%2e/page/1.png",
                "/doc/GR-2026-000001%00/pdf", "/retention/certificate/..%2F..%2Fgirok.toml.txt",
                "/retention/certificate/2026-0001.toml", "/static/../girok.toml", "/static/%2e%2e/girok.toml"):
        r = c.get(url)
        assert r.status_code in (404, 400), (url, r.status_code)
        assert "[archive]" not in r.text
    q = web.env.arch.quarantine_dir
    (q / "a.pdf").write_bytes(b"x")
    r = c.post("/quarantine/dismiss", {"name": "../girok.toml", "reason": "x"})
    assert r.status_code == 404 and (web.env.root / "girok.toml").exists()


# --- status, retention, quarantine, users ---------------------------------------------------------------------------


def test_status_shows_rescans_with_receipt_and_masked_applicant_quarantine_and_charts(web):  # noqa: F811
    q = web.env.arch.quarantine_dir
    (q / "20260302-abc123-scan.pdf").write_bytes(b"not a pdf")
    (q / "20260302-abc123-scan.pdf.reason.json").write_text(json.dumps(
        {"file": "scan.pdf", "when": "2026-03-02T10:00:00", "stage": "detect", "reason": "<b>읽을 수 없는 파일</b>",
         "advice": "다시 스캔하세요", "profile": "default"}, ensure_ascii=False), encoding="utf-8")
    r = web.client("clerk").get("/status")
    t = r.text
    assert r.status_code == 200 and 'http-equiv="refresh"' in t
    assert "2026-서초-0042" in t and "홍*동" in t and web.docs["real"] in t
    assert "&lt;b&gt;읽을 수 없는 파일&lt;/b&gt;" in t
    assert t.count("<svg") == 2
    assert "ingest: " in t and "counter-flatbed: 66.5" in t  # today's pages and the confidence, drawn
    assert "/quarantine" not in t.split("<main>")[1]  # a clerk gets no quarantine actions


def test_hold_placed_and_released_from_the_retention_page(web):  # noqa: F811
    c = web.client("officer")
    c.post("/retention/hold", {"ids": f"{web.docs['plain']}, {web.docs['real']}", "reason": "감사 2026-3"})
    page = c.get("/retention")
    assert "감사 2026-3" in page.text and web.docs["plain"] in page.text and "officer1 (web)" in page.text
    r = c.post("/retention/hold/1/release", {"reason": "감사 종결"})
    assert r.status_code == 303
    assert [e.actor for e in web.events("hold-release")] == ["officer1 (web)"] * 2
    assert c.post("/retention/hold", {"ids": web.docs["plain"], "reason": ""}).status_code == 400


def test_quarantine_dismiss_and_retry_from_the_web_are_audited(web):  # noqa: F811
    q = web.env.arch.quarantine_dir
    for name in ("20260302-aaaaaa-blank.pdf", "20260302-bbbbbb-junk.pdf"):
        (q / name).write_bytes(b"%PDF-1.4 junk that no reader reads")
        (q / (name + ".reason.json")).write_text(json.dumps({"file": name[16:], "stage": "normalize",
                                                             "reason": "broken", "profile": "default"}))
    c = web.client("officer")
    page = c.get("/quarantine")
    assert "blank.pdf" in page.text and "junk.pdf" in page.text
    r = c.post("/quarantine/dismiss", {"name": "20260302-aaaaaa-blank.pdf", "reason": "빈 페이지"})
    assert r.status_code == 303 and not (q / "20260302-aaaaaa-blank.pdf").exists()
    [ev] = web.events("quarantine-dismiss")
    assert ev.actor == "officer1 (web)" and "빈 페이지" in ev.detail and len(json.loads(ev.detail)["sha256"]) == 64
    assert c.post("/quarantine/dismiss", {"name": "20260302-bbbbbb-junk.pdf", "reason": ""}).status_code == 400
    r = c.post("/quarantine/retry", {"name": "20260302-bbbbbb-junk.pdf", "reason": "다시 시도"}, follow=True)
    assert r.status_code == 200 and "다시 격리됨" in r.text
    assert not (q / "20260302-bbbbbb-junk.pdf").exists()  # quarantined again under a new name, with its new note
    assert not (q / "20260302-bbbbbb-junk.pdf.reason.json").exists()
    [again] = [p for p in q.iterdir() if p.name.endswith("junk.pdf")]
    assert (q / (again.name + ".reason.json")).exists()
    [ev] = web.events("quarantine-retry")
    assert ev.actor == "officer1 (web)" and json.loads(ev.detail)["outcome"] == "quarantined"


def test_admin_adds_and_disables_users_audited(web):  # noqa: F811
    c = web.client("admin")
    assert c.post("/users/add", {"name": "김민원", "role": "clerk", "password": PASSWORD}).status_code == 303
    assert "김민원" in c.get("/users").text
    assert c.post("/users/add", {"name": "x", "role": "root", "password": PASSWORD}).status_code == 400
    assert c.post("/users/김민원/disable").status_code == 303
    assert [e.actor for e in web.events("user-add")][-1] == "admin1 (web)"
    assert [e.actor for e in web.events("user-disable")] == ["admin1 (web)"]


def test_girok_errors_on_a_page_speak_the_pages_language(web):  # noqa: F811
    """An error of girok.app (a gettext message) is in the language of the page, Korean by default, English after
    the switch, whatever the process speaks (the suite's GIROK_LANG=en)."""
    from girok import i18n

    c = web.client("admin")
    r = c.post("/users/add", {"name": "new2", "role": "root", "password": PASSWORD})
    assert r.status_code == 400 and "역할이 아닙니다" in r.text and '<html lang="ko">' in r.text
    c.get("/lang/en?next=/")
    r = c.post("/users/add", {"name": "new2", "role": "root", "password": PASSWORD})
    assert r.status_code == 400 and "is not a role" in r.text and "역할이 아닙니다" not in r.text
    assert i18n.language() == "en"  # the process's own language is left as it was


def test_every_page_renders_in_korean_and_english_without_missing_words(web):  # noqa: F811
    pages = {"officer": ["/status", "/search?q=민원실", f"/doc/{web.docs['real']}", "/retention", "/review",
                         "/quarantine"], "admin": ["/users"], "committee": ["/review"]}
    for role, urls in pages.items():
        c = web.client(role)
        for lang in ("ko", "en"):
            c.get(f"/lang/{lang}?next=/")
            for url in urls:
                r = c.get(url)
                assert r.status_code == 200, (url, lang)
                assert "??" not in r.text, (url, lang)
                assert f'<html lang="{lang}">' in r.text
                if lang == "en":
                    assert "Log out" in r.text
                else:
                    assert "로그아웃" in r.text
    assert "KST" in web.client("officer").get(f"/doc/{web.docs['real']}").text


def test_an_officer_exports_a_document_as_a_bagit_zip_and_the_trail_names_them(web, tmp_path):  # noqa: F811
    import io
    import zipfile

    import bagit

    officer = web.client("officer")
    page = officer.get(f"/doc/{web.docs['real']}")
    assert 'action="/doc/' in page.text and "BagIt" in page.text
    r = officer.post(f"/doc/{web.docs['real']}/bag")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert f"{web.docs['real']}-bag.zip" in r.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        z.extractall(tmp_path)
    bag = bagit.Bag(str(tmp_path / f"{web.docs['real']}-bag"))
    bag.validate()  # every payload file against its checksum
    assert bag.info["Girok-Documents"] == "1"
    [ev] = web.events("export")
    assert ev.actor == "officer1 (web)" and ev.reg_no == web.docs["real"]
    assert not list(Path(json.loads(ev.detail)["out"]).parent.glob("*"))  # the temporary zip is gone once sent
    clerk = web.client("clerk")
    assert "BagIt" not in clerk.get(f"/doc/{web.docs['real']}").text
    assert clerk.post(f"/doc/{web.docs['real']}/bag").status_code == 403


def test_the_committee_downloads_the_review_file_and_records_its_decisions(web, tmp_path):  # noqa: F811
    import csv
    from datetime import datetime

    due = web.env.add("전입신고서", captured=datetime(2015, 5, 2, 3), docs=2)
    web.env.clock.set(2026, 11, 30)
    committee = web.client("committee")
    page = committee.get("/review")
    assert 'action="/review/decide"' in page.text and "/review/file.csv" in page.text
    r = committee.get("/review/file.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    from girok.i18n import speaking
    from girok.retention.reviewfile import heading

    with speaking("ko"):  # the page's language: the committee reads Korean headings
        h = {c: heading(c) for c in ("row", "reg_no", "decision", "defer_until")}
    assert h["decision"] != "decision"
    rows = list(csv.DictReader(r.content.decode("utf-8-sig").splitlines()))
    assert {x[h["reg_no"]] for x in rows if x[h["row"]] == "due"} >= set(due), rows
    for x in rows:
        if x[h["reg_no"]] == due[0]:
            x[h["decision"]] = "폐기"
        elif x[h["reg_no"]] == due[1]:
            x[h["decision"]], x[h["defer_until"]] = "보류", "2030-06-30"
    out = tmp_path / "decided.csv"
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    form = {"csrf": committee.csrf(), "meeting": "2026년 제2차 기록물평가심의회", "meeting_date": "2026-11-30"}

    def upload(c, data: bytes, name="decided.csv", fields=form):
        return c.http.post("/review/decide", data=fields, files={"file": (name, data, "text/csv")})

    assert upload(committee, b"", name="").status_code == 400  # no file chosen
    assert upload(committee, out.read_bytes(), name="decided.exe").status_code == 400
    tampered = out.read_bytes().replace(due[0].encode(), b"GR-1999-999999")
    assert upload(committee, tampered).status_code >= 400  # does not match its review: nothing recorded
    assert web.events("retention-decide") == []
    r = upload(committee, out.read_bytes())
    assert r.status_code == 200 and 'id="decisions"' in r.text and "2026년 제2차 기록물평가심의회" in r.text
    evs = web.events("retention-decide")
    assert sorted(e.reg_no for e in evs) == sorted(due) and {e.actor for e in evs} == {"committee1 (web)"}
    clerk = web.client("clerk")
    assert clerk.get("/review/file.csv").status_code == 403
    assert clerk.http.post("/review/decide", data={**form, "csrf": clerk.csrf()},
                           files={"file": ("d.csv", out.read_bytes(), "text/csv")}).status_code == 403
    # every other form refuses a file
    officer = web.client("officer")
    r = officer.http.post("/search", data={"csrf": officer.csrf(), "q": "x"}, files={"file": ("a.csv", b"x", "text/csv")})
    assert r.status_code >= 400
