#!/usr/bin/env python3
"""OCR quality of girok per page, per file and per corpus, checked against issue 3's acceptance targets.

girok is run as a user runs it, through its CLI (the same steps as
bench/throughput.py, whose functions this script imports):

    girok --archive OUT/archive init
    girok --archive OUT/archive ingest --json --workers N FILES...   (timed: pages/min)
    girok --archive OUT/archive show ID --json --text                 (text and page_confidence per page)

Each page's text is compared with its ground-truth page (NAME.gt.txt, pages
split by form feed; RRNs masked with girok.text.pii.mask_rrn as `show` masks them;
whitespace removed as ../shared/tools/cer.py does). A page is "flagged" when
its mean word confidence is below the re-scan threshold (--threshold, else
`rescan_below` from the archive's profiles/default.toml), as girok flags it.
The script prints a per-file table, the acceptance rows of issue 3 marked
PASS/FAIL, and a calibration table of thresholds 50..95, and writes
OUT/result.json with everything, page rows included. Unless --skip-peer, the
peer baseline (../shared/tools/peer_baseline.py) runs on the same files in the
same run and is printed beside girok.

--generate SEED first makes a fresh corpus with ../shared/tools/make_corpus.py
in OUT/corpus-SEED (needs `pip install -e .[bench]`) and measures that one.

Exit status: 0 when girok ran (whatever the figures; a FAIL row is a result,
not a crash), 1 when girok itself failed to run or the corpus could not be
generated; 0 with SKIP when the corpus is missing.

usage: bench/ocr_quality.py [--corpus DIR | --generate SEED] [--out DIR] [--files N] [--only GLOB...] [--workers N]
                            [--skip-peer] [--threshold CONF] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import json
import os
import subprocess
import sys
import time
import tomllib
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import throughput as tp  # noqa: E402  (bench/throughput.py: running girok and the peer, CER tools)
from throughput import GirokFailed, NoCer, SkipCorpus, log  # noqa: E402

DEFAULT_OUT = tp.REPO / "bench" / "out" / "ocr_quality"
TEXT_DIR = tp.SHARED / "corpus" / "text"

BAD = 0.10  # a page above this CER must be flagged
READ_WELL = 0.03  # a flagged page below this CER is a false alarm
UPRIGHT = 0.50  # a page of a rotated feed counts as upright below this CER
LEGIBLE_CER, LEGIBLE_FILE, DAMAGED_CER, FALSE_ALARMS, SPEED = 0.02, 0.05, 0.10, 0.10, 2.0
CALIBRATION = range(50, 100, 5)


class GenerateFailed(Exception):
    """make_corpus.py did not produce a corpus."""


# --- corpus --------------------------------------------------------------------------


def generate(seed: int, out: Path, env: dict) -> tuple[Path, float]:
    """Run make_corpus.py into OUT/corpus-SEED with the venv's python; (folder, seconds)."""
    dest = out / f"corpus-{seed}"
    cmd = [tp.peer_python(), str(tp.TOOLS / "make_corpus.py"), str(TEXT_DIR), str(dest), "--seed", str(seed)]
    log(f"generating: {' '.join(cmd)}")
    t0 = time.monotonic()
    # cwd=out: augraphy writes its augraphy_cache/ into the working folder; keep it in OUT, wiped each run
    r = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", errors="replace", env=env, cwd=out)
    took = time.monotonic() - t0
    (out / "generate.log").write_text(r.stdout + r.stderr, encoding="utf-8")
    if r.returncode != 0 or not (dest / "MANIFEST.json").is_file():
        tail = "\n".join((r.stderr or r.stdout).strip().splitlines()[-8:])
        hint = ("\n(missing Python packages: `.venv/bin/pip install -e .[bench]`)"
                if "ModuleNotFoundError" in tail else "")
        raise GenerateFailed(f"make_corpus.py exited {r.returncode} after {took:.0f}s:\n{tail}{hint}")
    log(f"  {r.stdout.strip()} ({took:.0f}s)")
    return dest, took


def meta_of(corpus: Path, entry: dict) -> dict:
    p = corpus / (Path(entry["file"]).stem + ".meta.json")
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else entry


def degradation_of(meta: dict) -> tuple[int | None, bool]:
    """(level, inferred). Batch files carry no level: make_corpus.py degrades their pages at level 1."""
    if meta.get("degradation") is not None:
        return int(meta["degradation"]), False
    if meta.get("kind") == "batch":
        return 1, True
    return None, False


def profile_threshold(archive: Path) -> tuple[float, str]:
    """rescan_below of the archive's default profile, as girok reads it."""
    path = archive / "profiles" / "default.toml"
    ocr = tomllib.loads(path.read_text(encoding="utf-8")).get("ocr", {})
    if "rescan_below" in ocr:
        return float(ocr["rescan_below"]), f"rescan_below in {path}"
    try:
        from girok.config import load_profile
    except ImportError:
        sys.path.insert(0, str(tp.REPO))
        from girok.config import load_profile
    return float(load_profile(path).ocr.rescan_below), f"girok's default ({path} does not set rescan_below)"


# --- scoring -------------------------------------------------------------------------


def split_pages(text: str, n: int) -> list[str] | None:
    """pdftotext's output as n pages (it ends every page with a form feed), or None if it does not split so."""
    parts = text.split("\f")
    if len(parts) == n + 1 and not parts[-1].strip():
        return parts[:n]
    return parts if len(parts) == n else None


def score(gt_pages: list[str], ocr_pages: list[str], cer_tools) -> list[tuple[int, int, int]]:
    """(errors, ground-truth chars, OCR chars) per page; RRNs of the ground truth masked, whitespace removed."""
    norm, distance, mask_rrn = cer_tools
    rows = []
    for gt, ocr in zip(gt_pages, ocr_pages):
        g, o = norm(mask_rrn(gt)), norm(ocr)
        rows.append((distance(g, o), len(g), len(o)))
    return rows


def spaced(text: str) -> str:
    """NFC, every run of whitespace one space: for the CER that counts word spacing."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def spacing_errors(gt_pages: list[str], ocr_pages: list[str], cer_tools) -> list[tuple[int, int]]:
    """(errors, ground-truth chars) per page with word spaces kept: a model that splits words into syllables
    (tesseract's Hangul script model) reads as well as any with whitespace removed, and much worse here."""
    _, distance, mask_rrn = cer_tools
    return [(distance(spaced(mask_rrn(gt)), spaced(ocr)), len(spaced(mask_rrn(gt))))
            for gt, ocr in zip(gt_pages, ocr_pages)]


def ratio(err: int, n: int) -> float | None:
    return err / n if n else None


def girok_pages(entry: dict, gt_pages: list[str], docs: list[dict], notes: list[str]) -> list[dict]:
    """girok's pages of one source file, placed at their page in the original (source.pages_in_file)."""
    pages = [{"text": "", "confidence": None, "id": None} for _ in gt_pages]
    for d in docs:
        confs = d.get("page_confidence")
        if confs is None:
            notes.append(f"`girok show {d['id']}` has no page_confidence: no page of it can be flagged")
            confs = [None] * len(d["text"])
        in_file = (d.get("source") or {}).get("pages_in_file") or range(1, len(d["text"]) + 1)
        for i, (text, conf, at) in enumerate(zip(d["text"], confs, in_file)):
            k = at - 1
            if k < len(pages):
                pages[k] = {"text": text, "confidence": conf, "id": d["id"]}
            else:
                notes.append(f"{entry['file']}: {d['id']} page {i + 1} lands on page {k + 1}, beyond the "
                             f"{len(gt_pages)} ground-truth page(s); not scored")
    return pages


def page_table(corpus: Path, manifest: list[dict], g: dict | None, docs: dict, cer_tools,
               threshold: float, notes: list[str], texts_dir: Path) -> list[dict]:
    """One row per ground-truth page of every selected file."""
    rows = []
    for m in manifest:
        f = corpus / m["file"]
        meta = meta_of(corpus, m)
        level, _ = degradation_of(meta)
        gt_pages = tp.gt_text(corpus, m).split("\f")
        ds = tp.documents_of(g, docs, f) if g else []
        pages = girok_pages(m, gt_pages, ds, notes)
        (texts_dir / (f.stem + ".txt")).write_text("\f".join(p["text"] for p in pages), encoding="utf-8")
        texts = [p["text"] for p in pages]
        for i, (p, (err, n_gt, n_ocr), (sp_err, sp_gt)) in enumerate(
                zip(pages, score(gt_pages, texts, cer_tools), spacing_errors(gt_pages, texts, cer_tools)), start=1):
            c = p["confidence"]
            rows.append({"file": m["file"], "page": i, "id": p["id"], "degradation": level,
                         "fed_rotated": int(meta.get("fed_rotated") or 0), "gt_chars": n_gt, "ocr_chars": n_ocr,
                         "errors": err, "cer": ratio(err, n_gt), "confidence": c,
                         "flagged": c is not None and c < threshold,
                         "errors_with_spaces": sp_err, "gt_chars_with_spaces": sp_gt})
    return rows


def flag_stats(rows: list[dict], threshold: float) -> dict:
    """Bad pages missed and false alarms if pages below `threshold` were flagged (pages with text only)."""
    text = [r for r in rows if r["gt_chars"]]
    flagged = [r for r in text if r["confidence"] is not None and r["confidence"] < threshold]
    bad = [r for r in text if r["cer"] > BAD]
    missed = [r for r in bad if not (r["confidence"] is not None and r["confidence"] < threshold)]
    well = [r for r in flagged if r["cer"] < READ_WELL]
    return {"threshold": threshold, "pages": len(text), "flagged": len(flagged), "bad": len(bad),
            "missed": len(missed), "false_alarms": len(well),
            "false_alarm_fraction": len(well) / len(flagged) if flagged else 0.0}


def file_table(manifest: list[dict], corpus: Path, rows: list[dict], g: dict | None, docs: dict,
               peer_by_file: dict) -> list[dict]:
    out = []
    for m in manifest:
        meta = meta_of(corpus, m)
        level, inferred = degradation_of(meta)
        pr = [r for r in rows if r["file"] == m["file"]]
        confs = [r["confidence"] for r in pr if r["confidence"] is not None]
        ds = tp.documents_of(g, docs, corpus / m["file"]) if g else []
        statuses = sorted({o.get("status", "?") for o in (g["by_source"].get(str((corpus / m["file"]).resolve()), [])
                                                          if g else [])})
        out.append({
            "file": m["file"], "kind": meta.get("kind"), "degradation": level, "degradation_inferred": inferred,
            "fed_rotated": int(meta.get("fed_rotated") or 0), "pages": len(pr),
            "pages_with_text": sum(1 for r in pr if r["gt_chars"]),
            "errors": sum(r["errors"] for r in pr), "gt_chars": sum(r["gt_chars"] for r in pr),
            "cer": ratio(sum(r["errors"] for r in pr), sum(r["gt_chars"] for r in pr)),
            "min_confidence": min(confs) if confs else None,
            "flagged_pages": [r["page"] for r in pr if r["flagged"]],
            "girok_rescan_suggested": any(d.get("rescan_suggested") for d in ds),
            "ids": [d["id"] for d in ds], "status": statuses or ["no outcome"],
            "peer_cer": peer_by_file.get(m["file"]),
        })
    return out


def group_cer(rows: list[dict], levels: set[int]) -> float | None:
    sel = [r for r in rows if r["degradation"] in levels]
    return ratio(sum(r["errors"] for r in sel), sum(r["gt_chars"] for r in sel))


def peer_scores(p: dict, corpus: Path, manifest: list[dict], cer_tools) -> dict[str, dict]:
    """The peer's errors per file, page by page when its text splits into the right number of pages."""
    norm, distance, mask_rrn = cer_tools
    out = {}
    for m in manifest:
        gt_pages = tp.gt_text(corpus, m).split("\f")
        text = mask_rrn(tp.peer_text(p, m))
        pages = split_pages(text, len(gt_pages))
        if pages is not None:
            s = score(gt_pages, pages, cer_tools)
            err, n = sum(e for e, _, _ in s), sum(k for _, k, _ in s)
        else:
            g = norm(mask_rrn("\f".join(gt_pages)))
            err, n = distance(g, norm(text)), len(g)
        out[m["file"]] = {"errors": err, "gt_chars": n, "cer": ratio(err, n), "by_page": pages is not None}
    return out


# --- report --------------------------------------------------------------------------


def f4(v) -> str:
    return "-" if v is None else f"{v:.4f}"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def acceptance(rows: list[dict], files: list[dict], stats: dict, g: dict | None, p: dict | None,
               peer_by_file: dict | None, manifest: list[dict], corpus: Path) -> list[dict]:
    legible = [f for f in files if f["degradation"] in (0, 1)]
    worst = max((f for f in legible if f["cer"] is not None), key=lambda f: f["cer"], default=None)
    leg_cer, dam_cer = group_cer(rows, {0, 1}), group_cer(rows, {2})
    rotated = [r for r in rows if r["fed_rotated"] and r["gt_chars"]]
    not_upright = [r for r in rotated if r["cer"] >= UPRIGHT]
    g_ppm = g.get("pages_per_min") if g else None
    p_ppm = p.get("pages_per_min") if p else None
    speed = g_ppm / p_ppm if g_ppm and p_ppm else None

    def peer_group(levels):
        if not peer_by_file:
            return None
        sel = [peer_by_file[m["file"]] for m in manifest if degradation_of(meta_of(corpus, m))[0] in levels]
        return ratio(sum(s["errors"] for s in sel), sum(s["gt_chars"] for s in sel))

    peer_worst = None
    if peer_by_file and legible:
        peer_worst = max((peer_by_file[f["file"]]["cer"] or 0) for f in legible)
    out = [
        {"row": "legible (degradation 0-1): corpus CER", "girok": f4(leg_cer), "peer": f4(peer_group({0, 1})),
         "target": f"<= {LEGIBLE_CER}", "ok": None if leg_cer is None else leg_cer <= LEGIBLE_CER, "value": leg_cer},
        {"row": "legible: worst file CER", "girok": f4(worst and worst["cer"]) + (f" {worst['file']}" if worst else ""),
         "peer": f4(peer_worst), "target": f"<= {LEGIBLE_FILE} each",
         "ok": None if worst is None else worst["cer"] <= LEGIBLE_FILE, "value": worst and worst["cer"]},
        {"row": "damaged (degradation 2): corpus CER", "girok": f4(dam_cer), "peer": f4(peer_group({2})),
         "target": f"<= {DAMAGED_CER}", "ok": None if dam_cer is None else dam_cer <= DAMAGED_CER, "value": dam_cer},
        {"row": f"pages with CER > {BAD}: flagged", "girok": f"{stats['bad'] - stats['missed']} of {stats['bad']}"
         f" ({stats['missed']} missed)", "peer": "", "target": "all", "ok": stats["missed"] == 0,
         "value": stats["missed"]},
        {"row": f"flagged pages read well (CER < {READ_WELL})", "girok": f"{stats['false_alarms']} of "
         f"{stats['flagged']} ({stats['false_alarm_fraction']:.0%})", "peer": "", "target": f"<= {FALSE_ALARMS:.0%}",
         "ok": stats["false_alarm_fraction"] <= FALSE_ALARMS, "value": stats["false_alarm_fraction"]},
        {"row": f"rotated feeds upright (page CER < {UPRIGHT})", "girok": f"{len(rotated) - len(not_upright)} of "
         f"{len(rotated)} pages", "peer": "", "target": "all", "ok": None if not rotated else not not_upright,
         "value": len(not_upright)},
        {"row": "pages/min", "girok": "-" if g_ppm is None else f"{g_ppm:.2f}",
         "peer": "-" if p_ppm is None else f"{p_ppm:.2f}", "target": f">= {SPEED:g}x peer",
         "ok": None if speed is None else speed >= SPEED, "value": speed,
         "note": "" if speed is None else f"{speed:.2f}x"},
    ]
    all_cer = ratio(sum(r["errors"] for r in rows), sum(r["gt_chars"] for r in rows))
    peer_all = peer_group({0, 1, 2, None})
    out.append({"row": "all files: corpus CER", "girok": f4(all_cer), "peer": f4(peer_all), "target": "",
                "ok": None, "value": all_cer, "info": True})
    spaced_cer = ratio(sum(r["errors_with_spaces"] for r in rows), sum(r["gt_chars_with_spaces"] for r in rows))
    out.append({"row": "all files: CER counting word spaces", "girok": f4(spaced_cer), "peer": "", "target": "",
                "ok": None, "value": spaced_cer, "info": True})
    return out


def print_table(header: list[str], rows: list[list[str]], right: set[int]) -> None:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    for r in [header, *rows]:
        log("  ".join(f"{c:>{w}}" if i in right else f"{c:{w}}" for i, (c, w) in enumerate(zip(r, widths))).rstrip())


def print_files(files: list[dict], threshold: float, with_peer: bool) -> None:
    header = ["file", "deg", "rot", "pages", "CER", "min conf", f"flagged (< {threshold:g})", "girok flag"]
    header += ["peer CER"] if with_peer else []
    rows = []
    for f in files:
        deg = "?" if f["degradation"] is None else f"{f['degradation']}{'*' if f['degradation_inferred'] else ''}"
        row = [f["file"], deg, str(f["fed_rotated"]), str(f["pages"]), f4(f["cer"]),
               "-" if f["min_confidence"] is None else f"{f['min_confidence']:.1f}",
               f"p.{','.join(map(str, f['flagged_pages']))}" if f["flagged_pages"] else "-",
               "yes" if f["girok_rescan_suggested"] else "no"]
        row += [f4(f["peer_cer"] and f["peer_cer"]["cer"])] if with_peer else []
        rows.append(row + [",".join(s for s in f["status"] if s != "archived")])
    print_table(header + [""], rows, {1, 2, 3, 4, 5, 8} if with_peer else {1, 2, 3, 4, 5})
    if any(f["degradation_inferred"] for f in files):
        log("* batch file: its meta.json gives no degradation; make_corpus.py degrades batch pages at level 1")


def kind_table(files: list[dict]) -> list[dict]:
    """Corpus CER by kind of document (article, form, batch) and legibility, from the file rows."""
    out = []
    for kind in sorted({f["kind"] or "?" for f in files}):
        row: dict = {"kind": kind}
        for name, levels in (("legible", {0, 1}), ("damaged", {2})):
            sel = [f for f in files if (f["kind"] or "?") == kind and f["degradation"] in levels]
            row[name] = ratio(sum(f["errors"] for f in sel), sum(f["gt_chars"] for f in sel))
            row[f"{name}_pages"] = sum(f["pages_with_text"] for f in sel)
        out.append(row)
    return out


def print_kinds(kinds: list[dict]) -> None:
    log("by kind of document: corpus CER (pages with text)")
    print_table(["kind", "legible", "damaged"], [
        [k["kind"], f"{f4(k['legible'])} ({k['legible_pages']})", f"{f4(k['damaged'])} ({k['damaged_pages']})"]
        for k in kinds], {1, 2})


def print_acceptance(rows: list[dict]) -> None:
    w0 = max(len(r["row"]) for r in rows)
    w1 = max(len("girok"), *(len(r["girok"]) for r in rows))
    w2 = max(len("peer"), *(len(r["peer"]) for r in rows))
    w3 = max(len("target"), *(len(r["target"]) for r in rows))
    log(f"{'acceptance (issue 3)':{w0}}  {'girok':>{w1}}  {'peer':>{w2}}  {'target':{w3}}")
    for r in rows:
        mark = "" if r.get("info") else verdict(r["ok"])
        extra = f" ({r['note']})" if r.get("note") else ""
        log(f"{r['row']:{w0}}  {r['girok']:>{w1}}  {r['peer']:>{w2}}  {r['target']:{w3}}  {mark}{extra}")


def print_pages(title: str, rows: list[dict]) -> None:
    if not rows:
        return
    log(title)
    for r in rows:
        conf = "-" if r["confidence"] is None else f"{r['confidence']:.1f}"
        log(f"  {r['file']} p.{r['page']}: CER {f4(r['cer'])}, confidence {conf}, "
            f"{'flagged' if r['flagged'] else 'NOT flagged'} (degradation {r['degradation']}, "
            f"rotated {r['fed_rotated']})")


def print_calibration(table: list[dict], threshold: float) -> None:
    log(f"calibration: what each rescan_below would do (pages with text; bad = CER > {BAD}, "
        f"false alarm = flagged with CER < {READ_WELL})")
    log("threshold  flagged  bad missed  false alarms")
    for c in table:
        mark = "  <- evaluated threshold" if c["threshold"] == threshold else ""
        log(f"{c['threshold']:>9g}  {c['flagged']:>7}  {c['missed']:>3} of {c['bad']:<3}  "
            f"{c['false_alarms']:>3} of {c['flagged']:<3} ({c['false_alarm_fraction']:4.0%}){mark}")
    good = [c["threshold"] for c in table if c["missed"] == 0 and c["false_alarm_fraction"] <= FALSE_ALARMS]
    log("thresholds meeting both targets (no bad page missed, <= 10% false alarms): "
        + (", ".join(f"{t:g}" for t in good) if good else "none"))


# --- main ----------------------------------------------------------------------------


def run(args) -> tuple[int, dict]:
    env = tp.child_env()
    out = args.out.resolve()
    notes: list[str] = []
    result: dict = {"notes": notes}
    if args.generate is not None:
        tp.fresh_out(out, "bench/ocr_quality.py")
        try:
            corpus, took = generate(args.generate, out, env)
        except GenerateFailed as exc:
            log(f"GENERATE FAILED: {exc}")
            result["generate"] = {"seed": args.generate, "error": str(exc)}
            (out / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            return 1, result
        result["generate"] = {"seed": args.generate, "corpus": str(corpus), "seconds": took}
    else:
        corpus = args.corpus.resolve()
    try:
        full_manifest, manifest, files = tp.select_corpus(corpus, args.files)
        if args.only:
            manifest = [m for m in manifest if any(fnmatch.fnmatch(m["file"], pat) for pat in args.only)]
            files = [corpus / m["file"] for m in manifest]
            if not manifest:
                raise SkipCorpus(f"no file of {corpus} matches --only {' '.join(args.only)}")
    except SkipCorpus as exc:
        log(f"SKIP: {exc}")
        return 0, {"skip": str(exc)}
    if args.generate is None:
        tp.fresh_out(out, "bench/ocr_quality.py")
    try:
        cer_tools = tp.load_cer_tools()
    except NoCer as exc:
        log(f"CER cannot be computed, which is all this benchmark does: {exc}")
        return 1, {"error": str(exc)}
    manifest_pages = sum(int(m["pages"]) for m in manifest)
    log(f"corpus {corpus}: {len(manifest)} of {len(full_manifest)} file(s), {manifest_pages} page(s); out {out}")
    result.update({"corpus": str(corpus), "files": len(manifest), "manifest_pages": manifest_pages,
                   "workers": args.workers, "cpu_count": os.cpu_count()})
    notes += [
        "girok's text comes from `girok show --json --text`, which masks RRNs; the ground truth is masked with "
        "girok.text.pii.mask_rrn before comparing (the peer's text and ground truth are both masked)",
        f"CER = sum of page edit distances / sum of ground-truth page lengths, whitespace removed (cer.norm); "
        f"a page is bad above {BAD}, read well below {READ_WELL}, upright below {UPRIGHT}",
        "pages without ground-truth text (blank backs, separator sheets) have no CER: they count in the corpus "
        "figures only through characters girok invents on them, and not in the flag rows",
    ]

    g = None
    docs: dict = {}
    girok_error = None
    threshold, threshold_from = args.threshold, "--threshold"
    try:
        girok = tp.find_girok()
        archive = out / "archive"
        g = tp.run_girok(girok, archive, files, args.workers, out, env, args.profile)
        g["pages_per_min"] = g["pages"] / g["wall_s"] * 60 if g["wall_s"] > 0 else None
        if threshold is None:
            threshold, threshold_from = profile_threshold(archive)
        ids = sorted({o["id"] for outs in g["by_source"].values() for o in outs
                      if o.get("status") in ("archived", "duplicate") and o.get("id")})
        docs = tp.girok_texts(girok, archive, ids, env)
    except GirokFailed as exc:
        girok_error = str(exc)
        result["girok_error"] = girok_error
        log(f"GIROK FAILED: {girok_error}")
        if threshold is None:
            threshold, threshold_from = 70.0, "fallback (girok did not run)"
    result["threshold"] = {"value": threshold, "from": threshold_from}
    log(f"re-scan threshold evaluated: {threshold:g} ({threshold_from})")

    texts_dir = out / "girok-text"
    texts_dir.mkdir()
    if girok_error:
        g, docs = None, {}  # score what there is: every page unread
    rows = page_table(corpus, manifest, g, docs, cer_tools, threshold, notes, texts_dir)

    p = peer_by_file = None
    if args.skip_peer:
        log("peer: skipped (--skip-peer)")
    else:
        p = tp.run_peer(tp.peer_corpus(corpus, manifest, len(manifest) == len(full_manifest), out), out, env)
        if "error" in p:
            log(f"peer: not measured: {p['error']}")
            result["peer_error"] = p["error"]
            p = None
        else:
            tp.score_peer(p, corpus, manifest, cer_tools, notes)
            peer_by_file = peer_scores(p, corpus, manifest, cer_tools)

    files_rows = file_table(manifest, corpus, rows, g, docs, peer_by_file or {})
    stats = flag_stats(rows, threshold)
    accept = acceptance(rows, files_rows, stats, g, p, peer_by_file, manifest, corpus)
    calib = [flag_stats(rows, t) for t in CALIBRATION]
    bad = [r for r in rows if r["gt_chars"] and r["cer"] > BAD]
    alarms = [r for r in rows if r["gt_chars"] and r["flagged"] and r["cer"] < READ_WELL]
    not_upright = [r for r in rows if r["fed_rotated"] and r["gt_chars"] and r["cer"] >= UPRIGHT]
    blank = [r for r in rows if not r["gt_chars"]]

    if g and threshold_from != "--threshold":
        for f in files_rows:
            if f["girok_rescan_suggested"] != bool(f["flagged_pages"]):
                notes.append(f"{f['file']}: girok's rescan_suggested is {f['girok_rescan_suggested']} but "
                             f"{len(f['flagged_pages'])} page(s) are below {threshold:g}")
    if blank:
        notes.append(f"pages without ground-truth text: {len(blank)}, of which {sum(r['flagged'] for r in blank)} "
                     f"flagged and {sum(1 for r in blank if r['ocr_chars'])} with invented text "
                     f"({sum(r['ocr_chars'] for r in blank)} chars)")
    if g and g["pages"] != manifest_pages:
        notes.append(f"girok archived {g['pages']} of {manifest_pages} manifest page(s)")

    g_public = {k: v for k, v in g.items() if k != "by_source"} if g else None
    kinds = kind_table(files_rows)
    result.update({"girok": g_public, "peer": p, "per_file": files_rows, "per_page": rows, "flags": stats,
                   "acceptance": accept, "calibration": calib, "by_kind": kinds})

    log("")
    print_files(files_rows, threshold, p is not None)
    if g_public and (g_public["quarantined"] or g_public["no_outcome"]):
        log(f"girok failures: quarantined {[Path(s).name for s in g_public['quarantined']]}, no outcome "
            f"{[Path(s).name for s in g_public['no_outcome']]} (reasons in {out / 'archive' / 'quarantine'})")
    log("")
    print_kinds(kinds)
    log("")
    print_acceptance(accept)
    if g_public:
        log(f"girok: {g_public['pages']} page(s) in {g_public['wall_s']:.1f}s wall, {args.workers} worker(s) on "
            f"{os.cpu_count()} CPU(s)" + (f"; peer: {p['pages']} page(s) in {p['wall_s']:.1f}s, 2 in parallel"
                                            if p else ""))
    log("")
    print_pages(f"pages with CER > {BAD}:", bad)
    print_pages(f"flagged pages read well (CER < {READ_WELL}):", alarms)
    print_pages(f"rotated pages not upright (CER >= {UPRIGHT}):", not_upright)
    log("")
    print_calibration(calib, threshold)
    log("")
    for n in notes:
        log(f"note: {n}")
    (out / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    log(f"wrote {out / 'result.json'}")
    return (1 if girok_error else 0), result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    tp.add_common_args(ap, DEFAULT_OUT)
    ap.add_argument("--threshold", type=float, metavar="CONF",
                    help="re-scan threshold to evaluate (default: rescan_below of the archive's default profile)")
    ap.add_argument("--generate", type=int, metavar="SEED",
                    help="first make a fresh corpus OUT/corpus-SEED with make_corpus.py, and measure it "
                         "(instead of --corpus)")
    ap.add_argument("--only", nargs="+", metavar="GLOB",
                    help="only the manifest files matching one of these patterns (e.g. 'form-*' 'article-11-0[01]*')")
    ap.add_argument("--json", action="store_true", help="print result.json on stdout (the report goes to stderr)")
    args = ap.parse_args()
    if not args.json:
        return run(args)[0]
    with contextlib.redirect_stdout(sys.stderr):
        rc, result = run(args)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return rc


if __name__ == "__main__":
    sys.exit(main())
