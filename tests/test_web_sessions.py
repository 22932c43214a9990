"""Sessions of `girok serve` (girok.web.sessions): kept in the archive's web/sessions.sqlite so that the worker
processes of `girok serve --workers N` share them; expiry, log-out of a disabled user, and nothing in the file that a
browser could present or that names a person. Then `girok serve --workers 2` for real: one logged-in officer's
requests are served by both processes, the pending RRN look-up crosses from one to the other."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import stat
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from girok.app import users
from girok.catalog.web_sessions import IDLE, LIFETIME, TOUCH_EVERY, PendingRrn, SessionStore
from helpers_web import PASSWORD, RRN, RRN_DIGITS, add_real, env  # noqa: F401


class Clock:
    def __init__(self):
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


def test_a_session_lives_until_idle_or_lifetime_and_is_shared_through_its_file(tmp_path):
    clock = Clock()
    path = tmp_path / "web" / "sessions.sqlite"
    one, two = SessionStore(path, clock=clock), SessionStore(path, clock=clock)  # two worker processes
    s = one.new("officer1", "officer")
    got, expired = two.get(s.id)
    assert got is not None and got.user == "officer1" and got.csrf == s.csrf and not expired
    assert got.csrf_ok(s.csrf) and not got.csrf_ok("x" + s.csrf[1:]) and not got.csrf_ok(None)

    got.flash.append("보류를 걸었습니다")
    got.pending_rrn = PendingRrn("ab" * 32, "900101-1******")
    two.save(got)
    again, _ = one.get(s.id)
    assert again.flash == ["보류를 걸었습니다"] and again.pending_rrn == PendingRrn("ab" * 32, "900101-1******")

    # used within IDLE: alive (last seen written at most every TOUCH_EVERY), well past LIFETIME in all: over
    for _ in range(int(LIFETIME // (IDLE / 2))):
        clock.t += IDLE / 2
        alive, _ = one.get(s.id)
        assert alive is not None
    clock.t += IDLE / 2
    assert one.get(s.id) == (None, True)  # expired, and it was a logged-in session: "please log in again"
    assert one.get(s.id) == (None, False)  # gone

    idle = one.new("clerk1", "clerk")
    clock.t += TOUCH_EVERY / 2
    assert one.get(idle.id)[0] is not None
    clock.t += IDLE + 1
    assert two.get(idle.id) == (None, True)
    anon = one.new()
    clock.t += IDLE + 1
    assert two.get(anon.id) == (None, False)  # a log-in page's session: nothing to tell


def test_drop_user_ends_every_session_of_that_user_only(tmp_path):
    store = SessionStore(tmp_path / "s.sqlite")
    a, b, c = store.new("clerk1", "clerk"), store.new("clerk1", "clerk"), store.new("officer1", "officer")
    store.drop_user("clerk1")
    assert store.get(a.id)[0] is None and store.get(b.id)[0] is None and store.get(c.id)[0] is not None
    store.drop(c.id)
    assert store.get(c.id)[0] is None and len(store) == 0


def test_the_file_is_private_and_holds_no_session_id_and_no_rrn(tmp_path):
    path = tmp_path / "web" / "sessions.sqlite"
    store = SessionStore(path)
    s = store.new("officer1", "officer")
    s.pending_rrn = PendingRrn("cd" * 32, "900101-1******")
    store.save(s)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = b"".join(p.read_bytes() for p in path.parent.iterdir())
    assert s.id.encode() not in raw
    assert RRN_DIGITS[:6].encode() + b"-" + RRN_DIGITS[6:].encode() not in raw and RRN_DIGITS.encode() not in raw
    assert store.get(s.id + "x")[0] is None and store.get("")[0] is None and store.get("a" * 500)[0] is None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.e2e
def test_serve_with_two_workers_shares_sessions_between_them(env, tmp_path):  # noqa: F811
    users.add_user(env.arch, "officer1", "officer", PASSWORD)
    add_real(env, ["전입신고서", "신청인 홍길동", f"주민등록번호 {RRN}"], title="전입신고서", doc_type="전입신고서")
    env.arch.close()
    port = _free_port()
    log_path = tmp_path / "serve.log"
    log = log_path.open("w")
    proc = subprocess.Popen([sys.executable, "-m", "girok.cli", "--archive", str(env.root), "serve", "--port",
                             str(port), "--workers", "2"], stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(path):
        with opener.open(base + path, timeout=60) as r:
            return r.read().decode()

    def post(path, data):
        with opener.open(base + path, data=urllib.parse.urlencode(data).encode(), timeout=60) as r:
            return r.read().decode()

    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                page = get("/login")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("girok serve --workers 2 did not start:\n" + log_path.read_text())
                time.sleep(0.3)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        post("/login", {"csrf": csrf, "name": "officer1", "password": PASSWORD, "next": "/search"})
        for _ in range(40):  # new connections each time: the kernel hands them to either worker
            page = get("/search?" + urllib.parse.urlencode({"q": "전입신고서"}))
            assert "officer1" in page and "/doc/" in page
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        masked = RRN[:8] + "******"
        for _ in range(6):  # offered by one worker, looked up by whichever: the pending look-up is in the file
            offer = post("/search", {"csrf": csrf, "q": RRN})
            assert masked in offer and RRN not in offer and RRN_DIGITS not in offer
            found = post("/search/rrn", {"csrf": csrf})  # a 400 (look-up not found in the session) raises here
            assert masked in found and "/doc/" in found and RRN not in found and RRN_DIGITS not in found
        time.sleep(0.5)
        served = {int(p) for p in re.findall(r"\[(\d+)\] officer1 GET /search", log_path.read_text())}
        assert len(served) == 2, log_path.read_text()[-2000:]  # both workers served the one session
        assert RRN not in log_path.read_text()
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        log.close()
