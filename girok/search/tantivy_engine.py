"""The engine for large archives: a Tantivy index (tantivy-py, Rust) in one folder.

Tantivy's own tokenizers cannot make Korean bigrams across word spaces,
so girok's analysis runs in Python (``analysis.token_string``: the terms
of ``analysis.tokens``) and the index gets the token stream joined by spaces, in fields with Tantivy's
``whitespace`` tokenizer: positions are list order, exactly as in the
Whoosh index, so the same phrase queries over adjacent tokens work.

Fields: ``content``/``title`` bigram tokens with positions; ``morph`` the
Kiwi nouns (frequencies, no positions); ``doc_type``/``office`` bigram
tokens for filters; ``reg_no``, ``receipt``, ``retention`` exact terms;
``day`` (date as a day number) fast for ranges and sorting; ``stored``
one JSON blob with what a hit shows (text already RRN-masked).
Queries are compiled from the same tree and plans as in ``whoosh_engine``.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import tantivy
from tantivy import Occur, Query

from . import query as q
from .analysis import token_string
from .base import IndexDoc, StoredHit
from .bulk import Prepared
from .filters import filter_value
from .plan import TextPlan, phrase_plan, word_plan

MORPH_BOOST = 2.0  # as in whoosh_engine
TITLE_BOOST = 1.5
BULK_HEAP = 384_000_000  # bytes for a full build's writer: bounded memory, few segment flushes
SMALL_HEAP = 50_000_000  # an incremental add or delete
WRITER_WAIT = 120.0  # seconds to wait for another writer's lock (as Whoosh's writer timeout)


def make_schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("reg_no", tokenizer_name="raw", index_option="basic")
    for name in ("content", "title", "doc_type", "office"):
        b.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    b.add_text_field("morph", tokenizer_name="whitespace", index_option="freq")
    b.add_text_field("receipt", tokenizer_name="raw", index_option="basic")
    b.add_text_field("retention", tokenizer_name="raw", index_option="basic")
    b.add_integer_field("day", indexed=True, fast=True)
    b.add_bytes_field("stored", stored=True)
    return b.build()


def _prepare(d: IndexDoc) -> tuple:
    """The Python side of a document (analysis, stored JSON): picklable, so a bulk build runs it in
    worker processes (``bulk.Prepared``)."""
    f = d.fields()
    stored = {k: f[k] for k in ("reg_no", "title", "doc_type", "source", "pages", "content", "office",
                                "receipt", "retention")}
    stored["captured"] = f["captured"].isoformat()
    stored["date"] = f["date"].isoformat()
    return (f["reg_no"], token_string(f["content"]), token_string(f["title"]), token_string(f["doc_type"]),
            token_string(f["office"]), f["morph"], f["receipt"], f["retention"], f["date"].toordinal(),
            json.dumps(stored, ensure_ascii=False).encode())


def _build(p: tuple) -> tantivy.Document:
    reg_no, content, title, doc_type, office, morph, receipt, retention, day, stored = p
    doc = tantivy.Document()
    doc.add_text("reg_no", reg_no)
    doc.add_text("content", content)
    doc.add_text("title", title)
    doc.add_text("doc_type", doc_type)
    doc.add_text("office", office)
    doc.add_text("morph", morph)
    if receipt:
        doc.add_text("receipt", receipt)
    if retention:
        doc.add_text("retention", retention)
    doc.add_integer("day", day)
    doc.add_bytes("stored", stored)
    return doc


def _document(d: IndexDoc) -> tantivy.Document:
    return _build(_prepare(d))


# --- queries ----------------------------------------------------------------------
# A word of punctuation only (``!!``) has no tokens: it matches nothing, and NOT it everything,
# as Whoosh's NullQuery does inside the same tree.

def _seq(schema, field: str, terms) -> Query:
    if len(terms) == 1:
        return Query.term_query(schema, field, terms[0])
    return Query.phrase_query(schema, field, list(terms))


def _required(schema, field: str, plan: TextPlan) -> Query:
    c = plan.single_char
    if c:  # one Hangul character (a letter: nothing to escape): alone, or the start or end of a bigram
        return Query.regex_query(schema, field, f"{c}.*|.{c}")
    return _seq(schema, field, plan.required)


def _any(items: list[Query]) -> Query:
    return items[0] if len(items) == 1 else Query.boolean_query([(Occur.Should, i) for i in items])


def _text_query(schema, plan: TextPlan | None) -> Query:
    """Must match ``required`` in content or title; ``exact`` and Kiwi nouns only raise the score."""
    if plan is None:
        return Query.empty_query()
    must = _any([_required(schema, "content", plan),
                 Query.boost_query(_required(schema, "title", plan), TITLE_BOOST)])
    maybe = []
    if plan.exact:
        maybe.append(_seq(schema, "content", plan.exact))
    if plan.nouns:
        nouns = [Query.term_query(schema, "morph", n, index_option="freq") for n in plan.nouns]
        all_nouns = nouns[0] if len(nouns) == 1 else Query.boolean_query([(Occur.Must, n) for n in nouns])
        maybe.append(Query.boost_query(all_nouns, MORPH_BOOST))
    if not maybe:
        return must
    return Query.boolean_query([(Occur.Must, must), (Occur.Should, _any(maybe))])


def _filter_text(schema, field: str, value: str) -> Query:
    plan = phrase_plan(value)
    return _required(schema, field, plan) if plan else Query.empty_query()


def compile_node(schema, node) -> Query:
    if isinstance(node, q.Word):
        return _text_query(schema, word_plan(node.text))
    if isinstance(node, q.Phrase):
        return _text_query(schema, phrase_plan(node.text))
    if isinstance(node, q.Filter):
        value = filter_value(node)
        if node.name in ("type", "office"):
            return _filter_text(schema, "doc_type" if node.name == "type" else "office", value)
        return Query.term_query(schema, "receipt" if node.name == "receipt" else "retention", value,
                                index_option="basic")
    if isinstance(node, q.DateRange):  # inclusive at both ends; an open end is unbounded
        return Query.range_query(schema, "day", tantivy.FieldType.Integer,
                                 node.start.toordinal() if node.start else None,
                                 node.end.toordinal() if node.end else None)
    if isinstance(node, q.Not):  # on its own (NOT x, a OR NOT b): every document but x's
        return Query.boolean_query([(Occur.Must, Query.all_query()),
                                    (Occur.MustNot, compile_node(schema, node.item))])
    if isinstance(node, q.All):
        return Query.all_query()
    if isinstance(node, q.Or):
        return _any([compile_node(schema, i) for i in node.items])
    if isinstance(node, q.And):
        must = [compile_node(schema, i) for i in node.items if not isinstance(i, q.Not)]
        must_not = [compile_node(schema, i.item) for i in node.items if isinstance(i, q.Not)]
        if not must_not and len(must) == 1:
            return must[0]
        return Query.boolean_query([(Occur.Must, m) for m in must or [Query.all_query()]]
                                   + [(Occur.MustNot, m) for m in must_not])
    raise TypeError(f"unknown query node {node!r}")


# --- the engine -------------------------------------------------------------------

_open: dict[str, tantivy.Index] = {}  # one Index (reader, mmaps) per folder and process: queries stay warm
_open_lock = threading.Lock()


def _index(path: Path) -> tantivy.Index:
    key = str(path)
    with _open_lock:
        for stale in [k for k in _open if not os.path.isdir(k)]:  # folders replaced by a rebuild
            del _open[stale]
        ix = _open.get(key)
        if ix is None:
            ix = _open[key] = tantivy.Index.open(key)
        return ix


def _writer(ix: tantivy.Index, heap: int, threads: int = 1):
    """A writer, waiting for another process's writer (Tantivy allows one per index) like Whoosh does."""
    deadline = time.monotonic() + WRITER_WAIT
    while True:
        try:
            return ix.writer(heap_size=heap, num_threads=threads)
        except ValueError as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class TantivyEngine:
    name = "tantivy"

    def __init__(self, path: Path):
        self.path = path

    def create(self) -> None:
        tantivy.Index(make_schema(), path=str(self.path), reuse=False)

    def add(self, docs: Iterable[IndexDoc]) -> int:
        ix = _index(self.path)
        w = _writer(ix, SMALL_HEAP)
        n = 0
        try:
            for d in docs:
                w.delete_documents_by_term("reg_no", d.reg_no)
                w.add_document(_document(d))
                n += 1
            w.commit()
        except BaseException:
            w.rollback()
            raise
        finally:
            w.wait_merging_threads()
        ix.reload()
        return n

    def delete(self, reg_nos: Iterable[str]) -> None:
        ix = _index(self.path)
        w = _writer(ix, SMALL_HEAP)
        try:
            for r in reg_nos:
                w.delete_documents_by_term("reg_no", r)
            w.commit()
        finally:
            w.wait_merging_threads()
        ix.reload()

    def compact(self) -> bool:
        """tantivy-py offers no way to merge segments on demand (its writer merges in the background by its own
        policy), so a deleted document's data may stay in a segment's (compressed) files: False, and the caller
        rebuilds the index from the catalog instead (SearchIndex.rebuild)."""
        return False

    @contextmanager
    def bulk(self, *, heap: int = BULK_HEAP, procs: int | None = None, start_after: int | None = None):
        """One writer with a bounded heap (Tantivy flushes segments when it is full); one commit at the end.
        Documents are analysed in ``procs`` worker processes (a large build) while this one feeds the writer."""
        ix = _index(self.path)
        w = _writer(ix, heap, threads=min(2, os.cpu_count() or 1))
        prep = Prepared(_prepare, lambda p: w.add_document(_build(p)), procs=procs, start_after=start_after)
        try:
            yield prep
            prep.close()
        except BaseException:
            prep.abort()
            w.rollback()
            w.wait_merging_threads()
            raise
        w.commit()
        w.wait_merging_threads()
        ix.reload()

    def doc_count(self) -> int:
        ix = _index(self.path)
        ix.reload()
        return ix.searcher().num_docs

    def morph_terms_known(self, words: Iterable[str]) -> set[str]:
        words = set(words)
        if not words:
            return set()
        ix = _index(self.path)
        ix.reload()
        searcher = ix.searcher()
        return {w for w in words if searcher.doc_freq("morph", w) > 0}

    def text_terms_known(self, terms: Iterable[str]) -> set[str]:
        terms = set(terms)
        if not terms:
            return set()
        ix = _index(self.path)
        ix.reload()
        searcher = ix.searcher()
        return {t for t in terms if searcher.doc_freq("content", t) > 0 or searcher.doc_freq("title", t) > 0}

    def search(self, node, *, limit: int, offset: int, sort: str) -> tuple[int, list[StoredHit]]:
        ix = _index(self.path)
        ix.reload()
        query = compile_node(ix.schema, node)
        searcher = ix.searcher()
        if sort == "relevance":
            res = searcher.search(query, limit=limit, offset=offset, count=True)
            return res.count, [_hit(searcher.doc(a), float(score)) for score, a in res.hits]
        return _by_date(searcher, ix.schema, query, limit, offset, newest=sort == "newest")


def _hit(doc: tantivy.Document, score: float) -> StoredHit:
    f = json.loads(doc["stored"][0])
    return StoredHit(
        reg_no=f["reg_no"], title=f["title"], doc_type=f["doc_type"], source=f["source"],
        captured=datetime.fromisoformat(f["captured"]), date=date.fromisoformat(f["date"]),
        pages=f["pages"], content=f["content"], office=f["office"], receipt=f["receipt"],
        retention=f["retention"], score=score,
    )


def _by_date(searcher, schema, query: Query, limit: int, offset: int, *, newest: bool):
    """A page in (date, reg_no) order, newest or oldest first, as Whoosh sorts.

    Tantivy sorts by one fast field, so documents of the same day come back in no defined order;
    the first ``offset + limit`` by day are complete except for the last day among them, whose
    documents are all fetched, then everything is ordered by (day, reg_no) here."""
    order = tantivy.Order.Desc if newest else tantivy.Order.Asc
    res = searcher.search(query, limit=offset + limit, count=True, order_by_field="day", order=order)
    if len(res.hits) <= offset:
        return res.count, []
    last_day = int(res.hits[-1][0])
    ahead = [a for key, a in res.hits if int(key) != last_day]
    same_day = Query.boolean_query([(Occur.Must, query), (Occur.Must, Query.range_query(
        schema, "day", tantivy.FieldType.Integer, last_day, last_day))])
    n_same = searcher.search(same_day, limit=1, count=True).count
    ties = [a for _, a in searcher.search(same_day, limit=max(n_same, 1), count=False).hits]
    hits = [_hit(searcher.doc(a), 0.0) for a in ahead + ties]
    hits.sort(key=lambda h: (h.date, h.reg_no), reverse=newest)
    return res.count, hits[offset:offset + limit]

