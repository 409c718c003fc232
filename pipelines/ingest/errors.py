"""The one error a bad delivery raises: it names the file, the row where there is one, and the problem.

Its message is made safe when the error is built (`pipelines.masking.safe_message`): identity
numbers masked, control characters escaped, length bounded. Quarantine messages flow into
delivery_log, rejects, run_sources, the quality report, logs and the console, so nothing that
raises a DeliveryError has to remember to mask what it prints.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.masking import safe_message


class DeliveryError(Exception):
    """A delivery that cannot be loaded as a whole; the run quarantines it and goes on."""

    def __init__(self, file: Path | str, problem: str, row: int | None = None):
        self.file = str(file)
        self.problem = safe_message(problem)
        self.row = row
        where = safe_message(Path(self.file).name, limit=300) + (f", row {row}" if row is not None else "")
        super().__init__(f"{where}: {self.problem}")
