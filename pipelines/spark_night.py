"""One night on Spark as a Spark application: what the DAG submits with the Apache Spark provider
(SparkSubmitOperator, `spark-submit pipelines/spark_night.py --run '<json>'`) when a run's engine
is spark. The same steps as `lowincome run --engine spark` (pipelines.orchestrate.run_for_date).

    --run  the DAG run's parameters (pipelines.dag_tasks.run_params): as_of, landing, warehouse
           (a folder), spark_master (the session's master or Spark Connect URL), run_id

Prints one JSON line (the run's summary, pipelines.report.run_json) and exits 0 when the night was
published, 1 when nothing trustworthy could be (the message says why, identity numbers masked).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from pathlib import Path


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True, help="the DAG run's parameters as JSON")
    run = json.loads(ap.parse_args(argv).run)

    from pipelines.fileperms import secure_umask
    from pipelines.masking import install_log_masking, safe_message

    secure_umask()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_masking()
    from pipelines.orchestrate import run_for_date
    from pipelines.report import run_json

    day = date.fromisoformat(run["as_of"])
    try:
        summary = run_for_date(Path(run["landing"]), Path(run["warehouse"]), day, engine="spark",
                               spark_master=run.get("spark_master"))
    except Exception as e:
        logging.getLogger("pipelines.spark_night").error("night %s on Spark failed: %s", day, safe_message(str(e)))
        print(json.dumps(run_json(day, error=e, exit_status=1), ensure_ascii=False, default=str), flush=True)
        return 1
    print(json.dumps(run_json(day, summary), ensure_ascii=False, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
