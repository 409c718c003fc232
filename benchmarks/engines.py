"""Both engines side by side: the same night on DuckDB and on Spark, per stage, at three sizes.

    python -m benchmarks.engines                                   # sizes 0.003 0.01 0.03, Spark local[2],
                                                                   # then local-cluster[2,1,2048] at 0.01
    python -m benchmarks.engines --sizes 0.01 --cluster ''         # one size, no two-worker run
    python -m benchmarks.engines --plans bench-out/spark-plans.txt # + each model's physical plan
                                                                   #   (Spark run of the largest size)
    python -m benchmarks.engines --cluster-only --cluster-size 0.003  # DuckDB and the two-worker run only
    python -m benchmarks.engines --sizes 0.003 --cluster '' --event-log bench-out/events
        --spark-conf spark.sql.autoBroadcastJoinThreshold=-1        # shuffle bytes, every join a shuffle

Sizes are fractions of the province (benchmarks/scale.py's generator and its caching helpers;
landing zones cached in bench-out/engines-<size>/). Each run is `lowincome run --json` in a fresh
process (the real command: imports, JVM start and stop included in the process's wall time); the
per-stage times are the run summary's own `timings`; the peak RSS and CPU seconds are those of the
whole process tree (the Spark driver JVM, and with local-cluster the executor JVMs, are children
of the run). Printed per size: stage | DuckDB | Spark | Spark/DuckDB, and whether the Spark run's
warnings (every column, JSON parsed) and links equal DuckDB's. Then a fresh process that only
starts a Spark session (the JVM's fixed cost), and the two-worker run (`--cluster`), whose
warnings are compared with DuckDB's the same way. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from benchmarks.scale import AS_OF, CPU_SECONDS, ensure_data, fresh_warehouse, measure

STAGES = [("discover", "discover"), ("stage", "stage"), ("load", "load"), ("link", "link"), ("rules", "rules"),
          ("validate_outputs", "outputs gate"), ("publish", "publish")]
JSON_COLUMNS = {"evidence", "candidates", "ties", "explanation", "detail"}


def lowincome() -> str:
    """The installed `lowincome` command beside this interpreter (else on PATH)."""
    beside = Path(sys.executable).with_name("lowincome")
    return str(beside) if beside.exists() else (shutil.which("lowincome") or "lowincome")


def run_night(root: Path, landing: Path, engine: str, master: str | None, log: Path,
              plans: Path | None = None, events: Path | None = None) -> dict:
    """`lowincome run --json` in a fresh process on a fresh warehouse under `root`: the summary,
    the process's wall seconds, the tree's peak RSS (GB) and CPU seconds. Its stderr (progress,
    Spark's log) goes to `log`."""
    root.mkdir(parents=True, exist_ok=True)
    warehouse = fresh_warehouse(root, engine)
    cmd = [lowincome(), "run", "--landing", str(landing), "--warehouse", str(warehouse), "--as-of", AS_OF, "--json"]
    if engine == "spark":
        cmd += ["--engine", "spark", "--spark-master", master or "local[2]"]
    conf_before = os.environ.get("LOWINCOME_SPARK_CONF")
    if events is not None and engine == "spark":
        shutil.rmtree(events, ignore_errors=True)
        events.mkdir(parents=True)
        os.environ["LOWINCOME_SPARK_CONF"] = ",".join(filter(None, [
            conf_before, "spark.eventLog.enabled=true", "spark.eventLog.compress=false",
            f"spark.eventLog.dir=file://{events.absolute()}"]))
    env_before = os.environ.get("LOWINCOME_SPARK_PLANS")
    if plans is not None:
        plans.unlink(missing_ok=True)
        os.environ["LOWINCOME_SPARK_PLANS"] = str(plans.absolute())
    try:
        # exec: the shell becomes the run itself, so the measured tree is the run's alone
        log.parent.mkdir(parents=True, exist_ok=True)
        shell = 'log=$1; shift; exec "$0" "$@" 2>>"$log"'
        summary, wall, rss = measure(["sh", "-c", shell, cmd[0], str(log.absolute()), *cmd[1:]])
    finally:
        if conf_before is None:
            os.environ.pop("LOWINCOME_SPARK_CONF", None)
        else:
            os.environ["LOWINCOME_SPARK_CONF"] = conf_before
        if plans is not None:
            if env_before is None:
                os.environ.pop("LOWINCOME_SPARK_PLANS", None)
            else:
                os.environ["LOWINCOME_SPARK_PLANS"] = env_before
    if summary.get("status") != "published":
        raise SystemExit(f"{engine} run at {root} did not publish: {summary.get('error_kind')} {summary.get('error')}")
    out = {"summary": summary, "wall": wall, "rss": rss, "cpu": CPU_SECONDS["last"], "warehouse": warehouse}
    if events is not None and engine == "spark":
        out["events"] = event_totals(events)
    return out


# --------------------------------------------------------------------------- same answers
def table_rows(warehouse: Path, engine: str, table: str) -> list[tuple]:
    """A published table's rows for AS_OF in a canonical form (columns sorted, JSON parsed,
    floats rounded, rows sorted): DuckDB's catalog, or the Spark warehouse's Parquet partition
    read with DuckDB as an analyst would."""
    import duckdb

    day = date.fromisoformat(AS_OF)
    if engine == "duckdb":
        with duckdb.connect(str(warehouse), read_only=True) as con:
            cols = [r[0] for r in con.execute(f'DESCRIBE "{table}"').fetchall()]
            where = " WHERE as_of = ?" if "as_of" in cols else ""
            frame = con.sql(f'SELECT * FROM "{table}"{where}', params=[day] if where else None).pl()
    else:
        folder = warehouse / table / f"as_of={AS_OF}"
        with duckdb.connect() as con:
            frame = con.sql(f"SELECT * FROM read_parquet('{folder}/*.parquet')").pl()
    frame = frame.drop("as_of") if "as_of" in frame.columns else frame   # the night compared is AS_OF

    def value(c, v):
        if c in JSON_COLUMNS and isinstance(v, str):
            return json.dumps(json.loads(v), ensure_ascii=False)
        if isinstance(v, float):
            return round(v, 9)
        return v if v is None or isinstance(v, (str, int, bool, date)) else str(v)

    columns = sorted(frame.columns)
    return sorted((tuple(value(c, r[c]) for c in columns) for r in frame.select(columns).iter_rows(named=True)),
                  key=repr)


def compare(duck: dict, spark: dict) -> dict:
    """Warnings and links of a Spark run against the DuckDB run's: counts and equality."""
    out = {}
    for table in ("warnings", "links"):
        d = table_rows(duck["warehouse"], "duckdb", table)
        s = table_rows(spark["warehouse"], "spark", table)
        out[table] = {"duckdb": len(d), "spark": len(s), "equal": d == s,
                      "only_duckdb": len(set(d) - set(s)), "only_spark": len(set(s) - set(d))}
    return out


def said(check: dict) -> str:
    return "; ".join(f"{t} {c['duckdb']:,} vs {c['spark']:,}: " + ("EQUAL" if c["equal"] else
                     f"DIFFER ({c['only_duckdb']} only on DuckDB, {c['only_spark']} only on Spark)")
                     for t, c in check.items())


# --------------------------------------------------------------------------- printing
def stage_times(run: dict) -> dict[str, float]:
    t = run["summary"]["timings"]
    out = {label: float(t.get(key, 0.0)) for key, label in STAGES}
    out["run (summary)"] = float(run["summary"]["seconds"])
    out["process wall"] = run["wall"]
    return out


def print_size(size: float, records: int, runs: dict[str, dict], load: str) -> None:
    engines = list(runs)
    print(f"\n== size {size:g}: {records:,} rows read; load before: {load}")
    head = f"  {'stage':<16}" + "".join(f"{e:>14}" for e in engines)
    print(head + (f"{'ratio':>9}" if len(engines) == 2 else ""))
    times = {e: stage_times(runs[e]) for e in engines}
    for label in times[engines[0]]:
        line = f"  {label:<16}" + "".join(f"{times[e][label]:>13.1f}s" for e in engines)
        if len(engines) == 2:
            a, b = times[engines[0]][label], times[engines[1]][label]
            line += f"{b / a:>8.1f}×" if a >= 0.05 else f"{'—':>9}"
        print(line)
    print(f"  {'CPU, tree':<16}" + "".join(f"{runs[e]['cpu']:>13.1f}s" for e in engines))
    print(f"  {'peak RSS, tree':<16}" + "".join(f"{runs[e]['rss']:>12.2f}GB" for e in engines), flush=True)


def print_events(run: dict, records: int) -> None:
    ev = run.get("events")
    if ev:
        print(f"  Spark event log: {ev['jobs']} jobs, {ev['stages']} stages, {ev['tasks']} tasks; shuffle written "
              f"{ev['shuffle_write_bytes'] / 1e6:.1f} MB ({ev['shuffle_write_records']:,} rows, "
              f"{ev['shuffle_write_bytes'] / records:.0f} B per record read), "
              f"spilled {ev['spill_disk_bytes'] / 1e6:.1f} MB, "
              f"files read {ev['input_bytes'] / 1e6:.1f} MB", flush=True)


def uptime() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


SESSION_ONLY = """
import sys, time
t0 = time.perf_counter()
from pipelines.engine.spark_engine import configure, spark_session, stop_session
configure(sys.argv[1]); s = spark_session(); s.sql("SELECT 1").collect()
started = time.perf_counter() - t0
t1 = time.perf_counter(); stop_session()
print('{"start": %.3f, "stop": %.3f}' % (started, time.perf_counter() - t1))
"""


# --------------------------------------------------------------------------- plans
def count_exchanges(plans: Path) -> list[dict]:
    """Per model in a LOWINCOME_SPARK_PLANS file: shuffle Exchanges (hash / range / single
    partition, with their keys) and broadcast exchanges of its physical plan."""
    import re

    models: list[dict] = []
    for block in plans.read_text(encoding="utf-8").split("\n== ")[0:]:
        name, _, plan = block.lstrip("= ").partition("\n")
        if not name:
            continue
        shuffles = re.findall(r"(?<!Broadcast)Exchange (\w+(?:\([^\n]*?\))?)", plan)
        models.append({"model": name.strip(), "shuffles": len(shuffles),
                       "broadcasts": len(re.findall(r"BroadcastExchange", plan)),
                       "keys": sorted({re.sub(r"#\d+L?", "", s)[:90] for s in shuffles})})
    return models


# --------------------------------------------------------------------------- shuffle volume
def event_totals(folder: Path) -> dict:
    """Sums over the Spark event logs in `folder` (spark.eventLog.enabled): jobs, stages, tasks,
    bytes read from files, shuffle bytes and records written, spill: the measured shuffle volume."""
    out = {"jobs": 0, "stages": 0, "tasks": 0, "input_bytes": 0, "shuffle_write_bytes": 0,
           "shuffle_write_records": 0, "shuffle_read_bytes": 0, "spill_disk_bytes": 0, "output_bytes": 0}
    # Spark 4 writes a folder per application (eventlog_v2_<app>/events_<n>_<app>, rolled)
    for log in sorted(p for p in folder.rglob("*") if p.is_file() and p.name.startswith(("events_", "app-", "local-"))):
        with log.open(encoding="utf-8") as f:
            for line in f:
                kind = line[10:60]
                if "SparkListenerJobStart" in kind:
                    out["jobs"] += 1
                elif "SparkListenerStageCompleted" in kind:
                    out["stages"] += 1
                elif "SparkListenerTaskEnd" in kind:
                    m = json.loads(line).get("Task Metrics") or {}
                    out["tasks"] += 1
                    out["input_bytes"] += (m.get("Input Metrics") or {}).get("Bytes Read", 0)
                    out["output_bytes"] += (m.get("Output Metrics") or {}).get("Bytes Written", 0)
                    w = m.get("Shuffle Write Metrics") or {}
                    out["shuffle_write_bytes"] += w.get("Shuffle Bytes Written", 0)
                    out["shuffle_write_records"] += w.get("Shuffle Records Written", 0)
                    r = m.get("Shuffle Read Metrics") or {}
                    out["shuffle_read_bytes"] += r.get("Remote Bytes Read", 0) + r.get("Local Bytes Read", 0)
                    out["spill_disk_bytes"] += m.get("Disk Bytes Spilled", 0)
    return out


# --------------------------------------------------------------------------- main
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=float, nargs="+", default=[0.003, 0.01, 0.03],
                    help="fractions of the province (benchmarks/scale.py: 0.1 reads about 1.46 M records)")
    ap.add_argument("--out", type=Path, default=Path("bench-out"))
    ap.add_argument("--spark-master", default="local[2]")
    ap.add_argument("--cluster", default="local-cluster[2,1,2048]",
                    help="a master with more than one executor JVM, run once ('' to skip)")
    ap.add_argument("--cluster-size", type=float, default=None, help="size of the cluster run (default: the middle)")
    ap.add_argument("--plans", type=Path, default=None,
                    help="write each model's physical plan here (Spark run of the largest size) and count Exchanges")
    ap.add_argument("--cluster-only", action="store_true", help="only DuckDB and the --cluster run, at --cluster-size")
    ap.add_argument("--spark-conf", default="",
                    help="k=v,k=v added to the Spark runs' settings (LOWINCOME_SPARK_CONF), e.g. "
                         "spark.sql.autoBroadcastJoinThreshold=-1 to see every join as a shuffle")
    ap.add_argument("--event-log", type=Path, default=None,
                    help="keep Spark's event logs here (one folder per run) and sum the shuffle bytes they record")
    args = ap.parse_args()
    if args.spark_conf:
        os.environ["LOWINCOME_SPARK_CONF"] = ",".join(filter(None, [os.environ.get("LOWINCOME_SPARK_CONF"),
                                                                    args.spark_conf]))
    sizes = sorted(args.sizes)
    logs = args.out / "engines-logs"
    print(f"benchmarks.engines: sizes {sizes}, Spark {args.spark_master}; {uptime()}", flush=True)

    rows, duck_runs, landings = [], {}, {}
    for size in ([] if args.cluster_only else sizes):
        root = args.out / f"engines-{size:g}"
        landing = ensure_data(root, size)
        landings[size] = (root, landing)
        load = uptime()
        runs = {"duckdb": run_night(root, landing, "duckdb", None, logs / f"{size:g}-duckdb.log")}
        runs["spark"] = run_night(root, landing, "spark", args.spark_master, logs / f"{size:g}-spark.log",
                                  plans=args.plans if size == sizes[-1] else None,
                                  events=args.event_log / f"{size:g}" if args.event_log else None)
        records = runs["duckdb"]["summary"]["rows"]["rows_read"]
        print_size(size, records, runs, load)
        check = compare(runs["duckdb"], runs["spark"])
        print(f"  same answers: {said(check)}", flush=True)
        print_events(runs["spark"], records)
        duck_runs[size] = runs["duckdb"]
        rows.append({"size": size, "records": records, "load_before": load, "check": check,
                     **{e: {"stages": {k: round(v, 2) for k, v in stage_times(r).items()}, "cpu_s": round(r["cpu"], 1),
                            "rss_gb": round(r["rss"], 2), "events": r.get("events")} for e, r in runs.items()}})

    result: dict = {"sizes": rows}
    if not args.cluster_only:
        session, wall, rss = measure([sys.executable, "-c", SESSION_ONLY, args.spark_master])
        print(f"\n== a Spark session alone ({args.spark_master}, fresh process): start {session['start']:.1f}s, "
              f"stop {session['stop']:.1f}s, process {wall:.1f}s, peak RSS {rss:.2f} GB", flush=True)
        result["session_only"] = {**session, "process_s": round(wall, 1), "rss_gb": round(rss, 2)}

    if args.cluster:
        size = args.cluster_size if args.cluster_size is not None else sizes[len(sizes) // 2]
        root = args.out / f"engines-{size:g}"
        landing = landings[size][1] if size in landings else ensure_data(root, size)
        if size not in duck_runs:
            duck_runs[size] = run_night(root, landing, "duckdb", None, logs / f"{size:g}-duckdb.log")
        load = uptime()
        try:
            cluster = run_night(root / "cluster", landing, "spark", args.cluster, logs / f"{size:g}-cluster.log",
                                events=args.event_log / f"{size:g}-cluster" if args.event_log else None)
        except (SystemExit, json.JSONDecodeError, IndexError) as e:
            print(f"\n== {args.cluster} at size {size:g}: FAILED ({e}); see {logs / f'{size:g}-cluster.log'}")
            result["cluster"] = {"master": args.cluster, "size": size, "failed": str(e)}
        else:
            records = duck_runs[size]["summary"]["rows"]["rows_read"]
            print_size(size, records, {"duckdb": duck_runs[size], args.cluster: cluster}, load)
            check = compare(duck_runs[size], cluster)
            print(f"  same answers: {said(check)}", flush=True)
            print_events(cluster, records)
            result["cluster"] = {"master": args.cluster, "size": size, "check": check, "load_before": load,
                                 "stages": {k: round(v, 2) for k, v in stage_times(cluster).items()},
                                 "cpu_s": round(cluster["cpu"], 1), "rss_gb": round(cluster["rss"], 2)}

    if args.plans is not None and args.plans.exists():
        models = count_exchanges(args.plans)
        result["shuffle_exchanges"] = sum(m["shuffles"] for m in models)
        print(f"\n== shuffles per model (physical plans in {args.plans}, size {sizes[-1]:g})")
        for m in models:
            print(f"  {m['model']:<28} {m['shuffles']:>3} shuffle, {m['broadcasts']:>2} broadcast  "
                  + " | ".join(m["keys"]))
        print(f"  total: {sum(m['shuffles'] for m in models)} shuffle Exchanges in {len(models)} models")
    print("\n== summary (JSON)")
    print(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
