"""Preparing documents for a full build in worker processes while the main process feeds the engine.

In a full build the analysis (RRN masking, NFKC, bigrams, the stored JSON) is Python work of about
the same size as the engine's own indexing; ``Prepared`` runs ``prepare`` on chunks of documents in
a pool of worker processes, keeps them in order and gives the results to ``consume`` in the calling
process (Tantivy and Whoosh writers are not shared between processes). A small build (fewer than
``start_after`` documents: an ordinary archive, the tests) never starts a pool. Memory stays
bounded: at most ``ahead`` chunks are in flight.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable

START_AFTER = 2000  # documents: below this a pool (~1 s to start) does not pay


def default_procs() -> int:
    return min(2, os.cpu_count() or 1)


class Prepared:
    def __init__(self, prepare: Callable, consume: Callable, *, procs: int | None = None, chunk: int = 64,
                 ahead: int = 8, start_after: int | None = None):
        self.prepare, self.consume = prepare, consume
        self.procs = default_procs() if procs is None else procs
        self.chunk, self.ahead = chunk, ahead
        self.start_after = START_AFTER if start_after is None else start_after
        self.buf: list = []
        self.seen = 0
        self.pool = None
        self.pending: deque = deque()

    @property
    def parallel(self) -> bool:
        return self.pool is not None

    def add(self, doc) -> None:
        self.buf.append(doc)
        if len(self.buf) >= self.chunk:
            self._submit()

    def _submit(self) -> None:
        chunk, self.buf = self.buf, []
        self.seen += len(chunk)
        if self.pool is None and (self.procs < 2 or self.seen <= self.start_after):
            for d in chunk:
                self.consume(self.prepare(d))
            return
        if self.pool is None:
            # spawn: the engine's writer threads already run in this process, and fork would copy them
            self.pool = multiprocessing.get_context("spawn").Pool(self.procs)
        if chunk:
            self.pending.append(self.pool.map_async(self.prepare, chunk))
        while self.pending and (len(self.pending) > self.ahead or self.pending[0].ready()):
            self._drain_one()

    def _drain_one(self) -> None:
        for item in self.pending.popleft().get():
            self.consume(item)

    def close(self) -> None:
        """Prepare and consume what is left; stop the pool."""
        self._submit()
        while self.pending:
            self._drain_one()
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None

    def abort(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
        self.pending.clear()
