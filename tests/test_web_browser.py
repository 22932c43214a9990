"""`girok serve` in a real browser: Debian's chromium driven by Selenium, against `girok serve` started as a
subprocess on a test archive whose documents have real archival PDFs (rendered Korean forms).

A clerk logs in and sees the re-scan entry with its receipt number and is refused the hold page; an officer
searches in Korean with a particle (신고서를), opens the document, sees its page image, downloads the PDF (the
audit trail names the officer) and places a hold. A screenshot of each page is written to
``$GIROK_WEB_SCREENSHOTS`` (default: the test's tmp folder).

Skipped, with the reason, only where chromium, its driver or selenium is absent (`./girok.sh test` installs them).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from girok.app import users
from helpers_web import PASSWORD, RRN, add_real, env  # noqa: F401

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = pytest.mark.e2e


def _need_browser():
    if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
        pytest.skip("chromium and chromium-driver are not installed (./girok.sh test installs them on Debian)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        pytest.skip("selenium is not installed (pip install -e '.[test]')")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def site(env, tmp_path):  # noqa: F811
    """A test archive with users and real documents, served by `girok serve` in a subprocess."""
    _need_browser()
    from datetime import UTC, datetime

    env.clock.now = datetime.now(UTC).replace(tzinfo=None)  # archived today: the status charts show them
    for role in ("clerk", "officer"):
        users.add_user(env.arch, f"{role}1", role, PASSWORD)
    docs = {
        "form": add_real(env, ["혼인신고서", "혼인신고서를 제출합니다", "접수번호 2026-서초-0042", f"주민등록번호 {RRN}"],
                         title="혼인신고서", doc_type="혼인신고서", receipt_no="2026-서초-0042", applicant="홍*동",
                         rescan=True, confidence=38.0, hot_folder=str(env.root / "hot" / "counter")),
        "other": add_real(env, ["위임장", "서초구 민원실"], title="위임장", doc_type="위임장"),
    }
    env.arch.close()
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "girok.cli", "--archive", str(env.root), "serve", "--port",
                             str(port)], stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH":
                                                                                   os.pathsep.join(sys.path)})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url + "/login", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("girok serve did not start:\n" + (tmp_path / "serve.log").read_text())
        time.sleep(0.3)
    try:
        yield {"url": url, "docs": docs, "root": env.root, "log": tmp_path / "serve.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def browser(tmp_path):
    _need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", f"--user-data-dir={tmp_path / 'chromium-profile'}", "--window-size=1280,1600",
                "--lang=ko-KR"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False,
                                           "plugins.always_open_pdf_externally": True})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(60)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    shots = Path(os.environ.get("GIROK_WEB_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    driver.shot = lambda name: driver.save_screenshot(str(shots / f"{name}.png"))
    try:
        yield driver
    finally:
        driver.quit()


def _login(driver, url: str, name: str) -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(url + "/login")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login").click()


def _text(driver) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.TAG_NAME, "body").text


def _wait(cond, what: str, timeout: float = 30):
    """Poll ``cond`` until it is true; a page still loading (stale or missing elements) counts as not yet."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = cond()
        except (StaleElementReferenceException, NoSuchElementException):
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _events(root: Path, action: str) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "girok.cli", "--archive", str(root), "audit", "log", "--json"],
                         capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH":
                                                                          os.pathsep.join(sys.path)}).stdout
    return [e for e in map(json.loads, out.splitlines()) if e["action"] == action]


def test_clerk_and_officer_in_a_real_browser(site, browser):
    try:
        _walk(site, browser)
    except Exception:
        browser.shot("failure")  # what the browser showed when it failed (and its address below)
        print("failed at", browser.current_url)
        raise


def _walk(site, browser):
    from selenium.webdriver.common.by import By

    url, docs = site["url"], site["docs"]
    # the log-in page, in Korean
    browser.get(url + "/status")
    _wait(lambda: "로그인" in _text(browser), "the log-in page")
    browser.shot("01-login")

    # a clerk sees the re-scan entry with its receipt number (applicant masked), and no hold page
    _login(browser, url, "clerk1")
    _wait(lambda: "현황" in browser.title and "clerk1" in browser.find_element(By.CLASS_NAME, "who").text,
          "the status page")
    body = _wait(lambda: _text(browser), "the status page's text")
    rescan = _wait(lambda: browser.find_element(By.ID, "rescan").text, "the re-scan list")
    assert docs["form"] in rescan and "2026-서초-0042" in rescan and "홍*동" in rescan
    assert "보존/보류" not in browser.find_element(By.TAG_NAME, "nav").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart")) == 2
    browser.shot("02-clerk-status")
    browser.get(url + "/retention")
    _wait(lambda: "권한이 없습니다" in _text(browser), "the refusal")
    browser.shot("03-clerk-refused-hold")
    assert RRN not in body

    # an officer searches with a particle, opens the document, sees its page image
    _login(browser, url, "officer1")
    _wait(lambda: "officer1" in browser.find_element(By.CLASS_NAME, "who").text, "the officer's first page")
    browser.get(url + "/search")
    box = browser.find_element(By.ID, "q")
    box.send_keys("신고서를")
    browser.find_element(By.ID, "search").click()
    _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "tr.hit"), "search results")
    assert "신고서를" in browser.current_url or "%EC%8B%A0" in browser.current_url
    assert _wait(lambda: any(docs["form"] in h.text for h in browser.find_elements(By.CSS_SELECTOR, "tr.hit")),
                 "the document among the hits")
    assert browser.find_elements(By.CSS_SELECTOR, "td.snippet mark")
    browser.shot("04-officer-search")
    browser.find_element(By.LINK_TEXT, docs["form"]).click()
    _wait(lambda: browser.find_elements(By.ID, "page-1"), "the document page")
    img = browser.find_element(By.ID, "page-1")
    browser.execute_script("arguments[0].scrollIntoView()", img)
    _wait(lambda: browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", img) or 0,
          "the page image")
    assert browser.execute_script("return arguments[0].naturalWidth", img) > 500
    text = _wait(lambda: _text(browser), "the document page's text")
    assert "2026-서초-0042" in text and "다시 스캔 권장" in text and "870501-1******" in text and RRN not in text
    browser.execute_script("window.scrollTo(0, 0)")
    browser.shot("05-officer-document")

    # the PDF download is an audited view naming the officer
    browser.find_element(By.ID, "download").click()
    pdf = _wait(lambda: [p for p in browser.downloads.glob("*.pdf")], "the downloaded PDF")[0]
    _wait(lambda: pdf.stat().st_size > 0 and not list(browser.downloads.glob("*.crdownload")), "the download")
    assert pdf.name == f"{docs['form']}.pdf" and pdf.read_bytes().startswith(b"%PDF")
    views = [(e["actor"], e["detail"].get("what")) for e in _events(site["root"], "view")]
    assert ("officer1 (web)", "pdf") in views and ("officer1 (web)", "page 1") in views

    # the officer places a hold on it
    browser.get(url + "/retention")
    browser.find_element(By.ID, "hold-ids").send_keys(docs["form"])
    browser.find_element(By.ID, "hold-reason").send_keys("행정심판 2026-12")
    browser.find_element(By.ID, "hold-submit").click()
    _wait(lambda: "보류 1번을 문서 1건에 걸었습니다" in _text(browser), "the hold's confirmation")
    holds = _wait(lambda: browser.find_element(By.ID, "holds").text, "the holds")
    assert docs["form"] in holds and "행정심판 2026-12" in holds and "officer1 (web)" in holds
    browser.shot("06-officer-hold")
    assert [e["actor"] for e in _events(site["root"], "hold-add")] == ["officer1 (web)"]

    # English on request
    browser.find_element(By.ID, "lang").click()
    _wait(lambda: "Retention and holds" in _text(browser), "the English page")
    browser.shot("07-officer-english")
    assert RRN not in site["log"].read_text()
