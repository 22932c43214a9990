#!/usr/bin/env python3
"""How well girok's extraction library reads metadata and splits batches, against the corpus's ground truth.

For every form: doc_type, date, receipt_no, applicant, office, phones and
rrn compared with the values in its ``.meta.json``, without the QR code
(text only) and with it (``qr.eform_metadata`` merged over the text's), on
two texts: tesseract's (``kor``, ``--psm 4``, pages turned upright with
``fed_rotated``, PDFs at 300 dpi; cached under bench/out/ocr-cache/) and the
ground truth ``.gt.txt``. The ground-truth column shows the extractor's own
errors; the difference between the two shows OCR's.

For every article (no document type): how often a type, receipt number or
applicant is claimed anyway (false positives).

For every batch: each page classified (separator / blank / content); a
page is content in the ground truth when its ``.gt.txt`` page has text. It
checks that no content page is dropped, no separator or blank page is
kept, the split gives as many documents as the ``.meta.json`` lists, and
each part's metadata (OCR text, no QR) matches its document in order.

Independent of girok's pipeline: it calls girok.metadata.extract, qr, blank
and split directly. Prints a table and writes
bench/out/metadata_quality/result.json. Exit 0 with SKIP when the corpus is
missing.

usage: bench/metadata_quality.py [--corpus DIR] [--out DIR] [--blank-threshold X]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from corpus_pages import ground_truth_pages, load_pages, ocr_pages  # noqa: E402

from girok.ingest import blank, split  # noqa: E402
from girok.metadata import qr  # noqa: E402
from girok.metadata.extract import DEFAULT_DOC_TYPES, Metadata, extract, merge  # noqa: E402

DEFAULT_CORPUS = (Path(os.environ.get("GIROK_SHARED", HERE.parent / ".." / "shared")) / "corpus" / "dev").resolve()
DEFAULT_OUT = HERE / "out" / "metadata_quality"
FIELDS = ("doc_type", "date", "receipt_no", "applicant", "office", "phone", "rrn")
MAIN = ("doc_type", "date", "receipt_no", "applicant")  # the acceptance fields
SOURCES = ("ocr", "gt")
LABELS = {"ocr": "OCR", "ocr+qr": "OCR + QR", "gt": "ground truth", "gt+qr": "GT + QR",
          "norules": "OCR no rules", "norules+qr": "no rules + QR", "given": "--text-dir", "given+qr": "text-dir + QR"}


def values(md: Metadata) -> dict:
    return {"doc_type": md.doc_type, "date": md.date.isoformat() if md.date else None, "receipt_no": md.receipt_no,
            "applicant": md.applicant, "office": md.office, "phone": list(md.phones), "rrn": list(md.rrns)}


def verdict(got, want) -> str:
    if got == want:
        return "ok"
    return "missing" if got in (None, []) else "wrong"


def mask(v):
    from girok.text.pii import mask_rrn
    return [mask_rrn(x) for x in v] if isinstance(v, list) else v


def form_texts(f: Path, e: dict, pages, sources, text_dir: Path | None = None) -> dict:
    rot = e.get("fed_rotated") or 0
    out = {"ocr": lambda: ocr_pages(f, rot, pages=pages),
           "gt": lambda: ground_truth_pages(f.with_name(f.stem + ".gt.txt")),
           "norules": lambda: ocr_pages(f, rot, pages=pages, without_rules=True),
           "given": lambda: ground_truth_pages(text_dir / (f.stem + ".txt"))
           if (text_dir / (f.stem + ".txt")).exists() else []}
    return {s: out[s]() for s in sources}


def run_forms(corpus: Path, entries: list[dict], types, timings: dict, sources,
              text_dir: Path | None = None) -> tuple[dict, list]:
    columns = [c for s in sources for c in (s, s + "+qr")]
    tally = {col: {f: {"ok": 0, "missing": 0, "wrong": 0} for f in FIELDS} for col in columns}
    details = []
    for e in entries:
        f = corpus / e["file"]
        meta = json.loads(f.with_name(f.stem + ".meta.json").read_text(encoding="utf-8"))
        pages = load_pages(f, e.get("fed_rotated") or 0)
        t = time.perf_counter()
        codes = qr.read_codes(pages[0])
        timings["read_codes"].append(time.perf_counter() - t)
        qr_md = qr.eform_metadata(codes, types)
        texts = form_texts(f, e, pages, sources, text_dir)
        row = {"file": e["file"], "qr_present": meta.get("qr") is not None, "qr_read": qr_md is not None}
        for src, text in texts.items():
            t = time.perf_counter()
            md = extract(text, types)
            timings["extract"].append(time.perf_counter() - t)
            for col, m in ((src, md), (src + "+qr", merge(qr_md, md) if qr_md else md)):
                got = values(m)
                row[col] = {}
                for fld in FIELDS:
                    v = verdict(got[fld], meta[fld])
                    tally[col][fld][v] += 1
                    if v != "ok":
                        row[col][fld] = {"got": mask(got[fld]), "want": mask(meta[fld]), "verdict": v}
                if m.warnings:
                    row[col]["warnings"] = m.warnings
        details.append(row)
    return tally, details


def run_articles(corpus: Path, entries: list[dict], types) -> dict:
    out = {"articles": len(entries)}
    for src in ("ocr", "gt"):
        fp = {"doc_type": [], "receipt_no": [], "applicant": []}
        for e in entries:
            f = corpus / e["file"]
            text = (ocr_pages(f, e.get("fed_rotated") or 0) if src == "ocr"
                    else ground_truth_pages(f.with_name(f.stem + ".gt.txt")))
            md = extract(text, types)
            for k in fp:
                if getattr(md, k):
                    fp[k].append(f"{e['file']}: {getattr(md, k)}")
        out[src] = fp
    return out


def _part_rows(parts: list[list[int]], texts: list[str], docs: list[dict], types) -> list[dict]:
    """Each part's metadata from ``texts`` (one per page of the file) against its document, in order."""
    rows = []
    for k, part in enumerate(parts):
        got = values(extract([texts[i] if i < len(texts) else "" for i in part], types))
        want = docs[k] if k < len(docs) else None
        rows.append({"pages": [i + 1 for i in part],
                     **{fld: verdict(got[fld], want[fld]) if want else "extra" for fld in MAIN}})
    return rows


def run_batches(corpus: Path, entries: list[dict], types, threshold: float, timings: dict,
                text_dir: Path | None = None) -> list[dict]:
    results = []
    for e in entries:
        f = corpus / e["file"]
        meta = json.loads(f.with_name(f.stem + ".meta.json").read_text(encoding="utf-8"))
        pages = load_pages(f, e.get("fed_rotated") or 0)
        gt = ground_truth_pages(f.with_name(f.stem + ".gt.txt"))
        texts = ocr_pages(f, e.get("fed_rotated") or 0, pages=pages)
        kinds, inks = [], []
        for p in pages:
            t = time.perf_counter()
            codes = qr.read_codes(p)
            timings["read_codes"].append(time.perf_counter() - t)
            t = time.perf_counter()
            inks.append(blank.ink_fraction(p))
            timings["ink_fraction"].append(time.perf_counter() - t)
            kinds.append(split.classify_page(p, blank_threshold=threshold, codes=codes))
        content_gt = [bool(g.strip()) for g in gt] + [False] * (len(pages) - len(gt))
        parts = split.split_pages(kinds)
        docs = meta["documents"]
        lost = [i for i, c in enumerate(content_gt) if c and kinds[i] != "content"]
        kept = [i for i, c in enumerate(content_gt) if not c and kinds[i] == "content"]
        part_rows = _part_rows(parts, texts, docs, types)
        given = text_dir / (f.stem + ".txt") if text_dir else None
        given_rows = _part_rows(parts, ground_truth_pages(given), docs, types) if given and given.exists() else []
        results.append({
            "file": e["file"], "pages": len(pages), "kinds": kinds,
            "ink": [round(x, 6) for x in inks],
            "content_pages_gt": sum(content_gt), "separators": kinds.count("separator"), "blanks": kinds.count("blank"),
            "documents_expected": len(docs), "documents_split": len(parts),
            "content_lost": [i + 1 for i in lost], "noncontent_kept": [i + 1 for i in kept],
            "min_ink_content": min((x for x, c in zip(inks, content_gt) if c), default=None),
            "max_ink_blank": max((x for x, k in zip(inks, kinds) if k == "blank"), default=None),
            "parts": part_rows, "parts_given": given_rows,
            "ok": not lost and not kept and len(parts) == len(docs)
                  and all(r[fld] == "ok" for r in part_rows for fld in ("doc_type",)),
        })
    return results


def fmt(cell: dict, total: int) -> str:
    s = f"{cell['ok']}/{total}"
    return s + (f" ({cell['wrong']} wrong)" if cell["wrong"] else "")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--blank-threshold", type=float, default=blank.DEFAULT_THRESHOLD)
    ap.add_argument("--without-rules", action="store_true",
                    help="diagnostic: two more columns, OCR of the forms with their table rules painted out")
    ap.add_argument("--text-dir", type=Path,
                    help="two more columns (and a batch-parts line) from DIR/NAME.txt (pages split by form feeds), e.g. `girok show --text` "
                         "output of the pipeline (its RRNs are masked, so its rrn column cannot match)")
    args = ap.parse_args()
    manifest = args.corpus / "MANIFEST.json"
    if not manifest.exists():
        print(f"SKIP: no corpus at {args.corpus} (MANIFEST.json missing)")
        return 0
    entries = json.loads(manifest.read_text(encoding="utf-8"))
    types = DEFAULT_DOC_TYPES
    by_kind = {k: [e for e in entries if e["kind"] == k] for k in ("form", "article", "batch")}
    timings = {"read_codes": [], "ink_fraction": [], "extract": []}
    t0 = time.perf_counter()
    sources = SOURCES + (("norules",) if args.without_rules else ()) + (("given",) if args.text_dir else ())
    columns = [c for s in sources for c in (s, s + "+qr")]
    tally, details = run_forms(args.corpus, by_kind["form"], types, timings, sources, args.text_dir)
    arts = run_articles(args.corpus, by_kind["article"], types)
    batches = run_batches(args.corpus, by_kind["batch"], types, args.blank_threshold, timings, args.text_dir)
    n = len(by_kind["form"])
    n_qr = sum(1 for d in details if d["qr_present"])

    print(f"corpus {args.corpus}: {n} forms ({n_qr} with a QR code, {sum(d['qr_read'] for d in details)} read), "
          f"{len(by_kind['article'])} articles, {len(batches)} batches")
    print()
    print(f"{'field':<11}" + "".join(f"{LABELS[c]:>17}" for c in columns))
    for fld in FIELDS:
        print(f"{fld:<11}" + "".join(f"{fmt(tally[c][fld], n):>17}" for c in columns))
    all_main = {c: sum(1 for d in details if not any(f in d[c] for f in MAIN)) for c in columns}
    print(f"{'all 4 main':<11}" + "".join(f"{str(all_main[c]) + '/' + str(n):>17}" for c in columns))
    print()
    for src in ("ocr", "gt"):
        fp = arts[src]
        print(f"articles ({src}): doc_type claimed {len(fp['doc_type'])}/{arts['articles']}, "
              f"receipt_no {len(fp['receipt_no'])}, applicant {len(fp['applicant'])}")
    print()
    print(f"{'batch':<16}{'pages':>6}{'content':>8}{'sep':>5}{'blank':>6}{'docs':>9}{'lost':>6}{'kept':>6}"
          f"{'min ink content':>17}{'max ink blank':>15}  parts (doc_type date receipt applicant)")
    for b in batches:
        parts = " | ".join(" ".join("+" if r[f] == "ok" else "-" for f in MAIN) for r in b["parts"])
        print(f"{b['file']:<16}{b['pages']:>6}{b['content_pages_gt']:>8}{b['separators']:>5}{b['blanks']:>6}"
              f"{str(b['documents_split']) + '/' + str(b['documents_expected']):>9}{len(b['content_lost']):>6}"
              f"{len(b['noncontent_kept']):>6}{b['min_ink_content'] or 0:>17.5f}"
              f"{b['max_ink_blank'] or 0:>15.6f}  {parts}")
    for key, label in (("parts", "OCR text"), ("parts_given", "--text-dir")):
        rows = [r for b in batches for r in b[key]]
        if rows:
            print(f"batch parts ({label}, no QR): " + ", ".join(
                f"{f} {sum(r[f] == 'ok' for r in rows)}/{len(rows)}" for f in MAIN)
                + f", all 4 main {sum(all(r[f] == 'ok' for f in MAIN) for r in rows)}/{len(rows)}")
    print()
    ms = {k: (1000 * sum(v) / len(v) if v else 0.0) for k, v in timings.items()}
    print("mean per call: " + ", ".join(f"{k} {v:.0f} ms" for k, v in ms.items())
          + f"; blank threshold {args.blank_threshold:g}; total {time.perf_counter() - t0:.1f} s")

    args.out.mkdir(parents=True, exist_ok=True)
    result = {"corpus": str(args.corpus), "forms": n, "forms_with_qr": n_qr, "fields": tally,
              "all_main_fields": all_main, "form_details": details, "articles": arts, "batches": batches,
              "blank_threshold": args.blank_threshold, "mean_ms": ms}
    (args.out / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {args.out / 'result.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
