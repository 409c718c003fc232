"""Workbooks written side by side in worker processes.

A province night writes a few hundred workbooks (a county workbook, a review list and an
identity list per county, a push list per department). xlsxwriter spends about 12 µs of pure
Python per cell, so one process writing them one after the other was the longest part of
publishing (issue 14). The workbooks are independent of each other: `each(fn, calls)` writes
them on `LOWINCOME_PUBLISH_WORKERS` processes (default: the machine's cores, at most 4; 1 writes
them in this process) and returns their results in the order of `calls`.

A worker is a pipelines/job_worker.py process (owner-only files, masked logs, the run's
environment). A failed workbook raises here, in the publish step, and the night is not
published; a worker that dies says so; the workbooks not started are dropped.
Outside `file_pool()` (a writer called on its own, a test) `each` writes in this process.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import threading
from typing import Callable, Iterable, Iterator, Sequence

from pipelines.job_worker import JobWorker

ENV = "LOWINCOME_PUBLISH_WORKERS"
PRELOAD = ("pipelines.publish.county", "pipelines.publish.pushlists", "pipelines.publish.review_files")
_POOL: contextvars.ContextVar["FilePool | None"] = contextvars.ContextVar("publish_file_pool", default=None)


def publish_workers() -> int:
    """Processes that write workbooks (LOWINCOME_PUBLISH_WORKERS, else the cores, at most 4)."""
    return int(os.environ.get(ENV, "0") or 0) or min(4, os.cpu_count() or 1)


class FilePool:
    """Worker processes for one publish step, started when the pool is."""

    def __init__(self, workers: int | None = None):
        self.workers = publish_workers() if workers is None else max(1, workers)
        self._idle: list[JobWorker] = [JobWorker(PRELOAD) for _ in range(self.workers)] if self.workers > 1 else []

    def each(self, fn: Callable, calls: Sequence[tuple], sizes: Sequence[int] | None = None) -> list:
        """fn(*args) for every args of `calls`, the largest (by `sizes`) first; results in call order."""
        if not self._idle or len(calls) < 2:
            return [fn(*args) for args in calls]
        todo = sorted(range(len(calls)), key=lambda i: -(sizes[i] if sizes else 0))
        results: dict[int, object] = {}
        errors: list[BaseException] = []
        lock = threading.Lock()

        def work(worker: JobWorker) -> None:
            while True:
                with lock:
                    if errors or not todo:
                        return
                    i = todo.pop(0)
                try:
                    results[i] = worker.call(fn, calls[i])
                except BaseException as e:  # noqa: BLE001 - raised in the caller below
                    with lock:
                        errors.append(e)
                    return

        threads = [threading.Thread(target=work, args=(w,), daemon=True) for w in self._idle[:len(calls)]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        return [results[i] for i in range(len(calls))]

    def close(self) -> None:
        for w in self._idle:
            w.close()
        self._idle = []


@contextlib.contextmanager
def file_pool(workers: int | None = None) -> Iterator[FilePool]:
    """The pool the writers inside this block share (`each`)."""
    pool = FilePool(workers)
    token = _POOL.set(pool)
    try:
        yield pool
    finally:
        _POOL.reset(token)
        pool.close()


def each(fn: Callable, calls: Iterable[tuple], sizes: Sequence[int] | None = None) -> list:
    """fn(*args) per call, on the current file_pool's workers (in this process outside one)."""
    calls = list(calls)
    pool = _POOL.get()
    return pool.each(fn, calls, sizes) if pool is not None else [fn(*args) for args in calls]
