"""The one error a bad delivery raises: it names the file, the row where there is one, and the problem."""

from __future__ import annotations

from pathlib import Path


class DeliveryError(Exception):
    """A delivery that cannot be loaded as a whole; the run quarantines it and goes on."""

    def __init__(self, file: Path | str, problem: str, row: int | None = None):
        self.file = str(file)
        self.problem = problem
        self.row = row
        where = f"{Path(self.file).name}" + (f", row {row}" if row is not None else "")
        super().__init__(f"{where}: {problem}")
