"""What the Airflow tasks of `dags/lowincome_nightly.py` run: JSON-able in, JSON-able out.

Each function is a thin wrapper over a step of `pipelines.orchestrate` (the steps `lowincome
run` chains), so the DAG and the CLI compute the same tables, and every task can be called
and tested without Airflow. Nothing here imports Airflow, polars, duckdb, pandas or
great_expectations at module level.

The run date (as_of)
--------------------
The pipeline's `as_of` is the Asia/Shanghai business date a run covers. The DAG is scheduled
`0 2 * * *` in Asia/Shanghai with Airflow 3's CronTriggerTimetable, so a run's logical date is
its trigger time: the run at 02:00 on 2026-11-29 (Shanghai) has logical_date
2026-11-28T18:00Z and covers the day that has just ended:

    as_of = (logical_date in Asia/Shanghai).date() - 1 day          → 2026-11-28

(`ds` is the UTC date and is never used.) A run without a logical date (`airflow dags
trigger` without `-l`) uses its `run_after` the same way. `dag_run.conf = {"as_of":
"YYYY-MM-DD"}` names the date explicitly and wins. The wall clock is never read, so retries and
re-runs of a run compute the same date. A backfill of business dates A..B is
`airflow backfill create --dag-id lowincome_nightly --from-date <A+1>T00:00:00+08:00
--to-date <B+1>T02:00:00+08:00 --max-active-runs 1` (see `backfill_window`; Airflow refuses a
window that ends in the future, so B+1 02:00 must have passed).

Paths
-----
landing zone: Airflow Variable `lowincome_landing`, else env LOWINCOME_LANDING, else
`<project>/demo/landing`; warehouse: Variable `lowincome_warehouse`, else env
LOWINCOME_WAREHOUSE, else `<project>/demo/warehouse.duckdb` (what `python -m synthetic demo --run`
writes). Airflow also reads Variables from AIRFLOW_VAR_LOWINCOME_LANDING / ..._WAREHOUSE.
They are resolved once, by the discover task, and passed to the others.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping
from zoneinfo import ZoneInfo

from pipelines import paths
from pipelines.ingest.delivery_json import delivery_from_dict, delivery_to_dict

log = logging.getLogger(__name__)

DAG_ID = "lowincome_nightly"
TIMEZONE = "Asia/Shanghai"
SCHEDULE = "0 2 * * *"
POOL = "lowincome_warehouse"           # one slot: every task that opens the DuckDB file
POOL_DESCRIPTION = "lowincome-monitor: the DuckDB warehouse takes one writer at a time"
VAR_LANDING, ENV_LANDING = "lowincome_landing", "LOWINCOME_LANDING"
VAR_WAREHOUSE, ENV_WAREHOUSE = "lowincome_warehouse", "LOWINCOME_WAREHOUSE"
DEFAULT_LANDING = paths.PROJECT_ROOT / "demo" / "landing"
DEFAULT_WAREHOUSE = paths.PROJECT_ROOT / "demo" / "warehouse.duckdb"

Getter = Callable[[str], "str | None"]
# The engine of a run: DAG param / conf {"engine": "spark", "spark_master": "spark://…"}. On Spark
# the whole night is one application submitted with the Apache Spark provider (SparkSubmitOperator)
# through the Airflow connection SPARK_CONN (conn type spark; its host is the master spark-submit
# starts with, e.g. local[*] or spark://host:7077); the run's spark_master, when given, is the one
# the application's session uses (a Spark Connect sc:// URL included). The Spark warehouse is a
# folder: Variable lowincome_spark_warehouse, else env LOWINCOME_SPARK_WAREHOUSE, else
# <warehouse>-spark beside the DuckDB file.
ENGINES = ("duckdb", "spark")
VAR_SPARK_WAREHOUSE, ENV_SPARK_WAREHOUSE = "lowincome_spark_warehouse", "LOWINCOME_SPARK_WAREHOUSE"
SPARK_CONN = "lowincome_spark"
SPARK_APPLICATION = str(Path(__file__).with_name("spark_night.py"))


# --------------------------------------------------------------------------- run date and paths
def as_of_for(logical_date: datetime | None, run_after: datetime | None = None,
              conf: Mapping[str, Any] | None = None) -> date:
    """The business date a run covers (see the module doc)."""
    if conf and conf.get("as_of"):
        return date.fromisoformat(str(conf["as_of"]))
    moment = logical_date or run_after
    if moment is None:
        raise ValueError("the run has neither a logical date nor run_after: pass conf {\"as_of\": \"YYYY-MM-DD\"}")
    if moment.tzinfo is None:  # Airflow's dates are aware; a naive one is taken as UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(ZoneInfo(TIMEZONE)).date() - timedelta(days=1)


def logical_date_for(as_of: date) -> datetime:
    """The logical date of the scheduled run that covers `as_of` (02:00 Shanghai the next day), in UTC."""
    local = datetime(as_of.year, as_of.month, as_of.day, 2, tzinfo=ZoneInfo(TIMEZONE)) + timedelta(days=1)
    return local.astimezone(timezone.utc)


def backfill_window(first: date, last: date) -> tuple[str, str]:
    """--from-date/--to-date of `airflow backfill create` whose runs cover as_of first..last."""
    return (f"{(first + timedelta(days=1)).isoformat()}T00:00:00+08:00",
            f"{(last + timedelta(days=1)).isoformat()}T02:00:00+08:00")


def resolve_paths(variable: Getter | None = None, environ: Mapping[str, str] | None = None,
                  engine: str = "duckdb") -> tuple[str, str]:
    """(landing, warehouse): Airflow Variable, else environment variable, else the default."""
    env = os.environ if environ is None else environ
    variable = variable or (lambda key: None)
    landing = variable(VAR_LANDING) or env.get(ENV_LANDING) or str(DEFAULT_LANDING)
    warehouse = variable(VAR_WAREHOUSE) or env.get(ENV_WAREHOUSE) or str(DEFAULT_WAREHOUSE)
    if engine == "spark":
        beside = Path(warehouse).expanduser()
        warehouse = (variable(VAR_SPARK_WAREHOUSE) or env.get(ENV_SPARK_WAREHOUSE)
                     or str(beside.with_name(beside.stem + "-spark")))
    return str(Path(landing).expanduser()), str(Path(warehouse).expanduser())


def _airflow_variable(key: str) -> str | None:
    from airflow.sdk import Variable

    return Variable.get(key, default=None)


def run_params(context: Mapping[str, Any], variable: Getter | None = _airflow_variable) -> dict:
    """The run's parameters from an Airflow task context: as_of, landing, warehouse."""
    dag_run = context.get("dag_run")
    logical = context.get("logical_date")  # the key is absent when the run has no logical date
    run_after = getattr(dag_run, "run_after", None)
    conf = getattr(dag_run, "conf", None) or {}
    as_of = as_of_for(logical, run_after, conf)
    params = context.get("params") or {}
    engine = str(conf.get("engine") or params.get("engine") or "duckdb")
    if engine not in ENGINES:
        raise _fail_now(f"unknown engine {engine!r} (dag_run.conf engine: one of {', '.join(ENGINES)})")
    landing, warehouse = resolve_paths(variable, engine=engine)
    out = {"as_of": as_of.isoformat(), "landing": landing, "warehouse": warehouse,
           "logical_date": logical.isoformat() if logical else None,
           "run_id": getattr(dag_run, "run_id", None), "engine": engine}
    if engine == "spark":
        out["spark_master"] = str(conf.get("spark_master") or params.get("spark_master")
                                  or os.environ.get("LOWINCOME_SPARK_MASTER") or "local[*]")
    return out


def _day(run: Mapping) -> date:
    return date.fromisoformat(run["as_of"])


# --------------------------------------------------------------------------- (de)serialising
def _jsonable(obj) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        obj = dataclasses.asdict(obj)
    return json.loads(json.dumps(obj, default=str, ensure_ascii=False))


def discovery_to_dict(disc) -> dict:
    return {"as_of": disc.as_of.isoformat(),
            "chosen": {s: delivery_to_dict(d) for s, d in disc.chosen.items()},
            "missing": list(disc.missing),
            "ignored": [{"path": str(i.path), "reason": i.reason} for i in disc.ignored],
            "superseded": [delivery_to_dict(d) for d in disc.superseded]}


def discovery_from_dict(d: Mapping):
    from pipelines.ingest.discovery import Discovery, Ignored

    return Discovery(date.fromisoformat(d["as_of"]),
                     chosen={s: delivery_from_dict(x) for s, x in d["chosen"].items()},
                     missing=list(d["missing"]),
                     ignored=[Ignored(Path(i["path"]), i["reason"]) for i in d["ignored"]],
                     superseded=[delivery_from_dict(x) for x in d["superseded"]])


def _items(seq) -> list:
    """The mapped tasks' outputs: Airflow's LazyXComSequence by index (iterating it to the end
    logs a harmless but alarming "XCom not found"), or any iterable."""
    if seq is None:
        return []
    if hasattr(seq, "__len__") and hasattr(seq, "__getitem__"):
        return [seq[i] for i in range(len(seq))]
    return list(seq)


# --------------------------------------------------------------------------- the tasks
def guarded(task: Callable) -> Callable:
    """What every task does first and last: owner-only files (umask), identity numbers masked in
    its logs, and an exception that leaves it masked (Airflow logs tracebacks itself)."""
    import functools

    @functools.wraps(task)
    def run(*args, **kwargs):
        from pipelines.fileperms import secure_umask
        from pipelines.masking import install_log_masking, safe_message

        secure_umask()
        install_log_masking()
        try:
            return task(*args, **kwargs)
        except Exception as e:
            log.error("%s failed: %s", task.__name__, safe_message(str(e)), exc_info=True)
            masked = type(e) if type(e).__module__.startswith(("airflow", "builtins")) else RuntimeError
            try:
                replacement = masked(safe_message(str(e)))
            except TypeError:
                replacement = RuntimeError(safe_message(str(e)))
            raise replacement from None
    return run


def _fail_now(message: str) -> Exception:
    """A failure a retry cannot fix: under Airflow, one that skips the remaining retries."""
    try:
        from airflow.sdk.exceptions import AirflowFailException
    except ImportError:  # called without Airflow (tests, tools)
        return RuntimeError(message)
    return AirflowFailException(message)


def _night(run: dict):
    from pipelines.orchestrate import Night, new_run_id
    from pipelines.store.layout import layout

    return Night(layout(run["warehouse"]), _day(run), new_run_id(f"af-{run.get('run_id') or run['as_of']}"))


def _lease(run: dict, new: bool = False):
    """The warehouse lease of this DAG run (its tasks are separate processes: kind 'tasks')."""
    from pipelines.store.lease import Lease
    from pipelines.store.night import warehouse_config

    nt = _night(run)
    return nt, Lease(nt.lay, nt.run_id, run["as_of"], new=new, kind="tasks",
                     timeout_hours=float(warehouse_config()["lease_timeout_hours"]))


@guarded
def discover(run: dict) -> dict:
    """Deliveries of the date (one mapped stage task each) and each source's row-count baseline.
    Fails at once (no retries) when the registry has no complete delivery on or before the date.

    Reads the landing zone and, read-only, the published catalog's delivery_log."""
    from pipelines.deliveries import discover_step, night_deliveries, previous_deliveries, registry_problem

    disc = discover_step(Path(run["landing"]), _day(run))
    problem = registry_problem(_day(run), disc)
    if problem:
        raise _fail_now(f"no trustworthy result for {run['as_of']}: {problem}")
    previous = previous_deliveries(Path(run["warehouse"]), disc)
    deliveries = []
    for d in night_deliveries(disc):
        item = delivery_to_dict(d)
        item["previous"] = [{**delivery_to_dict(p), "rows": rows} for p, rows in previous.get(d.source, [])]
        deliveries.append(item)
    log.info("as_of %s: %d deliveries, missing %s", run["as_of"], len(deliveries), disc.missing)
    return {"run": run, "deliveries": deliveries, "discovery": discovery_to_dict(disc)}


def discover_task(context: Mapping[str, Any]) -> list[dict]:
    """The DAG's discover task: returns the deliveries (the stage tasks map over them) and pushes
    the run's parameters and the discovery as XComs `run` and `discovery` (Airflow maps only
    over a task's return value)."""
    out = discover(run_params(context))
    ti = context["ti"]
    ti.xcom_push(key="run", value=out["run"])
    ti.xcom_push(key="discovery", value=out["discovery"])
    return out["deliveries"]


@guarded
def stage(run: dict, delivery: dict) -> dict:
    """Read, validate and normalise one delivery into Parquet; no database."""
    from pipelines.deliveries import stage_step

    previous = [(delivery_from_dict(p), p.get("rows")) for p in delivery.get("previous") or []]
    res = stage_step(delivery_from_dict(delivery), Path(run["warehouse"]), previous=previous)
    if res.status == "quarantined":
        log.warning("quarantined %s %s: %s", res.source, res.delivery_date, res.message)
    return json.loads(res.to_json())


@guarded
def load(run: dict, discovery: dict, staged: Iterable[dict]) -> dict:
    """Take the warehouse lease for this DAG run, begin the night (a private work copy of the
    catalog) and record every staged delivery. Fails at once when the registry is quarantined."""
    from pipelines.deliveries import registry_problem, split_results
    from pipelines.orchestrate import load_step
    from pipelines.staging import StageResult
    from pipelines.store import night

    disc = discovery_from_dict(discovery)
    results, earlier = split_results(disc, [StageResult.from_json(json.dumps(item)) for item in _items(staged)])
    problem = registry_problem(_day(run), disc, results)
    if problem:
        raise _fail_now(f"no trustworthy result for {run['as_of']}: {problem}")
    nt, lease = _lease(run, new=True)
    with lease:
        night.begin(nt.lay, nt.run_id)
        load_step(nt, disc, results, earlier)
    states = {s: ("loaded" if r.status == "staged" else "quarantined") for s, r in results.items()}
    states.update({s: "missing" for s in disc.missing})
    return {"sources": dict(sorted(states.items())),
            "quarantined": {s: r.message for s, r in results.items() if r.status != "staged"}}


@guarded
def link(run: dict) -> dict:
    from pipelines.orchestrate import link_step

    nt, lease = _lease(run)
    with lease:
        return _jsonable(link_step(nt))


@guarded
def rules(run: dict) -> dict:
    from pipelines.orchestrate import rules_step

    nt, lease = _lease(run)
    with lease:
        return _jsonable(rules_step(nt))


@guarded
def validate_outputs(run: dict) -> dict:
    """The outputs gate; fails (no retry, nothing is published) on a critical failure."""
    from pipelines.orchestrate import validate_outputs_step
    from pipelines.validation.quality import OutputsRejected

    nt, lease = _lease(run)
    with lease:
        try:
            return _jsonable(validate_outputs_step(nt).to_dict())
        except OutputsRejected as e:
            raise _fail_now(str(e)) from e


@guarded
def publish(run: dict) -> dict:
    """Publish the night: warning_status, files for people, the catalog swapped in whole."""
    from pipelines.orchestrate import publish_step

    nt, lease = _lease(run)
    with lease:
        return _jsonable(publish_step(nt))


@guarded
def release(run: dict) -> dict:
    """Teardown: a DAG run that did not publish drops its unfinished night and frees the warehouse
    (the published night never changed). Nothing to do after a publication."""
    from pipelines.store import night
    from pipelines.store.lease import WarehouseBusy, read_owner

    nt, lease = _lease(run)
    owner = read_owner(nt.lay)
    if owner is None or owner.run_id != nt.run_id:
        return {"released": False}
    try:
        with lease:
            night.abort(nt.lay, nt.run_id)
    except WarehouseBusy:
        return {"released": False}
    return {"released": True}


def engine_of(run: Mapping) -> str:
    """Which engine the run's night is on (the DAG's short-circuit tasks route by it)."""
    return str(run.get("engine") or "duckdb")


@guarded
def spark_summary(run: dict) -> dict:
    """The run summary of a night on Spark, from what it published (its warehouse's run_sources
    and the night's quality report): the same keys as `summary`."""
    import polars as pl

    from pipelines.store.layout import layout
    from pipelines.store.spark_store import SparkWarehouse

    lay = layout(run["warehouse"], "spark")
    wh = SparkWarehouse(lay)
    sources = wh.bookkeeping("run_sources").filter(pl.col("as_of") == _day(run))
    if sources.is_empty():
        raise _fail_now(f"no night {run['as_of']} was published in {run['warehouse']}")
    report = lay.out / "quality" / f"{run['as_of']}.json"
    quality = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    loaded = {"sources": {s: st for s, st in sources.select("source", "status").sort("source").iter_rows()},
              "quarantined": {s: m for s, st, m in sources.select("source", "status", "message").iter_rows()
                              if st == "quarantined"}}
    published = {"as_of": run["as_of"], "out_dir": str(lay.out)}
    return summary.__wrapped__(run, loaded, {**quality, "report": str(report)}, published)


@guarded
def summary(run: dict, loaded: dict, quality: dict, published: dict) -> dict:
    """The run summary: what each source was, what was quarantined and skipped, where to look."""
    out = {
        "as_of": run["as_of"],
        "logical_date": run.get("logical_date"),
        "warehouse": run["warehouse"],
        "sources": loaded.get("sources", {}),
        "quarantined": loaded.get("quarantined", {}),
        "rules_skipped_for_quarantine": quality.get("skipped_rules", {}),
        "quality_warnings": len(quality.get("warnings", [])),
        "quality_report": quality.get("report"),
        "data_docs": quality.get("data_docs"),
        "published": published,
    }
    log.info("run summary for %s: %s", run["as_of"], json.dumps(out, ensure_ascii=False, default=str))
    return out
