"""The embedded default engine: a Whoosh index in one folder.

Fields: ``content`` and ``title`` carry Korean bigrams with positions
(phrase queries); ``morph`` the Kiwi nouns (no positions, scored);
``doc_type`` and ``office`` bigrams for filters; ``receipt``,
``retention`` exact terms; ``date`` for ranges and sorting.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, time
from pathlib import Path
from typing import Iterable

from whoosh import index as windex
from whoosh import query as wq
from whoosh.collectors import TopCollector
from whoosh.analysis import LowercaseFilter, SpaceSeparatedTokenizer
from whoosh.fields import DATETIME, ID, NUMERIC, STORED, TEXT, Schema

from . import query as q
from .analysis import korean_analyzer, token_string
from .base import IndexDoc, StoredHit
from .bulk import Prepared
from .filters import filter_value
from .plan import TextPlan, phrase_plan, word_plan

MORPH_BOOST = 2.0
TITLE_BOOST = 1.5
BULK_LIMIT_MB = 384  # see WhooshEngine.bulk
# Segments are written as separate files, not one compound file: Whoosh reads a compound file's parts
# through BytesIO copies, so every searcher opened on a 100k-document index copied the term and
# posting files (~1 GB) before the first query. Separate files are read in place.


def make_schema() -> Schema:
    ana = korean_analyzer()
    return Schema(
        reg_no=ID(stored=True, unique=True),
        title=TEXT(analyzer=ana, stored=True, phrase=True),
        content=TEXT(analyzer=ana, stored=True, phrase=True),
        morph=TEXT(analyzer=SpaceSeparatedTokenizer() | LowercaseFilter(), phrase=False),
        doc_type=TEXT(analyzer=ana, stored=True, phrase=True),
        office=TEXT(analyzer=ana, stored=True, phrase=True),
        receipt=ID(stored=True),
        retention=ID(stored=True),
        date=DATETIME(stored=True, sortable=True),
        captured=DATETIME(stored=True),
        source=STORED(),
        pages=NUMERIC(stored=True),
        profile=STORED(),
    )


def _as_dt(d) -> datetime:
    return datetime.combine(d, time.min)


_TOKENIZED = ("content", "title", "doc_type", "office")


def _doc(d: IndexDoc) -> dict:
    """The fields to add. The text fields are given as their token lists (``analysis.token_string``,
    the terms of the fields' analyzer without building a Token per term: Whoosh indexes a list as
    given, positions in list order); the text itself is stored."""
    f = d.fields()
    f["date"] = _as_dt(f["date"])
    for name in _TOKENIZED:
        f["_stored_" + name] = f[name]
        f[name] = token_string(f[name]).split()
    return f


def _seq(field: str, terms) -> wq.Query:
    if len(terms) == 1:
        return wq.Term(field, terms[0])
    return wq.Phrase(field, list(terms))


def _required(field: str, plan: TextPlan) -> wq.Query:
    c = plan.single_char
    if c:  # one Hangul character: alone, or the start or end of a bigram
        return wq.Or([wq.Term(field, c), wq.Prefix(field, c), wq.Wildcard(field, "?" + c)])
    return _seq(field, plan.required)


def _text_query(plan: TextPlan | None) -> wq.Query:
    """Must match ``required`` in content or title; ``exact`` and Kiwi nouns only raise the score."""
    if plan is None:
        return wq.NullQuery
    must = wq.Or([_required("content", plan), wq.Or([_required("title", plan)], boost=TITLE_BOOST)])
    maybe = []
    if plan.exact:
        maybe.append(_seq("content", plan.exact))
    if plan.nouns:
        maybe.append(wq.And([wq.Term("morph", n) for n in plan.nouns], boost=MORPH_BOOST))
    return wq.AndMaybe(must, wq.Or(maybe)) if maybe else must


def _filter_text(field: str, value: str) -> wq.Query:
    plan = phrase_plan(value)
    return _required(field, plan) if plan else wq.NullQuery


def compile_node(node) -> wq.Query:
    if isinstance(node, q.Word):
        return _text_query(word_plan(node.text))
    if isinstance(node, q.Phrase):
        return _text_query(phrase_plan(node.text))
    if isinstance(node, q.Filter):
        value = filter_value(node)
        if node.name in ("type", "office"):
            return _filter_text("doc_type" if node.name == "type" else "office", value)
        return wq.Term("receipt" if node.name == "receipt" else "retention", value)
    if isinstance(node, q.DateRange):
        start = _as_dt(node.start) if node.start else None
        end = _as_dt(node.end) if node.end else None
        return wq.DateRange("date", start, end)
    if isinstance(node, q.Not):
        return wq.Not(compile_node(node.item))
    if isinstance(node, q.All):
        return wq.Every()
    if isinstance(node, (q.And, q.Or)):
        items = [compile_node(i) for i in node.items]
        if isinstance(node, q.And):
            if q.is_negative(node):
                items.insert(0, wq.Every())
            return wq.And(items)
        return wq.Or(items)
    raise TypeError(f"unknown query node {node!r}")


class WhooshEngine:
    name = "whoosh"

    def __init__(self, path: Path):
        self.path = path

    def create(self) -> None:
        windex.create_in(str(self.path), make_schema())

    def _ix(self):
        return windex.open_dir(str(self.path))

    def add(self, docs: Iterable[IndexDoc]) -> int:
        n = 0
        with self._ix().writer(timeout=120.0, compound=False) as w:
            for d in docs:
                w.update_document(**_doc(d))
                n += 1
        return n

    def delete(self, reg_nos: Iterable[str]) -> None:
        with self._ix().writer(timeout=120.0, compound=False) as w:
            for r in reg_nos:
                w.delete_by_term("reg_no", r)

    def compact(self) -> bool:
        """Merge every segment into one, leaving out deleted documents: until then a deleted document's terms
        stay in its segment's files (a disposal calls this so that the destroyed text is in no index file)."""
        w = self._ix().writer(timeout=120.0, compound=False)
        w.commit(optimize=True)
        return True

    @contextmanager
    def bulk(self, *, limitmb: int = BULK_LIMIT_MB, procs: int | None = None, start_after: int | None = None):
        """One writer and one commit for the whole build (the index is new and empty: one segment, no
        merge). Whoosh sorts postings in runs of ``limitmb`` (its estimate; Python objects take about
        twice that), spilled to disk: memory stays bounded. Documents are analysed in ``procs`` worker
        processes (a large build) while this one feeds the writer."""
        w = self._ix().writer(limitmb=limitmb, compound=False)
        prep = Prepared(_doc, lambda f: w.add_document(**f), procs=procs, start_after=start_after)
        try:
            yield prep
            prep.close()
        except BaseException:
            prep.abort()
            w.cancel()
            raise
        w.commit(merge=False)

    def doc_count(self) -> int:
        return self._ix().doc_count()

    def morph_terms_known(self, words: Iterable[str]) -> set[str]:
        words = set(words)
        if not words:
            return set()
        with self._ix().reader() as r:
            return {w for w in words if ("morph", w) in r}

    def text_terms_known(self, terms: Iterable[str]) -> set[str]:
        terms = set(terms)
        if not terms:
            return set()
        with self._ix().reader() as r:
            return {t for t in terms if ("content", t) in r or ("title", t) in r}

    def search(self, node, *, limit: int, offset: int, sort: str) -> tuple[int, list[StoredHit]]:
        ix = self._ix()
        wquery = compile_node(node)
        if q.is_negative(node) and not isinstance(node, q.And):
            wquery = wq.And([wq.Every(), wquery])
        kw = {}
        if sort != "relevance":
            kw = {"sortedby": ["date", "reg_no"], "reverse": sort == "newest"}  # same-day ties: by reg_no
        with ix.searcher() as s:
            if sort == "relevance":
                # One pass that scores and counts every match. Whoosh's default collector skips blocks
                # and replaces matchers by score bounds after the first hits, so its total (len) runs
                # the query a second time: for a word (a phrase of bigrams, checked in Python) that
                # second pass was the larger half of the time. Without skipping *and* without
                # replacement (replace=0; optimize=False alone still replaces, and miscounts) the
                # one pass is exact.
                collector = TopCollector(limit=offset + limit, usequality=False, replace=0)
                s.search_with_collector(wquery, collector)
                results = collector.results()
            else:
                results = s.search(wquery, limit=offset + limit, **kw)
            total = len(results)
            hits = []
            for h in list(results)[offset:offset + limit]:
                f = h.fields()
                hits.append(StoredHit(
                    reg_no=f["reg_no"], title=f.get("title", ""), doc_type=f.get("doc_type", ""),
                    source=f.get("source", ""), captured=f["captured"], date=f["date"].date(),
                    pages=f.get("pages", 0), content=f.get("content", ""), office=f.get("office", ""),
                    receipt=f.get("receipt", ""), retention=f.get("retention", ""),
                    score=float(h.score or 0.0) if sort == "relevance" else 0.0,
                ))
        return total, hits
