#!/usr/bin/env python3
"""Time and bytes of girok's backups of the dev corpus archive, beside a plain full copy (`cp -a`) (issue 19).

    girok --archive A backup OUT/copy --json        first backup: everything
    girok --archive A backup OUT/copy --json        incremental, nothing new
    (ingest the rest of the corpus)
    girok --archive A backup OUT/copy --json        incremental: only the new files
    girok backup verify OUT/copy --json             every file re-hashed

Beside each backup, `cp -a A OUT/cp-N` of the whole archive folder at that moment: what an office
without girok's backup would run every night (the yardstick for time and bytes).

The archive: built in OUT/archive from the first two thirds of the corpus (init + ingest: some
minutes of OCR), the last third ingested between the second and the third backup. With
--archive DIR an existing archive is copied to OUT/archive first (it is not changed) and the
third step is skipped. Writes OUT/result.json. Exit 0 unless girok failed to run.

usage: bench/backup.py [--archive DIR] [--corpus DIR] [--out DIR] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import throughput as tp  # noqa: E402  (running girok, corpus selection, output folder)

DEFAULT_OUT = tp.REPO / "bench" / "out" / "backup"


def timed(cmd: list[str], env: dict) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return time.monotonic() - t0, proc


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def girok_json(girok: str, args: list[str], env: dict) -> tuple[float, dict]:
    secs, proc = timed([girok, *args, "--json"], env)
    if proc.returncode != 0:
        raise tp.GirokFailed(f"`girok {' '.join(args)}` exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return secs, json.loads(proc.stdout.strip().splitlines()[-1])


def cp_copy(archive: Path, dest: Path, env: dict) -> tuple[float, int]:
    secs, proc = timed(["cp", "-a", str(archive), str(dest)], env)
    if proc.returncode != 0:
        raise SystemExit(f"cp -a failed: {proc.stderr}")
    n = folder_bytes(dest)
    shutil.rmtree(dest)
    return secs, n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--archive", type=Path, help="an existing archive (copied first; default: build one)")
    ap.add_argument("--corpus", type=Path, default=tp.DEFAULT_CORPUS)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder, wiped first ({DEFAULT_OUT})")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()

    tp.fresh_out(args.out, made_by="bench/backup.py")
    girok, env = tp.find_girok(), tp.child_env()
    archive, copy = args.out / "archive", args.out / "copy"
    rest: list[Path] = []
    if args.archive:
        shutil.copytree(args.archive, archive, symlinks=True)
    else:
        try:
            _, manifest, files = tp.select_corpus(args.corpus, 0)
        except tp.SkipCorpus as exc:
            print(f"SKIP: {exc}")
            return 0
        cut = len(files) * 2 // 3
        first, rest = files[:cut], files[cut:]
        g = tp.run_girok(girok, archive, first, args.workers, args.out, env)
        tp.log(f"archive: {g['documents']} documents, {g['pages']} pages from {len(first)} files")

    a = ["--archive", str(archive)]
    rows = []

    def step(name: str) -> None:
        secs, d = girok_json(girok, [*a, "backup", str(copy)], env)
        cp_s, cp_bytes = cp_copy(archive, args.out / "cp-copy", env)
        rows.append({"step": name, "girok_s": secs, "girok_bytes": d["copied_bytes"], "copied": d["copied"],
                     "files": d["files"], "catalog_bytes": d["catalog_bytes"], "cp_s": cp_s, "cp_bytes": cp_bytes})

    step("first backup")
    step("again, nothing new")
    if rest:
        _, proc = timed([girok, *a, "ingest", "--json", "--workers", str(args.workers), *map(str, rest)], env)
        if proc.returncode not in (0, 10):
            raise tp.GirokFailed(f"ingest of the rest exited {proc.returncode}: {proc.stderr[-2000:]}")
        step(f"after {len(rest)} more files")
    v_s, v = girok_json(girok, ["--archive", str(archive), "backup", "verify", str(copy)], env)

    tp.log("")
    tp.log(f"{'step':24s} {'girok s':>8s} {'girok bytes':>14s} {'files copied':>13s}   {'cp -a s':>8s} {'cp -a bytes':>14s}")
    for r in rows:
        tp.log(f"{r['step']:24s} {r['girok_s']:8.2f} {r['girok_bytes'] + r['catalog_bytes']:14,d} "
               f"{r['copied']:>5d}/{r['files']:<7d}   {r['cp_s']:8.2f} {r['cp_bytes']:14,d}")
    tp.log(f"girok bytes = stored files copied + the catalog snapshot (written every run); verify: "
           f"{v['hashed']} files re-hashed ({v['bytes_hashed']:,} bytes) in {v_s:.2f} s, ok={v['ok']}")
    (args.out / "result.json").write_text(json.dumps({"steps": rows, "verify": {**v, "seconds": v_s}}, indent=1,
                                                     ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except tp.GirokFailed as exc:
        print(f"girok failed: {exc}", file=sys.stderr)
        sys.exit(2)
