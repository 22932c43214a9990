#!/usr/bin/env python3
"""Soak: drop many scans into a hot folder while `girok watch` is SIGKILLed at random moments.

    girok --archive OUT/archive init                       (stable 0.5 s, rescan 1 s)
    N Korean scans (Pillow + fonts-nanum, 1-3 pages each, every one unique) -> OUT/inputs
    all of them moved into OUT/archive/hot/default at once (rename: a scanner's atomic drop)
    girok watch --json --workers W                         (its own process group)
      ... at random moments: SIGKILL the whole group (watcher, OCR workers, tesseract), restart ...
    until every input is archived or quarantined and the hot folder is empty

Then it checks every input by SHA-256 against the catalog, the quarantine,
the store and the search index, and prints

    lost=0 duplicated=0 files=.. pages=.. wall=..s pages/min=.. kills=.. peak_rss_mb=..

lost: an input neither archived, nor quarantined, nor still waiting.
doctor: what `girok doctor` found after the kills (e.g. a store copy cut off
mid-write), which `doctor --fix` must repair to a clean archive.
duplicated: a capture catalogued twice, a document indexed twice, or more
documents than inputs (each input is one document: no separator sheets).
peak_rss_mb: the highest summed RSS of the watcher's process group
(watcher + OCR workers + their tesseract/ghostscript children), sampled
every 0.5 s, and the highest single process.

Writes OUT/result.json. Exit status 1 when anything was lost or duplicated.

--distributed: several machines on one (README, "Several machines"): a private redis-server, the watcher,
--workers `girok worker --concurrency 1` processes and `girok indexer`, each its own process group. The
kills fall at random on the watcher or a worker (restarted after each), and Redis is restarted once,
losing everything, after the first kill. Then the same checks (the index caught up by the indexer).

usage: bench/soak.py [--pages 200] [--files N] [--workers 2] [--kill-every 20:90] [--max-kills 8]
                     [--seed 1] [--out DIR] [--timeout 7200] [--distributed]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEFAULT_OUT = REPO / "bench" / "out" / "soak"
MARKER = ".girok-bench-output"
NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
WORDS = ["민원실", "전입신고서", "주민센터", "가족관계증명서", "건축허가", "접수", "처리기한", "담당자",
         "서초구", "동작구", "확인", "신청인", "주소", "발급", "수수료", "원본대조필"]


def girok(archive: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "girok.cli", "--archive", str(archive), *args]


def prepare_out(out: Path) -> None:
    if out.exists():
        if any(out.iterdir()) and not (out / MARKER).exists():
            sys.exit(f"refusing to wipe {out}: not made by a bench script")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("made by bench/soak.py; wiped on every run\n")


def make_archive(root: Path) -> None:
    subprocess.run(girok(root, "init", "--name", "soak"), check=True, capture_output=True)
    cfg = root / "girok.toml"
    cfg.write_text(re.sub(r"rescan_seconds = [0-9.]+", "rescan_seconds = 1", cfg.read_text()))
    for prof in (root / "profiles").glob("*.toml"):
        prof.write_text(re.sub(r"stable_seconds = [0-9.]+", "stable_seconds = 0.5", prof.read_text()))


def make_inputs(folder: Path, n_files: int, rng: random.Random, max_pages: int) -> dict[str, dict]:
    """``n_files`` unique Korean scans (PNG, JPEG or multi-page TIFF at 200 dpi); returns name -> info."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(NANUM), 36)  # ~13 pt at 200 dpi
    folder.mkdir(parents=True)
    made = {}
    for i in range(n_files):
        pages = 1 + i % max_pages
        frames = []
        for p in range(pages):
            im = Image.new("L", (1000, 700), 255)
            d = ImageDraw.Draw(im)
            d.text((60, 50), f"SOAK {i:04d}-{p + 1}  접수번호 {rng.randrange(10**6):06d}", font=font, fill=0)
            for k in range(5):
                d.text((60, 130 + k * 95), " ".join(rng.choice(WORDS) for _ in range(4)), font=font, fill=0)
            frames.append(im)
        kind = "tif" if pages > 1 else rng.choice(["png", "jpg"])
        path = folder / f"민원-{i:04d}.{kind}"
        if kind == "tif":
            frames[0].save(path, dpi=(200, 200), compression="tiff_lzw", save_all=True, append_images=frames[1:])
        else:
            frames[0].save(path, dpi=(200, 200), **({"quality": 90} if kind == "jpg" else {}))
        made[path.name] = {"sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "pages": pages}
    return made


class GroupMemory(threading.Thread):
    """Samples the RSS of every process in one process group."""

    def __init__(self):
        super().__init__(daemon=True)
        self.pgid: int | None = None
        self.peak_total = 0
        self.peak_single = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.5):
            pgid = self.pgid
            if pgid is None:
                continue
            total = 0
            for d in os.listdir("/proc"):
                if not d.isdigit():
                    continue
                try:
                    stat = Path(f"/proc/{d}/stat").read_text()
                    if int(stat.rsplit(")", 1)[1].split()[2]) != pgid:
                        continue
                    rss = int(Path(f"/proc/{d}/statm").read_text().split()[1]) * PAGE_SIZE
                except (OSError, ValueError, IndexError):
                    continue
                total += rss
                self.peak_single = max(self.peak_single, rss)
            self.peak_total = max(self.peak_total, total)


def catalog(archive: Path) -> tuple[list[str], int, list[str]]:
    """(capture SHA-256s, documents, reg_nos), read-only."""
    db = sqlite3.connect(f"file:{archive / 'catalog.sqlite'}?mode=ro", uri=True, timeout=30)
    try:
        shas = [r[0] for r in db.execute("select sha256 from captures")]
        reg_nos = [r[0] for r in db.execute("select reg_no from documents")]
    except sqlite3.OperationalError:
        return [], 0, []
    finally:
        db.close()
    return shas, len(reg_nos), reg_nos


def waiting(hot: Path) -> int:
    return sum(1 for p in hot.rglob("*") if p.is_file())


def start_watch(archive: Path, workers: int, log) -> subprocess.Popen:
    return subprocess.Popen(girok(archive, "watch", "--json", "--poll", "0.5", "--workers", str(workers)),
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=200, help="pages to drop (default 200), in files of 1-3 pages")
    ap.add_argument("--files", type=int, default=0, help="number of files instead (e.g. 500 for the load case)")
    ap.add_argument("--max-pages", type=int, default=3, help="pages per file cycle 1..N (default 3)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--kill-every", default="20:90", help="seconds between kills, MIN:MAX (default 20:90)")
    ap.add_argument("--max-kills", type=int, default=8, help="stop killing after this many (default 8)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--timeout", type=float, default=7200, help="give up after this many seconds")
    ap.add_argument("--distributed", action="store_true", help="watcher, `girok worker`s and indexer over a "
                    "private Redis; kills hit the watcher or a worker; Redis restarted once")
    args = ap.parse_args(argv)
    os.environ["GIROK_LANG"] = "en"  # doctor's "No problems found." is read below (init writes language = "ko")
    if not NANUM.exists():
        print("SKIP: fonts-nanum is not installed (apt-get install fonts-nanum)")
        return 0
    rng = random.Random(args.seed)
    kmin, kmax = (float(x) for x in args.kill_every.split(":"))
    n_files = args.files or max(1, round(args.pages * args.max_pages / sum(range(1, args.max_pages + 1))))

    out = args.out.resolve()
    prepare_out(out)
    archive = out / "archive"
    make_archive(archive)
    inputs = make_inputs(out / "inputs", n_files, rng, args.max_pages)
    total_pages = sum(i["pages"] for i in inputs.values())
    print(f"{len(inputs)} files, {total_pages} pages made; dropping them at once into {archive / 'hot' / 'default'}",
          flush=True)

    if args.distributed:
        wall, kills, mem = run_distributed(archive, inputs, out, rng, args, kmin, kmax)
        return report(archive, inputs, wall, kills, mem, out, args)

    hot = archive / "hot" / "default"
    mem = GroupMemory()
    mem.start()
    log = (out / "watch.log").open("ab")
    t0 = time.monotonic()
    for name in inputs:  # same filesystem: each file appears complete, at once
        os.rename(out / "inputs" / name, hot / name)
    kills = 0
    proc = start_watch(archive, args.workers, log)
    mem.pgid = proc.pid
    next_kill = time.monotonic() + rng.uniform(kmin, kmax)
    want = {i["sha256"] for i in inputs.values()}
    quarantine = archive / "quarantine"
    try:
        while True:
            time.sleep(0.5)
            shas, _, _ = catalog(archive)
            q = [p for p in quarantine.iterdir() if not p.name.endswith((".reason.txt", ".reason.json"))]
            if want <= set(shas) | {hashlib.sha256(p.read_bytes()).hexdigest() for p in q} and not waiting(hot):
                break
            if time.monotonic() - t0 > args.timeout:
                print(f"TIMEOUT after {args.timeout:.0f} s", flush=True)
                break
            if proc.poll() is not None:
                print(f"watcher exited by itself with {proc.returncode}; restarting", flush=True)
                proc = start_watch(archive, args.workers, log)
                mem.pgid = proc.pid
            elif kills < args.max_kills and time.monotonic() >= next_kill:
                kill_group(proc)
                kills += 1
                print(f"  kill {kills} at {time.monotonic() - t0:.0f} s: {len(set(shas))} archived, "
                      f"{waiting(hot)} waiting", flush=True)
                proc = start_watch(archive, args.workers, log)
                mem.pgid = proc.pid
                next_kill = time.monotonic() + rng.uniform(kmin, kmax)
        wall = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # as systemd stops it: finish what is in hand
            try:
                proc.wait(timeout=300)
            except subprocess.TimeoutExpired:
                kill_group(proc)
        mem.stop.set()
        log.close()

    return report(archive, inputs, wall, kills, mem, out, args)


def settled(archive: Path, want: set[str]) -> bool:
    """Every input archived or quarantined, and the hot folder empty."""
    shas, _, _ = catalog(archive)
    q = [p for p in (archive / "quarantine").iterdir()
         if not p.name.endswith((".reason.txt", ".reason.json")) and not p.name.startswith(".")]
    return want <= set(shas) | {hashlib.sha256(p.read_bytes()).hexdigest() for p in q} \
        and not waiting(archive / "hot" / "default")


def run_distributed(archive: Path, inputs: dict, out: Path, rng: random.Random, args, kmin: float, kmax: float):
    """The soak with several machines on this one; returns (wall seconds, kills, memory of the watcher's group)."""
    sys.path.insert(0, str(REPO / "bench"))
    from redis_private import PrivateRedis

    from girok.distributed.share import ensure_marks

    redis = PrivateRedis(out / "redis").start()
    os.environ["GIROK_REDIS_URL"] = redis.url  # every girok started from here on (and the report's doctor)
    cfg = archive / "girok.toml"
    cfg.write_text(cfg.read_text() + "\n[workers]\nvisibility_timeout_seconds = 300\n")
    ensure_marks(archive)  # as the watcher's first start does: workers may start first
    log = (out / "processes.log").open("ab")

    def start(*cmd: str) -> subprocess.Popen:
        return subprocess.Popen(girok(archive, *cmd), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def start_worker() -> subprocess.Popen:
        return start("worker", "--concurrency", "1")

    def start_watcher() -> subprocess.Popen:
        return start("watch", "--json", "--poll", "0.5")

    workers = [start_worker() for _ in range(args.workers)]
    indexer = start("indexer", "--poll", "1")
    mem = GroupMemory()
    mem.start()
    hot = archive / "hot" / "default"
    t0 = time.monotonic()
    for name in inputs:
        os.rename(out / "inputs" / name, hot / name)
    watcher = start_watcher()
    mem.pgid = watcher.pid
    want = {i["sha256"] for i in inputs.values()}
    kills, restarted_redis = 0, False
    next_kill = time.monotonic() + rng.uniform(kmin, kmax)
    try:
        while not settled(archive, want):
            time.sleep(0.5)
            if time.monotonic() - t0 > args.timeout:
                print(f"TIMEOUT after {args.timeout:.0f} s", flush=True)
                break
            for i, w in enumerate(workers):
                if w.poll() is not None:
                    print(f"worker {w.pid} exited by itself with {w.returncode}; restarting", flush=True)
                    workers[i] = start_worker()
            if watcher.poll() is not None:
                print(f"watcher exited by itself with {watcher.returncode}; restarting", flush=True)
                watcher = start_watcher()
                mem.pgid = watcher.pid
            if kills < args.max_kills and time.monotonic() >= next_kill:
                victim = rng.randrange(len(workers) + 1)  # 0: the watcher, else a worker
                what = "watcher" if victim == 0 else f"worker {victim}"
                if victim == 0:
                    kill_group(watcher)
                    watcher = start_watcher()
                    mem.pgid = watcher.pid
                else:
                    kill_group(workers[victim - 1])
                    workers[victim - 1] = start_worker()
                kills += 1
                shas, _, _ = catalog(archive)
                print(f"  kill {kills} ({what}) at {time.monotonic() - t0:.0f} s: {len(set(shas))} archived, "
                      f"{waiting(hot)} waiting", flush=True)
                if not restarted_redis:
                    restarted_redis = redis.restart()
                    print(f"  redis restarted at {time.monotonic() - t0:.0f} s (everything in it lost)"
                          if restarted_redis else "  (GIROK_TEST_REDIS_URL given: not restarted)", flush=True)
                next_kill = time.monotonic() + rng.uniform(kmin, kmax)
        wall = time.monotonic() - t0
    finally:
        for proc, sig in [(watcher, signal.SIGTERM), *[(w, signal.SIGTERM) for w in workers], (indexer, signal.SIGTERM)]:
            if proc.poll() is None:
                proc.send_signal(sig)
            try:
                proc.wait(timeout=300)
            except subprocess.TimeoutExpired:
                kill_group(proc)
        mem.stop.set()
        subprocess.run(girok(archive, "indexer", "--once"), capture_output=True, check=False)
        redis.stop()
        log.close()
    return wall, kills, mem


def report(archive: Path, inputs: dict, wall: float, kills: int, mem: GroupMemory, out: Path, args) -> int:
    from whoosh import index as windex

    from girok.archive.layout import Archive

    shas, n_docs, reg_nos = catalog(archive)
    q = [p for p in (archive / "quarantine").iterdir()
         if not p.name.endswith((".reason.txt", ".reason.json")) and not p.name.startswith(".")]
    q_shas = [hashlib.sha256(p.read_bytes()).hexdigest() for p in q]
    hot_left = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (archive / "hot").rglob("*") if p.is_file()}
    want = [i["sha256"] for i in inputs.values()]
    lost = [s for s in want if s not in set(shas) and s not in set(q_shas) and s not in hot_left]
    with windex.open_dir(str(Archive.open(archive).index.current_dir())).searcher() as s:
        indexed = [f["reg_no"] for f in s.all_stored_fields()]
    duplicated = (len(shas) - len(set(shas))) + (len(indexed) - len(set(indexed))) + max(0, n_docs - len(set(shas)))
    # SIGKILL can leave what only `doctor --fix` repairs (work folders, a copy cut off mid-write): report
    # what doctor found, repair it, and require the archive to be clean afterwards
    found = subprocess.run(girok(archive, "doctor"), capture_output=True, text=True, check=False)
    fixed = subprocess.run(girok(archive, "doctor", "--fix"), capture_output=True, text=True, check=False)
    doctor = subprocess.run(girok(archive, "doctor"), capture_output=True, text=True, check=False)
    # doctor names each problem first, then what it checked ("Checked:", "Not checked:"): only the problems count
    repaired = [ln for ln in found.stdout.split("Checked:", 1)[0].splitlines() if ln.strip()]
    pages = sum(i["pages"] for i in inputs.values() if i["sha256"] in set(shas))
    result = {
        "lost": len(lost), "duplicated": duplicated, "files": len(inputs), "archived": len(set(shas)),
        "quarantined": len(q), "still_waiting": len(hot_left), "pages": pages, "wall_s": round(wall, 1),
        "pages_per_min": round(pages / wall * 60, 1) if wall else 0.0, "kills": kills,
        "peak_rss_mb": round(mem.peak_total / 2**20), "peak_rss_single_mb": round(mem.peak_single / 2**20),
        "indexed": len(indexed), "unindexed": len(set(reg_nos) - set(indexed)),
        "doctor_repaired": repaired, "doctor_fix_rc": fixed.returncode,
        "doctor_ok": doctor.returncode == 0, "doctor": doctor.stdout.strip()[-500:],
        "workers": args.workers, "kill_every": args.kill_every, "seed": args.seed,
        "distributed": bool(getattr(args, "distributed", False)),
    }
    (out / "result.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(f"lost={result['lost']} duplicated={duplicated} files={len(inputs)} archived={result['archived']} "
          f"quarantined={len(q)} pages={pages} wall={wall:.0f}s pages/min={result['pages_per_min']} "
          f"kills={kills} peak_rss_mb={result['peak_rss_mb']} (single process {result['peak_rss_single_mb']}) "
          f"unindexed={result['unindexed']} doctor_repaired={len(repaired)} "
          f"doctor_after_fix={'ok' if result['doctor_ok'] else 'PROBLEMS'}")
    for line in repaired:
        print("  doctor found (and --fix repaired):", line)
    if lost:
        print("lost inputs:", ", ".join(n for n, i in inputs.items() if i["sha256"] in lost))
    return 1 if lost or duplicated or not result["doctor_ok"] else 0


if __name__ == "__main__":
    sys.exit(main())
