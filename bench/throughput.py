#!/usr/bin/env python3
"""Throughput and accuracy of girok end to end, side by side with the peer baseline.

girok is run the way a user runs it, as subprocesses of its CLI:

    girok --archive OUT/archive init
    girok --archive OUT/archive ingest --json --workers N FILES...   (timed)
    girok --archive OUT/archive show ID --json --text                 (per document, for the CER)

The timed step covers everything `ingest` does: claim, OCR to PDF/A, store,
catalog and search index. Then, unless --skip-peer, the peer baseline
(/work/shared/tools/peer_baseline.py: img2pdf + OCRmyPDF with the peer's
defaults, 2 documents in parallel) runs over the same files in the same run.

Corpus CER is computed as peer_baseline.py does: sum of Levenshtein distances
over the sum of ground-truth lengths, after cer.norm (NFC, whitespace removed).
`girok show --text` masks resident registration numbers (YYMMDD-G******), so
girok's text is compared with ground truth masked by girok.text.pii.mask_rrn. The
peer's own figure uses unmasked text; the peer's CER is also recomputed with
masking on both sides so the two columns can be compared like for like.

Writes OUT/result.json. Exit status is non-zero only when girok itself
failed to run (init/ingest/show crashed or printed no usable output), never
because of a speed or accuracy figure. Exit 0 with a message when the corpus
is missing.

bench/ocr_quality.py imports this module (running girok and the peer, corpus
selection, CER tools): keep those functions' signatures, or change both.

Then, unless --skip-floor, the bare-OCR floor in the same run: tesseract
alone with girok's recognition settings (the profile's Korean model, page
segmentation and tesseract variables) on the page images, 2 at once; girok's
pages/min is printed as a share of the floor's.

usage: bench/throughput.py [--corpus DIR] [--out DIR] [--skip-peer] [--skip-floor] [--files N] [--workers N]
                           [--profile TOML]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GIROK_SHARED") or REPO / ".." / "shared").resolve()  # as tests/conftest.py
DEFAULT_CORPUS = SHARED / "corpus" / "dev"
TOOLS = SHARED / "tools"
DEFAULT_OUT = REPO / "bench" / "out" / "throughput"
MARKER = ".girok-bench-output"  # only folders carrying this marker (or empty ones) are wiped
PEER_LAST_LINE = re.compile(
    r"pages=(?P<pages>\d+) wall=(?P<wall>[\d.]+)s pages_per_min=(?P<ppm>[\d.]+) "
    r"corpus_CER=(?P<cer>[\d.]+) failures=(?P<failures>\d+)"
)
PEER_FILE_LINE = re.compile(r"^(?P<name>\S+)\s+rc=(?P<rc>-?\d+)\s")

RAPIDFUZZ_HINT = (f"rapidfuzz is missing: install it with `{REPO / '.venv' / 'bin' / 'pip'} install rapidfuzz` "
                  "(or `pip install rapidfuzz` in the interpreter you run this script with)")


def children_cpu() -> float:
    """User + system CPU seconds of this process's finished children (and theirs, once waited for)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class GirokFailed(Exception):
    """girok itself did not run (as opposed to running and quarantining files)."""


class NoCer(Exception):
    """CER cannot be computed here (rapidfuzz or shared/tools/cer.py missing): a bench problem, not girok's."""


class SkipCorpus(Exception):
    """The corpus folder is missing or incomplete: nothing to measure (the script says SKIP and exits 0)."""


def log(msg: str = "") -> None:
    print(msg, flush=True)


# --- environment ---------------------------------------------------------------


def venv_bin() -> Path:
    """The bin folder of the interpreter running us (the venv's when run as .venv/bin/python)."""
    here = Path(sys.executable).parent
    if (here / "girok").exists():
        return here
    return REPO / ".venv" / "bin"


def find_girok() -> str:
    cand = venv_bin() / "girok"
    if cand.exists():
        return str(cand)
    found = shutil.which("girok")
    if found:
        return found
    raise GirokFailed(f"girok command not found (looked in {venv_bin()} and PATH); "
                      "install the project: `python -m venv .venv && .venv/bin/pip install -e .`")


def peer_python() -> str:
    cand = venv_bin() / "python"
    return str(cand) if cand.exists() else sys.executable


def child_env() -> dict:
    """Same environment for girok and the peer: the venv's bin first on PATH (img2pdf, ocrmypdf live there)."""
    env = dict(os.environ)
    env["PATH"] = str(venv_bin()) + os.pathsep + env.get("PATH", "")
    env.pop("GIROK_ARCHIVE", None)
    env["GIROK_LANG"] = "en"  # the benches read girok's English lines (girok init writes language = "ko")
    return env


def load_cer_tools():
    """cer.norm from the shared tools, Levenshtein from rapidfuzz, mask_rrn from girok."""
    sys.path.insert(0, str(TOOLS))
    try:
        from rapidfuzz.distance import Levenshtein
        from cer import norm  # noqa: E402  (shared/tools/cer.py)
    except ImportError as exc:
        if "rapidfuzz" in str(exc):
            raise NoCer(RAPIDFUZZ_HINT) from None
        raise NoCer(f"cannot import {TOOLS / 'cer.py'}: {exc}") from None
    try:
        from girok.text.pii import mask_rrn
    except ImportError:
        sys.path.insert(0, str(REPO))
        from girok.text.pii import mask_rrn
    return norm, Levenshtein.distance, mask_rrn


# --- output folder -------------------------------------------------------------


def fresh_out(out: Path, made_by: str = "bench/throughput.py") -> None:
    if out.exists():
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise SystemExit(f"refusing to wipe {out}: it is not empty and was not made by this benchmark "
                             f"(no {MARKER} file). Give another --out or remove it yourself.")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text(f"made by {made_by}; wiped at the start of every run\n")


# --- corpus and options --------------------------------------------------------------


def add_common_args(ap: argparse.ArgumentParser, default_out: Path) -> None:
    """--corpus, --out, --skip-peer, --files, --workers: the options every benchmark here shares."""
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"corpus folder (default {DEFAULT_CORPUS})")
    ap.add_argument("--out", type=Path, default=default_out, help=f"output folder, wiped first (default {default_out})")
    ap.add_argument("--skip-peer", action="store_true", help="do not run the peer baseline")
    ap.add_argument("--files", type=int, default=0, metavar="N", help="only the first N manifest entries")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, metavar="N",
                    help="girok ingest --workers (default: CPU count, here %(default)s)")
    ap.add_argument("--profile", type=Path, metavar="TOML",
                    help="scanner profile to measure: replaces the fresh archive's profiles/default.toml "
                         "(default: the one `girok init` writes)")


def select_corpus(corpus: Path, n: int) -> tuple[list[dict], list[dict], list[Path]]:
    """(whole manifest, first n entries or all when n <= 0, their files); SkipCorpus when there is nothing to run."""
    if not (corpus / "MANIFEST.json").is_file():
        raise SkipCorpus(f"no corpus at {corpus} (MANIFEST.json missing); give --corpus DIR to benchmark another one.")
    full_manifest = json.loads((corpus / "MANIFEST.json").read_text(encoding="utf-8"))
    manifest = full_manifest[:n] if n > 0 else full_manifest
    files = [corpus / m["file"] for m in manifest]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise SkipCorpus(f"corpus {corpus} is incomplete; missing {', '.join(missing[:5])}")
    return full_manifest, manifest, files


# --- girok -------------------------------------------------------------------------


def run_girok(girok: str, archive: Path, files: list[Path], workers: int, out: Path, env: dict,
              profile: Path | None = None) -> dict:
    init = subprocess.run([girok, "--archive", str(archive), "init"], capture_output=True, text=True, env=env)
    if init.returncode != 0:
        raise GirokFailed(f"`girok init` exited {init.returncode}:\n{init.stderr.strip() or init.stdout.strip()}")
    if profile is not None:
        shutil.copyfile(profile, archive / "profiles" / "default.toml")

    cmd = [girok, "--archive", str(archive), "ingest", "--json", "--workers", str(workers), *map(str, files)]
    log(f"girok: ingesting {len(files)} file(s) with {workers} worker(s)...")
    outcomes: list[dict] = []
    bad_lines: list[str] = []
    stderr_path = out / "girok-ingest.stderr.txt"
    with open(stderr_path, "w", encoding="utf-8") as err_f:
        t0, cpu0 = time.monotonic(), children_cpu()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err_f, text=True, encoding="utf-8", env=env)
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                o = json.loads(line)
            except json.JSONDecodeError:
                bad_lines.append(line)
                continue
            outcomes.append(o)
            extra = f"{o.get('id')} ({o.get('pages')} p.)" if o.get("status") != "quarantined" else o.get("reason")
            log(f"  {o.get('status', '?'):11s} {Path(str(o.get('file'))).name:24s} {extra}  "
                f"[{time.monotonic() - t0:6.1f}s]")
        rc = proc.wait()
        wall, cpu = time.monotonic() - t0, children_cpu() - cpu0
    (out / "girok-ingest.jsonl").write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in outcomes),
                                            encoding="utf-8")
    if rc not in (0, 10):  # 10: some file was quarantined, which is a result, not a crash
        tail = stderr_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-15:]
        raise GirokFailed(f"`girok ingest` exited {rc} after {wall:.1f}s; stderr ({stderr_path}) ends:\n"
                          + "\n".join(tail))
    if bad_lines:
        raise GirokFailed(f"`girok ingest --json` printed {len(bad_lines)} non-JSON line(s), e.g. {bad_lines[0]!r}")

    by_source: dict[str, list[dict]] = {}
    for o in outcomes:
        by_source.setdefault(str(Path(o["file"]).resolve()), []).append(o)
    archived = [o for o in outcomes if o.get("status") == "archived"]
    duplicates = [o for o in outcomes if o.get("status") == "duplicate"]
    quarantined = sorted({o["file"] for o in outcomes if o.get("status") == "quarantined"})
    unsettled = [str(f) for f in files if str(f.resolve()) not in by_source]
    pages = sum(int(o.get("pages") or 0) for o in archived)
    return {
        "exit_code": rc, "wall_s": wall, "cpu_s": cpu, "pages": pages,
        "documents": len(archived), "duplicates": len(duplicates),
        "failures": len(quarantined) + len(unsettled),
        "quarantined": quarantined, "no_outcome": unsettled,
        "by_source": by_source,
    }


def documents_of(g: dict, docs: dict[str, dict], f: Path) -> list[dict]:
    """The `show` records of the documents girok made from source file f, in page order."""
    outs = [o for o in g["by_source"].get(str(f.resolve()), [])
            if o.get("status") in ("archived", "duplicate") and o.get("id")]
    return sorted((docs[o["id"]] for o in outs), key=lambda d: (d.get("first_page_in_original") or 0, d["id"]))


def girok_texts(girok: str, archive: Path, ids: list[str], env: dict) -> dict[str, dict]:
    docs = {}
    for reg in ids:
        r = subprocess.run([girok, "--archive", str(archive), "show", reg, "--json", "--text"],
                           capture_output=True, text=True, encoding="utf-8", env=env)
        if r.returncode != 0:
            raise GirokFailed(f"`girok show {reg} --json --text` exited {r.returncode}: {r.stderr.strip()}")
        try:
            d = json.loads(r.stdout)
        except json.JSONDecodeError:
            raise GirokFailed(f"`girok show {reg} --json --text` printed no JSON: {r.stdout[:200]!r}") from None
        if not isinstance(d.get("text"), list):
            raise GirokFailed(f"`girok show {reg} --json --text` has no list field 'text'")
        docs[reg] = d
    return docs


# --- CER -----------------------------------------------------------------------------


def corpus_cer(pairs, norm, distance) -> tuple[float, list[float]]:
    """pairs: (gt, ocr) per file. Sum of edit distances / sum of gt lengths, as peer_baseline.py."""
    tot_err = tot_gt = 0
    per_file = []
    for gt, ocr in pairs:
        g, o = norm(gt), norm(ocr)
        d = distance(g, o)
        tot_err += d
        tot_gt += len(g)
        per_file.append(d / max(1, len(g)))
    return tot_err / max(1, tot_gt), per_file


def gt_text(corpus: Path, entry: dict) -> str:
    return (corpus / (Path(entry["file"]).stem + ".gt.txt")).read_text(encoding="utf-8")


# --- peer ------------------------------------------------------------------------------


def peer_corpus(corpus: Path, manifest: list[dict], full: bool, out: Path) -> Path:
    """The corpus itself, or (for --files N) a folder with the first N entries: symlinks and a trimmed manifest."""
    if full:
        return corpus
    sub = out / "peer-corpus"
    sub.mkdir()
    for m in manifest:
        stem = Path(m["file"]).stem
        for name in (m["file"], stem + ".gt.txt", stem + ".meta.json"):
            if (corpus / name).exists():
                (sub / name).symlink_to((corpus / name).resolve())
    (sub / "MANIFEST.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return sub


def peer_text(p: dict, entry: dict) -> str:
    """The text the peer extracted for a manifest entry ('' when it produced none)."""
    t = Path(p["text_dir"]) / (Path(entry["file"]).stem + ".txt")
    return t.read_text(encoding="utf-8") if t.exists() else ""


def score_peer(p: dict, corpus: Path, manifest: list[dict], cer_tools, notes: list[str]) -> None:
    """Add the peer's CER with RRNs masked on both sides; note when our recomputation disagrees with the peer's."""
    norm, distance, mask_rrn = cer_tools
    pairs_raw, pairs_masked = [], []
    for m in manifest:
        o = peer_text(p, m)
        gt = gt_text(corpus, m)
        pairs_raw.append((gt, o))
        pairs_masked.append((mask_rrn(gt), mask_rrn(o)))
    check, _ = corpus_cer(pairs_raw, norm, distance)
    p["cer_masked"], _ = corpus_cer(pairs_masked, norm, distance)
    if abs(check - p["cer"]) > 1e-3:
        notes.append(f"recomputed peer CER {check:.4f} differs from the peer's own {p['cer']:.4f}")


def run_peer(corpus: Path, out: Path, env: dict) -> dict:
    tool = TOOLS / "peer_baseline.py"
    py = peer_python()
    if not tool.exists():
        return {"error": f"{tool} not found"}
    check = subprocess.run([py, "-c", "import rapidfuzz"], capture_output=True, text=True, env=env)
    if check.returncode != 0:
        return {"error": RAPIDFUZZ_HINT.replace(str(REPO / '.venv' / 'bin' / 'pip'), str(Path(py).parent / "pip"))}
    peer_out = out / "peer"
    log(f"peer: {py} {tool} {corpus} {peer_out}")
    t0 = time.monotonic()
    proc = subprocess.Popen([py, str(tool), str(corpus), str(peer_out)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace", env=env)
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        log("  " + lines[-1])
    rc = proc.wait()
    outer_wall = time.monotonic() - t0
    (out / "peer.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    last = next((line for line in reversed(lines) if line.strip()), "")
    m = PEER_LAST_LINE.search(last)
    if rc != 0 or not m:
        return {"error": f"peer_baseline.py exited {rc}; last line: {last!r} (full output in {out / 'peer.log'})"}
    files_rc = {fm["name"]: int(fm["rc"]) for fm in map(PEER_FILE_LINE.match, lines) if fm}
    return {"pages": int(m["pages"]), "wall_s": float(m["wall"]), "pages_per_min": float(m["ppm"]),
            "cer": float(m["cer"]), "failures": int(m["failures"]), "outer_wall_s": outer_wall,
            "file_rc": files_rc, "text_dir": str(peer_out), "last_line": last}


# --- bare-OCR floor ----------------------------------------------------------------------

FLOOR_JOBS = 2  # tesseract processes at once, as the peer runs 2 documents at once


def page_images(files: list[Path], dest: Path) -> list[Path]:
    """Every page of the corpus files as a PNG at its scan resolution, untimed: images frame by frame
    (Pillow), PDFs through pdftoppm at the resolution of their page image (pdfimages -list)."""
    from PIL import Image, ImageSequence

    out = []
    for f in files:
        if f.suffix.lower() == ".pdf":
            listed = subprocess.run(["pdfimages", "-list", str(f)], capture_output=True, text=True).stdout
            dpis = [int(line.split()[12]) for line in listed.splitlines()[2:] if len(line.split()) > 12]
            prefix = dest / f.stem
            subprocess.run(["pdftoppm", "-r", str(max(dpis, default=300)), "-png", str(f), str(prefix)], check=True)
            out += sorted(dest.glob(f"{f.stem}-*.png"))
            continue
        with Image.open(f) as im:
            dpi = im.info.get("dpi", (300, 300))
            for i, frame in enumerate(ImageSequence.Iterator(im)):
                path = dest / f"{f.stem}-{i + 1:03d}.png"
                frame.save(path, dpi=(int(dpi[0]), int(dpi[1])))
                out.append(path)
    return out


def recognition_args(profile: Path) -> list[str]:
    """tesseract's arguments for recognizing a page as girok's profile does: its Korean model (girok reads
    every page with it; only pages likely to hold English are read again with every language), page
    segmentation, tesseract variables, and the text-only PDF + text + TSV outputs."""
    try:
        from girok.config import load_profile
        from girok.ocr.plugin import KOREAN_MODELS
    except ImportError:
        sys.path.insert(0, str(REPO))
        from girok.config import load_profile
        from girok.ocr.plugin import KOREAN_MODELS
    ocr = load_profile(profile).ocr
    lang = next((x for x in ocr.languages if x in KOREAN_MODELS), "+".join(ocr.languages))
    args = ["-l", lang] + (["--psm", str(ocr.pagesegmode)] if ocr.pagesegmode is not None else [])
    for name, value in ocr.tesseract_variables:
        args += ["-c", f"{name}={value}"]
    return args + ["-c", "textonly_pdf=1"]


def run_floor(files: list[Path], profile: Path, out: Path, env: dict, pages: int) -> dict:
    """The bare-OCR floor: tesseract alone, with girok's recognition settings, on the page images,
    FLOOR_JOBS pages at once; only the recognition is timed."""
    work = Path(tempfile.mkdtemp(prefix="floor-", dir=out))
    images = page_images(files, work)
    args = recognition_args(profile)
    tess_env = dict(env, OMP_THREAD_LIMIT="1")

    def one(img: Path) -> int:
        base = img.with_suffix("")
        return subprocess.run(["tesseract", str(img), str(base), *args, "pdf", "txt", "tsv"],
                              capture_output=True, env=tess_env).returncode

    log(f"floor: tesseract {' '.join(args)} on {len(images)} page image(s), {FLOOR_JOBS} at once...")
    t0, cpu0 = time.monotonic(), children_cpu()
    with ThreadPoolExecutor(FLOOR_JOBS) as pool:
        rcs = list(pool.map(one, images))
    wall, cpu = time.monotonic() - t0, children_cpu() - cpu0
    shutil.rmtree(work, ignore_errors=True)
    return {"pages": len(images), "wall_s": wall, "cpu_s": cpu, "pages_per_min": pages / wall * 60 if wall > 0 else None,
            "failures": sum(1 for rc in rcs if rc != 0), "tesseract_args": args, "jobs": FLOOR_JOBS}


# --- report --------------------------------------------------------------------------------


def fmt(v, kind):
    if v is None:
        return "-"
    if kind == "int":
        return str(v)
    if kind == "s":
        return f"{v:.1f}"
    if kind == "ppm":
        return f"{v:.2f}"
    if kind == "cer":
        return f"{v:.4f}"
    return str(v)


def print_table(g: dict, p: dict | None, ratio: float | None, manifest_pages: int, floor: dict | None = None,
                floor_ratio: float | None = None) -> None:
    fl = floor or {}
    rows = [
        ("pages (manifest)", manifest_pages, manifest_pages if p else None, manifest_pages if floor else None, "int"),
        ("pages archived", g["pages"], p and p.get("pages"), fl.get("pages"), "int"),
        ("wall seconds", g["wall_s"], p and p.get("wall_s"), fl.get("wall_s"), "s"),
        ("input pages/min", g["pages_per_min"], p and p.get("pages_per_min"), fl.get("pages_per_min"), "ppm"),
        ("CPU seconds (user+sys)", g.get("cpu_s"), None, fl.get("cpu_s"), "s"),
        ("corpus CER", g["cer"], p and p.get("cer"), None, "cer"),
        ("corpus CER, RRNs masked", g["cer"], p and p.get("cer_masked"), None, "cer"),
        ("failures", g["failures"], p and p.get("failures"), fl.get("failures"), "int"),
    ]
    w0 = max(len(r[0]) for r in rows)
    log(f"{'':{w0}}  {'girok':>10}  {'peer':>10}  {'OCR floor':>10}")
    for label, gv, pv, fv, kind in rows:
        log(f"{label:{w0}}  {fmt(gv, kind):>10}  {fmt(pv, kind):>10}  {fmt(fv, kind):>10}")
    log(f"{'speed girok/OCR floor':{w0}}  {(f'{floor_ratio:.0%}' if floor_ratio else '-'):>10}")
    if g.get("cpu_s") and fl.get("cpu_s"):  # CPU time is less disturbed by other load than wall time
        log(f"{'CPU girok/OCR floor':{w0}}  {fl['cpu_s'] / g['cpu_s']:>10.0%}")
    log(f"{'speed ratio girok/peer':{w0}}  {(f'{ratio:.2f}x' if ratio else '-'):>10}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_args(ap, DEFAULT_OUT)
    ap.add_argument("--skip-floor", action="store_true", help="do not time the bare-OCR floor")
    args = ap.parse_args()

    corpus = args.corpus.resolve()
    try:
        full_manifest, manifest, files = select_corpus(corpus, args.files)
    except SkipCorpus as exc:
        log(f"SKIP: {exc}")
        return 0
    full = len(manifest) == len(full_manifest)
    manifest_pages = sum(int(m["pages"]) for m in manifest)
    out = args.out.resolve()
    fresh_out(out)
    env = child_env()
    notes = [
        "girok text comes from `girok show --json --text`, which masks RRNs (YYMMDD-G******); "
        "girok's CER is against ground truth masked with girok.text.pii.mask_rrn",
        "girok pages = pages archived (from ingest --json); peer pages = manifest pages, failed files included",
        "peer_baseline.py always runs 2 documents in parallel; girok ran with --workers "
        f"{args.workers} on {os.cpu_count()} CPU(s)",
    ]
    log(f"corpus {corpus}: {len(manifest)} of {len(full_manifest)} file(s), {manifest_pages} page(s); out {out}")

    result: dict = {"corpus": str(corpus), "files": len(manifest), "manifest_pages": manifest_pages,
                    "workers": args.workers, "cpu_count": os.cpu_count(), "girok": None, "peer": None,
                    "speed_ratio_girok_over_peer": None, "notes": notes}
    girok_error = None
    g_public = None
    try:
        cer_tools = load_cer_tools()
    except NoCer as exc:
        cer_tools = None
        notes.append(f"CER not computed: {exc}")
        log(f"WARNING: CER not computed: {exc}")
    try:
        girok = find_girok()
        archive = out / "archive"
        g = run_girok(girok, archive, files, args.workers, out, env, args.profile)
        # Both sides are timed over the same input pages: girok drops separator sheets and
        # blank backs from what it archives, which must not count against its speed.
        g["pages_per_min"] = manifest_pages / g["wall_s"] * 60 if g["wall_s"] > 0 else None
        ids = [o["id"] for outs in g["by_source"].values() for o in outs
               if o.get("status") in ("archived", "duplicate") and o.get("id")]
        docs = girok_texts(girok, archive, sorted(set(ids)), env)
        pairs, per_file_rows = [], []
        texts_dir = out / "girok-text"
        texts_dir.mkdir()
        for m, f in zip(manifest, files):
            ds = documents_of(g, docs, f)
            ocr = "\n".join(page for d in ds for page in d["text"])
            (texts_dir / (Path(m["file"]).stem + ".txt")).write_text(ocr, encoding="utf-8")
            gt = gt_text(corpus, m)
            pairs.append((cer_tools[2](gt) if cer_tools else gt, ocr))
            per_file_rows.append({"file": m["file"], "pages": m["pages"], "ids": [d["id"] for d in ds],
                                  "status": sorted({o["status"] for o in g["by_source"].get(str(f.resolve()), [])})})
        g["cer"] = None
        if cer_tools:
            g["cer"], per_cer = corpus_cer(pairs, cer_tools[0], cer_tools[1])
            for row, c in zip(per_file_rows, per_cer):
                row["cer"] = c
        g_public = {k: v for k, v in g.items() if k != "by_source"}
        g_public["per_file"] = per_file_rows
        result["girok"] = g_public
        if g["pages"] != manifest_pages:
            notes.append(f"girok archived {g['pages']} of {manifest_pages} input page(s): separator sheets and blank backs are not archived; pages/min counts input pages for both")
    except GirokFailed as exc:
        girok_error = str(exc)
        result["girok_error"] = girok_error
        log(f"GIROK FAILED: {girok_error}")

    p = None
    if args.skip_peer:
        log("peer: skipped (--skip-peer)")
    else:
        p = run_peer(peer_corpus(corpus, manifest, full, out), out, env)
        if "error" in p:
            log(f"peer: not measured: {p['error']}")
            result["peer_error"] = p["error"]
            p = None
        else:
            if cer_tools:
                score_peer(p, corpus, manifest, cer_tools, notes)
            result["peer"] = p

    ratio = None
    if g_public and p and g_public.get("pages_per_min") and p.get("pages_per_min"):
        ratio = g_public["pages_per_min"] / p["pages_per_min"]
    result["speed_ratio_girok_over_peer"] = ratio

    floor = floor_ratio = None
    if args.skip_floor:
        log("floor: skipped (--skip-floor)")
    elif g_public:
        floor = run_floor(files, archive / "profiles" / "default.toml", out, env, manifest_pages)
        result["floor"] = floor
        if floor.get("pages_per_min") and g_public.get("pages_per_min"):
            floor_ratio = g_public["pages_per_min"] / floor["pages_per_min"]
        notes.append(f"OCR floor: tesseract alone, `tesseract PAGE.png OUT {' '.join(floor['tesseract_args'])} "
                     f"pdf txt tsv`, {floor['jobs']} at once on page images made beforehand (untimed); "
                     "girok's pages/min over the floor's is the share of the machine girok spends reading")
    result["speed_ratio_girok_over_floor"] = floor_ratio

    log("")
    if g_public:
        print_table(g_public, p, ratio, manifest_pages, floor, floor_ratio)
        if g_public["quarantined"] or g_public["no_outcome"]:
            log(f"girok failures: quarantined {[Path(s).name for s in g_public['quarantined']]}, "
                f"no outcome {[Path(s).name for s in g_public['no_outcome']]} "
                f"(reasons in {out / 'archive' / 'quarantine'})")
    for n in notes:
        log(f"note: {n}")
    (out / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    log(f"wrote {out / 'result.json'}")
    return 1 if girok_error else 0


if __name__ == "__main__":
    sys.exit(main())
