"""Shared fixtures: real archives in tmp folders, Korean scans rendered with fonts-nanum,
the girok CLI as a subprocess, polling with a deadline (never sleep-and-hope), and a fresh
PostgreSQL database per test (``pg_url``, ``catalog_url``) on the server GIROK_TEST_POSTGRES_URL
names (`./girok.sh test` starts a private one)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

# The suite reads girok's English messages: English whatever the machine's locale or GIROK_LANG, in this
# process and (inherited) in every girok subprocess; tests/test_korean_ui.py sets its own environment.
os.environ["GIROK_LANG"] = "en"

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GIROK_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus" / "dev"
NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")


# --- PostgreSQL ---------------------------------------------------------------------------------------

PG_ENV = "GIROK_TEST_POSTGRES_URL"  # an admin URL: a role that may create databases, e.g. .../postgres
PG_SKIP = (f"PostgreSQL tests need {PG_ENV} (a role that may create databases, e.g. "
           "postgresql://girok_test:PASSWORD@127.0.0.1:5432/postgres); `./girok.sh test` starts a private "
           "PostgreSQL and sets it")


def _pg_admin() -> str:
    admin = os.environ.get(PG_ENV, "").strip()
    if not admin:
        pytest.skip(PG_SKIP)
    return admin


def _pg_database_url(admin: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(admin).set(drivername="postgresql", database=name)
    return url.render_as_string(hide_password=False)


def _pg_admin_sql(admin: str, *statements: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    with psycopg.connect(_pg_database_url(admin, make_url(admin).database or "postgres"), autocommit=True) as conn:
        for st in statements:
            conn.execute(st)


@contextlib.contextmanager
def _pg_database(admin: str, template: str | None = None):
    name = f"girok_test_{secrets.token_hex(6)}"
    _pg_admin_sql(admin, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield name
    finally:
        _pg_drop(admin, name)


def _pg_drop(admin: str, name: str, tries: int = 10) -> None:
    """DROP DATABASE ... WITH (FORCE), again after a moment when it is refused because an autovacuum worker (the
    server's own, not ours to terminate) was in the database just then."""
    import psycopg

    for attempt in range(tries):
        try:
            _pg_admin_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
            if attempt == tries - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


@pytest.fixture
def pg_url():
    """A new, empty PostgreSQL database for this test (dropped afterwards): its URL, with password."""
    admin = _pg_admin()
    with _pg_database(admin) as name:
        yield _pg_database_url(admin, name)


@pytest.fixture(scope="session")
def _pg_template():
    """A database migrated to head once per run, copied for each test that wants a catalog (``catalog_url``):
    CREATE DATABASE ... TEMPLATE is faster than running the migrations every time."""
    admin = _pg_admin()
    with _pg_database(admin) as name:
        from girok.catalog.repository import Catalog

        Catalog(_pg_database_url(admin, name)).close()  # no connection may stay open to a template
        yield name


@pytest.fixture
def pg_catalog_url(_pg_template):
    """A new PostgreSQL database already migrated to head, for this test only."""
    admin = _pg_admin()
    with _pg_database(admin, template=_pg_template) as name:
        yield _pg_database_url(admin, name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def catalog_url(request, tmp_path) -> str:
    """The URL of a new catalog, once on each backend: an SQLite file in tmp_path, a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'catalog.sqlite'}"
    return request.getfixturevalue("pg_catalog_url")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def empty_catalog_url(request, tmp_path) -> str:
    """The URL of an empty database (not migrated), once on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def pg_admin_url():
    """An admin URL of a PostgreSQL server: GIROK_TEST_POSTGRES_URL, else a private server started for this run
    when PostgreSQL's server programs are installed (helpers_distributed.PostgresServer), else skip."""
    import helpers_distributed as hd

    yield from hd.postgres_admin_url()


@pytest.fixture
def archive_catalog(request, monkeypatch):
    """Where the archives made in this test keep their catalog: their own catalog.sqlite, or (parametrized with
    helpers_distributed.BACKENDS) a new PostgreSQL database of their own, given to girok in GIROK_CATALOG_URL."""
    import helpers_distributed as hd

    yield from hd.catalog_backend(request, monkeypatch)


@pytest.fixture
def env_backend() -> str:
    """The catalog backend of helpers_retention's ``env``: SQLite, unless a test module overrides this fixture
    with ``params=helpers_retention.BACKENDS`` to run its tests on both."""
    return "sqlite"


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "MANIFEST.json").exists():
        pytest.skip(f"shared corpus not found at {CORPUS} (set GIROK_SHARED)")
    return CORPUS


def render_korean(path: Path, lines: list[str], *, dpi: int = 300, size=(1240, 900), fmt: str | None = None,
                  pages: int = 1, mode: str = "L", **save_kw) -> Path:
    """Render Korean text lines as a scan-like image (or multi-page TIFF) at ``dpi``."""
    if not NANUM.exists():
        pytest.skip("fonts-nanum is not installed (apt-get install fonts-nanum)")
    font = ImageFont.truetype(str(NANUM), int(dpi * 14 / 72))  # 14 pt
    frames = []
    for p in range(pages):
        im = Image.new("L", size, 255)
        d = ImageDraw.Draw(im)
        y = int(dpi * 0.4)
        for line in lines:
            d.text((int(dpi * 0.4), y), line if pages == 1 else f"{line} ({p + 1})", font=font, fill=0)
            y += int(font.size * 1.8)
        frames.append(im.convert(mode) if mode != "L" else im)
    kw = dict(dpi=(dpi, dpi), **save_kw)
    if pages > 1:
        kw.update(save_all=True, append_images=frames[1:])
    frames[0].save(path, format=fmt, **kw)
    return path


@pytest.fixture
def make_archive(tmp_path):
    """A fresh archive with quick stability and rescan times for tests."""

    def make(name: str = "archive", *, stable: float = 0.5, rescan: float = 0.5) -> Path:
        from girok.archive.layout import Archive

        root = tmp_path / name
        Archive.create(root, name="test archive").close()
        cfg = root / "girok.toml"
        cfg.write_text(cfg.read_text().replace("rescan_seconds = 30", f"rescan_seconds = {rescan}"))
        for prof in (root / "profiles").glob("*.toml"):
            text = re.sub(r"stable_seconds = [0-9.]+", f"stable_seconds = {stable}", prof.read_text())
            prof.write_text(text)
        return root

    return make


def girok_cmd(archive: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "girok.cli", "--archive", str(archive), *args]


def run_girok(archive: Path, *args: str, timeout: float = 600, check: bool = False) -> subprocess.CompletedProcess:
    proc = subprocess.run(girok_cmd(archive, *args), capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"girok {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip().startswith("{")]


def wait_for(cond, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
