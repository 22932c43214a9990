"""`girok reindex --engine tantivy` (and back) moves a real archive between engines without
changing what a search finds, and searches keep using the old index until the new one is live."""

from __future__ import annotations

import json

from helpers_records import add_document, girok

from girok.archive.layout import Archive
from girok.archive.indexing import index_docs

TEXTS = [
    ["서초구 민원실에서 토지대장을 발급받았습니다.", "주민등록번호 900101-1234567 확인."],
    ["민원 실에서 토지 대 장을 열람했습니다."],
    ["혼인신고 접수 완료. 처리 기간은 3일입니다."],
    ["Seoul City Hall budget report 2023, item ABC-123."],
    ["도로점용 허가 민원 처리 결과 통지."],
]
QUERIES = ["민원실", "토지대장을", '"토지 대장"', "민원 -토지", "seoul OR 혼인", "주민등록번호", "민"]


def _results(root) -> dict[str, list[dict]]:
    out = {}
    for query in QUERIES:
        proc = girok(root, "search", query, "--json", "--sort", "oldest", "--limit", "50")
        assert proc.returncode in (0, 1), proc.stderr  # 1: nothing found
        hits = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
        for h in hits:
            del h["score"], h["rank"]  # engines score differently; everything else is the same
        out[query] = hits
    return out


def _engine_dir(root) -> str:
    return (root / "index" / "CURRENT").read_text().strip()


def test_reindex_moves_an_archive_to_tantivy_and_back(make_archive):
    root = make_archive()
    regs = [add_document(root, texts, name=f"scan{i}.png") for i, texts in enumerate(TEXTS)]
    before = _results(root)
    assert {h["id"] for h in before["민원실"]} == {regs[0], regs[1]}
    assert all("1234567" not in h["snippet"] for h in before["주민등록번호"]) and before["주민등록번호"]

    for engine in ("tantivy", "whoosh"):
        proc = girok(root, "reindex", "--engine", engine)
        assert proc.returncode == 0, proc.stderr
        assert f"Indexed {len(TEXTS)} document(s) with {engine}" in proc.stderr
        assert _engine_dir(root).startswith(f"{engine}-")
        assert [p.name for p in (root / "index").iterdir() if p.is_dir()] == [_engine_dir(root)]
        assert _results(root) == before


def test_searches_use_the_old_index_until_the_switch(make_archive):
    root = make_archive()
    for i, texts in enumerate(TEXTS):
        add_document(root, texts, name=f"scan{i}.png")
    before = _results(root)
    old = _engine_dir(root)
    during = []

    def docs(arch):
        for n, d in enumerate(index_docs(arch, arch.catalog.iter_index_rows())):
            if n == 2:  # the new index is half built: another girok searches meanwhile
                during.append((_engine_dir(root), _results(root)))
            yield d

    with Archive.open(root) as arch:
        assert arch.index.rebuild(docs(arch), engine="tantivy") == len(TEXTS)
    assert during and during[0] == (old, before)
    assert _engine_dir(root).startswith("tantivy-") and _engine_dir(root) != old
    assert _results(root) == before
