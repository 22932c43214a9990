"""girok.ingest.stability: temp names, candidate files, and the stability timer (fake clock)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from girok.ingest.stability import StabilityTracker, candidate_files, is_temp_name


@pytest.mark.parametrize("name", [
    "scan.tmp", "SCAN.TMP", "~$전입신고서.pdf", "~$x.pdf", ".hidden", ".~lock.x.pdf#", "x.part",
    "download.crdownload", "a.partial", ".scan.pdf.swp", "Thumbs.db", "desktop.ini",
    "전입신고서.pdf.reason.txt",
])
def test_temp_names(name):
    assert is_temp_name(name)


@pytest.mark.parametrize("name", [
    "전입신고서 2024.pdf", "스캔_0001.tif", "scan.pdf", "민원 (1).jpg", "[긴급] 서류.png", "report.tmp.pdf",
    "part.pdf", "x~$.pdf", "notes.txt",
])
def test_normal_names_are_not_temp(name):
    assert not is_temp_name(name)


def touch(path: Path, data: bytes = b"%PDF-1.4 scan", mtime: int = 1_700_000_000) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, ns=(mtime * 10**9, mtime * 10**9))
    return path


def test_candidate_files_recurse_and_skip_temp_names(tmp_path):
    hot = tmp_path / "hot"
    for rel in ["a.pdf", "전입신고서 2024.pdf", "sub/b.tif", "sub/deeper/c.jpg",
                "x.tmp", "~$y.pdf", ".hidden", "sub/z.part", "sub/deeper/.DS_Store",
                ".sync/inside.pdf", "a.pdf.reason.txt"]:
        touch(hot / rel)
    (hot / "empty-dir").mkdir()
    os.symlink(hot / "a.pdf", hot / "link.pdf")
    found = [p.relative_to(hot).as_posix() for p in candidate_files(hot)]
    assert sorted(found) == sorted(["a.pdf", "전입신고서 2024.pdf", "sub/b.tif", "sub/deeper/c.jpg"])
    assert all(p.parent.is_relative_to(hot) for p in candidate_files(hot))


def test_candidate_files_of_missing_folder_is_empty(tmp_path):
    assert list(candidate_files(tmp_path / "gone")) == []


class FakeClock:
    def __init__(self, t: float = 1000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_file_becomes_stable_only_after_stable_seconds(tmp_path):
    clock = FakeClock()
    tr = StabilityTracker(clock=clock)
    p = touch(tmp_path / "scan.pdf")
    assert tr.observe(p, 2.0) is False  # first sight: never stable
    clock.t += 1.0
    assert tr.observe(p, 2.0) is False
    clock.t += 0.999
    assert tr.observe(p, 2.0) is False
    clock.t += 0.001
    assert tr.observe(p, 2.0) is True  # exactly stable_seconds unchanged
    clock.t += 60
    assert tr.observe(p, 2.0) is True
    assert tr.tracked() == [p]


def test_growth_resets_the_timer(tmp_path):
    clock = FakeClock()
    tr = StabilityTracker(clock=clock)
    p = touch(tmp_path / "scan.tif", b"II*\x00" + b"a" * 10)
    assert not tr.observe(p, 2.0)
    clock.t += 1.5
    touch(p, b"II*\x00" + b"a" * 20)  # scanner writes more; mtime left the same on purpose
    assert not tr.observe(p, 2.0)
    clock.t += 1.9  # 3.4 s after first sight, only 1.9 s after the growth
    assert not tr.observe(p, 2.0)
    clock.t += 0.1
    assert tr.observe(p, 2.0)


def test_mtime_change_with_same_size_resets_the_timer(tmp_path):
    clock = FakeClock()
    tr = StabilityTracker(clock=clock)
    p = touch(tmp_path / "scan.pdf", b"x" * 100, mtime=1_700_000_000)
    tr.observe(p, 2.0)
    clock.t += 1.5
    touch(p, b"y" * 100, mtime=1_700_000_001)  # rewritten in place, same size
    assert not tr.observe(p, 2.0)
    clock.t += 1.5
    assert not tr.observe(p, 2.0)
    clock.t += 0.5
    assert tr.observe(p, 2.0)


def test_stable_seconds_is_per_call(tmp_path):
    clock = FakeClock()
    tr = StabilityTracker(clock=clock)
    p = touch(tmp_path / "scan.pdf")
    tr.observe(p, 10.0)
    clock.t += 5
    assert not tr.observe(p, 10.0)
    assert tr.observe(p, 2.0)  # a quicker profile would already take it


def test_deleted_file_is_forgotten(tmp_path):
    clock = FakeClock()
    tr = StabilityTracker(clock=clock)
    p = touch(tmp_path / "scan.pdf")
    tr.observe(p, 2.0)
    clock.t += 5
    p.unlink()
    assert tr.observe(p, 2.0) is False
    assert p not in tr.tracked()
    # The same name with the same size and mtime reappears: its timer starts again.
    touch(p)
    assert tr.observe(p, 2.0) is False
    clock.t += 1.0
    assert tr.observe(p, 2.0) is False
    clock.t += 1.0
    assert tr.observe(p, 2.0) is True


def test_forget_restarts_the_timer(tmp_path):
    clock = FakeClock()
    tr = StabilityTracker(clock=clock)
    p = touch(tmp_path / "scan.pdf")
    tr.observe(p, 2.0)
    clock.t += 5
    tr.forget(p)
    assert tr.tracked() == []
    assert tr.observe(p, 2.0) is False
    tr.forget(tmp_path / "never-seen.pdf")  # no error


def test_files_are_tracked_independently(tmp_path):
    clock = FakeClock()
    tr = StabilityTracker(clock=clock)
    a = touch(tmp_path / "a.pdf")
    tr.observe(a, 2.0)
    clock.t += 1.5
    b = touch(tmp_path / "b.pdf")
    tr.observe(b, 2.0)
    clock.t += 0.5
    assert tr.observe(a, 2.0) and not tr.observe(b, 2.0)
    assert sorted(tr.tracked()) == [a, b]


def test_default_clock_is_monotonic():
    import time

    assert StabilityTracker().clock is time.monotonic
