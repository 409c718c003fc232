#!/usr/bin/env python
"""The backfill of `scripts/airflow.sh backfill FIRST LAST`: check, create, wait — never forever.

    python scripts/airflow_backfill.py check FIRST LAST   what a backfill of as_of FIRST..LAST would run
                                                          (reads the metadata DB only; no server needed):
                                                          exit 0 when some date would run, else as below
    python scripts/airflow_backfill.py run FIRST LAST     check, `airflow backfill create`, wait for its
                                                          runs, print each date's state

Why: `airflow backfill create` makes no run for a date whose run is already active (a scheduled
run still going, another backfill's run), refuses while another backfill of the DAG is active,
and the runs it makes only move while a scheduler runs. Waiting for runs that were never made,
or that no scheduler will pick up, used to hang the script. Each of those cases is now said in
one line per date, and the script exits:

    0  every date FIRST..LAST ran in this backfill and succeeded
    1  a run failed, or Airflow refused the backfill
    2  usage (dates unreadable, FIRST after LAST)
    3  nothing, or not every date, was run: the window holds no run that is due yet, a date's run
       is already active, or another backfill of the DAG is still active (each date says which)
    4  gave up waiting (--timeout, or no live scheduler for --scheduler-grace seconds); the runs
       stay in Airflow and go on when a scheduler runs

Needs the environment of scripts/airflow.sh (AIRFLOW_HOME, DAGS_FOLDER) and the DAG serialized in
the metadata DB (`airflow dags reserialize`, which `airflow.sh setup` runs).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.dag_tasks import DAG_ID, as_of_for, backfill_window  # noqa: E402

OK, FAILED, USAGE, NOTHING, GAVE_UP = 0, 1, 2, 3, 4
TERMINAL = {"success", "failed"}


@dataclass
class Plan:
    """What a backfill of FIRST..LAST would do, date by date."""
    to_run: list[date] = field(default_factory=list)
    blocked: dict[date, str] = field(default_factory=dict)     # as_of → why it will not run
    active_backfill: str | None = None                          # another backfill of the DAG, still active


def say(msg: str) -> None:
    print(f"{datetime.now().strftime('%H:%M:%S')} {msg}", flush=True)


def _state(x) -> str:
    return str(getattr(x, "value", x))


def plan(first: date, last: date, dag_id: str = DAG_ID) -> Plan:
    """Read the metadata DB: the dates of the window, and why any of them would not run."""
    from sqlalchemy import select

    from airflow.models import DagRun
    from airflow.models.backfill import Backfill
    from airflow.models.serialized_dag import SerializedDagModel
    from airflow.utils.session import create_session

    start, end = (datetime.fromisoformat(x) for x in backfill_window(first, last))
    out = Plan()
    now = datetime.now(timezone.utc)
    with create_session() as session:
        active = session.scalars(select(Backfill).where(Backfill.dag_id == dag_id, Backfill.completed_at.is_(None))
                                 .order_by(Backfill.id)).all()
        if active:
            b = active[0]
            out.active_backfill = (f"backfill #{b.id} of {dag_id} (as_of {as_of_for(b.from_date)}.."
                                   f"{as_of_for(b.to_date)}, created {b.created_at:%Y-%m-%d %H:%M} UTC) is still active")
        serdag = session.scalar(SerializedDagModel.latest_item_select_object(dag_id))
        if serdag is None:
            raise SystemExit(f"{dag_id} is not in the metadata DB yet: run `scripts/airflow.sh setup` "
                             "(it serializes the DAGs) and try again")
        infos = list(serdag.dag.iter_dagrun_infos_between(start, end))
        for info in infos:
            as_of = as_of_for(info.logical_date)
            if not first <= as_of <= last:
                continue
            due = info.data_interval.end if info.data_interval else info.run_after
            if due >= now:
                out.blocked[as_of] = f"not due yet: its run is at {due:%Y-%m-%d %H:%M} UTC"
                continue
            dr = session.scalar(select(DagRun).where(DagRun.dag_id == dag_id, DagRun.logical_date == info.logical_date))
            if dr is not None and _state(dr.state) not in TERMINAL:
                out.blocked[as_of] = (f"a run for this date is already active: {dr.run_id} "
                                      f"({_state(dr.run_type)}, {_state(dr.state)}); it covers the date")
                continue
            out.to_run.append(as_of)
    scheduled = {as_of_for(i.logical_date) for i in infos}
    day = first
    while day <= last:
        if day not in scheduled and day not in out.blocked:
            out.blocked[day] = "no scheduled run of the DAG covers this date (before its start_date?)"
        day += timedelta(days=1)
    return out


def explain(p: Plan) -> None:
    if p.active_backfill:
        say(f"{p.active_backfill}: Airflow allows one backfill per DAG at a time; wait for it, or cancel it "
            "(Dags > Backfills in the UI, or PUT /api/v2/backfills/<id>/cancel)")
    for day in sorted(p.blocked):
        say(f"as_of {day}: not backfilled: {p.blocked[day]}")


def _latest_backfill_id(dag_id: str) -> int:
    from sqlalchemy import func, select

    from airflow.models.backfill import Backfill
    from airflow.utils.session import create_session

    with create_session() as session:
        return session.scalar(select(func.max(Backfill.id)).where(Backfill.dag_id == dag_id)) or 0


def create(first: date, last: date, dag_id: str = DAG_ID) -> tuple[int, list[tuple[date, int]], dict[date, str]]:
    """`airflow backfill create` for the window; returns (backfill id, [(as_of, dag run id)], skipped).

    A backfill that made no run at all is marked completed at once (what cancelling it does):
    otherwise it would block the next backfill of the DAG until a scheduler noticed it."""
    from sqlalchemy import select

    from airflow.models import DagRun
    from airflow.models.backfill import Backfill, BackfillDagRun
    from airflow.utils.session import create_session

    before = _latest_backfill_id(dag_id)
    frm, to = backfill_window(first, last)
    # --max-active-runs 1: a backfill ignores the DAG's max_active_runs (default 10).
    # --reprocess-behavior completed: a re-delivered date is run again even if it ran before.
    cmd = [str(Path(sys.executable).with_name("airflow")), "backfill", "create", "--dag-id", dag_id,
           "--from-date", frm, "--to-date", to, "--max-active-runs", "1", "--reprocess-behavior", "completed"]
    for attempt in range(1, 6):
        proc = subprocess.run(cmd, capture_output=True, text=True)
        out = proc.stdout + proc.stderr
        # SQLite metadata DB: the scheduler can hold the write lock; Airflow then removes the
        # partly made backfill, and trying again is safe
        if proc.returncode == 0 or "database is locked" not in out or attempt == 5:
            break
        say(f"the metadata DB was locked (attempt {attempt}); trying again")
        time.sleep(3 * attempt)
    if proc.returncode != 0:
        lines = [ln for ln in out.splitlines() if ln.strip()]
        why = next((ln for ln in reversed(lines) if "Error" in ln or "Warning" in ln or "Exception" in ln), "")
        raise RuntimeError("airflow backfill create failed: " + (why.strip() or "\n  ".join(lines[-6:])))
    with create_session() as session:
        b = session.scalar(select(Backfill).where(Backfill.dag_id == dag_id, Backfill.id > before)
                           .order_by(Backfill.id.desc()))
        if b is None:
            raise RuntimeError("airflow backfill create exited 0 but no backfill was recorded")
        runs, skipped = [], {}
        for row in session.scalars(select(BackfillDagRun).where(BackfillDagRun.backfill_id == b.id)
                                   .order_by(BackfillDagRun.sort_ordinal)):
            as_of = as_of_for(row.logical_date)
            if row.dag_run_id is None:
                dr = session.scalar(select(DagRun).where(DagRun.dag_id == dag_id,
                                                         DagRun.logical_date == row.logical_date))
                who = f": {dr.run_id} ({_state(dr.run_type)}, {_state(dr.state)})" if dr else ""
                skipped[as_of] = f"{row.exception_reason or 'not created'}{who}"
            else:
                runs.append((as_of, row.dag_run_id))
        if not runs and b.completed_at is None:
            b.completed_at = datetime.now(timezone.utc)
        return b.id, runs, skipped


def _scheduler_alive() -> bool:
    from airflow.jobs.job import most_recent_job
    from airflow.jobs.scheduler_job_runner import SchedulerJobRunner

    job = most_recent_job(SchedulerJobRunner.job_type)
    return bool(job and job.is_alive())


def wait(runs: list[tuple[date, int]], timeout: float, poll: float, scheduler_grace: float) -> dict[date, str]:
    """Poll the runs until each is success or failed; None states on giving up (see the module doc)."""
    from sqlalchemy import select

    from airflow.models import DagRun
    from airflow.utils.session import create_session

    started = time.monotonic()
    last_alive = started
    shown: dict[date, str] = {}
    while True:
        with create_session() as session:
            states = {as_of: _state(session.scalar(select(DagRun.state).where(DagRun.id == run_id)))
                      for as_of, run_id in runs}
        for as_of, state in sorted(states.items()):
            if shown.get(as_of) != state:
                say(f"as_of {as_of}: {state}")
        shown = states
        if all(s in TERMINAL for s in states.values()):
            return states
        now = time.monotonic()
        if _scheduler_alive():
            last_alive = now
        elif now - last_alive > scheduler_grace:
            raise TimeoutError(f"no live scheduler for {scheduler_grace:.0f} s: the runs wait in Airflow until "
                               "one runs (scripts/airflow.sh start)")
        if now - started > timeout:
            raise TimeoutError(f"still not finished after {timeout:.0f} s; the runs go on in Airflow "
                               "(scripts/airflow.sh runs)")
        time.sleep(poll)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=["check", "run"])
    ap.add_argument("first")
    ap.add_argument("last")
    ap.add_argument("--timeout", type=float, default=float(os.environ.get("LOWINCOME_BACKFILL_TIMEOUT", 6 * 3600)))
    ap.add_argument("--poll", type=float, default=5)
    ap.add_argument("--scheduler-grace", type=float, default=120)
    args = ap.parse_args(argv)
    try:
        first, last = date.fromisoformat(args.first), date.fromisoformat(args.last)
    except ValueError as e:
        print(f"usage: dates are YYYY-MM-DD ({e})", file=sys.stderr)
        return USAGE
    if first > last:
        print(f"usage: FIRST ({first}) is after LAST ({last})", file=sys.stderr)
        return USAGE
    p = plan(first, last)
    explain(p)
    if p.active_backfill or not p.to_run:
        say(f"nothing to run for as_of {first}..{last}")
        return NOTHING
    say("would run as_of " + ", ".join(map(str, p.to_run)) if args.action == "check"
        else "backfilling as_of " + ", ".join(map(str, p.to_run)))
    if args.action == "check":
        return OK
    try:
        backfill_id, runs, skipped = create(first, last)
    except RuntimeError as e:
        say(str(e))
        return FAILED
    for day, why in sorted(skipped.items()):
        say(f"as_of {day}: not backfilled: {why}")
    if not runs:
        say(f"backfill #{backfill_id} made no run (closed it); nothing to wait for")
        return NOTHING
    say(f"backfill #{backfill_id}: {len(runs)} run(s); waiting (timeout {args.timeout:.0f} s)")
    try:
        states = wait(runs, args.timeout, args.poll, args.scheduler_grace)
    except TimeoutError as e:
        say(f"gave up waiting: {e}")
        return GAVE_UP
    bad = sorted(d for d, s in states.items() if s != "success")
    for d in sorted(states):
        print(f"as_of {d}  {states[d]}")
    if bad:
        return FAILED
    return NOTHING if (p.blocked or skipped) else OK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
