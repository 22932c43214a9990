"""The search index: derived from the catalog, kept in ``ARCHIVE/index/``, behind one interface.

Layout: ``ARCHIVE/index/CURRENT`` names the live index folder
(``ARCHIVE/index/<engine>-v<schema>-<stamp>/``), whose ``girok-index.json``
records the engine and the schema version. A rebuild writes a new folder
and then replaces CURRENT atomically, so searches keep working on the old
index until the new one is complete; an interrupted rebuild leaves only a
folder that the next rebuild removes.

Engines (``base.Engine``): ``whoosh`` (embedded default) and ``tantivy``.
"""

from __future__ import annotations

import fcntl
import importlib
import json
import os
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Protocol

from ..errors import ArchiveLocked, IndexOutdated, UsageError
from . import query as q
from .analysis import (KNOWN_NOUN_MIN, Reading, known_nouns, known_readings, morph_key, plain_word, query_morphs,
                       tokens, word_key)
from .base import SORTS, Hit, IndexDoc, SearchResult, StoredHit
from .snippet import make_snippet
from ..i18n import _

__all__ = ["SCHEMA_VERSION", "ENGINES", "IndexDoc", "Hit", "SearchResult", "SearchIndex"]

RESULTS_KEPT = 256  # recent queries' results kept by a resident process (girok serve), per index
SCHEMA_VERSION = 2  # 2: Kiwi nouns, office/receipt/retention/date fields, engine in the folder name
META = "girok-index.json"
ENGINES = {"whoosh": "girok.search.whoosh_engine:WhooshEngine",
           "tantivy": "girok.search.tantivy_engine:TantivyEngine"}
DEFAULT_ENGINE = "whoosh"


def engine_class(name: str):
    if name not in ENGINES:
        raise UsageError(_("unknown search engine {name!r}").format(name=name), hint=_("Use one of: {engines}.").format(
                                                                     engines=', '.join(ENGINES)))
    module, cls = ENGINES[name].split(":")
    try:
        return getattr(importlib.import_module(module), cls)
    except ImportError as exc:
        from ..errors import MissingDependency

        raise MissingDependency(_("the {name} search engine is not installed ({exc})").format(name=name, exc=exc)) from None


class Lexicon(Protocol):
    """Kept readings of words (the catalog's lexicon, given by the archive)."""

    def readings(self, words: Iterable[str]) -> dict[str, Reading]: ...


class SearchIndex:
    def __init__(self, root: Path, engine: str = DEFAULT_ENGINE, *, lexicon: Lexicon | None = None):
        """``lexicon``: where the readings of the archive's words are kept (``analysis.known_readings``);
        None: every query word that needs a reading asks Kiwi."""
        self.root = root
        self.preferred = engine  # the engine new indexes are built with (archive config)
        self.lexicon = lexicon
        self._opened: tuple[tuple[int, int, int], object] | None = None  # (CURRENT's stat, engine): _engine
        # Results of recent queries (girok serve: paging, the same search by several people), for as long as the
        # index is the same: any change to it (a document added, a disposal) empties the cache, so a destroyed
        # document's snippet is never served from it.
        self._results: OrderedDict[tuple, SearchResult] = OrderedDict()
        self._results_of: tuple | None = None
        self._results_lock = threading.Lock()

    # -- location and versioning -------------------------------------------

    def _current_name(self) -> str | None:
        try:
            return (self.root / "CURRENT").read_text().strip() or None
        except FileNotFoundError:
            return None

    def current_dir(self) -> Path | None:
        name = self._current_name()
        return self.root / name if name else None

    def _set_current(self, name: str) -> None:
        tmp = self.root / f"CURRENT.{os.getpid()}.tmp"
        tmp.write_text(name + "\n")
        os.replace(tmp, self.root / "CURRENT")

    def _new_dir(self, engine: str):
        cls = engine_class(engine)
        # unique even for two builds in the same second by the same process (ensure, then reindex)
        name = f"{engine}-v{SCHEMA_VERSION}-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        path = self.root / name
        path.mkdir(parents=True)
        eng = cls(path)
        eng.create()
        (path / META).write_text(json.dumps({"engine": engine, "schema_version": SCHEMA_VERSION}))
        return path, eng

    def meta(self) -> dict:
        path = self.current_dir()
        if path is None or not (path / META).exists():
            raise IndexOutdated(_("the archive has no search index"))
        return json.loads((path / META).read_text())

    @property
    def engine_name(self) -> str:
        return self.meta().get("engine", "whoosh")

    def ensure(self) -> None:
        """Create an empty index if there is none (new archive)."""
        self.root.mkdir(parents=True, exist_ok=True)
        if self.current_dir() is None:
            path, _ = self._new_dir(self.preferred)
            self._set_current(path.name)

    def _engine(self):
        """The current index's engine; kept while CURRENT is the same file (a rebuild replaces it, so a resident
        process, girok serve, moves to the new index at its next search without reading two files each time)."""
        try:
            st = os.stat(self.root / "CURRENT")
            key = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            key = None
        opened = self._opened
        if key is not None and opened is not None and opened[0] == key:
            return opened[1]
        engine = self._open_engine()
        if key is not None:
            self._opened = (key, engine)
        return engine

    def _open_engine(self):
        meta = self.meta()
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise IndexOutdated(
                _("the search index has schema version {version}, this girok uses {schema_version}").format(
                    version=meta.get('schema_version'), schema_version=SCHEMA_VERSION)
            )
        return engine_class(meta.get("engine", "whoosh"))(self.current_dir())

    # -- writing ---------------------------------------------------------------

    def add(self, docs: Iterable[IndexDoc]) -> int:
        return self._engine().add(list(docs))

    def delete(self, reg_nos: Iterable[str]) -> None:
        self._engine().delete(list(reg_nos))

    def compact(self) -> bool:
        """Rewrite the index without the bytes of deleted documents, if its engine can (False: it cannot;
        rebuild it to get rid of them)."""
        return self._engine().compact()

    @contextmanager
    def _rebuild_lock(self):
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "REBUILD.lock", "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ArchiveLocked(_("another `girok reindex` is rebuilding this index"),
                             hint=_("Wait for it to finish; searches keep working meanwhile.")) from None
            yield

    def stale_dirs(self) -> list[str]:
        """Index folders that are not live (an interrupted or replaced rebuild), unless a rebuild runs now."""
        if not self.root.exists():
            return []
        try:
            with self._rebuild_lock():
                live = self._current_name()
                return sorted(p.name for p in self.root.iterdir() if p.is_dir() and p.name != live
                              and ((p / META).exists() or p.name.split("-")[0] in ENGINES))
        except ArchiveLocked:
            return []

    def remove_stale(self) -> list[str]:
        try:
            with self._rebuild_lock():
                live = self._current_name()
                return self._remove_stale({live} if live else set())
        except ArchiveLocked:
            return []

    def _remove_stale(self, keep: set[str]) -> list[str]:
        """Index folders that are not live: left by an interrupted rebuild or replaced by one."""
        removed = []
        for p in self.root.iterdir():
            if p.is_dir() and p.name not in keep and ((p / META).exists() or p.name.split("-")[0] in ENGINES):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p.name)
        return removed

    def rebuild(self, docs: Iterable[IndexDoc], *, engine: str | None = None, progress=None) -> int:
        """Build a fresh index aside (with ``engine``, default: the current one), then switch to it."""
        with self._rebuild_lock():
            old = self.current_dir()
            if engine is None:
                try:
                    engine = self.engine_name
                except IndexOutdated:
                    engine = self.preferred
            self._remove_stale({old.name} if old else set())
            new, eng = self._new_dir(engine)
            n = 0
            try:
                with eng.bulk() as w:
                    for d in docs:
                        w.add(d)
                        n += 1
                        if progress:
                            progress(n)
            except BaseException:
                shutil.rmtree(new, ignore_errors=True)
                raise
            self._set_current(new.name)
            if old is not None and old != new:
                shutil.rmtree(old, ignore_errors=True)
            return n

    # -- reading ---------------------------------------------------------------

    def doc_count(self) -> int:
        return self._engine().doc_count()

    def find(self, query: str | q.Node, *, limit: int = 10, offset: int = 0, sort: str = "relevance",
             filters: Iterable[q.Node] = ()) -> SearchResult:
        """One page of results for ``query`` (the query language of ``girok.search.query``)."""
        if sort not in SORTS:
            raise UsageError(_("unknown sort {sort!r}").format(sort=sort), hint=_("Use one of: {sorts}.").format(sorts=', '.join(SORTS)))
        if offset < 0 or limit < 1:
            raise UsageError(_("--page and --limit start at 1"))
        node = q.parse(query) if isinstance(query, str) else query
        filters = list(filters)
        if filters:
            node = q.And((node, *filters)) if not isinstance(node, q.All) else q.And(tuple(filters))
        engine = self._engine()
        key, state = (repr(node), limit, offset, sort), self._state()
        if state is not None:
            with self._results_lock:
                if self._results_of != state:
                    self._results.clear()
                    self._results_of = state
                cached = self._results.get(key)
                if cached is not None:
                    self._results.move_to_end(key)
                    return _copy(cached)
        # words the index knows as nouns, and the lexicon's readings of the others: no Kiwi for them
        with known_nouns(_known_words(engine, node)), known_readings(self._readings(node)):
            total, stored = engine.search(node, limit=limit, offset=offset, sort=sort)
            needles = _needles(node)
        result = SearchResult(total=total, offset=offset, limit=limit, hits=[_hit(s, needles) for s in stored])
        if state is not None:
            with self._results_lock:
                if self._results_of == state and self._state() == state:  # unchanged while it searched
                    self._results[key] = _copy(result)
                    while len(self._results) > RESULTS_KEPT:
                        self._results.popitem(last=False)
        return result

    def _state(self) -> tuple | None:
        """What changes whenever the index does: CURRENT (a rebuild replaces it) and the current index folder
        (every commit of either engine writes new files in it); None when it cannot be told."""
        try:
            cur = os.stat(self.root / "CURRENT")
            name = self._current_name()
            folder = os.stat(self.root / name) if name else None
        except FileNotFoundError:
            return None
        if folder is None:
            return None
        return (cur.st_ino, cur.st_mtime_ns, name, folder.st_mtime_ns, folder.st_ino)

    def _readings(self, node) -> dict[str, Reading]:
        """The lexicon's readings of the query's words that would need Kiwi (one look-up)."""
        if self.lexicon is None:
            return {}
        words = {word_key(w) for w in q.word_texts(node) if plain_word(w) is None}
        words |= {word_key(t) for t in q.positive_texts(node) if plain_word(t) is None}
        return self.lexicon.readings(w for w in words if w) if words else {}

    def still_contains(self, words: Iterable[str]) -> set[str]:
        """Those of ``words`` some indexed document still contains (as a phrase: word spaces ignored)."""
        engine = self._engine()
        return {w for w in words if engine.search(q.Phrase(w), limit=1, offset=0, sort="relevance")[0]}

    def search(self, query: str, *, limit: int | None = 10) -> list[Hit]:
        """Every hit (``limit=None``) or the first ``limit``, by relevance."""
        if not query.strip():
            raise UsageError(_("empty query"), hint=_("Give words to search for, e.g. girok search 민원실"))
        if limit is None:
            n = max(self.doc_count(), 1)
            return self.find(query, limit=n).hits
        return self.find(query, limit=limit).hits


def _known_words(engine, node) -> set[str]:
    """The query's words that would need Kiwi but need not ask it (as ``analysis.morph_key`` spells
    them): terms of the index's ``morph`` field, and words that match no document whatever Kiwi
    reads. Every plan of a word requires its first index token (Kiwi only drops particles and
    endings at the end, and a stem keeps at least two characters), so when that token (a bigram or a
    Latin word) is in neither ``content`` nor ``title`` the word finds nothing, in AND, OR or NOT,
    and how it is planned does not matter (a word not in the archive: a typo, 신분증 in the dev corpus)."""
    words = {morph_key(w) for w in q.word_texts(node) if plain_word(w) is None}
    words = {w for w in words if len(w) >= KNOWN_NOUN_MIN}
    if not words:
        return set()
    known = engine.morph_terms_known(words)
    firsts = {}
    for w in words - known:
        toks = tokens(w)
        if toks and len(toks[0][0]) >= 2:  # not one Hangul character: that is matched as a prefix
            firsts[w] = toks[0][0]
    if firsts:
        present = engine.text_terms_known(set(firsts.values()))
        known |= {w for w, t in firsts.items() if t not in present}
    return known


def _needles(node) -> list[str]:
    texts = q.positive_texts(node)
    out = list(texts)
    for t in texts:
        out.extend(m for m in query_morphs(t) if len(m) >= 2)
    return out


def _copy(result: SearchResult) -> SearchResult:
    """A copy whose hits a caller may change (the app layer fills in and masks fields) without changing the cache."""
    return replace(result, hits=[replace(h) for h in result.hits])


def _hit(s: StoredHit, needles: list[str]) -> Hit:
    return Hit(
        reg_no=s.reg_no, title=s.title, doc_type=s.doc_type, date=s.date.isoformat(), office=s.office,
        receipt_no=s.receipt, retention=s.retention, source=s.source,
        captured=s.captured.isoformat(timespec="seconds"), pages=s.pages, score=round(s.score, 3),
        snippet=make_snippet(s.content, needles),
    )
