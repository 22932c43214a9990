"""The catalog: a database (SQLite by default, or PostgreSQL) through SQLAlchemy, schema kept by alembic migrations.

Every SQL statement of girok is in this package: here (records, events,
the index's reads), in the unit of work (unit.Tx, with retention_repo and
records_repo) that ``transaction()`` and ``reading()`` hand out, and in
dialect.py for what differs between backends. Nothing outside the package
touches a session, an engine or SQL text.

Every write that makes a record exist happens in one transaction: the
capture, its documents and pages, their registration numbers and the
capture event together, or none of them.

Database errors leave as girok errors, recognized by type (dialect.classify):
a full disk is ``StorageError``, a database locked too long ``CatalogError``,
a capture whose SHA-256 is already catalogued ``FileExistsError``, a database
server that refuses the login ``CatalogError``, one that cannot be reached now
or cut the connection (a restart) ``CatalogUnavailable``: the caller may try
again (the pool then opens a fresh connection; SQLAlchemy dropped the broken
ones, and each connection is tested before use). A catalog URL is shown only
with its password masked (``masked_url``).
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Iterable, Iterator

from sqlalchemy import create_engine, event, func, inspect, or_, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from ..config import mask_password
from ..errors import CatalogError, CatalogUnavailable, NotFound, StorageError
from . import actor as _actor, audit, dialect as dialects
from .models import Capture, Counter, Document, Event, EventDocument, Page, RrnKey, WordReading
from .files_repo import FilesTx
from .records_repo import RecordsTx
from .retention_repo import RetentionTx
from ..i18n import _
from .unit import storable
from .users_repo import UsersTx
from .views_repo import ViewsTx

MIGRATIONS = Path(__file__).with_name("migrations")


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC


def actor() -> str:
    """Who is acting (see actor.py): the web's logged-in user, a claimed GIROK_USER, else the OS user."""
    return _actor.actor()


@dataclass(eq=False)
class _PendingEvent:
    """An event added by a thread, waiting to be committed (``Catalog.add_event``)."""

    action: str
    reg_no: str | None
    detail: dict
    actor: str
    at: datetime | None = None
    done: bool = False
    error: BaseException | None = None


@dataclass
class NewDocument:
    first_page: int
    page_count: int
    archival_sha256: str
    archival_relpath: str
    archival_size: int
    pdfa: str
    conversion: dict[str, Any]
    page_texts: list[str]
    page_confidence: list[float | None] = field(default_factory=list)
    rescan_suggested: bool = False
    doc_date: "date | None" = None
    receipt_no: str = ""
    office: str = ""
    applicant: str = ""
    metadata_json: str = "{}"  # RRNs masked
    rrn_hmacs: list[str] = field(default_factory=list)  # keyed hashes of the RRNs found, for exact lookup
    text_source: str = "ocr"
    title: str = ""
    doc_type: str = ""


@dataclass
class NewCapture:
    sha256: str
    size: int
    source_name: str
    source_path: str
    hot_folder: str | None
    profile: str
    media_type: str
    original_relpath: str
    documents: list[NewDocument] = field(default_factory=list)


@dataclass(frozen=True)
class DestroyedRecord:
    """A disposed-of document one of whose files had a given SHA-256 (from its tombstone)."""
    reg_no: str
    disposed_at: datetime  # naive UTC, as stored
    certificate: str  # the disposal's certificate number, e.g. 2026-0001
    file: str  # "original" (the scan) or "archival" (its PDF/A)


# The newest migration in migrations/versions. Opening a catalog compares its recorded revision with this
# constant and loads alembic only to upgrade (alembic costs ~0.35 s per command); a test keeps it in step.
HEAD_REVISION = "0011"

# The execution option that marks a connection for reading only (``Catalog.reading()`` and the other
# reads): its transactions begin without the write lock where the backend can (dialect.begin).
READ_ONLY = "girok_read_only"


def _alembic_config(connection):
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _same_capture(row: Capture, cap: NewCapture) -> bool:
    """Whether the catalogued capture ``row`` is the record ``cap`` would make (the same file from the same place,
    stored the same, with the same archival copies)."""
    docs = sorted(row.documents, key=lambda d: d.first_page)
    return (row.sha256, row.size, row.source_path, row.original_relpath) == (
        cap.sha256, cap.size, cap.source_path, cap.original_relpath) and [
        (d.first_page, d.page_count, d.archival_sha256) for d in docs] == [
        (d.first_page, d.page_count, d.archival_sha256) for d in cap.documents]


class Tx(RetentionTx, RecordsTx, UsersTx, ViewsTx, FilesTx):
    """One transaction's statements (see unit.py); from ``Catalog.transaction()`` or ``Catalog.reading()``."""


class Catalog:
    def __init__(self, target: Path | str, *, migrate: bool = True, busy_timeout: float = 30.0,
                 id_prefix: str = "GR"):
        """``target``: a catalog URL (``sqlite:////abs/path/catalog.sqlite``) or the path of a SQLite file;
        ``id_prefix``: the archive's registration number prefix (for the hint of a number not found)."""
        self.id_prefix = id_prefix
        self.url = target if isinstance(target, str) else dialects.sqlite_url(target)
        self.masked_url = mask_password(self.url)  # the URL as girok shows it: never the password
        self.dialect = dialects.for_url(self.url, busy_timeout=busy_timeout)
        self.path = dialects.sqlite_path(self.url)  # the SQLite file (None for a server database)
        self.engine = create_engine(dialects.engine_url(self.url), **self.dialect.engine_options())
        event.listen(self.engine, "connect", lambda dbapi_conn, _record: self.dialect.on_connect(dbapi_conn))
        # The write lock for every transaction that may write: the audit chain appends to its last event,
        # which must not change between reading and writing it. Reads go through ``self.reader``.
        event.listen(self.engine, "begin", lambda conn: self.dialect.begin(
            conn, write=not conn.get_execution_options().get(READ_ONLY, False)))
        self.reader = self.engine.execution_options(**{READ_ONLY: True})
        # The threads of one process (girok serve's requests, each auditing what it shows) queue for the write
        # lock here, in order and woken at once, rather than in the database's lock, whose waiters poll it
        # (SQLite's busy handler sleeps up to 100 ms between tries). Re-entrant: a nested write transaction
        # of the same thread meets the database's lock as before.
        self._writing = threading.RLock()
        self._pending: list[_PendingEvent] = []  # events waiting for the next commit (add_event)
        self._pending_lock = threading.Lock()
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        self.ReadSession = sessionmaker(self.reader, expire_on_commit=False)
        if migrate:
            self.upgrade()

    def __repr__(self) -> str:
        return f"Catalog({self.masked_url!r})"

    # -- transactions and errors ----------------------------------------------

    @contextmanager
    def _errors(self, what: str | None) -> Iterator[None]:
        """Database errors as girok errors, by their type: a full disk, a database locked too long.

        ``what``: what was being recorded (None: only reading)."""
        try:
            yield
        except DBAPIError as exc:
            kind = self.dialect.classify(exc)
            if kind == dialects.FULL:
                raise StorageError(_("could not record {what} in the catalog: the disk is full").format(what=what)) from exc
            if kind == dialects.LOCKED:
                raise self._locked(what) from exc
            if kind in (dialects.UNREACHABLE, dialects.LOST):
                raise self.unreachable(exc, lost=kind == dialects.LOST) from None
            raise

    def _locked(self, what: str | None) -> CatalogError:
        doing = f"record {what} in" if what else "read"
        return CatalogError(_("could not {doing} the catalog: another process kept it locked for more than "
                              "{value:g} seconds").format(doing=doing, value=self.dialect.busy_timeout),
                            hint=_("Another girok command is writing to the catalog; let it finish (or stop a "
                                   "hung one) and run this again."))

    def unreachable(self, exc: BaseException, *, lost: bool = False) -> CatalogError:
        """The error for a database server that refuses the login, or (``lost``: CatalogUnavailable) cannot be
        reached now or cut the connection; no password in it: the driver's reason is masked too, and the original
        exception is not chained."""
        orig = getattr(exc, "orig", exc)
        lines = str(orig).strip().splitlines()
        reason = mask_password(lines[0]) if lines else type(orig).__name__
        return (CatalogUnavailable if lost else CatalogError)(
            f"could not connect to the catalog database {self.masked_url}: {reason}",
            hint="Check that the database server runs and can be reached from this machine, and "
                 "the role's name and password (GIROK_CATALOG_URL, PGPASSWORD or ~/.pgpass).")

    @contextmanager
    def _write(self, what: str) -> Iterator[Session]:
        if not self._writing.acquire(timeout=self.dialect.busy_timeout):
            raise self._locked(what)
        try:
            with self._errors(what), self.Session.begin() as s:
                yield s
        finally:
            self._writing.release()

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self._errors(None), self.ReadSession() as s:
            yield s

    @contextmanager
    def transaction(self, what: str = "the change", *, refused: str | None = None) -> Iterator[Tx]:
        """One write transaction (under the write lock): committed when the block ends, rolled back on an error.

        ``refused``: turn a constraint violation into ``CatalogError("<refused>: <why>")``.
        """
        try:
            with self._write(what) as s:
                yield Tx(s, self)
        except IntegrityError as exc:
            if refused is None:
                raise
            raise CatalogError(_("{refused}: {orig}").format(refused=refused, orig=exc.orig)) from exc

    @contextmanager
    def reading(self) -> Iterator[Tx]:
        """A transaction to read in; nothing it does is committed."""
        with self._read() as s:
            yield Tx(s, self)

    def backup_to(self, dest: Path) -> None:
        """A consistent copy of the catalog in the file ``dest`` (online: writers go on meanwhile)."""
        with self._errors("a backup copy"):
            self.dialect.backup(self.engine, dest)

    def last_event(self, action: str) -> Event | None:
        """The newest audit event of ``action``."""
        with self._read() as s:
            return s.scalars(select(Event).where(Event.action == action).order_by(Event.id.desc()).limit(1)).first()

    def audit_head(self) -> tuple[int, str]:
        """(events, hash of the last event) of the audit chain; (0, "") for none."""
        with self._read() as s:
            last = s.scalars(select(Event).order_by(Event.id.desc()).limit(1)).first()
            n = s.scalar(select(func.count()).select_from(Event)) or 0
        return n, (last.hash if last else "")

    def checkpoint(self) -> None:
        """Empty the transaction log into the database (after a disposal: the zeroed pages too)."""
        with self._errors("a checkpoint"):
            self.dialect.checkpoint(self.engine)

    # -- schema ------------------------------------------------------------

    def head_revision(self) -> str:
        """The newest migration, read from the migration scripts (alembic)."""
        from alembic.script import ScriptDirectory

        return ScriptDirectory(str(MIGRATIONS)).get_current_head()

    def current_revision(self) -> str | None:
        """The revision the catalog was migrated to (alembic's version table), None for a new catalog."""
        with self._errors(None), self.reader.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        return rows[0] if len(rows) == 1 else None

    def upgrade(self) -> None:
        """Migrate the catalog to HEAD_REVISION (the same migrations on every backend). Under the write lock:
        two machines opening a new database at once migrate it once."""
        current = self.current_revision()
        if current == HEAD_REVISION:
            return
        if current is not None and current.isdigit() and current > HEAD_REVISION:
            raise CatalogError(
                _("the catalog was written by a newer girok (catalog schema {current}; this girok knows up to "
                  "{head}), so this girok cannot use it").format(current=current, head=HEAD_REVISION),
                hint=_("Run the same (newest) girok version on every machine that opens this archive; "
                       "`girok --version` shows which one this is."))
        from alembic import command

        with self._errors("the catalog schema"), self.engine.connect() as conn, self.dialect.schema_change(conn):
            with conn.begin():
                command.upgrade(_alembic_config(conn), "head")

    def close(self) -> None:
        self.engine.dispose()

    # -- writes ------------------------------------------------------------

    def _next_reg_no(self, session: Session, prefix: str, year: int) -> str:
        row = session.get(Counter, (prefix, year))
        if row is None:
            row = Counter(prefix=prefix, year=year, last=0)
            session.add(row)
        row.last += 1
        session.flush()
        return f"{prefix}-{year}-{row.last:06d}"

    def commit_capture(self, cap: NewCapture, *, prefix: str, again: bool = False) -> list[str]:
        """Record a capture and its documents; returns their registration numbers.

        Raises ``FileExistsError`` if a capture with the same SHA-256 exists
        (a concurrent ingest of the same content won the race).

        ``again``: an earlier call for this very capture failed with ``CatalogUnavailable``, perhaps with its
        connection cut while committing, so perhaps committed: a capture found with the same SHA-256, source,
        stored original and archival files is that one, and its registration numbers are returned (archived
        once, not reported as a duplicate of itself).
        """
        stamp = now()
        reg_nos: list[str] = []
        try:
            with self._write(cap.source_name) as s:
                row = Capture(
                    sha256=cap.sha256, size=cap.size, source_name=cap.source_name,
                    source_path=cap.source_path, hot_folder=cap.hot_folder, profile=cap.profile,
                    media_type=cap.media_type, original_relpath=cap.original_relpath, captured_at=stamp,
                )
                s.add(row)
                s.flush()
                for nd in cap.documents:
                    reg = self._next_reg_no(s, prefix, stamp.year)
                    doc = Document(
                        reg_no=reg, capture_id=row.id, first_page=nd.first_page, page_count=nd.page_count,
                        archival_sha256=nd.archival_sha256, archival_relpath=nd.archival_relpath,
                        archival_size=nd.archival_size, pdfa=nd.pdfa,
                        conversion=json.dumps(nd.conversion, ensure_ascii=False, sort_keys=True),
                        title=storable(nd.title), doc_type=storable(nd.doc_type), captured_at=stamp,
                        rescan_suggested=nd.rescan_suggested, doc_date=nd.doc_date,
                        receipt_no=storable(nd.receipt_no), office=storable(nd.office),
                        applicant=storable(nd.applicant), metadata_json=storable(nd.metadata_json),
                    )
                    s.add(doc)
                    s.flush()
                    for h in dict.fromkeys(nd.rrn_hmacs):
                        s.add(RrnKey(document_id=doc.id, hmac=h))
                    confs = nd.page_confidence
                    for i, text in enumerate(nd.page_texts, start=1):
                        conf = confs[i - 1] if i <= len(confs) else None
                        s.add(Page(document_id=doc.id, page_no=i, text=storable(text), text_source=nd.text_source,
                                   confidence=conf))
                    reg_nos.append(reg)
                audit.append(s, at=stamp, actor=actor(), action="capture", reg_no=",".join(reg_nos),
                             detail={"sha256": cap.sha256, "source": cap.source_name, "profile": cap.profile})
        except IntegrityError as exc:
            # A unique key refused the capture and a capture with its SHA-256 is there now: the same
            # content was committed by a concurrent ingest. Any other refusal is the catalog's problem.
            if self.dialect.classify(exc) == dialects.DUPLICATE:
                existing = self.capture_by_sha(cap.sha256)
                if existing is not None and again and _same_capture(existing, cap):
                    return [d.reg_no for d in sorted(existing.documents, key=lambda d: d.first_page)]
                if existing is not None:
                    raise FileExistsError(cap.sha256) from None
            raise CatalogError(_("catalog rejected the record for {source_name}: {orig}").format(
                                   source_name=cap.source_name, orig=exc.orig)) from exc
        return reg_nos

    def add_event(self, action: str, *, reg_no: str | None = None, **detail: Any) -> None:
        """Append one event to the audit trail; returns once it is committed.

        Group commit: events that threads of this process add while another's transaction holds the write
        lock wait for it, and whichever thread takes the lock next commits all of them, in the order they
        came, in one transaction (girok serve audits every search and every page it shows: twenty officers
        at once would otherwise queue for one transaction each)."""
        what = f"the {action} event"
        item = _PendingEvent(action, reg_no, detail, actor())
        with self._pending_lock:
            item.at = now()
            self._pending.append(item)
        if not self._writing.acquire(timeout=self.dialect.busy_timeout):
            with self._pending_lock:
                if item in self._pending:
                    self._pending.remove(item)
                    raise self._locked(what)
            self._writing.acquire()  # taken by a committing thread meanwhile: wait for its outcome
        try:
            if not item.done:
                with self._pending_lock:
                    batch, self._pending = self._pending, []
                try:
                    with self._errors(what), self.Session.begin() as s:
                        for ev in batch:
                            audit.append(s, at=ev.at, actor=ev.actor, action=ev.action, reg_no=ev.reg_no,
                                         detail=ev.detail)
                except BaseException as exc:
                    for ev in batch:
                        ev.error = exc
                    raise
                finally:
                    for ev in batch:
                        ev.done = True
        finally:
            self._writing.release()
        if item.error is not None:
            raise item.error

    def verify_audit(self) -> "audit.Verdict":
        with self._read() as s:
            return audit.verify_events(s.scalars(select(Event).order_by(Event.id)).yield_per(1000))

    def mark_indexed(self, reg_nos: list[str]) -> None:
        if not reg_nos:
            return
        with self._write("the index state") as s:
            s.execute(update(Document).where(Document.reg_no.in_(reg_nos)).values(indexed_at=now()))

    def set_morphs(self, morphs: dict[int, str]) -> None:
        """Keep the Kiwi nouns of documents (by id) so that a reindex reuses them."""
        if not morphs:
            return
        with self._write("the index state") as s:
            for doc_id, text in morphs.items():
                s.execute(update(Document).where(Document.id == doc_id).values(morphs=text))

    # -- the word lexicon (search readings) -------------------------------------

    LEXICON_CHUNK = 500  # words per statement (SQLite allows 32766 variables; keep statements small)

    def word_readings(self, words: Iterable[str], version: int) -> dict[str, tuple[str, str]]:
        """word -> (stem, space-separated nouns) for those of ``words`` the lexicon holds at ``version``."""
        words = sorted(set(words))
        out: dict[str, tuple[str, str]] = {}
        if not words:
            return out
        with self._read() as s:
            for i in range(0, len(words), self.LEXICON_CHUNK):
                rows = s.execute(select(WordReading.word, WordReading.stem, WordReading.nouns).where(
                    WordReading.word.in_(words[i:i + self.LEXICON_CHUNK]), WordReading.version == version))
                out.update((w, (st, n)) for w, st, n in rows)
        return out

    def add_word_readings(self, readings: dict[str, tuple[str, str]], version: int) -> None:
        """Keep (or replace) the readings ``word -> (stem, nouns)`` read at ``version``."""
        if not readings:
            return
        words = sorted(readings)
        with self._write("the search lexicon") as s:
            for i in range(0, len(words), self.LEXICON_CHUNK):
                chunk = words[i:i + self.LEXICON_CHUNK]
                have = set(s.scalars(select(WordReading.word).where(WordReading.word.in_(chunk))))
                for w in chunk:
                    stem, nouns = readings[w]
                    if w in have:
                        s.execute(update(WordReading).where(WordReading.word == w)
                                  .values(stem=stem, nouns=nouns, version=version))
                    else:
                        s.add(WordReading(word=w, stem=stem, nouns=nouns, version=version))

    def lexicon_size(self) -> int:
        with self._read() as s:
            return s.scalar(select(func.count()).select_from(WordReading)) or 0

    def mark_indexed_upto(self, last_id: int) -> None:
        with self._write("the index state") as s:
            s.execute(update(Document).where(Document.id <= last_id).values(indexed_at=now()))

    def mark_all_indexed(self) -> None:
        with self._write("the index state") as s:
            s.execute(update(Document).values(indexed_at=now()))

    def mark_all_unindexed(self) -> None:
        with self._write("the index state") as s:
            s.execute(update(Document).values(indexed_at=None))

    # -- reads -------------------------------------------------------------

    def capture_by_sha(self, sha256: str) -> Capture | None:
        with self._read() as s:
            return s.scalars(
                select(Capture).where(Capture.sha256 == sha256).options(selectinload(Capture.documents))
            ).first()

    def destroyed_by_sha(self, sha256: str) -> list[DestroyedRecord]:
        """The disposed-of documents whose original or archival file had ``sha256``, oldest disposal first.
        (A capture's row goes with its last document: only tombstones remember what was destroyed.)"""
        from .retention_models import Disposal, Tombstone

        with self._read() as s:
            rows = s.execute(select(Tombstone.reg_no, Tombstone.disposed_at, Disposal.number, Tombstone.original_sha256)
                             .join(Disposal, Disposal.id == Tombstone.disposal_id)
                             .where(or_(Tombstone.original_sha256 == sha256, Tombstone.archival_sha256 == sha256))
                             .order_by(Tombstone.disposed_at, Tombstone.reg_no)).all()
        return [DestroyedRecord(reg, at, number, "original" if orig == sha256 else "archival")
                for reg, at, number, orig in rows]

    def get(self, reg_no: str) -> Document:
        with self._read() as s:
            doc = s.scalars(
                select(Document).where(Document.reg_no == reg_no)
                .options(selectinload(Document.pages), selectinload(Document.capture))
            ).first()
        if doc is None:
            raise self.not_found(reg_no)
        return doc

    def not_found(self, reg_no: str) -> NotFound:
        """The error for a registration number no document has, with what this archive's numbers look like."""
        return NotFound(_("no document with registration number {reg_no!r}").format(reg_no=reg_no),
                        hint=_("Registration numbers look like {id_prefix}-{year}-000123; find them with `girok "
                               "search`.").format(id_prefix=self.id_prefix, year=now().year))

    def get_many(self, reg_nos: list[str]) -> dict[str, Document]:
        with self._read() as s:
            docs = s.scalars(select(Document).where(Document.reg_no.in_(reg_nos))
                             .options(selectinload(Document.capture))).all()
        return {d.reg_no: d for d in docs}

    def applicants(self, reg_nos: list[str]) -> dict[str, str]:
        """Each document's applicant (in clear: mask it to show it), in one query for a page of search hits."""
        with self._read() as s:
            return dict(s.execute(select(Document.reg_no, Document.applicant)
                                  .where(Document.reg_no.in_(reg_nos))).all())

    def iter_index_rows(self, *, after_id: int = 0, batch: int = 1000,
                        reg_nos: list[str] | None = None) -> Iterator[dict]:
        """What the search index needs of every document (or of ``reg_nos``), as plain rows, in id order (no
        ORM objects: a full reindex reads the whole catalog, and building ORM objects was most of that time)."""
        from .retention_models import Retention

        last = after_id
        cols = (Document.id, Document.reg_no, Document.title, Document.doc_type, Document.captured_at,
                Document.page_count, Document.doc_date, Document.office, Document.receipt_no, Document.morphs,
                Capture.source_name, Capture.profile, Retention.retention_class)
        while True:
            with self._read() as s:
                rows = s.execute(select(*cols).join(Capture, Capture.id == Document.capture_id)
                                 .outerjoin(Retention, Retention.document_id == Document.id)
                                 .where(Document.id > last,
                                        Document.reg_no.in_(reg_nos) if reg_nos is not None else True)
                                 .order_by(Document.id).limit(batch)).all()
                if not rows:
                    return
                texts: dict[int, list[str]] = {}
                for doc_id, text in s.execute(select(Page.document_id, Page.text)
                                              .where(Page.document_id.in_([r.id for r in rows]))
                                              .order_by(Page.document_id, Page.page_no)):
                    texts.setdefault(doc_id, []).append(text)
            for r in rows:
                yield {**r._asdict(), "pages_text": texts.get(r.id, [])}
            last = rows[-1].id

    def iter_documents(self, *, only_unindexed: bool = False, batch: int = 200,
                       after_id: int = 0) -> Iterator[Document]:
        """All documents with pages, in id order, loaded ``batch`` at a time (bounded memory)."""
        last = after_id
        while True:
            with self._read() as s:
                q = select(Document).where(Document.id > last)
                if only_unindexed:
                    q = q.where(Document.indexed_at.is_(None))
                rows = s.scalars(q.order_by(Document.id).limit(batch)
                                 .options(selectinload(Document.pages), selectinload(Document.capture))).all()
            if not rows:
                return
            yield from rows
            last = rows[-1].id

    def reg_nos_by_rrn_hmac(self, digest: str) -> list[str]:
        with self._read() as s:
            return list(s.scalars(select(Document.reg_no).join(RrnKey, RrnKey.document_id == Document.id)
                                  .where(RrnKey.hmac == digest).order_by(Document.id)))

    def counts(self) -> dict[str, int]:
        with self._read() as s:
            return {
                "captures": s.scalar(select(func.count(Capture.id))) or 0,
                "documents": s.scalar(select(func.count(Document.id))) or 0,
                "pages": s.scalar(select(func.coalesce(func.sum(Document.page_count), 0))) or 0,
                "unindexed": s.scalar(select(func.count(Document.id)).where(Document.indexed_at.is_(None))) or 0,
            }

    def stored_relpaths(self) -> set[str]:
        with self._read() as s:
            a = set(s.scalars(select(Capture.original_relpath)))
            b = set(s.scalars(select(Document.archival_relpath)))
        return a | b

    def events(self, limit: int = 100) -> list[Event]:
        with self._read() as s:
            return list(s.scalars(select(Event).order_by(Event.id.desc()).limit(limit)))

    def iter_events(self, *, since: datetime | None = None, reg_no: str | None = None,
                    batch: int = 1000) -> Iterator[Event]:
        """Events in the order they were written (from ``since``; with ``reg_no``, those whose registration
        numbers may include it: the caller checks the comma-separated list exactly)."""
        q = select(Event).order_by(Event.id)
        if since is not None:
            q = q.where(Event.at >= since)
        if reg_no is not None:
            q = q.where(Event.id.in_(select(EventDocument.event_id).where(EventDocument.reg_no == reg_no)))
        with self._read() as s:
            yield from s.scalars(q).yield_per(batch)

    def stored_files(self) -> tuple[list[tuple[int, str, str, int]], list[tuple[int, str, str, str, int]]]:
        """What fixity checks: originals as (capture id, relpath, sha256, size), archival copies as
        (capture id, reg_no, relpath, sha256, size) in document order; read in one transaction."""
        with self._read() as s:
            originals = [tuple(r) for r in s.execute(
                select(Capture.id, Capture.original_relpath, Capture.sha256, Capture.size))]
            archival = [tuple(r) for r in s.execute(select(
                Document.capture_id, Document.reg_no, Document.archival_relpath, Document.archival_sha256,
                Document.archival_size).order_by(Document.id))]
        return originals, archival

    def captured_since(self, since: datetime) -> tuple[int, int, datetime | None, datetime | None]:
        """(documents, pages, first and last capture time) of the documents captured at or after ``since``."""
        with self._read() as s:
            docs, pages, first, last = s.execute(
                select(func.count(Document.id), func.coalesce(func.sum(Document.page_count), 0),
                       func.min(Document.captured_at), func.max(Document.captured_at))
                .where(Document.captured_at >= since)).one()
        return docs, pages, first, last

    # -- re-scans ------------------------------------------------------------

    @staticmethod
    def _open_rescans(before_id=None):
        """Documents flagged "re-scan suggested" that no later unflagged document of the same receipt number
        and document type supersedes (with ``before_id``: counting only documents before that id)."""
        from sqlalchemy.orm import aliased

        later = aliased(Document)
        newer = select(later.id).where(later.id > Document.id, later.receipt_no == Document.receipt_no,
                                       later.doc_type == Document.doc_type, later.rescan_suggested.is_(False))
        if before_id is not None:
            newer = newer.where(later.id < before_id)
        # without a receipt number nothing supersedes it: no search of the later documents (not indexed)
        return Document.rescan_suggested.is_(True), or_(Document.receipt_no == "", ~newer.exists())

    def _rescan_rows(self, s: Session, where) -> list[dict]:
        rows = s.execute(select(Document.id, Document.reg_no, Document.receipt_no, Document.applicant,
                                Document.doc_type, Document.title, Document.captured_at, Capture.source_name,
                                Capture.hot_folder, Capture.profile)
                         .join(Capture, Capture.id == Document.capture_id).where(*where)
                         .order_by(Document.id.desc())).all()
        conf: dict[int, list] = {}
        for doc_id, c in s.execute(select(Page.document_id, Page.confidence)
                                   .where(Page.document_id.in_([r.id for r in rows]))
                                   .order_by(Page.document_id, Page.page_no)):
            conf.setdefault(doc_id, []).append(c)
        return [{**r._asdict(), "page_confidence": conf.get(r.id, [])} for r in rows]

    def awaiting_rescan(self, limit: int = 5) -> tuple[int, list[dict]]:
        """(how many documents await a re-scan, the newest ``limit`` of them as rows, newest first)."""
        where = self._open_rescans()
        with self._read() as s:
            n = s.scalar(select(func.count(Document.id)).where(*where)) or 0
            rows = self._rescan_rows(s, [*where, Document.id.in_(
                select(Document.id).where(*where).order_by(Document.id.desc()).limit(limit))])
        return n, rows

    def rescans_superseded_by(self, reg_no: str) -> list[dict]:
        """The flagged documents that the unflagged document ``reg_no`` supersedes now: earlier, same
        (non-empty) receipt number and document type, not superseded before it. Empty if it is flagged."""
        with self._read() as s:
            new = s.execute(select(Document.id, Document.receipt_no, Document.doc_type, Document.rescan_suggested)
                            .where(Document.reg_no == reg_no)).first()
            if new is None or new.rescan_suggested or not new.receipt_no:
                return []
            return self._rescan_rows(s, [*self._open_rescans(before_id=new.id), Document.id < new.id,
                                         Document.receipt_no == new.receipt_no, Document.doc_type == new.doc_type])

    def retention_of(self, doc_id: int):  # noqa: ANN201 - a detached Retention row or None
        from .retention_models import Retention

        with self._read() as s:
            return s.get(Retention, doc_id)
