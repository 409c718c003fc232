"""A staging worker process: stages the deliveries its parent sends, one at a time.

Plain subprocesses speaking JSON lines, not multiprocessing: multiprocessing's spawn and
forkserver re-run the caller's main script in every worker (a script without a `__main__` guard
would start a night inside each), and a plain fork would copy polars' thread pool broken.

    parent → worker: {"delivery": {...}, "warehouse": "...", "reuse": true, "previous": [[{...}, rows], ...]}
    worker → parent: the StageResult as JSON (one line), or {"error": "..."} (masked)
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

from pipelines.ingest.delivery_json import delivery_from_dict, delivery_to_dict


class WorkerProcess:
    """`with WorkerProcess() as w: w.stage(delivery, warehouse, reuse, previous)` in a child process."""

    def __enter__(self) -> "WorkerProcess":
        self.proc = subprocess.Popen([sys.executable, "-m", "pipelines.stage_worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, encoding="utf-8")
        return self

    def stage(self, delivery, warehouse: Path, reuse: bool, previous):
        from pipelines.staging import StageResult

        task = {"delivery": delivery_to_dict(delivery), "warehouse": str(warehouse), "reuse": reuse,
                "previous": [[delivery_to_dict(p), rows] for p, rows in previous or []]}
        self.proc.stdin.write(json.dumps(task, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the staging worker for {delivery.source} {delivery.delivery_date} died "
                               f"(exit status {self.proc.wait()})")
        out = json.loads(line)
        if "error" in out:
            raise RuntimeError(f"staging {delivery.source} {delivery.delivery_date} failed: {out['error']}")
        return StageResult.from_json(line)

    def __exit__(self, *exc) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def main() -> None:
    from pipelines.deliveries import stage_step
    from pipelines.fileperms import secure_umask
    from pipelines.masking import install_log_masking, safe_message

    from pipelines.report import quiet_duplicates

    secure_umask()
    # warnings reach the parent's stderr as a run's own would; a quarantine is not among them: the
    # parent says it from the result (each message once)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_masking()
    quiet_duplicates()
    out, sys.stdout = sys.stdout, sys.stderr   # nothing a library prints can corrupt the result lines
    for line in sys.stdin:
        task = json.loads(line)
        try:
            previous = [(delivery_from_dict(p), rows) for p, rows in task["previous"]]
            result = stage_step(delivery_from_dict(task["delivery"]), Path(task["warehouse"]),
                                reuse=task["reuse"], previous=previous)
            out.write(result.to_json().replace("\n", " ") + "\n")
        except Exception as e:  # staging quarantines what it can; anything else is the parent's to report
            out.write(json.dumps({"error": safe_message(str(e))}) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
