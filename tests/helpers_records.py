"""Documents in a test archive without OCR: files in the store and a catalog record, as an ingest leaves them."""

from __future__ import annotations

import hashlib
import io
import logging
import sqlite3
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from unittest import mock

from girok.catalog.repository import NewCapture, NewDocument
from girok.archive.layout import Archive
from girok.archive.indexing import index_documents
from girok.metadata.title import title_from_text


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_document(root: Path, texts: list[str], *, name: str = "scan.png") -> str:
    """Archive a made-up scan whose OCR text is ``texts`` (one string a page); returns its registration number."""
    src = root.parent / "made-up-sources"
    src.mkdir(exist_ok=True)
    ext = Path(name).suffix
    original = src / f"{sha_of(texts)}{ext}"
    original.write_bytes(b"scan:" + "\n".join(texts).encode())
    archival = src / f"{sha_of(texts)}.pdf"
    archival.write_bytes(b"%PDF-1.7 archival copy\n" + "\n".join(texts).encode())
    with Archive.open(root) as arch:
        orig = arch.store.put("originals", original, sha(original), ext)
        pdf = arch.store.put("archival", archival, sha(archival), ".pdf")
        doc = NewDocument(first_page=1, page_count=len(texts), archival_sha256=pdf.sha256, archival_relpath=pdf.relpath,
                          archival_size=pdf.size, pdfa="2B", conversion={"tools": {"test": "1"}, "options": {}},
                          page_texts=texts, title=title_from_text(texts, Path(name).stem))
        cap = NewCapture(sha256=orig.sha256, size=orig.size, source_name=name, source_path=f"/scans/{name}",
                         hot_folder=None, profile="default", media_type="image/png", original_relpath=orig.relpath,
                         documents=[doc])
        [reg] = arch.catalog.commit_capture(cap, prefix=arch.config.id_prefix)
        index_documents(arch, [reg])
    return reg


def sha_of(texts: list[str]) -> str:
    return hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]


def sql(archive: Path, *stmts: str, params=()) -> list[tuple]:
    """Run statements on an archive's catalog behind girok's back; returns the last one's rows."""
    with sqlite3.connect(archive / "catalog.sqlite") as db:
        rows = []
        for s in stmts:
            rows = db.execute(s, params).fetchall() if params else db.execute(s).fetchall()
    return rows


def girok(archive: Path, *args: str, check: bool = False, input: str | None = None) -> subprocess.CompletedProcess:
    """`girok --archive ARCHIVE ARGS` through girok.cli.main in this process: what conftest's run_girok
    does, without a new interpreter for every command (the exit code and both outputs alike); ``input``: its
    standard input."""
    from girok import cli

    argv = ["girok", "--archive", str(archive), *args]
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        stdin = io.StringIO(input) if input is not None else sys.stdin
        with redirect_stdout(out), redirect_stderr(err), mock.patch.object(sys, "argv", argv), \
                mock.patch.object(sys, "stdin", stdin):
            cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        for h in root.handlers[:]:  # open_archive() adds a log file handler each time
            if h not in handlers:
                root.removeHandler(h)
                h.close()
        root.setLevel(level)
    proc = subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())
    if check and code != 0:
        raise AssertionError(f"girok {' '.join(args)} exited {code}\n{proc.stdout}\n{proc.stderr}")
    return proc


def three_documents(make_archive) -> Path:
    """A fresh archive with three made-up documents (six stored files), as the fixity, doctor and restore
    tests start from."""
    root = make_archive()
    for i, text in enumerate(["전입신고서", "토지대장", "건축물대장"]):
        add_document(root, [f"{text} 민원실 {i}"], name=f"scan-{i}.png")
    return root


def stored_file(root: Path, reg_no: str, which: str) -> tuple[Path, str]:
    """The stored ``original`` or ``archival`` file of a document, and its catalogued SHA-256 (from show --json)."""
    import json

    d = json.loads(girok(root, "show", "--json", reg_no, check=True).stdout)
    return root / d[which]["path"], d[which]["sha256"]


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
