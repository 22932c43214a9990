#!/usr/bin/env python3
"""`girok serve` under load: p50/p95 of the search page and the document page with 20 concurrent clients.

Builds a synthetic archive of N documents (the sentences of ../shared/corpus/text as bench/search_scale.py
uses them, or a few built-in ones without it; random type, office, date, receipt number), catalogued in
captures of 500 documents whose archival copy is one small real PDF (so the document page can render page
images), and indexed through `girok reindex` with the Kiwi nouns precomputed per sentence. Then starts
`girok serve --workers N` on a free loopback port as a subprocess, for each N of --workers in turn (1 and 2:
side by side in one run), and runs the load generator in this process: C client threads, each logged in as its
own officer, each doing W warm-up rounds and then R counted rounds of (search a random word or two, open one
of the hits), bounded in count and time, with no pause between requests (a closed loop: 20 clients keep 20
requests in flight). Every request is a real HTTP request; every search and view is audited (the catalog's
write lock is part of what is measured). The search engine is the one the README tells an office to choose
for the archive's size (--engine to choose).

usage: bench/web.py [--docs N] [--clients C] [--rounds R] [--warmup W] [--workers 1,2] [--engine E] [--out DIR]
                    [--json] [--keep]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

PASSWORD = "bench-password-1"
BUILTIN = ["서초구 민원실에서 전입신고서를 접수하였습니다.", "혼인신고서와 위임장을 함께 제출하여야 합니다.",
           "건축허가신청서의 보완을 요청합니다.", "주민등록표 등본 교부 신청서를 작성하십시오.",
           "정보공개청구서에 대한 회신은 열흘 이내에 합니다.", "토지대장 열람은 민원여권과에서 합니다."]
CAPTURE = 500  # documents per capture (one transaction)
TANTIVY_FROM = 5_000  # documents: README "Search engines" (Whoosh only for a small archive)


def sentences() -> list[str]:
    try:
        from search_scale import TEXT_DIR, sentences as corpus

        if TEXT_DIR.exists():
            return corpus()
    except ImportError:
        pass
    return BUILTIN


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] if v else 0.0


def real_pdf(path: Path) -> Path:
    import img2pdf
    from PIL import Image, ImageDraw, ImageFont

    font_path = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
    font = ImageFont.truetype(str(font_path), 28) if font_path.exists() else ImageFont.load_default()
    im = Image.new("L", (827, 1169), 255)
    ImageDraw.Draw(im).text((60, 60), "전입신고서 (bench)", font=font, fill=0)
    png = path.with_suffix(".png")
    im.save(png, dpi=(100, 100))
    path.write_bytes(img2pdf.convert(str(png)))
    return path


def default_engine(n: int) -> str:
    """The engine the README tells an office to choose for an archive of ``n`` documents (README, "Search
    engines"): Whoosh for a small archive, Tantivy beyond a few thousand documents."""
    return "whoosh" if n <= TANTIVY_FROM else "tantivy"


def build(root: Path, n: int, seed: int, engine: str) -> list[str]:
    import hashlib

    from girok.app import users
    from girok.app.admin import reindex
    from girok.archive.layout import Archive
    from girok.catalog.repository import NewCapture, NewDocument
    from girok.search.analysis import MORPH_VERSION, morphs

    arch = Archive.create(root, name="bench", prefix="GR")
    for c in range(64):
        users.add_user(arch, f"officer{c}", "officer", PASSWORD)
    sents = sentences()
    nouns = [" ".join(morphs(s)) for s in sents]
    pdf = real_pdf(root.parent / "bench-page.pdf")
    sha = hashlib.sha256(pdf.read_bytes()).hexdigest()
    stored = arch.store.put("archival", pdf, sha, ".pdf")
    rnd = random.Random(seed)
    from search_scale import OFFICES, TYPES  # noqa: PLC0415

    regs, doc_nouns = [], []
    for start in range(0, n, CAPTURE):
        docs = []
        for i in range(start, min(n, start + CAPTURE)):
            picked, size = [], 0
            while size < 2000:
                j = rnd.randrange(len(sents))
                picked.append(j)
                size += len(sents[j]) + 1
            day = datetime(2015, 1, 1) + timedelta(days=rnd.randrange(11 * 365))
            docs.append(NewDocument(
                first_page=1, page_count=1, archival_sha256=stored.sha256, archival_relpath=stored.relpath,
                archival_size=stored.size, pdfa="2B", conversion={"tools": {"bench": "1"}},
                page_texts=[" ".join(sents[j] for j in picked)], page_confidence=[90.0],
                doc_date=day.date(), receipt_no=f"{day.year}-{rnd.randint(1, 99999):05d}",
                office=rnd.choice(OFFICES), title=sents[picked[0]][:40], doc_type=rnd.choice(TYPES)))
            doc_nouns.append(" ".join(nouns[j] for j in picked if nouns[j]))
        orig_sha = hashlib.sha256(f"bench capture {start}".encode()).hexdigest()
        cap = NewCapture(sha256=orig_sha, size=stored.size, source_name=f"bench-{start}.pdf", source_path="bench",
                         hot_folder=None, profile="default", media_type="application/pdf",
                         original_relpath=stored.relpath, documents=docs)
        regs += arch.catalog.commit_capture(cap, prefix="GR")
    ids = {d.reg_no: d.id for d in arch.catalog.iter_documents()}
    arch.catalog.set_morphs({ids[r]: f"v{MORPH_VERSION}:{m}" for r, m in zip(regs, doc_nouns)})
    reindex(arch, engine=engine)
    arch.close()
    return regs


def engine_of(root: Path) -> str:
    from girok.search.index import SearchIndex

    return SearchIndex(root / "index").engine_name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, base: str, name: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.http = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        self.post("/login", {"csrf": csrf, "name": name, "password": PASSWORD, "next": "/search"})

    def get(self, path: str) -> str:
        with self.http.open(self.base + path, timeout=120) as r:
            return r.read().decode("utf-8", "replace")

    def post(self, path: str, data: dict) -> str:
        body = urllib.parse.urlencode(data).encode()
        with self.http.open(self.base + path, data=body, timeout=120) as r:
            return r.read().decode("utf-8", "replace")


def load(base: str, clients: int, rounds: int, words: list[str], seed: int, deadline_s: float,
         warmup: int = 0) -> dict:
    """C clients, each logged in, each doing ``warmup`` rounds not counted (the server warm: its caches, its
    threads, its connections to the catalog) and then ``rounds`` counted rounds of (search, open a hit)."""
    times: dict[str, list[float]] = {"search": [], "document": []}
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + deadline_s

    def one(c: int) -> None:
        rnd = random.Random(seed + c)
        try:
            cl = Client(base, f"officer{c}")
        except Exception as exc:  # noqa: BLE001
            errors.append(f"login officer{c}: {exc}")
            return
        for n in range(warmup + rounds):
            if time.monotonic() > stop:
                return
            q = " ".join(rnd.sample(words, rnd.choice((1, 2))))
            try:
                t = time.perf_counter()
                page = cl.get("/search?" + urllib.parse.urlencode({"q": q}))
                ts = time.perf_counter() - t
                regs = re.findall(r'href="/doc/([A-Z]+-\d{4}-\d{6})"', page)
                td = None
                if regs:
                    t = time.perf_counter()
                    cl.get("/doc/" + rnd.choice(regs))
                    td = time.perf_counter() - t
                if n < warmup:
                    continue
                with lock:
                    times["search"].append(ts * 1000)
                    if td is not None:
                        times["document"].append(td * 1000)
            except Exception as exc:  # noqa: BLE001
                with lock:
                    errors.append(f"{q}: {exc}")

    threads = [threading.Thread(target=one, args=(c,)) for c in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    out = {k: {"requests": len(v), "p50_ms": round(pct(v, 50), 1), "p95_ms": round(pct(v, 95), 1),
               "max_ms": round(max(v), 1) if v else 0.0} for k, v in times.items()}
    return {"pages": out, "wall_s": round(wall, 1),
            "requests_per_s": round(sum(len(v) for v in times.values()) / wall, 1) if wall else 0.0,
            "errors": len(errors), "first_errors": errors[:3]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=15, help="search + document page per client")
    ap.add_argument("--warmup", type=int, default=3, help="rounds per client before the counted ones")
    ap.add_argument("--workers", type=lambda v: [int(x) for x in v.split(",")], default=[1, 2],
                    help="girok serve --workers values to measure one after the other, e.g. 1,2 (default)")
    ap.add_argument("--deadline", type=float, default=600, help="stop the load after this many seconds")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "web")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--engine", choices=("whoosh", "tantivy"),
                    help=f"search engine (default: whoosh up to {TANTIVY_FROM:,} documents, tantivy above)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the archive (and reuse it next time)")
    args = ap.parse_args()
    if args.clients > 64:
        ap.error("at most 64 clients")
    root = args.out / f"archive-{args.docs}"
    t = time.perf_counter()
    if not (args.keep and (root / "girok.toml").exists()):
        shutil.rmtree(args.out, ignore_errors=True)
        args.out.mkdir(parents=True)
        build(root, args.docs, args.seed, args.engine or default_engine(args.docs))
    build_s = time.perf_counter() - t
    from girok.search.analysis import morphs

    words = sorted({m for s in sentences() for m in morphs(s) if len(m) >= 2 and re.search(r"[가-힣]", m)})
    runs = []
    try:
        for workers in args.workers:
            runs.append({"workers": workers, **serve_and_load(root, args, words, workers)})
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    result = {"docs": args.docs, "engine": runs[0]["engine"] if runs else "", "clients": args.clients,
              "rounds": args.rounds, "warmup": args.warmup, "build_s": round(build_s, 1), "runs": runs,
              "load_before": os.getloadavg()[0], "at": datetime.now(UTC).isoformat(timespec="seconds")}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"{result['docs']} documents ({result['engine']}), {result['clients']} clients x {result['rounds']} "
              f"rounds after {result['warmup']} warm-up rounds; load average {os.getloadavg()[0]:.2f}")
        print(f"  {'girok serve':20} {'req/s':>7} {'errors':>6}   {'search p50/p95/max ms':>24}   "
              f"{'document p50/p95/max ms':>24}")
        for r in runs:
            sp, dp = r["pages"]["search"], r["pages"]["document"]
            print(f"  {'--workers ' + str(r['workers']):20} {r['requests_per_s']:7.1f} {r['errors']:6}   "
                  f"{sp['p50_ms']:7.1f} {sp['p95_ms']:7.1f} {sp['max_ms']:8.1f}   "
                  f"{dp['p50_ms']:7.1f} {dp['p95_ms']:7.1f} {dp['max_ms']:8.1f}")
    return 1 if any(r["errors"] for r in runs) else 0


def serve_and_load(root: Path, args, words: list[str], workers: int) -> dict:
    """Start `girok serve --workers N` on a free port, run the load, stop it."""
    port = free_port()
    log = (args.out / f"serve-{workers}.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "girok.cli", "--archive", str(root), "serve", "--port", str(port),
                             "--workers", str(workers)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), *sys.path])})
    base = f"http://127.0.0.1:{port}"
    try:
        t = time.perf_counter()
        while True:
            try:
                urllib.request.urlopen(base + "/login", timeout=2).close()
                break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - t > 180:
                    raise SystemExit("girok serve did not start; see " + log.name)
                time.sleep(0.3)
        start_s = time.perf_counter() - t
        return {"engine": engine_of(root), "serve_start_s": round(start_s, 1),
                **load(base, args.clients, args.rounds, words, args.seed, args.deadline, warmup=args.warmup)}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


if __name__ == "__main__":
    sys.exit(main())
