"""The search index as the catalog says it should be: entries for catalogued documents (Kiwi nouns and the
word lexicon kept in the catalog), indexing new documents, full rebuilds, catch-up after a crash, and what doctor checks.

The catalog is the truth; the index is derived and rebuildable.
"""

from __future__ import annotations

import logging
from typing import Iterable, Iterator

from ..i18n import _
from ..search.analysis import MORPH_VERSION, morph_text
from ..search.index import IndexDoc
from .layout import Archive
from .lexicon import fill_lexicon

log = logging.getLogger(__name__)
MORPH_PREFIX = f"v{MORPH_VERSION}:"


def index_docs(arch: Archive, rows: Iterable[dict]) -> Iterator[IndexDoc]:
    """IndexDocs for catalogued documents (``catalog.iter_index_rows``): Kiwi nouns from the catalog when
    kept there, else analysed now and kept (in batches) for the next reindex."""
    fresh: dict[int, str] = {}
    texts: list[str] = []  # for the lexicon, flushed with the nouns
    for row in rows:
        text = "\n\n".join(row["pages_text"])
        texts.append(row["title"] + "\n" + text)
        kept = row["morphs"]
        if kept and kept.startswith(MORPH_PREFIX):
            morphs = kept[len(MORPH_PREFIX):]
        else:
            morphs = fresh[row["id"]] = morph_text(row["title"] + "\n" + text)
        if len(texts) >= 200:
            arch.catalog.set_morphs({i: MORPH_PREFIX + m for i, m in fresh.items()})
            fill_lexicon(arch.catalog, texts)
            fresh.clear()
            texts.clear()
        yield IndexDoc(
            reg_no=row["reg_no"], title=row["title"], doc_type=row["doc_type"], source=row["source_name"],
            captured=row["captured_at"], pages=row["page_count"], text=text, profile=row["profile"],
            doc_date=row["doc_date"], office=row["office"], receipt_no=row["receipt_no"],
            retention=row["retention_class"] or "", morphs=morphs,
        )
    arch.catalog.set_morphs({i: MORPH_PREFIX + m for i, m in fresh.items()})
    fill_lexicon(arch.catalog, texts)


BATCH = 100  # documents per index commit: bounded memory, and one bad batch does not hold back the rest


def index_documents(arch: Archive, reg_nos: list[str]) -> None:
    """Index the given documents now, ``BATCH`` at a time; a batch that fails stays marked unindexed for
    catch-up (the records are safe in the catalog)."""
    for i in range(0, len(reg_nos), BATCH):
        batch = reg_nos[i:i + BATCH]
        try:
            docs = list(index_docs(arch, arch.catalog.iter_index_rows(reg_nos=batch)))
            arch.index.add(docs)
            arch.catalog.mark_indexed(batch)
        except Exception as exc:  # the index catches up later
            log.warning("indexing %s failed (%s); it will be retried", ",".join(batch), exc)


def rebuild_index(arch: Archive, *, engine: str | None = None, progress=None) -> int:
    """Full reindex from the catalog. Documents archived while it runs go into the old index; they are
    added to the new one after the switch, so none is missing."""
    seen = {"last": 0}

    def rows() -> Iterator[dict]:
        for row in arch.catalog.iter_index_rows():
            seen["last"] = row["id"]
            yield row

    n = arch.index.rebuild(index_docs(arch, rows()), engine=engine, progress=progress)
    arch.catalog.mark_indexed_upto(seen["last"])
    later = [d.reg_no for d in arch.catalog.iter_documents(after_id=seen["last"])]
    index_documents(arch, later)
    return n + len(later)


def index_problems(arch: Archive) -> tuple[list[str], bool]:
    """What is wrong with the search index, and whether only a full reindex repairs it."""
    from ..errors import IndexOutdated

    problems = [_("half-built search index folder (interrupted reindex): index/{name}").format(name=d)
                for d in arch.index.stale_dirs()]
    try:
        in_index = arch.index.doc_count()
    except IndexOutdated as exc:
        return problems + [_("search index unusable: {exc}").format(exc=exc)], True
    counts = arch.catalog.counts()
    expected = counts["documents"] - counts["unindexed"]
    if in_index != expected:
        return problems + [_("search index holds {n} document(s), the catalog says {expected} are indexed").format(
            n=in_index, expected=expected)], True
    return problems, False


def catch_up_index(arch: Archive) -> int:
    """Index every catalogued document the index has not got (after a crash)."""
    pending = [d.reg_no for d in arch.catalog.iter_documents(only_unindexed=True)]
    index_documents(arch, pending)
    return len(pending)
