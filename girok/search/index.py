"""The search index: a Whoosh index derived from the catalog.

Layout: ``ARCHIVE/index/CURRENT`` names the live index folder
(``ARCHIVE/index/<name>/``), whose ``girok-index.json`` records the schema
version. A rebuild writes a new folder and then replaces CURRENT
atomically, so searches keep working on the old index until the new one
is complete.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable

from whoosh import highlight, index as windex
from whoosh.fields import DATETIME, ID, NUMERIC, STORED, TEXT, Schema
from whoosh.qparser import AndGroup, MultifieldParser

from ..errors import IndexOutdated, UsageError
from .analysis import index_text, korean_analyzer

SCHEMA_VERSION = 1
META = "girok-index.json"


def make_schema() -> Schema:
    ana = korean_analyzer()
    return Schema(
        reg_no=ID(stored=True, unique=True),
        doc_type=ID(stored=True),
        title=TEXT(analyzer=ana, stored=True, phrase=True, multitoken_query="phrase"),
        source=TEXT(analyzer=ana, stored=True, phrase=True, multitoken_query="phrase"),
        captured=DATETIME(stored=True, sortable=True),
        pages=NUMERIC(stored=True),
        content=TEXT(analyzer=ana, stored=True, phrase=True, multitoken_query="phrase"),
        profile=STORED(),
    )


@dataclass
class IndexDoc:
    reg_no: str
    title: str
    doc_type: str
    source: str
    captured: datetime
    pages: int
    text: str
    profile: str = ""

    def fields(self) -> dict:
        return {
            "reg_no": self.reg_no, "title": index_text(self.title), "doc_type": self.doc_type,
            "source": index_text(self.source), "captured": self.captured, "pages": self.pages,
            "content": index_text(self.text), "profile": self.profile,
        }


@dataclass
class Hit:
    reg_no: str
    title: str
    doc_type: str
    source: str
    captured: str
    pages: int
    score: float
    snippet: str

    def as_dict(self) -> dict:
        return self.__dict__.copy()


class SearchIndex:
    def __init__(self, root: Path):
        self.root = root

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
        tmp = self.root / "CURRENT.tmp"
        tmp.write_text(name + "\n")
        os.replace(tmp, self.root / "CURRENT")

    def _new_dir(self) -> Path:
        # unique even for two builds in the same second by the same process (ensure, then reindex)
        name = f"whoosh-v{SCHEMA_VERSION}-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        path = self.root / name
        path.mkdir(parents=True)
        windex.create_in(str(path), make_schema())
        (path / META).write_text(json.dumps({"engine": "whoosh", "schema_version": SCHEMA_VERSION}))
        return path

    def ensure(self) -> None:
        """Create an empty index if there is none (new archive)."""
        self.root.mkdir(parents=True, exist_ok=True)
        if self.current_dir() is None:
            self._set_current(self._new_dir().name)

    def _open(self):
        path = self.current_dir()
        if path is None or not (path / META).exists():
            raise IndexOutdated("the archive has no search index")
        meta = json.loads((path / META).read_text())
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise IndexOutdated(
                f"the search index has schema version {meta.get('schema_version')}, "
                f"this girok uses {SCHEMA_VERSION}"
            )
        return windex.open_dir(str(path))

    # -- writing ---------------------------------------------------------------

    def add(self, docs: Iterable[IndexDoc]) -> int:
        ix = self._open()
        n = 0
        with ix.writer(timeout=120.0) as w:
            for d in docs:
                w.update_document(**d.fields())
                n += 1
        return n

    def delete(self, reg_nos: Iterable[str]) -> None:
        ix = self._open()
        with ix.writer(timeout=120.0) as w:
            for r in reg_nos:
                w.delete_by_term("reg_no", r)

    def rebuild(self, docs: Iterable[IndexDoc], *, batch: int = 500, progress=None) -> int:
        """Build a fresh index aside, then switch to it. Memory stays bounded by ``batch``."""
        self.root.mkdir(parents=True, exist_ok=True)
        new = self._new_dir()
        ix = windex.open_dir(str(new))
        n = 0
        w = ix.writer(limitmb=128)
        try:
            for d in docs:
                w.add_document(**d.fields())
                n += 1
                if progress:
                    progress(n)
                if n % batch == 0:
                    w.commit()
                    w = ix.writer(limitmb=128)
            w.commit(optimize=True)
        except BaseException:
            w.cancel()
            shutil.rmtree(new, ignore_errors=True)
            raise
        old = self.current_dir()
        self._set_current(new.name)
        if old is not None and old != new:
            shutil.rmtree(old, ignore_errors=True)
        return n

    # -- reading ---------------------------------------------------------------

    def doc_count(self) -> int:
        return self._open().doc_count()

    def search(self, query: str, *, limit: int = 10) -> list[Hit]:
        if not query.strip():
            raise UsageError("empty query", hint="Give words to search for, e.g. girok search 민원실")
        ix = self._open()
        parser = MultifieldParser(["content", "title", "source"], ix.schema, group=AndGroup)
        q = parser.parse(query)
        out: list[Hit] = []
        with ix.searcher() as s:
            results = s.search(q, limit=limit)
            results.fragmenter = highlight.ContextFragmenter(maxchars=160, surround=40)
            results.formatter = _Brackets()
            for h in results:
                snippet = h.highlights("content", top=2) or (h.get("content") or "")[:160]
                out.append(Hit(
                    reg_no=h["reg_no"], title=h.get("title", ""), doc_type=h.get("doc_type", ""),
                    source=h.get("source", ""), captured=h["captured"].isoformat(timespec="seconds"),
                    pages=h.get("pages", 0), score=round(h.score, 3), snippet=" ".join(snippet.split()),
                ))
        return out


class _Brackets(highlight.Formatter):
    """Marks matches as [[...]] so the CLI can colour them and scripts can find them."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return f"[[{highlight.get_text(text, token, replace)}]]"
