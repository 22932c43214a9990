#!/usr/bin/env python3
"""How the search index scales: build time, peak memory, size on disk and query latency.

Generates N synthetic Korean documents of about 2 KB from the sentences of
../shared/corpus/text/*.txt (seeded random choice; random type, office,
filing date, receipt number and retention class), builds the index through
``SearchIndex.rebuild`` (the code path of ``girok reindex``), then times
warm queries through ``SearchIndex.find`` (parse, Kiwi, engine, snippets):
1-, 2- and 3-word, filtered (word + type: + date:) and phrase queries.

Kiwi is run once per distinct sentence, and each document's noun string is
put together from its sentences' cached nouns, as a reindex reuses the nouns
kept in the catalog: the build time is the index's, not Kiwi's.

The corpus has only ~110 sentences, so every document shares most of its
bigrams with a third of all documents: posting lists are far denser than in
a real archive, and latencies here are a pessimistic bound.

usage: bench/search_scale.py [--engine whoosh|tantivy] [--docs N] [--queries N] [--out DIR] [--json] [--keep] [--reuse]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from girok.search.analysis import morphs, normalize  # noqa: E402  (after the sys.path line above)
from girok.search.base import IndexDoc  # noqa: E402
from girok.search.index import SearchIndex  # noqa: E402

TEXT_DIR = (REPO / ".." / "shared" / "corpus" / "text").resolve()
TYPES = ["위임장", "진정서", "전입신고서", "혼인신고서", "건축허가신청서", "토지대장", "정보공개청구서",
         "이의신청서", "가족관계증명서", "민원회신", "보고서", "통지서"]
OFFICES = ["서초구 민원여권과", "강남구 민원봉사과", "관악구 총무과", "동작구 건축과", "대구광역시 민원실",
           "서울특별시 재무과", "서초구 가족관계팀", "강남구 토지정보과", "동작구 주차관리과", "관악구 세무과"]
RETENTION = ["영구", "준영구", "30년", "10년", "5년", "3년", "1년"]
FIRST_DAY, DAYS = date(2015, 1, 1), 11 * 365
KINDS = ("1-word", "2-word", "3-word", "filtered", "phrase")


def sentences() -> list[str]:
    text = "\n".join(normalize(p.read_text(encoding="utf-8")) for p in sorted(TEXT_DIR.glob("*.txt")))
    out = [s.strip() for s in re.split(r"(?<=[.!?다])\s+|\n+", text)]
    return sorted({s for s in out if len(s) >= 10 and re.search(r"[가-힣]", s)})


def generate(n: int, sents: list[str], nouns: list[str], seed: int):
    """``n`` IndexDocs of ~2 KB, one at a time (the build sees a stream, as from the catalog)."""
    rnd = random.Random(seed)
    idx = range(len(sents))
    for i in range(n):
        picked, size = [], 0
        while size < 2000:
            j = rnd.choice(idx)
            picked.append(j)
            size += len(sents[j]) + 1
        seps = rnd.choices((" ", "\n"), weights=(4, 1), k=len(picked))
        text = "".join(sents[j] + s for j, s in zip(picked, seps))
        text += f" 접수 {rnd.randint(1, 99999)}호, 금액 {rnd.randint(1000, 9_999_999)}원."
        day = FIRST_DAY + timedelta(days=rnd.randrange(DAYS))
        yield IndexDoc(
            reg_no=f"GR-{day.year}-{i + 1:07d}", title=sents[picked[0]][:40], doc_type=rnd.choice(TYPES),
            source=f"scan{i + 1}.pdf", captured=datetime(day.year, day.month, day.day, 9, 30), pages=1 + i % 3,
            text=text, doc_date=day, office=rnd.choice(OFFICES), receipt_no=f"{day.year}-{rnd.randint(1, 99999):05d}",
            retention=rnd.choice(RETENTION), morphs=" ".join(nouns[j] for j in picked if nouns[j]),
        )


def make_queries(sents: list[str], count: int, seed: int) -> dict[str, list[str]]:
    rnd = random.Random(seed)
    vocab = sorted({m for s in sents for m in morphs(s) if len(m) >= 2 and re.search(r"[가-힣]", m)})
    words = [s.split() for s in sents]
    words = [w for w in words if len(w) >= 3]
    out = {k: [] for k in KINDS}
    for _ in range(count):
        out["1-word"].append(rnd.choice(vocab))
        out["2-word"].append(" ".join(rnd.sample(vocab, 2)))
        out["3-word"].append(" ".join(rnd.sample(vocab, 3)))
        year = FIRST_DAY.year + rnd.randrange(DAYS // 365)
        out["filtered"].append(f"{rnd.choice(vocab)} type:{rnd.choice(TYPES)} date:{year}")
        w = rnd.choice(words)
        k = rnd.randrange(len(w) - 1)
        out["phrase"].append('"' + re.sub(r'["()]', "", " ".join(w[k:k + 2])) + '"')
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def cpu_s() -> float:
    """CPU seconds (user + system) of this process and its finished children: unlike the wall time,
    hardly affected by other work on a shared machine."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def worker_rss_mb() -> float:
    """The current RSS of this process's children (the analysis workers), summed, from /proc."""
    total = 0
    for child in multiprocessing.active_children():
        try:
            for line in Path(f"/proc/{child.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def run(engine: str, n: int, n_queries: int, out: Path, seed: int, reuse: bool = False) -> dict:
    reuse = reuse and (out / "index" / "CURRENT").exists()
    if out.exists() and not reuse:
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    sents = sentences()
    t = time.perf_counter()
    nouns = [" ".join(morphs(s)) for s in sents]  # Kiwi once per distinct sentence
    kiwi_s = time.perf_counter() - t
    queries = make_queries(sents, n_queries, seed + 1)
    warmup = make_queries(sents, 10, seed + 2)
    rss_before = peak_rss_mb()

    ix = SearchIndex(out / "index", engine=engine)
    ix.ensure()
    last = {"t": time.perf_counter(), "workers_mb": 0.0}

    def progress(i: int) -> None:
        if i % 1000 == 0:
            last["workers_mb"] = max(last["workers_mb"], worker_rss_mb())
        if i % 50_000 == 0 and time.perf_counter() - last["t"] > 5:
            last["t"] = time.perf_counter()
            print(f"  {i} documents, {i / (last['t'] - t0):.0f}/s", file=sys.stderr, flush=True)

    load_before = os.getloadavg()
    cpu0 = cpu_s()
    t0 = time.perf_counter()
    if reuse:  # time the queries of a kept index again (after a change to the query side)
        built = ix.doc_count()
        progress = None
    else:
        built = ix.rebuild(generate(n, sents, nouns, seed), engine=engine, progress=progress)
    build_s = time.perf_counter() - t0
    build_cpu_s = cpu_s() - cpu0  # Tantivy's writer threads are threads of this process: included
    rss_build = peak_rss_mb()
    load_after = os.getloadavg()
    assert built == n == ix.doc_count(), (built, n)
    size = dir_size(ix.current_dir())

    for qs in warmup.values():
        for query in qs:
            ix.find(query, limit=10)
    latency = {}
    for kind, qs in queries.items():
        times, totals = [], []
        for query in qs:
            t1 = time.perf_counter()
            res = ix.find(query, limit=10)
            times.append((time.perf_counter() - t1) * 1000)
            totals.append(res.total)
        latency[kind] = {"p50_ms": round(pct(times, 50), 1), "p95_ms": round(pct(times, 95), 1),
                         "max_ms": round(max(times), 1), "queries": len(qs),
                         "median_hits": int(statistics.median(totals)), "example": qs[0]}
    return {
        "engine": engine, "docs": n, "avg_doc_chars": 2000, "sentences": len(sents),
        "kiwi_per_sentence_s": round(kiwi_s, 2), "build_s": round(build_s, 1), "build_cpu_s": round(build_cpu_s, 1),
        "docs_per_s": round(n / build_s), "build_peak_rss_mb": round(rss_build),
        "peak_rss_mb": round(max(rss_build, peak_rss_mb())),
        "rss_before_build_mb": round(rss_before), "workers_rss_mb": round(last["workers_mb"]),
        "reused_index": reuse,
        "load_before": [round(x, 1) for x in load_before], "load_after_build": [round(x, 1) for x in load_after],
        "index_mb": round(size / 2**20, 1), "latency": latency,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engine", choices=("whoosh", "tantivy"), default="whoosh")
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200, help="timed queries per kind (after 10 warm-up ones)")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "search_scale")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    ap.add_argument("--keep", action="store_true", help="keep the index in OUT/ENGINE-N (to time more queries)")
    ap.add_argument("--reuse", action="store_true", help="time the queries on the index kept in OUT/ENGINE-N, "
                    "without building (build figures are then not measured); the index is kept")
    args = ap.parse_args()
    if not TEXT_DIR.is_dir() or not any(TEXT_DIR.glob("*.txt")):
        print(f"SKIP: no corpus text in {TEXT_DIR}")
        return 0
    out = args.out / f"{args.engine}-{args.docs}"
    res = run(args.engine, args.docs, args.queries, out, args.seed, reuse=args.reuse)
    if not (args.keep or args.reuse):
        shutil.rmtree(out, ignore_errors=True)
    if args.json:
        print(json.dumps(res, ensure_ascii=False, indent=2))
        return 0
    print(f"{res['engine']}: {res['docs']:,} documents of ~2 KB from {res['sentences']} corpus sentences "
          f"(Kiwi ran once per sentence, {res['kiwi_per_sentence_s']} s; document nouns composed from the cache)")
    print(f"build (SearchIndex.rebuild): {res['build_s']} s, {res['docs_per_s']:,} docs/s, "
          f"{res['build_cpu_s']} CPU s; "
          f"peak RSS {res['build_peak_rss_mb']} MB at the end of the build, {res['peak_rss_mb']} MB after the "
          f"queries (mapped index pages count) (before the build {res['rss_before_build_mb']} MB; "
          f"the analysis workers together at most {res['workers_rss_mb']} MB); index {res['index_mb']} MB"
          + (" (index reused: build figures not measured)" if res["reused_index"] else ""))
    print(f"load average (1/5/15 min) before the build {res['load_before']}, after {res['load_after_build']} "
          f"on {os.cpu_count()} CPUs")
    print(f"{'query kind':<10} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'median hits':>12}  example")
    for kind, lat in res["latency"].items():
        print(f"{kind:<10} {lat['p50_ms']:>8} {lat['p95_ms']:>8} {lat['max_ms']:>8} {lat['median_hits']:>12}  "
              f"{lat['example']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
