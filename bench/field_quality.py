#!/usr/bin/env python3
"""The four main fields of each form as girok's worker reads them from its own OCR (no QR), against ground truth.

Issue 18's acceptance for "fields read as fields": type, date, receipt number
and applicant right on >= 0.98 of legible forms (degradation 0-1) from
pipeline text; on damaged forms (degradation 2) a field may stay empty but is
never wrong; no field ever holds a value that fails its validation.

Each form of the corpus goes through ``girok.ingest.prepare.prepare`` (the
worker: normalize, OCR to PDF/A, fields) with the default scanner profile and
the archive defaults (document types, receipt patterns), and its QR codes
hidden from the worker, so every value comes from the pipeline's text and
its field re-reads. Each value is compared with the form's ``.meta.json``:
ok, missing (empty) or wrong; and checked with ``girok.metadata.validate``.

Prints per-group tallies and the per-form misses; writes OUT/result.json.
One worker process (the machine is shared); about 5 s a form.

usage: bench/field_quality.py [--corpus DIR] [--out DIR] [--files N] [--only NAME...] [--offices NAME...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from girok.config import DEFAULT_DOCUMENT_TYPES, load_profile  # noqa: E402
from girok.ingest import prepare as worker  # noqa: E402
from girok.text.pii import mask_name, mask_rrn  # noqa: E402

DEFAULT_CORPUS = (Path(os.environ.get("GIROK_SHARED", REPO / ".." / "shared")) / "corpus" / "dev").resolve()
DEFAULT_OUT = HERE / "out" / "field_quality"
MAIN = ("doc_type", "date", "receipt_no", "applicant")
MEDIA = {".tif": "image/tiff", ".tiff": "image/tiff", ".png": "image/png", ".jpg": "image/jpeg",
         ".pdf": "application/pdf"}


def values(md) -> dict:
    return {"doc_type": md.doc_type, "date": md.date.isoformat() if md.date else None,
            "receipt_no": md.receipt_no, "applicant": md.applicant, "rrn": list(md.rrns)}


def invalid_fields(md, known_types) -> list[str]:
    """Fields whose value fails its validation (girok.metadata.validate), if that module exists here."""
    try:
        from girok.metadata import validate
    except ImportError:
        return []
    return validate.invalid_fields(md, known_types=known_types)


def shown(field: str, v):
    if field == "applicant" and isinstance(v, str):
        return mask_name(v)
    return [mask_rrn(x) for x in v] if isinstance(v, list) else v


def run_form(path: Path, meta: dict, profile, work_root: Path, offices: tuple[str, ...] = ()) -> dict:
    work = Path(tempfile.mkdtemp(prefix="job-", dir=work_root))
    original = work / ("original" + path.suffix.lower())
    shutil.copyfile(path, original)
    job = worker.Job(job_id=work.name, work_dir=work, original=original, source_name=path.name,
                     media_type=MEDIA[path.suffix.lower()], ext=path.suffix.lower(), profile=profile,
                     known_types=DEFAULT_DOCUMENT_TYPES, known_offices=offices)
    t = time.perf_counter()
    prepared = worker.prepare(job)
    took = time.perf_counter() - t
    shutil.rmtree(work, ignore_errors=True)
    doc = prepared.documents[0]
    md = doc.metadata
    got = values(md)
    row = {"file": path.name, "degradation": meta.get("degradation"), "seconds": round(took, 2),
           "fields_seconds": (doc.conversion.get("fields") or {}).get("seconds"),
           "rescan_suggested": doc.rescan_suggested, "confidence": doc.page_confidence,
           "unread": list(getattr(md, "unread", []) or []), "invalid": invalid_fields(md, DEFAULT_DOCUMENT_TYPES),
           "reread": (doc.conversion.get("fields") or {}).get("reread_fields", []),
           "kept_from_reread": (doc.conversion.get("fields") or {}).get("kept_from_reread", []), "verdicts": {}, "misses": {}}
    for f in MAIN + ("rrn",):
        want = meta.get(f)
        v = "ok" if got[f] == want else ("missing" if got[f] in (None, []) else "wrong")
        row["verdicts"][f] = v
        if v != "ok":
            row["misses"][f] = {"got": shown(f, got[f]), "want": shown(f, want), "verdict": v}
    row["warnings"] = [mask_rrn(w) for w in md.warnings]
    return row


def tally(rows: list[dict]) -> dict:
    out = {f: {"ok": 0, "missing": 0, "wrong": 0} for f in MAIN + ("rrn",)}
    for r in rows:
        for f, v in r["verdicts"].items():
            out[f][v] += 1
    out["all4"] = sum(all(r["verdicts"][f] == "ok" for f in MAIN) for r in rows)
    out["forms"] = len(rows)
    out["any_wrong"] = sum(any(r["verdicts"][f] == "wrong" for f in MAIN) for r in rows)
    out["invalid_values"] = sum(len(r["invalid"]) for r in rows)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--files", type=int, default=0, help="only the first N forms")
    ap.add_argument("--only", nargs="*", default=[], help="only these file names")
    ap.add_argument("--offices", nargs="*", default=[],
                    help="as girok.toml's [archive] offices (e.g. 서초구 동작구); default: none, as girok init writes")
    args = ap.parse_args()
    manifest = args.corpus / "MANIFEST.json"
    if not manifest.exists():
        print(f"SKIP: no corpus at {args.corpus} (MANIFEST.json missing)")
        return 0
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    forms = [e for e in json.loads(manifest.read_text(encoding="utf-8")) if e["kind"] == "form"]
    if args.only:
        forms = [e for e in forms if e["file"] in args.only]
    if args.files:
        forms = forms[:args.files]
    profile = load_profile(REPO / "scanner_profiles" / "default.toml")
    # the worker decodes QR codes for the e-form payload; hide them: every value must come from the text
    worker.read_codes = lambda image: []
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="girok-fields-") as tmp:
        for e in forms:
            f = args.corpus / e["file"]
            meta = json.loads(f.with_name(f.stem + ".meta.json").read_text(encoding="utf-8"))
            row = run_form(f, meta, profile, Path(tmp), tuple(args.offices))
            rows.append(row)
            miss = ", ".join(f"{k} {m['verdict']} (got {m['got']!r}, want {m['want']!r})"
                             for k, m in row["misses"].items())
            print(f"{row['file']:<18} deg {row['degradation']} {row['seconds']:5.1f}s"
                  + (f" fields {row['fields_seconds']:.2f}s" if row["fields_seconds"] is not None else "")
                  + (f"  unread {row['unread']}" if row["unread"] else "")
                  + (f"  INVALID {row['invalid']}" if row["invalid"] else "")
                  + (f"  {miss}" if miss else "  all ok"), flush=True)
    groups = {"legible (0-1)": [r for r in rows if r["degradation"] in (0, 1)],
              "damaged (2)": [r for r in rows if r["degradation"] == 2], "all": rows}
    result = {"corpus": str(args.corpus), "offices": args.offices, "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "groups": {g: tally(rs) for g, rs in groups.items()}, "forms": rows,
              "seconds": round(time.perf_counter() - t0, 1)}
    print()
    print(f"{'group':<15}{'forms':>6}" + "".join(f"{f:>14}" for f in MAIN + ("rrn",))
          + f"{'all 4':>9}{'any wrong':>11}{'invalid':>9}")
    for g, t in result["groups"].items():
        n = t["forms"]
        cells = "".join(f"{str(t[f]['ok']) + '/' + str(n) + (' w' + str(t[f]['wrong']) if t[f]['wrong'] else ''):>14}"
                        for f in MAIN + ("rrn",))
        print(f"{g:<15}{n:>6}{cells}{str(t['all4']) + '/' + str(n):>9}{t['any_wrong']:>11}{t['invalid_values']:>9}")
    fs = [r["fields_seconds"] for r in rows if r["fields_seconds"] is not None]
    print(f"\nmean per form: {sum(r['seconds'] for r in rows) / max(1, len(rows)):.1f} s"
          + (f", of which the field step {sum(fs) / len(fs):.2f} s (re-read on {sum(bool(r['reread']) for r in rows)}"
             f"/{len(rows)} forms)" if fs else "") + f"; total {result['seconds']:.0f} s")
    (args.out / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {args.out / 'result.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
