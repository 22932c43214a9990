"""Several machines, the parts that need no Redis: the [workers] settings, the archive's marks in the shared
folders, what a worker refuses in a task, what the claiming process refuses in an answer, how answers map to
the Executor seam's errors, and work folders of other hosts."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from concurrent.futures import Future
from pathlib import Path

import pytest

from girok.archive.layout import Archive
from girok.config import load_archive_config
from girok.errors import ConfigError, InputRejected, MissingDependency
from girok.ingest.executor import WorkerLost
from girok.ingest.prepare import Job, Prepared, PreparedDoc
from girok.metadata.extract import Metadata

CLOSED = "redis://127.0.0.1:1/0"  # nothing listens there: Redis calls fail at once


@pytest.fixture
def root(make_archive, monkeypatch):
    monkeypatch.delenv("GIROK_REDIS_URL", raising=False)
    return make_archive()


def with_workers(root: Path, table: str) -> None:
    cfg = root / "girok.toml"
    cfg.write_text(cfg.read_text() + "\n[workers]\n" + table + "\n")


# -- settings --------------------------------------------------------------------------------------------


def test_one_machine_has_no_broker(root):
    assert not load_archive_config(root).distributed.distributed


def test_the_password_is_read_from_the_environment_only(root, monkeypatch):
    with_workers(root, 'broker = "redis://:s3cret@server:6379/0"')
    with pytest.raises(ConfigError, match="must not hold the Redis password") as err:
        load_archive_config(root)
    assert "s3cret" not in str(err.value) and "GIROK_REDIS_URL" in str(err.value)
    monkeypatch.setenv("GIROK_REDIS_URL", "redis://:other@server:6380/1")  # takes the place of girok.toml's
    assert load_archive_config(root).distributed.broker == "redis://:other@server:6380/1"


def test_broker_settings_are_checked(root, monkeypatch):
    with_workers(root, 'broker = "redis://server:6379/0"\nvisibility_timeout_seconds = 900')
    w = load_archive_config(root).distributed
    assert w.distributed and w.broker == "redis://server:6379/0" and w.visibility_timeout == 900
    monkeypatch.setenv("GIROK_REDIS_URL", "amqp://guest@server//")
    with pytest.raises(ConfigError, match="must be a Redis URL"):
        load_archive_config(root)


def test_the_password_is_never_shown():
    from girok.distributed.broker import redact

    assert redact("redis://:s3cret@server:6379/0") == "redis://:***@server:6379/0"
    assert redact("rediss://girok:s3cret@server:6380/2") == "rediss://girok:***@server:6380/2"
    assert redact("redis://server:6379/0") == "redis://server:6379/0"


# -- the shared folder -----------------------------------------------------------------------------------


def test_marks_made_once_then_checked(root):
    from girok.distributed.share import MARK, check_marks, ensure_marks

    with pytest.raises(ConfigError, match="no archive id"):
        check_marks(root)
    aid = ensure_marks(root)
    assert ensure_marks(root) == check_marks(root) == aid
    assert all((root / place / MARK).read_text().strip() == aid for place in ("store", "work", "quarantine"))

    (root / "store" / MARK).unlink()  # the store's share is not mounted on this machine
    with pytest.raises(ConfigError, match="store folder: its mark .* is missing"):
        check_marks(root)
    with pytest.raises(ConfigError):
        ensure_marks(root)  # the claiming process refuses too: it never marks a folder afresh
    (root / "store" / MARK).write_text("f" * 32)
    with pytest.raises(ConfigError, match="says another archive"):
        check_marks(root)


def test_marks_are_not_counted_as_quarantined_or_work(root):
    from girok.app.status import archive_status
    from girok.distributed.share import ensure_marks

    ensure_marks(root)
    with Archive.open(root) as arch:
        d = archive_status(arch)
    assert d["quarantined"] == 0 and d["in_progress"] == 0 and d["abandoned"] == 0


def test_a_worker_refuses_to_start_without_broker_or_marks(root, monkeypatch):
    from girok.app.workers import worker_context

    with pytest.raises(ConfigError, match="names no broker"):
        worker_context(root, load_archive_config(root))
    monkeypatch.setenv("GIROK_REDIS_URL", CLOSED)
    with pytest.raises(ConfigError, match="no archive id"):
        worker_context(root, load_archive_config(root))


def test_status_says_when_redis_cannot_be_read(root, monkeypatch):
    from girok.app.status import archive_status
    from girok.distributed.share import ensure_marks

    ensure_marks(root)
    monkeypatch.setenv("GIROK_REDIS_URL", "redis://:s3cret@127.0.0.1:1/0")
    with Archive.open(root) as arch:
        d = archive_status(arch)["distributed"]
    assert "could not be read" in d["error"] and "s3cret" not in json.dumps(d)


# -- tasks and answers -----------------------------------------------------------------------------------


@pytest.fixture
def claimed(root):
    """A claimed job in the work area, as the claiming process leaves it, and the archive's id."""
    from girok.distributed.jobs import write_job
    from girok.distributed.share import ensure_marks

    aid = ensure_marks(root)
    config = load_archive_config(root)
    work = root / "work" / "0123456789ab"
    work.mkdir()
    (work / "owner.json").write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "source": "x"}))
    (work / "original.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    job = Job(job_id=work.name, work_dir=work, original=work / "original.png", source_name="scan.png",
              media_type="image/png", ext=".png", profile=config.profile("default"))
    write_job(job, "tok")
    return job, aid, config


def test_a_worker_loads_a_claimed_job_with_its_own_settings(claimed, root):
    from girok.distributed.jobs import load_job

    job, aid, config = claimed
    got = load_job(root / "work", {"archive": aid, "job": job.job_id, "token": "tok"}, config, aid)
    assert got.original == job.original and got.profile == config.profile("default")
    assert got.known_types == config.document_types
    assert load_job(root / "work", {"archive": aid, "job": "ffffffffffff", "token": "tok"}, config, aid) is None


@pytest.mark.parametrize("change", ["archive", "dotdot", "absolute", "token", "original", "profile", "not-a-dict"])
def test_a_worker_refuses_what_leaves_the_work_area(claimed, root, tmp_path, change):
    from girok.distributed.jobs import JOB_FILE, Refused, load_job

    job, aid, config = claimed
    message = {"archive": aid, "job": job.job_id, "token": "tok"}
    spec = json.loads((job.work_dir / JOB_FILE).read_text())
    if change == "archive":
        message["archive"] = "0" * 32
    elif change == "dotdot":
        message["job"] = "../../etc"
    elif change == "absolute":
        message["job"] = str(tmp_path)
    elif change == "token":
        message["token"] = "guessed"
    elif change == "original":
        spec["original"] = "../../../etc/passwd"
    elif change == "profile":
        spec["profile"] = "nobody's"
    elif change == "not-a-dict":
        message = ["../../etc"]
    (job.work_dir / JOB_FILE).write_text(json.dumps(spec))
    with pytest.raises(Refused):
        load_job(root / "work", message, config, aid)


def test_links_out_of_the_work_area_are_refused(claimed, root, tmp_path):
    from girok.distributed.jobs import Refused, load_job

    job, aid, config = claimed
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "work" / "linkedjob").symlink_to(outside)
    with pytest.raises(Refused, match="leads outside"):
        load_job(root / "work", {"archive": aid, "job": "linkedjob", "token": "tok"}, config, aid)
    job.original.unlink()
    job.original.symlink_to("/etc/passwd")
    with pytest.raises(Refused, match="leads outside"):
        load_job(root / "work", {"archive": aid, "job": job.job_id, "token": "tok"}, config, aid)


def _prepared(run: Path) -> Prepared:
    pdf = run / "archival-1.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    md = Metadata(doc_type="전입신고서", date=dt.date(2024, 3, 1), receipt_no="2024-1", rrns=["900101-1234567"],
                  sources={"doc_type": "label"})
    return Prepared("0123456789ab", [PreparedDoc(
        first_page=1, page_count=1, archival=pdf, archival_sha256="a" * 64, archival_size=8, pdfa_level="2B",
        conversion={"ocr": "tesseract"}, page_texts=["민원실"], page_confidence=[91.0], rescan_suggested=False,
        pages_in_original=[0], metadata=md, title="전입신고서")])


def test_an_answer_is_read_from_the_share_and_checked(claimed):
    from girok.distributed.jobs import Refused, end_run, new_run, read_result

    job, _, _ = claimed
    run = new_run(job, {"node": "n"})
    end_run(run, _prepared(run))
    back = read_result(job, run.name)
    assert back.documents[0].archival == run / "archival-1.pdf"
    assert back.documents[0].metadata.date == dt.date(2024, 3, 1)
    assert back.documents[0].metadata.rrns == ["900101-1234567"]  # kept on the share, never sent through Redis
    for bad in ("../..", "run-../../x", "/etc"):
        with pytest.raises(Refused):
            read_result(job, bad)
    data = json.loads((run / "result.json").read_text())
    data["documents"][0]["archival"] = "../../../etc/passwd"
    (run / "result.json").write_text(json.dumps(data))
    with pytest.raises(Refused):
        read_result(job, run.name)


def test_a_file_that_keeps_killing_workers_is_answered_lost(claimed, root):
    from girok.distributed.broker import Broker
    from girok.distributed.jobs import new_run
    from girok.distributed.worker import WorkerContext, run_job
    from girok.config import WorkersSettings

    job, aid, config = claimed
    ctx = WorkerContext(root=root, config=config, archive_id=aid, node="n@h",
                        broker=Broker(WorkersSettings(broker=CLOSED), aid))
    new_run(job, {"node": "a"})
    new_run(job, {"node": "b"})  # two deliveries started and never ended: their workers died
    answer = run_job(ctx, {"archive": aid, "job": job.job_id, "token": "tok"})
    assert answer["status"] == "lost" and "2 times" in answer["message"]
    forged = run_job(ctx, {"archive": aid, "job": "../x", "token": "tok"})
    assert forged["status"] == "refused"


@pytest.mark.parametrize("answer, error", [
    ({"status": "rejected", "stage": "ocr", "message": "unreadable", "advice": "rescan"}, InputRejected),
    ({"status": "lost", "message": "killed"}, WorkerLost),
    ({"status": "gone", "host": "b"}, WorkerLost),
    ({"status": "refused", "reason": "no"}, WorkerLost),
    ({"status": "error", "kind": "missing", "message": "no tesseract"}, MissingDependency),
    ({"status": "error", "kind": "disk-full", "message": "full"}, OSError),
    ({"status": "error", "kind": "internal", "message": "bug"}, RuntimeError),
])
def test_answers_become_the_errors_a_local_worker_raises(claimed, answer, error):
    from girok.distributed.executor import CeleryExecutor, _Track

    job, _, _ = claimed
    tr = _Track(job=job, future=Future(), token="tok", claimed=0.0)
    with pytest.raises(error):
        CeleryExecutor._result(None, tr, answer)


def test_work_folders_of_another_host_are_not_judged_here(root):
    from girok.ingest.workarea import orphaned

    mine, theirs = root / "work" / "mine", root / "work" / "theirs"
    for d, host in ((mine, socket.gethostname()), (theirs, "other-machine")):
        d.mkdir()
        (d / "owner.json").write_text(json.dumps({"pid": 2 ** 22 + 7, "host": host, "source": "x"}))
    assert orphaned(root / "work") == [mine]


def test_progress_is_read_from_a_workers_run_folder(tmp_path):
    from girok.ingest import progress

    run = tmp_path / "run-0123456789ab"
    run.mkdir()
    assert progress.read(tmp_path) is None
    progress.write(run, done=2, pages=5)
    assert progress.read(tmp_path) == (2, 5)


def test_reindex_and_doctor_fix_are_refused_while_the_indexer_writes_the_index(root):
    """One writer of the search index at a time: while `girok indexer` runs, `girok reindex` and `girok doctor
    --fix` are refused (exit 5, naming it; in Korean too) and the indexer goes on; while a reindex holds the
    index, an indexer is refused."""
    import subprocess

    from conftest import girok_cmd, run_girok, wait_for
    from girok.errors import ArchiveLocked
    from girok.i18n import speaking
    from girok.ingest.locks import IndexerLock

    lock = root / "indexer.lock"
    indexer = subprocess.Popen(girok_cmd(root, "indexer", "--poll", "0.5"), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        wait_for(lambda: lock.exists() and f"pid {indexer.pid} " in lock.read_text(), timeout=60,
                 what="the indexer to start")
        for args in (("reindex",), ("doctor", "--fix")):
            res = run_girok(root, *args)
            assert res.returncode == 5, res.stdout + res.stderr
            assert f"being written right now by `girok indexer`, pid {indexer.pid} on" in res.stderr, res.stderr
            assert f"while `girok {' '.join(args)}` runs" in res.stderr, res.stderr
        with speaking("ko"), pytest.raises(ArchiveLocked) as err, IndexerLock(root, "girok reindex"):
            pass
        assert f"지금 `girok indexer`, pid {indexer.pid} on" in str(err.value) and "검색 색인" in str(err.value)
        assert indexer.poll() is None, "the indexer goes on"
    finally:
        indexer.terminate()
        indexer.wait(timeout=60)
    with IndexerLock(root, "girok reindex"):  # the other way round
        with pytest.raises(ArchiveLocked) as err, IndexerLock(root):
            pass
        assert f"by `girok reindex`, pid {os.getpid()} on" in str(err.value), str(err.value)
        assert "Start `girok indexer` again once that command has finished" in str(err.value)
    with IndexerLock(root):  # free again
        pass
