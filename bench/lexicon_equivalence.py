#!/usr/bin/env python3
"""The search lexicon changes speed, never results (issue 13): every query searched with the archive's lexicon
and without it (Kiwi reads every word) must give the same total, hits, scores and snippets.

Queries: the corpus' dev-queries.json, every distinct word of the corpus' ground-truth texts, and random pairs
of those words (--pairs, seeded). Prints how many queries differ (0 expected) and exits 1 if any does.

usage: bench/lexicon_equivalence.py --archive DIR [--corpus ../shared/corpus/dev] [--pairs 300] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from girok.archive.layout import Archive  # noqa: E402
from girok.search.index import SearchIndex  # noqa: E402
from girok.text.words import words  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--archive", type=Path, required=True, help="an archive of the corpus (girok reindex fills "
                                                                 "the lexicon of an older one)")
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "dev")
    ap.add_argument("--pairs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    arch = Archive.open(args.archive)
    plain = SearchIndex(arch.index.root, lexicon=None)
    queries_file = args.corpus.parent / "dev-queries.json"
    queries = [q["q"] for q in json.loads(queries_file.read_text(encoding="utf-8"))] if queries_file.exists() else []
    vocab: set[str] = set()
    for f in sorted(args.corpus.glob("*.gt.txt")):
        vocab |= words(f.read_text(encoding="utf-8"))
    vocab_list = sorted(vocab)
    rng = random.Random(args.seed)
    n = min(args.pairs, len(vocab_list))
    pairs = [f"{a} {b}" for a, b in zip(rng.sample(vocab_list, n), rng.sample(vocab_list, n))]
    every = queries + vocab_list + pairs
    differ = []
    for q in every:
        a, b = arch.index.find(q, limit=20), plain.find(q, limit=20)
        key = lambda r: (r.total, [(h.reg_no, h.score, h.snippet) for h in r.hits])  # noqa: E731
        if key(a) != key(b):
            differ.append(q)
    print(f"{len(every)} queries ({len(queries)} dev queries, {len(vocab_list)} words, {len(pairs)} pairs); "
          f"lexicon size {arch.catalog.lexicon_size()}; {len(differ)} differ")
    for q in differ[:20]:
        print(f"  differs: {q}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
