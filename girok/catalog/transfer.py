"""Moving a catalog from its SQLite file to a PostgreSQL database (``girok catalog migrate``).

Every table is copied row by row, ids included, into a database that is empty and migrated to the same
revision, in one transaction on each side: the source's write lock is held from the first row read to
the last (nothing is written meanwhile), the target's transaction commits only after it verified itself.
Verified means: the same number of rows in every table, the target's audit chain verifies and ends in
the same hash as the source's. Then one ``catalog-migrate`` event is appended to both chains (the same
event: the same hash), so the old file says where the catalog went (``moved_to``) and the new one where
it came from; then the target is opened afresh and verified once more.

Sequences: rows keep their ids, so every id sequence is moved past the largest id copied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from ..errors import CatalogError, UsageError
from . import audit
from .models import Base, Event
from .repository import HEAD_REVISION, Catalog, actor, now
from .unit import storable

ACTION = "catalog-migrate"
BATCH = 1000  # rows per INSERT statement
VERSION_TABLE = "alembic_version"


@dataclass
class CopyReport:
    source: str  # URLs as shown: passwords masked
    target: str
    tables: dict[str, int] = field(default_factory=dict)  # rows copied per table (before the migrate event)
    events: int = 0  # audit events copied
    head: str = ""  # the hash of the last event copied (the same in both chains)
    nul_replaced: int = 0  # texts that held U+0000, which PostgreSQL cannot store (kept as U+FFFD)
    event_hash: str = ""  # the catalog-migrate event, in both chains
    verified: bool = False

    def as_dict(self) -> dict[str, Any]:
        # "from" and "to" (as --to), not "source": in girok's JSON a source is the scanned file (README "JSON output")
        return {"from": self.source, "to": self.target, "tables": self.tables, "rows": sum(self.tables.values()),
                "audit": {"events": self.events, "head": self.head, "migrate_event": self.event_hash},
                "nul_replaced": self.nul_replaced, "verified": self.verified}


def tables() -> list:
    """Every table of the catalog, parents before children (foreign keys)."""
    from . import retention_models, users_repo  # noqa: F401 - their tables belong to Base.metadata

    return list(Base.metadata.sorted_tables)


def moved_to(catalog: Catalog) -> str | None:
    """Where this SQLite catalog was moved by ``girok catalog migrate`` (the target as shown, password masked),
    or None. (The target holds the same event: it is where the catalog lives now, never "moved".)"""
    import json

    if catalog.path is None:
        return None
    ev = catalog.last_event(ACTION)
    if ev is None:
        return None
    try:
        return str(json.loads(ev.detail).get("target") or "another database")
    except (ValueError, AttributeError):
        return "another database"


def _layout_problems(conn) -> list[str]:  # noqa: ANN001
    """How the tables and columns of the database on ``conn`` differ from girok's (empty: the same)."""
    insp = inspect(conn)
    known = {t.name: t for t in tables()}
    have = set(insp.get_table_names()) - {VERSION_TABLE}
    problems = [f"table {name} is not girok's" for name in sorted(have - set(known))]
    problems += [f"table {name} is missing" for name in sorted(set(known) - have)]
    for name in sorted(have & set(known)):
        cols = {c["name"] for c in insp.get_columns(name)}
        want = {c.name for c in known[name].columns}
        problems += [f"column {name}.{c} is not girok's" for c in sorted(cols - want)]
        problems += [f"column {name}.{c} is missing" for c in sorted(want - cols)]
    return problems


def _check_target_empty(target: Catalog) -> None:
    """Refuse a target that holds anything: tables girok does not know, or any row in girok's."""
    with target.reader.connect() as conn:
        have = set(inspect(conn).get_table_names())
        if not have:
            return
        known = {t.name for t in tables()} | {VERSION_TABLE}
        foreign = sorted(have - known)
        if foreign:
            raise UsageError(f"the target database {target.masked_url} is not empty: it holds tables girok does "
                             f"not know ({', '.join(foreign[:5])}{', ...' if len(foreign) > 5 else ''})",
                             hint="Give the catalog a database of its own (README: \"The catalog on PostgreSQL\").")
        rows = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in tables() if t.name in have}
    full = {name: n for name, n in rows.items() if n}
    if full:
        shown = ", ".join(f"{name} {n}" for name, n in sorted(full.items()))
        raise UsageError(f"the target database {target.masked_url} is not empty: it already holds a catalog "
                         f"({shown} row(s))",
                         hint="girok copies a catalog only into an empty database; nothing was changed. If it is "
                              "an old or failed copy, drop and create the database again (README).")


def _counts(s: Session) -> dict[str, int]:
    return {t.name: s.execute(select(func.count()).select_from(t)).scalar_one() for t in tables()}


def _head(s: Session) -> tuple[int, str]:
    last = s.scalars(select(Event.hash).order_by(Event.id.desc()).limit(1)).first()
    return s.scalar(select(func.count()).select_from(Event)) or 0, last or ""


def copy_catalog(source: Catalog, target_url: str, *, detail: dict[str, Any] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> CopyReport:
    """Copy ``source`` (an SQLite catalog) into the empty PostgreSQL database ``target_url``; see the module text.

    ``detail``: more to record in the ``catalog-migrate`` event. Raises UsageError for a target that is not
    empty or not PostgreSQL (nothing changed), CatalogError when a check fails (nothing committed)."""
    from .dialect import PostgreSQLDialect, for_url

    if source.path is None:
        raise UsageError(f"the catalog is already on a database server ({source.masked_url})",
                         hint="`girok catalog migrate` moves an archive's SQLite catalog to PostgreSQL: run it "
                              "without GIROK_CATALOG_URL (and without `catalog` in girok.toml) set, so that the "
                              "archive's catalog.sqlite is what it copies.")
    if not isinstance(for_url(target_url), PostgreSQLDialect):
        raise UsageError(f"--to must be a PostgreSQL URL (postgresql://ROLE@HOST/DATABASE), got "
                         f"{Catalog(target_url, migrate=False).masked_url}")
    target = Catalog(target_url, migrate=False, id_prefix=source.id_prefix)
    report = CopyReport(source=source.masked_url, target=target.masked_url)
    try:
        _check_target_empty(target)
        target.upgrade()
        with source.reader.connect() as conn:
            problems = _layout_problems(conn)
        if problems:
            raise CatalogError(f"the catalog {source.masked_url} does not have girok's tables at revision "
                               f"{HEAD_REVISION}: {'; '.join(problems[:5])}",
                               hint="Run `girok doctor` with the girok version that wrote this archive; nothing "
                                    "was copied.")
        _copy(source, target, report, detail or {}, progress)
        _verify_after(source, target, report)
    finally:
        target.close()
    return report


def _copy(source: Catalog, target: Catalog, report: CopyReport, detail: dict[str, Any],
          progress: Callable[[int, int], None] | None) -> None:
    # The source's write transaction: nothing changes in it from the first row read to the marker event.
    with source._write("the move of the catalog") as src, target._write("the copied catalog") as dst:
        counts = _counts(src)
        total, done = sum(counts.values()), 0
        for table in tables():
            order = list(table.primary_key.columns)
            batch: list[dict] = []
            for row in src.execute(select(table).order_by(*order)).mappings().yield_per(BATCH):
                values = {}
                for key, value in row.items():
                    kept = storable(value)
                    report.nul_replaced += kept is not value
                    values[key] = kept
                batch.append(values)
                if len(batch) >= BATCH:
                    dst.execute(table.insert(), batch)
                    done += len(batch)
                    batch = []
                    if progress:
                        progress(done, total)
            if batch:
                dst.execute(table.insert(), batch)
                done += len(batch)
            report.tables[table.name] = counts[table.name]
            if progress:
                progress(done, total)
        target.dialect.reset_sequences(dst.connection(), tables())

        # verified before anything is committed
        copied = _counts(dst)
        if copied != counts:
            differ = ", ".join(f"{k} {counts[k]} -> {copied[k]}" for k in counts if copied[k] != counts[k])
            raise CatalogError(f"the copy does not have the source's rows ({differ}); nothing was committed")
        verdict = audit.verify_events(dst.scalars(select(Event).order_by(Event.id)).yield_per(BATCH))
        if not verdict.ok:
            raise CatalogError(f"the copied audit trail does not verify: {verdict.problem}; nothing was committed",
                               hint="Check the source with `girok audit verify` first.")
        report.events, report.head = _head(src)
        if _head(dst) != (report.events, report.head):
            raise CatalogError("the copied audit trail does not end where the source's does; nothing was committed")

        # the same event in both chains, at the same moment: the same hash
        at, who = now(), actor()
        what = {"source": report.source, "target": report.target, "rows": report.tables, "events": report.events,
                "head": report.head, **detail}
        ev = audit.append(dst, at=at, actor=who, action=ACTION, reg_no=None, detail=what)
        report.event_hash = ev.hash
        dst.flush()
        mark = audit.append(src, at=at, actor=who, action=ACTION, reg_no=None, detail=what)
        if mark.hash != ev.hash:  # cannot happen: the same predecessor and the same content
            raise CatalogError("the move event differs between the two catalogs; nothing was committed")
        # the target commits first (leaving this block's inner context), then the source gets its marker


def _verify_after(source: Catalog, target_: Catalog, report: CopyReport) -> None:
    """Open the target afresh (new connections) and check it against the source once more."""
    fresh = Catalog(target_.url, id_prefix=source.id_prefix)
    try:
        with fresh.ReadSession() as t, source.ReadSession() as s:
            a, b = _counts(s), _counts(t)
            if a != b:
                raise CatalogError(f"the committed copy in {report.target} differs from the source: "
                                   f"{ {k: (a[k], b[k]) for k in a if a[k] != b[k]} }")
        verdict = fresh.verify_audit()
        if not verdict.ok or fresh.audit_head() != source.audit_head():
            raise CatalogError(f"the committed copy's audit trail in {report.target} does not verify or does not "
                               f"end where the source's does: {verdict.problem or 'another head'}")
    finally:
        fresh.close()
    report.verified = True
