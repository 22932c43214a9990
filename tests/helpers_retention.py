"""Retention test archives without OCR: small files in the store, catalog rows through commit_capture,
a fixed clock (girok.catalog.repository.now), and a schedule in girok.toml.

The catalog is SQLite unless the test module runs ``env`` on both backends: it defines a fixture
``env_backend`` with ``params=BACKENDS`` (PostgreSQL through GIROK_CATALOG_URL, as a deployment sets it)."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pytest

import girok.catalog.repository as catalog_mod
from girok.catalog.repository import NewCapture, NewDocument
from girok.archive.layout import Archive
from girok.archive.indexing import index_documents
from girok.catalog.retention_models import Retention
from girok.catalog.models import Document

SCHEDULE = """
[retention]
default = "10년"
[retention.types]
"전입신고서" = "5년"
"주민등록표" = "영구"
"개인정보동의서" = "1년"
[retention.profiles]
"backlog-duplex" = "준영구"
"""


@dataclass
class Clock:
    now: datetime = datetime(2026, 3, 2, 1, 0, 0)  # naive UTC, as the catalog stores time

    def set(self, y: int, m: int, d: int, hh: int = 1, mm: int = 0) -> None:
        self.now = datetime(y, m, d, hh, mm)


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@dataclass
class Env:
    root: Path
    arch: Archive
    clock: Clock
    n: int = field(default=0)

    @property
    def backend(self) -> str:
        return self.arch.catalog.dialect.name

    def add(self, doc_type: str = "전입신고서", *, captured: datetime | None = None, docs: int = 1,
            profile: str = "default", text: str = "서초구 민원실 전입신고서", doc_date: date | None = None) -> list[str]:
        """One capture with ``docs`` documents, stored, catalogued and indexed; returns registration numbers."""
        if captured is not None:
            self.clock.now = captured
        self.n += 1
        src = self.root.parent / "made-up"
        src.mkdir(exist_ok=True)
        original = src / f"orig-{self.n}.tif"
        original.write_bytes(f"II*\x00 scan {self.n} {text}".encode())
        orig = self.arch.store.put("originals", original, sha(original), ".tif")
        new_docs = []
        for i in range(docs):
            pdf = src / f"doc-{self.n}-{i}.pdf"
            pdf.write_bytes(f"%PDF-1.7 archival {self.n}.{i} {text}".encode())
            st = self.arch.store.put("archival", pdf, sha(pdf), ".pdf")
            new_docs.append(NewDocument(
                first_page=i + 1, page_count=1, archival_sha256=st.sha256, archival_relpath=st.relpath,
                archival_size=st.size, pdfa="2B", conversion={"tools": {"test": "1"}},
                page_texts=[f"{text} {self.n}-{i}"], title=f"{doc_type or '문서'} {self.n}-{i}", doc_type=doc_type))
        cap = NewCapture(sha256=orig.sha256, size=orig.size, source_name=original.name, source_path=str(original),
                         hot_folder=None, profile=profile, media_type="image/tiff", original_relpath=orig.relpath,
                         documents=new_docs)
        regs = self.arch.catalog.commit_capture(cap, prefix=self.arch.config.id_prefix)
        if doc_date is not None:
            sql(self.root, "update documents set doc_date=? where reg_no=?", (doc_date.isoformat(), regs[0]))
        index_documents(self.arch, regs)
        return regs

    def files(self, reg_no: str) -> tuple[Path, Path]:
        doc = self.arch.catalog.get(reg_no)
        return self.arch.store.resolve(doc.capture.original_relpath), self.arch.store.resolve(doc.archival_relpath)

    def retention(self, reg_no: str) -> Retention:
        with self.arch.catalog.Session() as s:
            doc = s.query(Document).filter_by(reg_no=reg_no).one()
            return s.get(Retention, doc.id)

    def events(self, action: str | None = None) -> list:
        evs = list(reversed(self.arch.catalog.events(limit=100000)))
        return [e for e in evs if action is None or e.action == action]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pg(root: Path) -> str | None:
    """The PostgreSQL URL of the archive's catalog (None: SQLite, ROOT/catalog.sqlite)."""
    from girok.config import is_postgresql_url, load_archive_config

    url = load_archive_config(root).catalog_url
    return url if is_postgresql_url(url) else None


def sql(root: Path, stmt: str, params=()) -> list[tuple]:
    """A statement (``?`` placeholders) on the archive's catalog behind girok's back."""
    url = _pg(root)
    if url is None:
        with sqlite3.connect(root / "catalog.sqlite") as db:
            return db.execute(stmt, params).fetchall()
    import psycopg

    with psycopg.connect(url) as db:
        cur = db.execute(stmt.replace("?", "%s"), params)
        return [tuple(r) for r in cur.fetchall()] if cur.description else []


def dump(root: Path) -> list[str]:
    """Every row of the catalog, as SQL (SQLite) or as table and row (PostgreSQL): equal dumps, unchanged catalog."""
    url = _pg(root)
    if url is None:
        with sqlite3.connect(root / "catalog.sqlite") as db:
            return list(db.iterdump())
    import psycopg

    rows = []
    with psycopg.connect(url) as db:
        tables = [t for (t,) in db.execute("select tablename from pg_tables where schemaname = current_schema() "
                                           "order by tablename")]
        for t in tables:
            rows += sorted(f"{t}: {tuple(r)!r}" for r in db.execute(f'select * from "{t}"'))
    return rows


def store_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in (root / "store").rglob("*") if p.is_file()}


def make_env(make_archive, monkeypatch, schedule: str = SCHEDULE, catalog_url: str | None = None) -> Env:
    """``catalog_url``: a PostgreSQL catalog for the archive (GIROK_CATALOG_URL for this test and the
    girok processes it starts); None: the archive's own catalog.sqlite."""
    if catalog_url is not None:
        monkeypatch.setenv("GIROK_CATALOG_URL", catalog_url)
    else:
        monkeypatch.delenv("GIROK_CATALOG_URL", raising=False)
    root = make_archive()
    with (root / "girok.toml").open("a", encoding="utf-8") as fh:
        fh.write(schedule)
    clock = Clock()
    monkeypatch.setattr(catalog_mod, "now", lambda: clock.now)
    monkeypatch.setattr(Archive, "setup_logging", lambda self: None)  # in-process CLI runs: no handler per run
    arch = Archive.open(root)
    return Env(root, arch, clock)


def approve(env: Env, regs: list[str], *, on: date | None = None, meeting: str = "2026년 제1차 기록물평가심의회",
            action: dict | None = None) -> int:
    """Review as of ``on`` (default today), decide to dispose of ``regs``; returns the review number."""
    import json

    from girok.retention.decide import decide
    from girok.retention.schedule import today
    from girok.retention.review import review
    from girok.retention.reviewfile import write_review

    rl = review(env.arch, on or today())
    path = env.root.parent / f"review-{rl.id}.json"
    write_review(rl, "test", path)
    data = json.loads(path.read_text(encoding="utf-8"))
    for g in data["groups"]:
        for d in g["documents"]:
            if d["id"] in regs:
                d.update(action or {"decision": "dispose"})
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    decide(env.arch, path, meeting=meeting)
    return rl.id


def cli(root: Path, *args: str, check: bool = False):
    """`girok --archive ROOT ARGS` in this process (the fixed clock applies); returncode as main() would exit."""
    from types import SimpleNamespace

    from typer.testing import CliRunner

    from girok.cli import app
    from girok.errors import GirokError

    r = CliRunner().invoke(app, ["--archive", str(root), *args])
    exc = r.exception
    if exc is not None and not isinstance(exc, (GirokError, SystemExit)):
        raise exc
    res = SimpleNamespace(returncode=exc.exit_code if isinstance(exc, GirokError) else r.exit_code,
                          stdout=r.stdout, stderr=r.stderr + (str(exc) if isinstance(exc, GirokError) else ""))
    if check and res.returncode != 0:
        raise AssertionError(f"girok {' '.join(args)} exited {res.returncode}\n{res.stdout}\n{res.stderr}")
    return res


@pytest.fixture
def env(make_archive, monkeypatch, env_backend, request):
    """A test archive with the SCHEDULE above and a fixed clock (import this fixture into a test module)."""
    url = request.getfixturevalue("pg_catalog_url") if env_backend == "postgresql" else None
    e = make_env(make_archive, monkeypatch, catalog_url=url)
    yield e
    e.arch.close()
