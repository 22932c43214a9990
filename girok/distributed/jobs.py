"""What travels between the claiming process and a worker, and what neither side trusts.

On the share, in the job's work folder (``ARCHIVE/work/<job>/``):

- ``job.json``, written by the claiming process: the claimed copy's file name, the source's name (the
  title falls back on it), its media type, the scanner profile's name and a token.
- ``run-<id>/``, one per delivery of the task: a worker prepares into a folder of its own, so a task handed
  out twice (a redelivery, a resubmission after Redis lost its data) never writes over another run's
  files; ``started.json`` says who, ``result.json`` what came out (the documents, their files by name
  inside the run folder, their text and metadata), ``ended`` that the run finished either way.

Through Redis only: the task ``{"archive", "job", "token"}`` and the answer ``{"status", "run", ...}``: the
text of a document and its personal data (names, RRNs) never pass through the broker.

Neither side trusts a name it is given: a job must be a folder directly inside the work area (no ``..``,
no absolute path, no symbolic link out), a file must be a plain name inside its folder, the profile must
be one of the archive's own. The worker takes its settings (profiles, document types) from the archive
folder, not from the task.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import uuid
from pathlib import Path

from ..config import ArchiveConfig
from ..ingest.prepare import Job, Prepared, PreparedDoc
from ..metadata.extract import Metadata

JOB_FILE = "job.json"
RESULT_FILE = "result.json"
STARTED_FILE = "started.json"
ENDED_FILE = "ended"
RUN_PREFIX = "run-"
JOB_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
RUN_NAME = re.compile(r"run-[0-9a-f]{12}")
PLAIN_NAME = re.compile(r"[^/\\\0]{1,200}")


class Refused(Exception):
    """A task or an answer names something outside the shared work area (or nothing girok would make)."""


def _atomic_json(path: Path, data) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


# -- claiming side ---------------------------------------------------------------------------------------


def write_job(job: Job, token: str) -> None:
    """``job.json`` in the job's work folder: what a worker on any machine needs besides the claimed copy."""
    _atomic_json(job.work_dir / JOB_FILE, {
        "job": job.job_id, "original": job.original.name, "source_name": job.source_name,
        "media_type": job.media_type, "ext": job.ext, "profile": job.profile.name, "token": token,
    })


def read_result(job: Job, run: str) -> Prepared:
    """The Prepared a worker left in ``run`` of ``job``'s work folder; every file named must be inside it."""
    if not isinstance(run, str) or not RUN_NAME.fullmatch(run):
        raise Refused(f"a worker answered with a run folder girok does not make: {run!r}")
    folder = job.work_dir / run
    data = json.loads((folder / RESULT_FILE).read_text(encoding="utf-8"))
    docs = []
    for d in data["documents"]:
        d = dict(d)
        d["archival"] = inside(folder, d["archival"])
        md = d.pop("metadata")
        d["metadata"] = _metadata(md) if md is not None else None
        docs.append(PreparedDoc(**d))
    return Prepared(job.job_id, docs)


def _metadata(md: dict) -> Metadata:
    md = dict(md)
    if md.get("date"):
        md["date"] = dt.date.fromisoformat(md["date"])
    known = {f.name for f in dataclasses.fields(Metadata)}
    return Metadata(**{k: v for k, v in md.items() if k in known})


# -- worker side -----------------------------------------------------------------------------------------


def inside(folder: Path, name) -> Path:
    """``folder / name`` when ``name`` is a plain file name whose file lies in ``folder`` (no link out)."""
    if not isinstance(name, str) or not PLAIN_NAME.fullmatch(name) or name in (".", ".."):
        raise Refused(f"{name!r} is not a plain file name")
    path = folder / name
    if path.is_symlink() or path.resolve().parent != folder.resolve():
        raise Refused(f"{name!r} leads outside its work folder")
    return path


def job_folder(work_root: Path, name) -> Path:
    """The job's folder, which must be a real folder directly inside the shared work area."""
    if not isinstance(name, str) or not JOB_NAME.fullmatch(name):
        raise Refused(f"job {name!r} is not a work folder name")
    folder = work_root / name
    if folder.is_symlink() or (folder.exists() and folder.resolve().parent != work_root.resolve()):
        raise Refused(f"job {name!r} leads outside the shared work area {work_root}")
    return folder


def load_job(work_root: Path, message, config: ArchiveConfig, archive_id: str) -> Job | None:
    """The Job a task names, checked; None when its work folder is gone (settled, or abandoned by its claiming
    process). Raises Refused for a task that is not this archive's or whose names leave the work area."""
    if not isinstance(message, dict):
        raise Refused("the task is not a girok job")
    if message.get("archive") != archive_id:
        raise Refused(f"the task is for archive {str(message.get('archive'))[:8]}..., this worker serves "
                      f"{archive_id[:8]}...")
    folder = job_folder(work_root, message.get("job"))
    try:
        spec = json.loads((folder / JOB_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise Refused(f"job {folder.name}: unreadable {JOB_FILE} ({exc})") from None
    if not isinstance(spec, dict) or spec.get("token") != message.get("token") or spec.get("job") != folder.name:
        raise Refused(f"job {folder.name}: the task does not match the job's {JOB_FILE}")
    original = inside(folder, spec.get("original"))
    if not original.is_file():
        return None
    profile = config.profiles.get(spec.get("profile"))
    if profile is None:
        raise Refused(f"job {folder.name}: profile {spec.get('profile')!r} is not one of the archive's")
    for key in ("source_name", "media_type", "ext"):
        if not isinstance(spec.get(key), str):
            raise Refused(f"job {folder.name}: {key} is missing")
    return Job(job_id=folder.name, work_dir=folder, original=original, source_name=spec["source_name"],
               media_type=spec["media_type"], ext=spec["ext"], profile=profile,
               known_types=config.document_types, known_offices=config.offices, fields=config.fields)


def new_run(job: Job, started: dict) -> Path:
    run = job.work_dir / f"{RUN_PREFIX}{uuid.uuid4().hex[:12]}"
    run.mkdir()  # fails when the job folder has gone meanwhile
    _atomic_json(run / STARTED_FILE, started)
    return run


def unfinished_runs(job: Job) -> int:
    """Runs of this job that started and never ended: each one a worker that died (or still works on it)."""
    return sum(1 for p in job.work_dir.glob(f"{RUN_PREFIX}*") if p.is_dir() and not (p / ENDED_FILE).exists())


def end_run(run: Path, prepared: Prepared | None) -> None:
    if prepared is not None:
        docs = []
        for d in prepared.documents:
            row = dataclasses.asdict(d)
            row["archival"] = d.archival.relative_to(run).as_posix()
            md = d.metadata
            row["metadata"] = None if md is None else {**dataclasses.asdict(md),
                                                       "date": md.date.isoformat() if md.date else None}
            docs.append(row)
        _atomic_json(run / RESULT_FILE, {"job": prepared.job_id, "documents": docs})
    (run / ENDED_FILE).touch()
