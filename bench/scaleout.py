#!/usr/bin/env python3
"""Scale-out: the same corpus through one `girok worker` pinned to one core, then two pinned to one core each.

    girok --archive OUT/one/archive init; [workers] broker = a private redis-server (bench/redis_private.py)
    one worker  (--concurrency 1, taskset -c 0)          girok ingest --json CORPUS   -> pages/min
    girok --archive OUT/two/archive init
    two workers (--concurrency 1, taskset -c 0 and -c 1) girok ingest --json CORPUS   -> pages/min

The claiming process (girok ingest: claim, store, catalog) is not pinned; it hashes and copies, the
workers OCR. On a two-core machine it shares the cores with the two workers (on one with the single
worker): its CPU time is printed, as is the load when each run starts (other work skews the ratio). Each run starts from a fresh archive with its workers up and idle; the time is ingest's wall
time. Prints both rates and their ratio (target >= 1.8 on a machine with two idle cores). Writes
OUT/result.json.

usage: bench/scaleout.py [--corpus ../shared/corpus/dev] [--out bench/out/scaleout] [--cores 0,1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from redis_private import PrivateRedis  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "dev"
DEFAULT_OUT = REPO / "bench" / "out" / "scaleout"
MARKER = ".girok-bench-output"


def girok(archive: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "girok.cli", "--archive", str(archive), *args]


def inputs(corpus: Path) -> list[Path]:
    names = [e["file"] for e in json.loads((corpus / "MANIFEST.json").read_text())]
    return [corpus / n for n in names]


def run(label: str, out: Path, files: list[Path], cores: list[int], env: dict) -> dict:
    from girok.distributed.share import ensure_marks

    archive = out / label / "archive"
    subprocess.run(girok(archive, "init", "--name", f"scaleout {label}"), check=True, capture_output=True, env=env)
    ensure_marks(archive)  # as the watcher's first start does: workers check these before they start
    workers = []
    try:
        for i, core in enumerate(cores):
            err = (out / label / f"worker-{i}.err").open("w")
            workers.append(subprocess.Popen(["taskset", "-c", str(core), *girok(archive, "worker", "--concurrency", "1")],
                                            stdout=subprocess.DEVNULL, stderr=err, env=env, start_new_session=True))
        deadline = time.monotonic() + 120
        while not all("process(es) on archive" in (out / label / f"worker-{i}.err").read_text()
                      for i in range(len(cores))):
            if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
                raise SystemExit(f"workers did not start: see {out / label}")
            time.sleep(0.2)
        load = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        proc = subprocess.run(girok(archive, "ingest", "--json", *map(str, files)), capture_output=True, text=True,
                              env=env)
        wall = time.monotonic() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers are not waited for yet: ingest's alone
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(w.pid, signal.SIGKILL)
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    pages = sum(r["pages"] for r in rows if r["status"] == "archived")
    return {"workers": len(cores), "cores": cores, "files": len(files), "documents": len(rows),
            "archived": sum(r["status"] == "archived" for r in rows), "pages": pages, "wall_s": round(wall, 1),
            "pages_per_min": round(pages / wall * 60, 1), "ingest_rc": proc.returncode,
            "claiming_cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
            "load_at_start": round(load, 2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--cores", default="0,1", help="the two cores to pin to (default 0,1)")
    args = ap.parse_args(argv)
    if not (args.corpus / "MANIFEST.json").exists():
        print(f"SKIP: no corpus at {args.corpus}")
        return 0
    if not shutil.which("taskset"):
        print("SKIP: taskset (util-linux) is not installed")
        return 0
    cores = [int(c) for c in args.cores.split(",")][:2]
    out = args.out.resolve()
    if out.exists():
        if any(out.iterdir()) and not (out / MARKER).exists():
            sys.exit(f"refusing to wipe {out}: not made by a bench script")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("made by bench/scaleout.py; wiped on every run\n")
    files = inputs(args.corpus)
    redis = PrivateRedis(out / "redis").start()
    env = {**os.environ, "GIROK_REDIS_URL": redis.url, "PYTHONPATH": str(REPO)}
    try:
        one = run("one", out, files, cores[:1], env)
        print(f"one worker  (core {cores[0]}): {one['pages']} pages in {one['wall_s']} s = "
              f"{one['pages_per_min']} pages/min (claiming process {one['claiming_cpu_s']} s CPU, "
              f"load {one['load_at_start']})", flush=True)
        two = run("two", out, files, cores, env)
        print(f"two workers (cores {cores[0]},{cores[1]}): {two['pages']} pages in {two['wall_s']} s = "
              f"{two['pages_per_min']} pages/min (claiming process {two['claiming_cpu_s']} s CPU, "
              f"load {two['load_at_start']})", flush=True)
    finally:
        redis.stop()
    ratio = round(two["pages_per_min"] / one["pages_per_min"], 2) if one["pages_per_min"] else 0.0
    result = {"one": one, "two": two, "ratio": ratio, "target": 1.8, "cpu_count": os.cpu_count()}
    (out / "result.json").write_text(json.dumps(result, indent=1))
    print(f"ratio {ratio}x (target >= 1.8)")
    return 0 if one["ingest_rc"] == two["ingest_rc"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
