"""The audit chain detects edited, removed, inserted and reordered events, and names the first bad one;
an archive made before the chain existed (revision 0001) is chained by the migration. On SQLite and on
PostgreSQL (``catalog_url``)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine

from girok.catalog.dialect import engine_url
from girok.catalog.repository import Catalog, _alembic_config


@pytest.fixture
def chained(catalog_url):
    c = Catalog(catalog_url)
    for i in range(6):
        c.add_event("test", reg_no=f"GR-2026-{i:06d}", n=i)
    assert c.verify_audit().ok
    yield c, catalog_url
    c.close()


def sql(url, *stmts):
    """Statements run behind girok's back (no write lock, no chain)."""
    engine = create_engine(engine_url(url))
    with engine.begin() as db:
        for s in stmts:
            db.exec_driver_sql(s)
    engine.dispose()


def test_intact_chain_verifies(chained):
    c, _ = chained
    v = c.verify_audit()
    assert v.ok and v.events == 6


def test_edited_event_is_named(chained):
    c, path = chained
    sql(path, "update events set detail='{\"n\": 99}' where id=4")
    v = c.verify_audit()
    assert not v.ok and v.first_bad_id == 4 and "altered" in v.problem


def test_deleted_event_is_found(chained):
    c, path = chained
    sql(path, "delete from events where id=3")
    v = c.verify_audit()
    assert not v.ok and v.first_bad_id == 4


def test_inserted_event_is_found(chained):
    c, path = chained
    # copy event 2 with a new id between others: its prev_hash no longer fits where it lands
    sql(path, "insert into events (id, at, actor, action, reg_no, detail, prev_hash, hash) "
              "select 100, at, actor, action, reg_no, detail, prev_hash, hash from events where id=2",
        "update events set id=id+1000 where id>=4 and id<100", "update events set id=4 where id=100")
    v = c.verify_audit()
    assert not v.ok and v.first_bad_id == 4


def test_swapped_events_are_found(chained):
    c, path = chained
    sql(path, "update events set id=-1 where id=2", "update events set id=2 where id=3",
        "update events set id=3 where id=-1")
    v = c.verify_audit()
    assert not v.ok and v.first_bad_id == 2


def test_migration_chains_events_of_an_older_archive(empty_catalog_url):
    path = empty_catalog_url
    engine = create_engine(engine_url(path))
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
        for i in range(3):
            conn.exec_driver_sql(
                "insert into events (at, actor, action, reg_no, detail) values "
                f"('2025-01-0{i + 1} 10:00:00.000000', 'clerk', 'capture', 'GR-2025-00000{i}', '{{}}')")
    engine.dispose()
    c = Catalog(path)  # opens at head: the migration chains the three events
    assert c.current_revision() == c.head_revision()
    v = c.verify_audit()
    assert v.ok and v.events == 3
    c.add_event("after-upgrade")
    assert c.verify_audit().ok
    c.close()


def test_a_documents_events_are_found_by_index_and_older_events_are_linked_by_the_migration(empty_catalog_url):
    """A document's history comes from event_documents (migration 0011), not from reading every event: the events
    of an archive from before 0011 are linked by the migration, new ones as they are written; a registration
    number that is a prefix of another (GR-2026-000001 of GR-2026-0000010) is not mixed up with it."""
    c = Catalog(empty_catalog_url)
    c.add_event("view", reg_no="GR-2026-000001")
    c.add_event("search", reg_no="GR-2026-000002,GR-2026-000001,GR-2026-0000010")
    c.add_event("note")
    with c.engine.connect() as conn, c.dialect.schema_change(conn):
        with conn.begin():
            command.downgrade(_alembic_config(conn), "0010")
    c.close()
    c = Catalog(empty_catalog_url)  # back to the newest revision: the migration links the three events above
    c.add_event("view", reg_no="GR-2026-000001")
    c.add_event("view", reg_no="GR-2026-0000010")

    def actions(reg):
        return [(e.action, e.reg_no) for e in c.iter_events(reg_no=reg)]

    assert actions("GR-2026-000001") == [("view", "GR-2026-000001"),
                                         ("search", "GR-2026-000002,GR-2026-000001,GR-2026-0000010"),
                                         ("view", "GR-2026-000001")]
    assert actions("GR-2026-000002") == [("search", "GR-2026-000002,GR-2026-000001,GR-2026-0000010")]
    assert [a for a, _ in actions("GR-2026-0000010")] == ["search", "view"]
    assert actions("GR-2026-000003") == []
    assert c.verify_audit().ok
    c.close()


def test_events_added_by_many_threads_at_once_are_all_committed_in_order_in_one_chain(catalog_url):
    """girok serve audits from many threads at once (Catalog.add_event's group commit): none lost, each thread's in
    its own order, one chain, and fewer transactions than events (they were grouped)."""
    import threading

    from sqlalchemy import event

    c = Catalog(catalog_url)
    commits = []
    event.listen(c.engine, "commit", lambda conn: commits.append(1))
    threads, per = 16, 15
    go = threading.Barrier(threads)

    def run(t):
        go.wait()
        for i in range(per):
            c.add_event("view", reg_no=f"GR-2026-{t:06d}", thread=t, n=i)

    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    import json

    evs = [json.loads(e.detail) for e in c.iter_events() if e.action == "view"]
    assert len(evs) == threads * per
    for t in range(threads):
        assert [d["n"] for d in evs if d["thread"] == t] == list(range(per))
        assert len(list(c.iter_events(reg_no=f"GR-2026-{t:06d}"))) == per
    assert c.verify_audit().ok
    assert len(commits) < threads * per
    c.close()
