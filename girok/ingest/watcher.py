"""Watching hot folders: watchdog events, polling and a periodic full rescan.

The watchdog handler only queues a path. The loop re-checks every queued
or tracked path for stability, hands stable files to the Ingestor, and
rescans every folder every ``rescan_seconds`` (SMB/NFS shares send no
events). Each file is settled on its own: a bad file is quarantined and the
loop goes on.
"""

from __future__ import annotations

import logging
import os
import queue
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from ..archive.layout import Archive
from ..config import HotFolder
from ..errors import CatalogUnavailable, StorageError
from ..i18n import _
from .locks import WATCH_LOCK_NAME as LOCK_NAME, WatchLock  # noqa: F401  (their home was here)
from .pipeline import Ingestor, Item, Outcome
from .stability import StabilityTracker, candidate_files, is_temp_name

log = logging.getLogger(__name__)


class _Queueing(FileSystemEventHandler):
    def __init__(self, q: queue.Queue):
        self.q = q

    def on_any_event(self, event):
        if event.is_directory:
            return
        for attr in ("src_path", "dest_path"):
            p = getattr(event, attr, None)
            if p:
                self.q.put(Path(os.fsdecode(p)))


@dataclass
class WatchStats:
    archived: int = 0
    duplicates: int = 0
    quarantined: int = 0
    started: float = 0.0


class Watcher:
    def __init__(self, arch: Archive, ingestor: Ingestor, *, poll_seconds: float = 1.0,
                 on_outcome: Callable[[Outcome], None] = lambda o: None,
                 on_error: Callable[[str], None] = lambda message: None):
        self.arch = arch
        self.ingestor = ingestor
        self.poll_seconds = poll_seconds
        self.on_outcome = on_outcome
        self.on_error = on_error  # the clerk's console: a full disk must not go unnoticed
        self.folders: list[HotFolder] = list(arch.hot_folders())
        self.events: queue.Queue = queue.Queue()
        self.tracker = StabilityTracker()
        self.stats = WatchStats(started=time.time())
        self.stopping = False
        self._observer = None

    def _folder_of(self, path: Path) -> HotFolder | None:
        for hf in self.folders:
            try:
                path.relative_to(hf.path)
                return hf
            except ValueError:
                continue
        return None

    def start_observer(self) -> None:
        try:
            obs = Observer()
            for hf in self.folders:
                obs.schedule(_Queueing(self.events), str(hf.path), recursive=True)
            obs.daemon = True
            obs.start()
            self._observer = obs
        except Exception as exc:  # e.g. inotify limits: polling still covers everything
            log.warning("file events unavailable (%s); relying on polling", exc)

    def rescan(self) -> None:
        for hf in self.folders:
            for p in candidate_files(hf.path):
                self.tracker.observe(p, self.arch.config.profile(hf.profile).stable_seconds)

    def _drain_events(self) -> None:
        while True:
            try:
                p = self.events.get_nowait()
            except queue.Empty:
                return
            hf = None if is_temp_name(p.name) else self._folder_of(p)
            if hf is not None:
                self.tracker.observe(p, self.arch.config.profile(hf.profile).stable_seconds)

    def emit(self, outs: list[Outcome]) -> None:
        """Count and report settled documents (the watcher's own and those ``Ingestor.finish`` returns)."""
        for o in outs:
            if o.status == "archived":
                self.stats.archived += 1
            elif o.status == "duplicate":
                self.stats.duplicates += 1
            else:
                self.stats.quarantined += 1
            self.on_outcome(o)

    def step(self) -> None:
        """One round: events, stability checks, hand out stable files, keep finished ones."""
        self._drain_events()
        while self.ingestor.retry and self.ingestor.has_room():
            self.emit(self.ingestor.offer(self.ingestor.retry.pop(0)))
        in_hand = self.ingestor.in_hand()
        for p in self.tracker.tracked():
            if self.stopping or not self.ingestor.has_room():
                break
            if p in in_hand:
                continue
            hf = self._folder_of(p)
            if hf is None or is_temp_name(p.name):
                self.tracker.forget(p)
                continue
            profile = self.arch.config.profile(hf.profile)
            if self.tracker.observe(p, profile.stable_seconds):
                self.tracker.forget(p)
                self.emit(self.ingestor.offer(Item(p, profile, str(hf.path), move_source=True)))
        self.emit(self.ingestor.collect(timeout=self.poll_seconds if self.ingestor.busy else 0))

    def idle(self) -> bool:
        """Rescan the hot folders; True when nothing waits there, is in hand, or is to be retried (`watch --once`)."""
        self.rescan()
        return not self.ingestor.busy and not self.ingestor.retry and not self.tracker.tracked()

    def run(self, *, until: Callable[[], bool] = lambda: False) -> WatchStats:
        self.start_observer()
        last_scan = float("-inf")
        backoff = 0.0
        try:
            while not self.stopping and not until():
                now = time.monotonic()
                if now - last_scan >= self.arch.config.rescan_seconds:
                    self.rescan()
                    last_scan = now
                try:
                    self.step()
                    backoff = 0.0
                except StorageError as exc:  # disk full: nothing lost, sources stay; wait and retry
                    backoff = min(60.0, (backoff or 2.0) * 2)
                    log.error("%s; retrying in %.0f s", exc, backoff)
                    self.on_error(f"{exc.message}; retrying in {backoff:.0f} s (free some space; "
                                  "nothing is lost, the files wait in their hot folders)")
                    time.sleep(backoff)
                except CatalogUnavailable as exc:  # its server away longer than a step waits: the same
                    backoff = min(60.0, (backoff or 2.0) * 2)
                    log.error("%s; retrying in %.0f s", exc.message, backoff)
                    self.on_error(_("{message}; retrying in {seconds:.0f} s (nothing is lost, the files wait in "
                                    "their hot folders)").format(message=exc.message, seconds=backoff))
                    time.sleep(backoff)
                if not self.ingestor.busy:
                    time.sleep(self.poll_seconds)
        finally:
            if self._observer is not None:
                self._observer.stop()
        return self.stats
