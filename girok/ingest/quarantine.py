"""Quarantine: where inputs that cannot be archived go, each with a reason a clerk can read."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

from ..fsutil import atomic_copy, fsync_dir, safe_name
from ..i18n import _

NOTE_SUFFIXES = (".reason.txt", ".reason.json")  # the notes beside a quarantined file (not files of their own)


def quarantine(src: Path, qdir: Path, *, stage: str, reason: str, advice: str, move: bool,
               hot_folder: str | None, profile: str) -> Path:
    """Put ``src`` into ``qdir`` with ``NAME.reason.txt`` and ``NAME.reason.json``.

    With ``move`` the source is removed only after its copy is safely
    written (fsync). Returns the quarantined file's path.
    """
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = qdir / f"{stamp}-{uuid.uuid4().hex[:6]}-{safe_name(src.name)}"
    qdir.mkdir(parents=True, exist_ok=True)
    info = {
        "file": src.name, "from": str(src), "hot_folder": hot_folder, "profile": profile,
        "when": datetime.now().isoformat(timespec="seconds"), "stage": stage, "reason": reason, "advice": advice,
    }
    text = _(  # the clerk's note, in the interface language (the .json keeps the same facts for machines)
        "girok could not archive this file.\n\n"
        "File:     {name}\nFrom:     {src}\nWhen:     {when}\n"
        "Profile:  {profile}\nStep:     {stage}\n\n"
        "What went wrong:\n  {reason}\n\nWhat to do:\n  {advice}\n\n"
        "The file next to this note is the original, unchanged. Once the document is archived\n"
        "(for example after a re-scan), this file and its note may be deleted.\n"
    ).format(name=src.name, src=src, when=info['when'], profile=profile, stage=stage, reason=reason, advice=advice)
    txt, js = (dest.parent / (dest.name + suffix) for suffix in NOTE_SUFFIXES)
    js.write_text(json.dumps(info, ensure_ascii=False, indent=1))
    txt.write_text(text, encoding="utf-8")
    if src.exists():
        if move:
            try:
                os.rename(src, dest)  # same filesystem: atomic
            except OSError:
                atomic_copy(src, dest)
                src.unlink()
        else:
            atomic_copy(src, dest)
    fsync_dir(qdir)
    return dest


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
