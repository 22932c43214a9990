#!/usr/bin/env python3
"""Search quality: recall@10 and precision@10 over the corpus's queries, after real ingestion.

1. ``girok init`` + ``girok ingest`` of every file of the corpus (real OCR),
   unless ``--archive`` names an archive that already holds them.
2. Every query of ``dev-queries.json`` through girok's search (the same
   code as ``girok search``; the first query also through the CLI, to
   check they agree). A file counts as found when any of its documents is
   among the first 10 hits.
3. With each engine of ``--engine`` (default: whoosh and tantivy): the
   archive is moved with ``girok reindex --engine E`` and the queries run
   again; both engines must find the same files (printed and checked).
4. Side by side, on the same run: ``../shared/tools/whoosh_baseline.py``
   (Whoosh's default analyzer, what the peers used) over the same OCR
   text, and both systems over the ground-truth text, which separates
   what OCR loses from what search loses.

usage: bench/search_quality.py [--corpus DIR] [--queries JSON] [--archive DIR] [--out DIR] [--workers N]
                               [--engine whoosh|tantivy ...]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

SHARED = (ROOT / ".." / "shared").resolve()
DEFAULT_CORPUS = SHARED / "corpus" / "dev"
BASELINE = SHARED / "tools" / "whoosh_baseline.py"
DEFAULT_OUT = HERE / "out" / "search_quality"
TOP = 10


def girok(archive: Path, *args: str, timeout: float = 7200) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "girok.cli", "--archive", str(archive), *args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def ingest(corpus: Path, archive: Path, workers: int | None) -> float:
    manifest = json.loads((corpus / "MANIFEST.json").read_text())
    files = [str(corpus / m["file"]) for m in manifest]
    r = girok(archive, "init")
    if r.returncode:
        sys.exit(f"girok init failed: {r.stderr}")
    t = time.monotonic()
    args = ["ingest", "--json", *(["--workers", str(workers)] if workers else []), *files]
    r = girok(archive, *args)
    if r.returncode not in (0, 10):
        sys.exit(f"girok ingest failed ({r.returncode}): {r.stderr[-2000:]}")
    return time.monotonic() - t


def score(found: list[set[str]], queries: list[dict]) -> tuple[float, float]:
    rec, prec = [], []
    for got, qd in zip(found, queries):
        rel = {Path(f).stem for f in qd["relevant"]}
        rec.append(len(got & rel) / len(rel))
        prec.append(len(got & rel) / len(got) if got else 1.0)
    return sum(rec) / len(rec), sum(prec) / len(prec)


def girok_search(index, queries: list[dict], file_of: dict[str, str]) -> tuple[list[set[str]], list[float]]:
    found, times = [], []
    for qd in queries:
        t = time.perf_counter()
        hits = index.find(qd["q"], limit=TOP).hits
        times.append(time.perf_counter() - t)
        found.append({file_of[h.reg_no] for h in hits if h.reg_no in file_of})
    return found, times


def baseline(text_dir: Path, queries_path: Path) -> tuple[float, float] | None:
    if not BASELINE.exists():
        return None
    r = subprocess.run([sys.executable, str(BASELINE), str(text_dir), str(queries_path)],
                       capture_output=True, text=True, timeout=600)
    if r.returncode:
        print(f"baseline failed: {r.stderr[-500:]}", file=sys.stderr)
        return None
    parts = dict(p.split("=") for p in r.stdout.split() if "=" in p)
    return float(parts["recall@10"]), float(parts["precision@10"])


def gt_index(corpus: Path, files: list[str], where: Path, engine: str):
    from girok.search.base import IndexDoc
    from girok.search.index import SearchIndex

    ix = SearchIndex(where, engine=engine)
    ix.ensure()
    docs = []
    for name in files:
        text = (corpus / (Path(name).stem + ".gt.txt")).read_text(encoding="utf-8").replace("\f", "\n\n")
        docs.append(IndexDoc(reg_no=Path(name).stem, title="", doc_type="", source=name,
                             captured=datetime(2026, 1, 1), pages=1, text=text))
    ix.rebuild(docs)
    return ix


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--queries", type=Path, help="default: CORPUS/../dev-queries.json")
    ap.add_argument("--archive", type=Path, help="an archive that already holds the corpus (skips ingestion)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--workers", type=int)
    ap.add_argument("--misses", action="store_true", help="list every missed or wrongly returned file")
    ap.add_argument("--engine", action="append", choices=("whoosh", "tantivy"),
                    help="search engine(s) to measure, each after `girok reindex --engine` (default: both)")
    a = ap.parse_args()
    engines = list(dict.fromkeys(a.engine or ["whoosh", "tantivy"]))
    queries_path = a.queries or a.corpus.parent / "dev-queries.json"
    if not a.corpus.exists() or not queries_path.exists():
        print(f"SKIP: no corpus at {a.corpus} or no queries at {queries_path}")
        return 0
    queries = json.loads(queries_path.read_text(encoding="utf-8"))
    manifest = json.loads((a.corpus / "MANIFEST.json").read_text())
    files = [m["file"] for m in manifest]
    if a.out.exists():
        shutil.rmtree(a.out)
    a.out.mkdir(parents=True)

    archive = a.archive
    ingest_s = None
    if archive is None:
        archive = a.out / "archive"
        ingest_s = ingest(a.corpus, archive, a.workers)

    from girok.archive.layout import Archive
    from girok.errors import IndexOutdated

    def reindexed(engine: str):
        """The archive, its index built with ``engine`` (reindexed when it is another or outdated)."""
        arch = Archive.open(archive)
        try:
            arch.index.doc_count()
            if arch.catalog.counts()["unindexed"] or arch.index.engine_name != engine:
                raise IndexOutdated("behind or another engine")
        except IndexOutdated:
            t = time.monotonic()
            r = girok(archive, "reindex", "--engine", engine)
            if r.returncode:
                sys.exit(f"girok reindex --engine {engine} failed: {r.stderr[-1000:]}")
            print(f"girok reindex --engine {engine}: {time.monotonic() - t:.1f} s", file=sys.stderr)
            arch = Archive.open(archive)
        assert arch.index.engine_name == engine
        return arch

    arch = reindexed(engines[0])
    file_of: dict[str, str] = {}
    texts: dict[str, list[str]] = {}
    for d in arch.catalog.iter_documents():
        stem = Path(d.capture.source_name).stem
        file_of[d.reg_no] = stem
        texts.setdefault(stem, []).extend(p.text for p in d.pages)
    ocr_dir, gt_dir = a.out / "ocr-text", a.out / "gt-text"
    ocr_dir.mkdir()
    gt_dir.mkdir()
    for stem, pages in texts.items():
        (ocr_dir / f"{stem}.txt").write_text("\n\n".join(pages), encoding="utf-8")
    for name in files:
        stem = Path(name).stem
        shutil.copy(a.corpus / f"{stem}.gt.txt", gt_dir / f"{stem}.txt")

    per_engine = {}
    for engine in engines:
        arch = reindexed(engine)
        found, times = girok_search(arch.index, queries, file_of)
        if engine == engines[0]:
            cli = girok(archive, "search", "--json", "-n", str(TOP), queries[0]["q"])
            cli_found = {file_of[json.loads(line)["id"]] for line in cli.stdout.splitlines() if line.strip()}
            if cli_found != found[0]:
                print(f"WARNING: the CLI found {sorted(cli_found)} for {queries[0]['q']!r}, "
                      f"the library {sorted(found[0])}")
        gt_ix = gt_index(a.corpus, files, a.out / f"gt-index-{engine}", engine)
        gt_found, _ = girok_search(gt_ix, queries, {Path(f).stem: Path(f).stem for f in files})
        per_engine[engine] = {"found": found, "times": times, "gt_found": gt_found,
                              "ocr": score(found, queries), "gt": score(gt_found, queries)}
    found, times = per_engine[engines[0]]["found"], per_engine[engines[0]]["times"]
    g_rec, g_prec = per_engine[engines[0]]["ocr"]
    b_ocr, b_gt = baseline(ocr_dir, queries_path), baseline(gt_dir, queries_path)

    rows = [(f"girok ({e})", "OCR (archive)", *per_engine[e]["ocr"]) for e in engines]
    rows += [("Whoosh default (baseline)", "OCR (archive)", *(b_ocr or (float("nan"),) * 2))]
    rows += [(f"girok ({e})", "ground truth", *per_engine[e]["gt"]) for e in engines]
    rows += [("Whoosh default (baseline)", "ground truth", *(b_gt or (float("nan"),) * 2))]
    print(f"corpus {a.corpus} ({len(files)} files, {len(file_of)} documents), {len(queries)} queries"
          + (f", ingest {ingest_s:.0f} s" if ingest_s else f", archive {archive}"))
    print(f"{'system':28} {'text':15} {'recall@10':>9} {'precision@10':>12}")
    for sysname, text, r, p in rows:
        print(f"{sysname:28} {text:15} {r:9.3f} {p:12.3f}")
    for e in engines:
        ms = sorted(t * 1000 for t in per_engine[e]["times"])
        print(f"girok ({e}) query latency: p50 {statistics.median(ms):.1f} ms, "
              f"p95 {ms[int(0.95 * (len(ms) - 1))]:.1f} ms (in process, {len(ms)} queries)")
    same = all(per_engine[e]["found"] == found and per_engine[e]["gt_found"] == per_engine[engines[0]]["gt_found"]
               for e in engines)
    if len(engines) > 1:
        print(f"engines agree (the same files for every query, OCR and ground truth): {'yes' if same else 'NO'}")
    ok_r, ok_p = g_rec >= 0.98, g_prec >= 0.95
    print(f"acceptance: recall@10 {g_rec:.3f} >= 0.98 {'PASS' if ok_r else 'FAIL'}; "
          f"precision@10 {g_prec:.3f} >= 0.95 {'PASS' if ok_p else 'FAIL'}")
    misses = []
    for qd, got in zip(queries, found):
        rel = {Path(f).stem for f in qd["relevant"]}
        if got != rel:
            misses.append({"q": qd["q"], "missed": sorted(rel - got), "extra": sorted(got - rel)})
    if a.misses:
        for m in misses:
            print(f"  {m['q']}: missed {m['missed']} extra {m['extra']}")
    (a.out / "result.json").write_text(json.dumps({
        "girok": {e: {"ocr": list(per_engine[e]["ocr"]), "gt": list(per_engine[e]["gt"])} for e in engines},
        "engines_agree": same,
        "baseline": {"ocr": b_ocr, "gt": b_gt}, "misses": misses, "queries": len(queries),
    }, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
