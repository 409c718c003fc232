"""A Python function run in a fresh worker process: `JobWorker().call(fn, args)`.

Plain subprocesses (`python -m pipelines.job_worker`), as staging's are (pipelines/stage_worker.py):
multiprocessing's spawn and forkserver re-run the caller's main script in every worker (a script
without a `__main__` guard would start a night inside each), and a fork copies polars' thread
pool broken. A job is a pickled `(fn, args)` (fn a module-level function, imported by name in the
worker, which gets the parent's import path) on the worker's stdin; the answer a pickled result
or exception on its stdout. The worker sets the run's umask (its files are owner-only like the
parent's), masks its log lines, and inherits the environment (passwords, file group). Used for
the workbooks written side by side (pipelines/publish/workers.py) and the Data Docs built while
the night publishes (pipelines/validation/docs.py).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import struct
import subprocess
import sys
from typing import BinaryIO, Callable

_HEAD = struct.Struct("<Q")


class WorkerDied(RuntimeError):
    """A worker process ended without answering (killed, out of memory)."""


def _send(stream: BinaryIO, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEAD.pack(len(data)) + data)
    stream.flush()


def _receive(stream: BinaryIO):
    head = stream.read(_HEAD.size)
    if len(head) < _HEAD.size:
        raise EOFError
    return pickle.loads(stream.read(_HEAD.unpack(head)[0]))


class JobWorker:
    """One worker process, started at once; it imports the `preload` modules while the parent
    goes on (before its first job)."""

    def __init__(self, preload: tuple[str, ...] = ()):
        # the parent's import path: a job's function is imported by name wherever the parent found it
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if isinstance(p, str) and p)}
        self.proc = subprocess.Popen([sys.executable, "-m", "pipelines.job_worker", *preload],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)

    def call(self, fn: Callable, args: tuple):
        try:
            _send(self.proc.stdin, (fn, args))
            ok, value = _receive(self.proc.stdout)
        except (EOFError, BrokenPipeError):
            raise WorkerDied(f"a worker process died (exit status {self.proc.wait()})") from None
        if ok:
            return value
        raise value

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def serve() -> None:
    """A worker process: answer every job on stdin until it closes."""
    import logging

    from pipelines.fileperms import secure_umask
    from pipelines.masking import install_log_masking

    secure_umask()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_masking()
    jobs, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr   # nothing a library prints can corrupt the answers
    for module in sys.argv[1:]:   # the preload modules, imported before the first job
        importlib.import_module(module)

    while True:
        try:
            fn, args = _receive(jobs)
        except EOFError:
            return
        try:
            answer = (True, fn(*args))
        except Exception as e:  # noqa: BLE001 - the parent raises it
            answer = (False, e)
        try:
            _send(answers, answer)
        except (pickle.PicklingError, TypeError, AttributeError):
            _send(answers, (False, RuntimeError(f"{type(answer[1]).__name__}: {answer[1]}")))


if __name__ == "__main__":
    serve()
