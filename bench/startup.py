#!/usr/bin/env python3
"""Start-up time of girok's one-shot commands, this checkout beside another one (issue 13).

Each command is timed as a whole process, the way a user runs it, from its start to its exit:

    python -m girok.cli --help
    python -m girok.cli --archive A status
    python -m girok.cli --archive A show ID
    python -m girok.cli --archive A search WORD WORD        (two Korean words of the corpus)

"A" is this checkout (PYTHONPATH=the repository); "B" is a git worktree of --base-ref (default
main) made in a temporary folder and removed at the end, run with PYTHONPATH=that folder and the
same python. The runs alternate A B A B ... so that a machine that speeds up or slows down
during the run weighs on both; each command gets --warmup untimed runs of each side first. It
prints min / median / max wall seconds per side, the median of the per-pair ratios A/B, whether
both sides printed the same output, and the targets of issue 13 for A with PASS/FAIL.

The archive: --archive DIR (an existing archive of the dev corpus), or else one is built in
OUT/archive with `girok init` and `girok ingest` of the corpus (a few minutes of OCR; the code of
bench/throughput.py). Writes OUT/result.json. Exit 0 unless a command failed to run (non-zero
exit); a FAIL against a target is a finding, not an error.

usage: bench/startup.py [--archive DIR [--base-archive DIR]] [--base-ref REF | --no-base] [--runs N] [--warmup N]
                        [--query "가족 사진"] [--id REG_NO] [--out DIR] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import throughput as tp  # noqa: E402  (archive building, corpus selection, output folder)

REPO = tp.REPO
DEFAULT_OUT = REPO / "bench" / "out" / "startup"
DEFAULT_QUERY = "가족 사진"  # two nouns of the dev corpus (article-11-05 holds both)
TARGETS = {"--help": 0.5, "status": 0.5, "show": 0.6, "search": 1.0}  # seconds, median, quiet machine


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def base_worktree(ref: str, where: Path) -> Path:
    path = where / "base"
    r = subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(path), ref],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"cannot make a worktree of {ref!r}: {r.stderr.strip()}")
    return path


def remove_worktree(path: Path) -> None:
    subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(path)], capture_output=True)


def side_env(root: Path) -> dict:
    env = tp.child_env()
    env["PYTHONPATH"] = str(root)
    return env


def run_once(python: str, args: list[str], env: dict) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    r = subprocess.run([python, "-m", "girok.cli", *args], capture_output=True, text=True, env=env,
                       stdin=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    return time.perf_counter() - t0, r.returncode, r.stdout + r.stderr


def first_id(python: str, archive: Path, query: str, env: dict) -> str:
    _, rc, out = run_once(python, ["--archive", str(archive), "search", "--json", *query.split()], env)
    for line in out.splitlines():
        try:
            return json.loads(line)["id"]
        except (ValueError, KeyError, TypeError):
            continue
    raise SystemExit(f"`girok search --json {query}` found nothing in {archive} (exit {rc}); give --id")


def build_archive(args, out: Path) -> Path:
    _, _, files = tp.select_corpus(args.corpus, 0)
    archive = out / "archive"
    g = tp.run_girok(tp.find_girok(), archive, files, args.workers, out, tp.child_env())
    tp.log(f"archive: {g['documents']} documents, {g['pages']} pages in {g['wall_s']:.0f} s")
    return archive


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--archive", type=Path, help="an existing archive of the dev corpus (default: build one)")
    ap.add_argument("--base-archive", type=Path,
                    help="B's own copy of the archive, when A's has a catalog migration B does not know "
                         "(copy the archive before A opens it; default: the same archive)")
    ap.add_argument("--corpus", type=Path, default=tp.DEFAULT_CORPUS, help="corpus to build the archive from")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="girok ingest --workers")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder, wiped first ({DEFAULT_OUT})")
    ap.add_argument("--base-ref", default="main", help="the checkout to compare with (default: main)")
    ap.add_argument("--no-base", action="store_true", help="time this checkout only")
    ap.add_argument("--runs", type=int, default=9, help="timed runs per command and side (default 9)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs per command and side first")
    ap.add_argument("--query", default=DEFAULT_QUERY, help=f"the search words (default {DEFAULT_QUERY!r})")
    ap.add_argument("--id", help="registration number for `show` (default: the first hit of the query)")
    ap.add_argument("--python", default=sys.executable, help="interpreter for both sides (default: this one)")
    args = ap.parse_args()

    tp.fresh_out(args.out, made_by="bench/startup.py")
    try:
        archive = args.archive.resolve() if args.archive else build_archive(args, args.out)
    except tp.SkipCorpus as exc:
        print(f"SKIP: {exc}")
        return 0
    sides = {"A": REPO}
    tmp = Path(tempfile.mkdtemp(prefix="girok-startup-"))
    try:
        if not args.no_base:
            sides["B"] = base_worktree(args.base_ref, tmp)
        envs = {k: side_env(v) for k, v in sides.items()}
        reg_no = args.id or first_id(args.python, archive, args.query, envs["A"])
        archives = {"A": archive, "B": args.base_archive.resolve() if args.base_archive else archive}

        def commands_for(k: str) -> dict[str, list[str]]:
            a = ["--archive", str(archives[k])]
            return {"--help": ["--help"], "status": [*a, "status"], "show": [*a, "show", reg_no],
                    "search": [*a, "search", *args.query.split()]}

        per_side = {k: commands_for(k) for k in sides}
        commands = per_side["A"]
        tp.log(f"A = {REPO} (this checkout)" + (f", B = {args.base_ref} ({sides['B']})" if "B" in sides else ""))
        tp.log(f"python {args.python}, archive {archive}, show {reg_no}, search {args.query!r}")
        tp.log(f"load average before: {load()}  ({os.cpu_count()} CPUs, {platform.platform()})")
        result = {"archive": str(archive), "base_ref": None if args.no_base else args.base_ref,
                  "query": args.query, "id": reg_no, "runs": args.runs, "load_before": load(), "commands": {}}
        failed = False
        for name in commands:
            times = {k: [] for k in sides}
            outputs = {}
            for i in range(args.warmup + args.runs):
                for k in sides:
                    cmd = per_side[k][name]
                    secs, rc, text = run_once(args.python, cmd, envs[k])
                    if rc != 0:
                        tp.log(f"{k}: `girok {' '.join(cmd)}` exited {rc}:\n{text[-2000:]}")
                        failed = True
                    outputs[k] = text
                    if i >= args.warmup:
                        times[k].append(secs)
            row = {k: {"min": min(v), "median": statistics.median(v), "max": max(v), "all": v}
                   for k, v in times.items()}
            if "B" in sides:
                row["ratio_median"] = statistics.median(x / y for x, y in zip(times["A"], times["B"]))
                row["same_output"] = outputs["A"].replace(str(archives["A"]), "ARCHIVE") == \
                    outputs["B"].replace(str(archives["B"]), "ARCHIVE")
            row["target"] = TARGETS[name]
            row["pass"] = row["A"]["median"] <= TARGETS[name]
            result["commands"][name] = row
        result["load_after"] = load()

        tp.log("")
        head = f"{'command':8s} {'A min/median/max s':>22s}"
        if "B" in sides:
            head += f" {'B min/median/max s':>22s} {'A/B':>6s}  same output"
        tp.log(head + "   target (A median)")
        for name, row in result["commands"].items():
            fmt = lambda s: f"{s['min']:.2f}/{s['median']:.2f}/{s['max']:.2f}"  # noqa: E731
            line = f"{name:8s} {fmt(row['A']):>22s}"
            if "B" in sides:
                line += f" {fmt(row['B']):>22s} {row['ratio_median']:6.2f}  {'yes' if row['same_output'] else 'NO':11s}"
            verdict = "PASS" if row["pass"] else "FAIL"
            tp.log(line + f"   <= {row['target']:.1f} s {verdict}")
        tp.log(f"load average after: {result['load_after']} (timings on a loaded machine are upper bounds)")
        (args.out / "result.json").write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
        return 1 if failed else 0
    finally:
        if "B" in sides:
            remove_worktree(sides["B"])
        subprocess.run(["rm", "-rf", str(tmp)])


if __name__ == "__main__":
    sys.exit(main())
