"""A test archive for `girok serve` without OCR: users of every role, documents catalogued with given text (XSS
strings, 주민등록번호) and one document whose archival PDF is a real one (a rendered Korean page through
img2pdf), so that page images render; and a test client that logs in and keeps every HTML body it saw."""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from girok.app import users
from girok.catalog.repository import NewCapture, NewDocument
from girok.archive.indexing import index_documents
from helpers_retention import env, sha  # noqa: F401  (the env fixture)

PASSWORD = "비밀번호-password-1"
ROLES = ("clerk", "officer", "committee", "admin")
RRN = "870501-1234567"
RRN_DIGITS = "8705011234567"
XSS_TITLE = '<script>alert("t")</script>위임장'
XSS_TEXT = '<img src=x onerror=alert(1)> 민원실 "신고서를" 접수 & <b>굵게</b>'


def real_pdf(path: Path, lines: list[str]) -> Path:
    """A one-page PDF of a rendered Korean form (what an archival copy looks like to pdftoppm)."""
    import img2pdf
    from conftest import render_korean

    png = render_korean(path.with_suffix(".png"), lines, dpi=100, size=(827, 600))
    path.write_bytes(img2pdf.convert(str(png)))
    return path


def add_real(env, lines: list[str], *, title: str, doc_type: str, receipt_no: str = "", applicant: str = "",  # noqa: F811
             rescan: bool = False, confidence: float = 91.0, profile: str = "counter-flatbed",
             hot_folder: str | None = None) -> str:
    """One document whose archival copy is a real PDF of ``lines``; its page text is ``lines`` too."""
    env.n += 1
    src = env.root.parent / "made-up"
    src.mkdir(exist_ok=True)
    pdf = real_pdf(src / f"real-{env.n}.pdf", lines)
    orig = env.arch.store.put("originals", pdf, sha(pdf), ".pdf")
    st = env.arch.store.put("archival", pdf, sha(pdf), ".pdf")
    from girok.archive.layout import RRN_KEY_NAME
    from girok.text.pii import find_rrns, load_or_create_secret, mask_rrn, normalize_rrn, rrn_hmac

    secret = load_or_create_secret(env.arch.root / RRN_KEY_NAME)
    hmacs = [rrn_hmac(normalize_rrn(r), secret) for r in find_rrns("\n".join(lines))]
    doc = NewDocument(first_page=1, page_count=1, archival_sha256=st.sha256, archival_relpath=st.relpath,
                      archival_size=st.size, pdfa="2B", conversion={"tools": {"test": "1"}},
                      page_texts=["\n".join(lines)], page_confidence=[confidence], rescan_suggested=rescan,
                      receipt_no=receipt_no, applicant=applicant, title=mask_rrn(title), doc_type=doc_type,
                      rrn_hmacs=hmacs)
    cap = NewCapture(sha256=orig.sha256, size=orig.size, source_name=pdf.name, source_path=str(pdf),
                     hot_folder=hot_folder, profile=profile, media_type="application/pdf",
                     original_relpath=orig.relpath, documents=[doc])
    regs = env.arch.catalog.commit_capture(cap, prefix=env.arch.config.id_prefix)
    index_documents(env.arch, regs)
    return regs[0]


@dataclass
class Client:
    """A logged-in (or not) browser stand-in; every HTML body it receives is kept in ``seen``."""

    http: object
    seen: list[str] = field(default_factory=list)

    def _keep(self, r):
        if r.headers.get("content-type", "").startswith("text/html"):
            self.seen.append(r.text)
        return r

    def get(self, url: str, **kw):
        return self._keep(self.http.get(url, follow_redirects=kw.pop("follow", False), **kw))

    def post(self, url: str, data: dict | None = None, *, csrf: bool = True, follow: bool = False):
        data = dict(data or {})
        if csrf:
            data["csrf"] = self.csrf()
        return self._keep(self.http.post(url, data=data, follow_redirects=follow))

    def csrf(self) -> str:
        page = self.http.get("/login" if not self.http.cookies.get("girok_session") else "/", follow_redirects=True)
        m = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert m, page.text[:500]
        return m.group(1)

    def login(self, name: str, password: str = PASSWORD):
        r = self.http.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
        return self._keep(self.http.post("/login", data={"csrf": token, "name": name, "password": password,
                                                          "next": "/"}, follow_redirects=False))


@dataclass
class WebEnv:
    env: object
    app: object
    docs: dict[str, str]
    clients: list[Client] = field(default_factory=list)

    def client(self, role: str | None = None) -> Client:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from starlette.testclient import TestClient

        c = Client(TestClient(self.app, base_url="http://testserver"))
        self.clients.append(c)
        if role is not None:
            r = c.login(f"{role}1")
            assert r.status_code == 303, r.text[:500]
        return c

    def bodies(self) -> list[str]:
        return [b for c in self.clients for b in c.seen]

    def events(self, action: str | None = None) -> list:
        return self.env.events(action)


def make_web(env, *, secure: bool = False) -> WebEnv:  # noqa: F811
    from girok.web.server import create_app

    from datetime import UTC, datetime

    env.clock.now = datetime.now(UTC).replace(tzinfo=None)  # archived today: the status charts show them
    for role in ROLES:
        users.add_user(env.arch, f"{role}1", role, PASSWORD)
    docs = {}
    [docs["plain"]] = env.add("전입신고서", text="서초구 민원실 전입신고서를 접수합니다")
    [docs["rrn"]] = env.add("주민등록표", text=f"신청인 홍길동 주민등록번호 {RRN} 서초구 민원실")
    [docs["xss"]] = env.add("위임장", text=XSS_TEXT)
    # the title of the XSS document, as an OCR'd title could read
    from helpers_retention import sql

    sql(env.root, "update documents set title=? where reg_no=?", (XSS_TITLE, docs["xss"]))
    index_documents(env.arch, [docs["xss"]])
    docs["real"] = add_real(env, ["혼인신고서", "접수번호 2026-서초-0042", f"주민등록번호 {RRN}"],
                            title="혼인신고서", doc_type="혼인신고서", receipt_no="2026-서초-0042", applicant="홍*동",
                            rescan=True, confidence=42.0)
    docs["real2"] = add_real(env, ["혼인신고서 (재스캔)", "접수번호 2026-서초-0042"], title="혼인신고서",
                             doc_type="혼인신고서 사본", receipt_no="2026-서초-0042")
    return WebEnv(env, create_app(env.arch, secure_cookies=secure), docs)


@pytest.fixture
def web(env):  # noqa: F811
    return make_web(env)


def png_size(data: bytes) -> tuple[int, int]:
    from PIL import Image

    return Image.open(io.BytesIO(data)).size
