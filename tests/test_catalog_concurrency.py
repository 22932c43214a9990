"""Several processes write to one catalog at once, each with its own Catalog (engine, connections): the
audit chain stays one linear chain, no event is lost, registration numbers stay unique and gapless.

On SQLite (BEGIN IMMEDIATE) and on PostgreSQL (pg_advisory_xact_lock): the same test, the same result.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import re
import time
from collections import Counter, defaultdict

import pytest

from girok.catalog.repository import Catalog, NewCapture, NewDocument

PROCESSES = 4
EVENTS = 50  # per process; every 5th one also commits a capture of two documents
CAPTURE_EVERY = 5


def _capture(proc: int, i: int) -> NewCapture:
    h = hashlib.sha256(f"{proc}/{i}".encode()).hexdigest()
    docs = [NewDocument(first_page=p + 1, page_count=1, archival_sha256=hashlib.sha256(f"{h}{p}".encode()).hexdigest(),
                        archival_relpath=f"archival/{h}-{p}.pdf", archival_size=10, pdfa="2B", conversion={},
                        page_texts=[f"process {proc} capture {i} page {p}"]) for p in range(2)]
    return NewCapture(sha256=h, size=10, source_name=f"p{proc}-{i}.pdf", source_path=f"/hot/p{proc}-{i}.pdf",
                      hot_folder=None, profile="default", media_type="application/pdf",
                      original_relpath=f"originals/{h}.pdf", documents=docs)


def _writer(url: str, proc: int, ready, start, results) -> None:  # noqa: ANN001
    """One process: EVENTS audit events and a capture every CAPTURE_EVERY, as fast as it can."""
    cat = Catalog(url, migrate=False)
    cat.counts()  # connected
    prefix = "GR" if proc % 2 == 0 else "SC"  # two processes per prefix: numbers contended per prefix
    regs: list[str] = []
    ready.put(proc)
    start.wait()
    t0_wall = time.time()
    t0 = time.monotonic()
    for i in range(EVENTS):
        cat.add_event("concurrent", proc=proc, n=i)
        if i % CAPTURE_EVERY == 0:
            regs += cat.commit_capture(_capture(proc, i), prefix=prefix)
    results.put((proc, regs, time.monotonic() - t0, t0_wall, time.time()))
    cat.close()


def test_concurrent_writers_keep_one_linear_chain_and_gapless_numbers(catalog_url):
    Catalog(catalog_url).close()  # migrated before the writers start
    ctx = multiprocessing.get_context("spawn")  # each writer its own interpreter, engine and connections
    ready, start, results = ctx.Queue(), ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(catalog_url, p, ready, start, results)) for p in range(PROCESSES)]
    for p in procs:
        p.start()
    for _ in procs:  # every one has imported girok and connected (a loaded machine takes seconds): then all at once
        ready.get(timeout=240)
    t0 = time.monotonic()
    start.set()
    got = [results.get(timeout=240) for _ in procs]
    wall = time.monotonic() - t0
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0

    cat = Catalog(catalog_url)
    try:
        verdict = cat.verify_audit()
        captures = PROCESSES * len(range(0, EVENTS, CAPTURE_EVERY))
        assert verdict.ok, verdict.problem
        assert verdict.events == PROCESSES * EVENTS + captures  # none lost
        events = list(cat.iter_events())
        # one linear chain: every event names the one before it (verify_audit checked the hashes)
        assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:]))
        mine = Counter(json.loads(e.detail)["proc"] for e in events if e.action == "concurrent")
        assert mine == {p: EVENTS for p in range(PROCESSES)}
        # each process's events in its own order
        order = defaultdict(list)
        for e in events:
            if e.action == "concurrent":
                d = json.loads(e.detail)
                order[d["proc"]].append(d["n"])
        assert all(ns == list(range(EVENTS)) for ns in order.values())
        # the writers interleaved (else this test proves nothing about concurrency)
        procs_in_order = [json.loads(e.detail)["proc"] for e in events if e.action == "concurrent"]
        if cat.dialect.name == "postgresql":  # its lock queues the waiters: they take turns
            assert sum(1 for a, b in zip(procs_in_order, procs_in_order[1:]) if a != b) >= PROCESSES
        else:
            # SQLite's lock is not fair (a waiter sleeps between tries, the holder takes it again at once): on a loaded
            # machine the writers may be served one after another; they did write at the same time, though: every
            # one had asked for the lock before the first of them was done
            assert max(started for *_, started, _end in got) < min(end for *_, end in got)

        regs = [r for g in got for r in g[1]]
        assert len(regs) == len(set(regs)) == 2 * captures
        by_prefix = defaultdict(list)
        for r in regs:
            prefix, year, n = re.fullmatch(r"([A-Z]+)-(\d{4})-(\d{6})", r).groups()
            by_prefix[prefix, year].append(int(n))
        for key, numbers in by_prefix.items():
            assert sorted(numbers) == list(range(1, len(numbers) + 1)), key  # gapless
        assert cat.counts()["documents"] == 2 * captures
    finally:
        cat.close()
    per_proc = max(g[2] for g in got)
    print(f"\n{cat.dialect.name}: {PROCESSES} processes x ({EVENTS} events + {EVENTS // CAPTURE_EVERY} captures): "
          f"{verdict.events} events in {wall:.2f} s ({verdict.events / wall:.0f} events/s; slowest writer "
          f"{per_proc:.2f} s)")


@pytest.mark.postgresql
def test_writers_opening_a_new_postgresql_database_at_once_migrate_it_once(pg_url):
    """Migrations run under the write lock: two machines starting on a new database do not both create tables."""
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_open, args=(pg_url,)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    cat = Catalog(pg_url)
    try:
        assert cat.current_revision() == cat.head_revision()
        assert cat.verify_audit().events == 3
    finally:
        cat.close()


def _open(url: str) -> None:
    cat = Catalog(url)
    cat.add_event("opened")
    cat.close()
