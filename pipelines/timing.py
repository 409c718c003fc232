"""Wall time per named part, added into a dict: every step and stage reports its timings this way."""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator


class Clock:
    """`with clock("read"):` adds the block's wall seconds (to the millisecond) to `into["read"]`."""

    def __init__(self, into: dict[str, float]):
        self.into = into

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.into[name] = round(self.into.get(name, 0.0) + time.perf_counter() - t0, 3)
