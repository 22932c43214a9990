"""`girok catalog migrate --to postgresql://...`: an archive's SQLite catalog copied into an empty PostgreSQL
database, verified; the archive then works on it as it did (show, search, audit verify, doctor, fixity),
the old file is refused from then on, and no password is ever shown or written."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy.engine import make_url

from girok.app import users
from girok.catalog import transfer
from girok.catalog.repository import Catalog, NewCapture, NewDocument
from girok.errors import UsageError
from girok.retention.disposal import dispose
from girok.retention.holds import add_hold
from helpers_retention import approve, cli, env, sql  # noqa: F401 (env is a fixture)

pytestmark = pytest.mark.postgresql
PASSWORD = "correct horse 말"


def built(env) -> dict:
    """An archive with something in every table: documents, a hold, a review, a decision, a disposal with its
    tombstone, RRN keys, the search lexicon, a user of girok serve, events."""
    a = env.add("전입신고서", captured=datetime(2019, 5, 2, 3), docs=2, text="서초구 민원실 전입신고서")
    b = env.add("주민등록표", text="강남구청 주민등록표 등본 교부")
    c = env.add("전입신고서", captured=datetime(2019, 6, 3, 3), text="홍길순 전입신고서")
    env.clock.set(2026, 3, 2)
    add_hold(env.arch, reason="소송 2026가합1234", reg_nos=[b[0]])
    approve(env, c)
    assert dispose(env.arch).disposed == c
    sql(env.root, "insert into rrn_keys (document_id, hmac) select id, 'h' from documents where reg_no=?", (a[0],))
    users.add_user(env.arch, "officer1", "officer", PASSWORD)
    return {"a": a, "b": b, "c": c}


def outputs(root, regs) -> dict:
    """What the commands say, on whichever catalog the archive opens."""
    show = json.loads(cli(root, "show", regs["a"][0], "--json", check=True).stdout)
    gone = cli(root, "show", regs["c"][0], "--json")  # a tombstone: shown, and exit code 6
    assert gone.returncode == 6
    tomb = json.loads(gone.stdout)
    found = [json.loads(line) for line in cli(root, "search", "전입신고서", "--json", check=True).stdout.splitlines()]
    audit = json.loads(cli(root, "audit", "verify", "--json", check=True).stdout)
    doctor = json.loads(cli(root, "doctor", "--json", check=True).stdout)
    fixity = json.loads(cli(root, "fixity", "check", "--json", check=True).stdout)
    return {"show": show, "tombstone": tomb, "search": found, "audit": audit, "doctor": doctor, "fixity": fixity}


def test_migrate_copies_verifies_and_the_archive_works_the_same_on_postgresql(env, pg_url, monkeypatch):
    regs = built(env)
    password = make_url(pg_url).password
    before = outputs(env.root, regs)
    assert before["audit"]["ok"] and before["doctor"]["ok"] and before["fixity"]["ok"]
    src = Catalog(env.root / "catalog.sqlite")
    counts = {t.name: n for t, n in _rows(src).items()}  # as the copy will find them
    src.close()

    res = cli(env.root, "catalog", "migrate", "--to", pg_url, "--json", check=True)
    d = json.loads(res.stdout)
    assert password not in res.stdout + res.stderr
    assert d["verified"] and d["doctor"]["ok"] and d["to"] == pg_url.replace(password, "***")
    assert d["tables"] == counts and all(counts[t] for t in ("documents", "tombstones", "holds", "word_readings",
                                                             "decisions", "rrn_keys", "users", "events"))
    assert d["config_written"] is False and password not in d["url_for_girok_toml"]

    # the old file: the same chain, ending in the same move event; refused from now on
    old = Catalog(env.root / "catalog.sqlite")
    assert old.verify_audit().ok and old.events(limit=1)[0].action == "catalog-migrate"
    assert old.events(limit=1)[0].hash == d["audit"]["migrate_event"]
    assert password not in old.events(limit=1)[0].detail
    old.close()
    refused = cli(env.root, "status")
    assert refused.returncode == 3 and "moved to postgresql" in refused.stderr and "***" in refused.stderr
    assert password not in refused.stderr and "GIROK_CATALOG_URL" in refused.stderr

    monkeypatch.setenv("GIROK_CATALOG_URL", pg_url)
    after = outputs(env.root, regs)
    assert after["show"] == before["show"] and after["tombstone"] == before["tombstone"]
    assert after["search"] == before["search"] and {h["id"] for h in after["search"]} == {*regs["a"]}
    assert after["audit"]["ok"] and after["doctor"]["ok"] and after["fixity"]["ok"]
    assert after["fixity"]["files"] == before["fixity"]["files"]
    from girok.app.admin import open_archive

    moved = open_archive(env.root)  # the users came along: the same log-in, and a new user gets a new id
    try:
        assert moved.catalog.dialect.name == "postgresql"
        assert users.login(moved, "officer1", PASSWORD).ok
        users.add_user(moved, "clerk1", "clerk", PASSWORD)
        assert [u.name for u in users.list_users(moved)] == ["clerk1", "officer1"]
    finally:
        moved.close()
    new = Catalog(pg_url)
    try:
        assert new.dialect.name == "postgresql"
        assert any(e.action == "catalog-migrate" for e in new.events(limit=20))
        # sequences went past the copied ids: new rows get new ids
        more = add_one(new)
        assert more and new.get(more[0]).id > max(new.get(r).id for r in regs["a"] + regs["b"])
    finally:
        new.close()
    log = (env.root / "logs" / "girok.log")
    assert not log.exists() or password not in log.read_text(encoding="utf-8")
    assert password not in (env.root / "girok.toml").read_text(encoding="utf-8")


def add_one(catalog: Catalog) -> list[str]:
    doc = NewDocument(first_page=1, page_count=1, archival_sha256="e" * 64, archival_relpath="archival/x.pdf",
                      archival_size=1, pdfa="2B", conversion={}, page_texts=["새 문서"])
    return catalog.commit_capture(NewCapture(sha256="f" * 64, size=1, source_name="new.pdf", source_path="/new.pdf",
                                             hot_folder=None, profile="default", media_type="application/pdf",
                                             original_relpath="originals/x.pdf", documents=[doc]), prefix="GR")


def _rows(cat: Catalog) -> dict:
    from sqlalchemy import func, select

    with cat.ReadSession() as s:
        return {t: s.execute(select(func.count()).select_from(t)).scalar_one() for t in transfer.tables()}


def test_write_config_names_the_database_without_its_password(env, pg_url, monkeypatch):
    env.add("전입신고서")
    url = make_url(pg_url)
    res = cli(env.root, "catalog", "migrate", "--to", pg_url, "--write-config")
    assert res.returncode == 0, res.stderr
    assert url.password not in res.stdout + res.stderr
    toml = (env.root / "girok.toml").read_text(encoding="utf-8")
    assert url.password not in toml
    written = f"postgresql://{url.username}@{url.host}:{url.port}/{url.database}"
    assert f'catalog = "{written}"' in toml
    monkeypatch.setenv("PGPASSWORD", url.password)  # libpq's own way to the password
    res = cli(env.root, "status", "--json", check=True)
    assert json.loads(res.stdout)
    from girok.config import load_archive_config

    assert load_archive_config(env.root).catalog_url == written


def test_a_target_that_is_not_empty_is_refused_and_nothing_changes(env, pg_catalog_url, pg_url):
    env.add("전입신고서")
    busy = Catalog(pg_catalog_url)
    busy.add_event("someone-else")
    busy.close()
    before = env.arch.catalog.audit_head()
    res = cli(env.root, "catalog", "migrate", "--to", pg_catalog_url)
    assert res.returncode == 2 and "not empty" in res.stderr and "events 1" in res.stderr
    assert make_url(pg_catalog_url).password not in res.stderr
    assert env.arch.catalog.audit_head() == before  # the source is untouched and still in use
    assert cli(env.root, "status").returncode == 0
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute("create table other_app (x int)")
    with pytest.raises(UsageError, match="other_app"):
        transfer.copy_catalog(env.arch.catalog, pg_url)


def test_only_sqlite_to_postgresql(env, pg_catalog_url):
    with pytest.raises(UsageError, match="PostgreSQL"):
        transfer.copy_catalog(env.arch.catalog, f"sqlite:///{env.root / 'other.sqlite'}")
    pg = Catalog(pg_catalog_url)
    try:
        with pytest.raises(UsageError, match="already on a database server"):
            transfer.copy_catalog(pg, pg_catalog_url)
    finally:
        pg.close()
    res = cli(env.root, "catalog", "migrate", "--to", "mysql://girok:hunter2@db/girok")
    assert res.returncode == 2 and "hunter2" not in res.stderr


def test_nul_characters_are_kept_as_replacement_characters(env, pg_url):
    [a] = env.add("전입신고서")
    sql(env.root, "update pages set text=? where document_id=(select id from documents where reg_no=?)",
        ("서초구\x00민원실", a))
    rep = transfer.copy_catalog(env.arch.catalog, pg_url)
    assert rep.nul_replaced == 1 and rep.verified
    pg = Catalog(pg_url)
    try:
        assert pg.get(a).pages[0].text == "서초구\ufffd민원실"
        assert pg.verify_audit().ok
    finally:
        pg.close()
