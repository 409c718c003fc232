"""One writer per warehouse: a lease on the warehouse, held by one run from its first writing step
to its publication (outputs.md: a second run exits at once naming the running one, or waits).

Two layers, because a run is one process (`lowincome run`) or a chain of processes (an Airflow
DAG run: load, link, rules, … each its own task):

  * `warehouse.lock` is locked with flock while any step of the owner works: the kernel drops the
    lock when that process dies, however it dies;
  * `warehouse.work/lease.json` names the owner (run id, as_of, host, pid, since, heartbeat) and
    survives between the tasks of an Airflow run.

The lease is held when another process holds the flock, or when lease.json names another owner
whose process is alive (same host) or, for an owner that runs its steps as separate processes,
whose heartbeat is younger than `lease_timeout_hours` (config/warehouse.yaml). A lease whose
owner is gone is taken over; its unfinished night is discarded (the published night never changed).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from pipelines.faults import checkpoint
from pipelines.store.layout import Layout


class WarehouseBusy(RuntimeError):
    """Another run owns the warehouse; the message names it."""


@dataclass
class Owner:
    run_id: str
    as_of: str
    host: str
    pid: int
    since: str
    heartbeat: float
    kind: str = "process"        # process: one process for the whole run; tasks: one per step (Airflow)

    def describe(self) -> str:
        return (f"run {self.run_id} for {self.as_of} (pid {self.pid} on {self.host}, since {self.since}, "
                f"last heard {datetime.fromtimestamp(self.heartbeat, timezone.utc):%Y-%m-%d %H:%M:%S} UTC)")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_owner(lay: Layout) -> Owner | None:
    try:
        return Owner(**json.loads(lay.lease.read_text(encoding="utf-8")))
    except (FileNotFoundError, ValueError, TypeError):
        return None


def owner_alive(owner: Owner, timeout_hours: float) -> bool:
    if owner.host == socket.gethostname() and owner.kind == "process":
        return _pid_alive(owner.pid)
    return time.time() - owner.heartbeat < timeout_hours * 3600


class Lease:
    """`with Lease(layout, run_id, as_of):` — the caller owns the warehouse inside the block.

    new=True starts a run (refused while another live owner holds it; a dead owner's work is
    discarded); new=False resumes the same run_id's lease (a later Airflow task)."""

    def __init__(self, lay: Layout, run_id: str, as_of: str, new: bool = True, kind: str = "process",
                 wait_seconds: float = 0.0, timeout_hours: float = 6.0):
        self.lay, self.run_id, self.as_of, self.new, self.kind = lay, run_id, as_of, new, kind
        self.wait_seconds, self.timeout_hours = wait_seconds, timeout_hours
        self._fd: int | None = None
        self.took_over: Owner | None = None

    def _lock(self) -> None:
        checkpoint("lease.lock")   # the run's first write to the warehouse's disk
        self.lay.lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lay.lock, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = read_owner(self.lay)
                    os.close(fd)
                    raise WarehouseBusy(f"the warehouse {self.lay.published} is being written by "
                                        + (holder.describe() if holder else "another process")) from None
                time.sleep(0.5)
        self._fd = fd

    def __enter__(self) -> "Lease":
        deadline = time.monotonic() + self.wait_seconds
        while True:
            self._lock()
            owner = read_owner(self.lay)
            mine = owner is not None and owner.run_id == self.run_id
            if owner is None or mine or not owner_alive(owner, self.timeout_hours):
                break
            self._unlock()
            if time.monotonic() >= deadline:
                raise WarehouseBusy(f"the warehouse {self.lay.published} is owned by {owner.describe()}")
            time.sleep(1.0)
        if not self.new and not mine:
            self._unlock()
            raise WarehouseBusy(f"run {self.run_id} has no unfinished night on {self.lay.published} "
                                f"(its first step did not run, or another run took over)")
        if self.new and owner is not None and not mine:
            self.took_over = owner
        self.heartbeat()
        return self

    def heartbeat(self) -> None:
        """Write (or refresh) lease.json: this run owns the warehouse."""
        self.lay.work.mkdir(parents=True, exist_ok=True)
        me = Owner(self.run_id, self.as_of, socket.gethostname(), os.getpid(),
                   datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"), time.time(), self.kind)
        old = read_owner(self.lay)
        if old is not None and old.run_id == self.run_id:
            me.since = old.since
        tmp = self.lay.lease.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(me), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.lay.lease)

    def _unlock(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __exit__(self, *exc) -> None:
        self._unlock()
