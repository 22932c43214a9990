"""What the status page draws: documents and pages archived today per hot folder, pages archived per day per hot
folder, and the mean OCR confidence per scanner profile per day (days in the archive's time zone)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from ..archive.layout import Archive
from ..text.times import local

DAYS = 14


def _folder_name(arch: Archive, hot_folder: str | None) -> str:
    """A hot folder as the archive names it (relative to the archive when inside it); `ingest` for none."""
    if not hot_folder:
        return "ingest"
    try:
        from pathlib import Path

        return str(Path(hot_folder).resolve().relative_to(arch.root.resolve()))
    except (ValueError, OSError):
        return hot_folder


def activity(arch: Archive, *, days: int = DAYS, now: datetime | None = None) -> dict:
    """``{"days": [YYYY-MM-DD...], "today": {folder: {"documents", "pages"}}, "pages": {folder: [pages a day]},
    "confidence": {profile: [mean confidence a day or None]}}`` over the last ``days`` days (today last)."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    today = local(now, arch.tz).date()
    first = today - timedelta(days=days - 1)
    day_list = [first + timedelta(days=i) for i in range(days)]
    since = now - timedelta(days=days + 1)  # a day more: the first local day starts before UTC midnight
    pages: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    conf_sum: dict[str, list[float]] = defaultdict(lambda: [0.0] * days)
    conf_n: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    today_counts: dict[str, dict] = {_folder_name(arch, str(hf.path)): {"documents": 0, "pages": 0}
                                     for hf in arch.config.hot_folders}
    with arch.catalog.reading() as tx:
        rows = tx.activity_since(since)
    for captured_at, hot_folder, profile, n_pages, conf in rows:
        day = local(captured_at, arch.tz).date()
        if day < first or day > today:
            continue
        i = (day - first).days
        folder = _folder_name(arch, hot_folder)
        pages[folder][i] += n_pages or 0
        if conf is not None:
            conf_sum[profile][i] += float(conf)
            conf_n[profile][i] += 1
        if day == today:
            t = today_counts.setdefault(folder, {"documents": 0, "pages": 0})
            t["documents"] += 1
            t["pages"] += n_pages or 0
    confidence = {p: [round(conf_sum[p][i] / conf_n[p][i], 1) if conf_n[p][i] else None for i in range(days)]
                  for p in sorted(conf_n)}
    return {"days": [d.isoformat() for d in day_list], "today": today_counts,
            "pages": {f: pages[f] for f in sorted(pages)}, "confidence": confidence}
