"""Which deliveries each source gets, and what each one holds.

Every source has a main delivery dated on or a few days before as_of. Some also get an older
complete snapshot, one a newer snapshot dated after as_of, one a folder still being copied
(no `_SUCCESS`). A run for as_of must choose, per source, the newest complete delivery dated
on or before as_of; `chosen_for` is that rule, for the ground truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from synthetic.config import DemoConfig


@dataclass(frozen=True)
class Delivery:
    source: str
    day: date
    kind: str          # main | older | newer | incomplete
    complete: bool
    variant: int       # seed stream of this delivery's typing

    @property
    def folder_name(self) -> str:
        return self.day.isoformat()


def plan(cfg: DemoConfig, source: str) -> list[Delivery]:
    main_day = cfg.as_of - timedelta(days=cfg.delivery_offset.get(source, 0))
    out = [Delivery(source, main_day, "main", True, 0)]
    if source in cfg.older_delivery:
        out.append(Delivery(source, main_day - timedelta(days=cfg.older_delivery[source]), "older", True, 1))
    if source in cfg.newer_delivery:
        out.append(Delivery(source, cfg.as_of + timedelta(days=cfg.newer_delivery[source]), "newer", True, 2))
    if source in cfg.incomplete_delivery:
        day = cfg.as_of - timedelta(days=cfg.incomplete_delivery[source])
        if day == main_day:  # never overwrite the main delivery's folder
            day = main_day + timedelta(days=1)
        out.append(Delivery(source, day, "incomplete", False, 3))
    days = [d.day for d in out]
    if len(set(days)) != len(days):
        raise ValueError(f"{source}: two deliveries on the same day: {sorted(days)}")
    return sorted(out, key=lambda d: d.day)


def chosen_for(deliveries: list[Delivery], as_of: date) -> Delivery | None:
    ok = [d for d in deliveries if d.complete and d.day <= as_of]
    return max(ok, key=lambda d: d.day) if ok else None


def snapshot(frame: pl.DataFrame, delivery: Delivery, cfg: DemoConfig, rng: np.random.Generator,
             event_date: str | None) -> pl.DataFrame:
    """The rows of `frame` (the source as of the main delivery) that this delivery holds.

    Other snapshots miss `snapshot_drop_rate` of the records; an older one also lacks records
    dated after its day; an incomplete one holds only the first `incomplete_fraction` rows.
    """
    if delivery.kind == "main" or frame.height == 0:
        return frame
    keep = rng.random(frame.height) >= cfg.snapshot_drop_rate
    out = frame.filter(pl.Series(keep))
    if delivery.kind == "older" and event_date is not None:
        out = out.filter(pl.col(event_date).is_null() | (pl.col(event_date) <= delivery.day))
    if delivery.kind == "incomplete":
        out = out.head(int(out.height * cfg.incomplete_fraction))
    return out
