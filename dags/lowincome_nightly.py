"""lowincome_nightly: the nightly low-income monitoring run (低收入人口动态监测), 02:00 Asia/Shanghai.

    discover → on_duckdb → stage[source] (mapped: read + validate + normalise, no database)
             → load (takes the warehouse, begins the night) → link → rules → validate_outputs
             → publish (the night appears whole) → summary;  release (teardown: frees the warehouse)
    discover → on_spark → night_on_spark (SparkSubmitOperator: pipelines/spark_night.py, the same
             steps on Spark) → spark_summary
Param / dag_run.conf `engine` (duckdb | spark) picks the path; `spark_master` the Spark session's.

Every task calls a function of `pipelines.dag_tasks` (the steps `lowincome run` chains), so a
run gives the same tables as `lowincome run --as-of <as_of>`. The run covers the Shanghai
business date before its logical date: the 02:00 run of 2026-11-29 has as_of 2026-11-28
(`pipelines/dag_tasks.py` explains; `dag_run.conf {"as_of": "..."}` overrides). Every task that
opens the DuckDB warehouse runs in the one-slot pool `lowincome_warehouse` (create it with
`scripts/airflow.sh setup`); the stage tasks write only Parquet and run in parallel.
Landing zone and warehouse: Airflow Variables `lowincome_landing` / `lowincome_warehouse`,
else env LOWINCOME_LANDING / LOWINCOME_WAREHOUSE, else the demo's folders.

This file holds no logic and imports nothing heavy: it is parsed often.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import Param, dag, get_current_context, task

from pipelines.dag_tasks import DAG_ID, ENGINES, POOL, SCHEDULE, SPARK_APPLICATION, SPARK_CONN, TIMEZONE

DEFAULT_ARGS = {
    "owner": "civil-affairs-data",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    "execution_timeout": timedelta(hours=3),
}


@dag(
    dag_id=DAG_ID,
    schedule=SCHEDULE,  # a cron string: CronTriggerTimetable in start_date's time zone
    start_date=pendulum.datetime(2024, 1, 1, tz=pendulum.timezone(TIMEZONE)),  # backfills reach back to here
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["lowincome", "civil-affairs", "nightly"],
    doc_md=__doc__,
    params={  # dag_run.conf may name them too: {"engine": "spark", "spark_master": "spark://host:7077"}
        "engine": Param("duckdb", enum=list(ENGINES), description="duckdb: the tasks below on one machine; spark: "
                        "the night as one application submitted to Spark (connection lowincome_spark)"),
        "spark_master": Param("local[*]", type="string", description="the Spark session's master: local[*], "
                              "spark://host:7077 or a Spark Connect sc://host:15002"),
    },
)
def lowincome_nightly():
    @task(pool=POOL)  # reads the warehouse's delivery_log (row-count baselines)
    def discover() -> list[dict]:
        from pipelines import dag_tasks

        return dag_tasks.discover_task(get_current_context())  # + XComs "run" and "discovery"

    @task(map_index_template="{{ source }}")  # the UI names each mapped task by its source
    def stage(run: dict, delivery: dict) -> dict:
        from pipelines import dag_tasks

        get_current_context()["source"] = delivery["source"]
        return dag_tasks.stage(run, delivery)

    @task(pool=POOL, trigger_rule="none_failed")  # also when there was nothing to stage
    def load(run: dict, discovery: dict, staged) -> dict:
        from pipelines import dag_tasks

        return dag_tasks.load(run, discovery, staged)

    @task(pool=POOL)
    def link(run: dict) -> dict:
        from pipelines import dag_tasks

        return dag_tasks.link(run)

    @task(pool=POOL)
    def rules(run: dict) -> dict:
        from pipelines import dag_tasks

        return dag_tasks.rules(run)

    @task(pool=POOL)
    def validate_outputs(run: dict) -> dict:
        from pipelines import dag_tasks

        return dag_tasks.validate_outputs(run)

    @task(pool=POOL)
    def publish(run: dict) -> dict:
        from pipelines import dag_tasks

        return dag_tasks.publish(run)

    @task
    def summary(run: dict, loaded: dict, quality: dict, published: dict) -> dict:
        from pipelines import dag_tasks

        return dag_tasks.summary(run, loaded, quality, published)

    @task  # a teardown (below): runs however the run ended: a night left unpublished is dropped, the warehouse freed
    def release(run: dict) -> dict:
        from pipelines import dag_tasks

        return dag_tasks.release(run)

    @task.short_circuit  # False: every task after it is skipped (the other engine's path)
    def on_duckdb(run: dict) -> bool:
        from pipelines import dag_tasks

        return dag_tasks.engine_of(run) == "duckdb"

    @task.short_circuit
    def on_spark(run: dict) -> bool:
        from pipelines import dag_tasks

        return dag_tasks.engine_of(run) == "spark"

    @task
    def spark_summary(run: dict) -> dict:
        from pipelines import dag_tasks

        return dag_tasks.spark_summary(run)

    night_on_spark = SparkSubmitOperator(  # the whole night (stage … publish) as one Spark application
        task_id="night_on_spark",
        application=SPARK_APPLICATION,
        conn_id=SPARK_CONN,
        application_args=["--run", "{{ ti.xcom_pull(task_ids='discover', key='run') | tojson }}"],
        name="lowincome-night",
        pool=POOL,
    )

    found = discover()
    run = found["run"]
    on_spark(run) >> night_on_spark >> spark_summary(run)
    staged = stage.partial(run=run).expand(delivery=found)
    on_duckdb(run) >> staged
    loaded = load(run, found["discovery"], staged)
    linked = link(run)
    ruled = rules(run)
    checked = validate_outputs(run)
    published = publish(run)
    loaded >> linked >> ruled >> checked >> published
    summary(run, loaded, checked, published)
    published >> release(run).as_teardown(setups=loaded)


lowincome_nightly()
