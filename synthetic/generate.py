"""`generate(out_dir, config)`: population → per-source TRUE frames → (planting) → typing → files.

Stages, per source:
  1. `sources.SPECS[source].frame(pop, rng, cfg)`: the source's true values (+ person_key);
  2. `plant(source, frame, pop, cfg)`: optional hook that adds/overrides rows (rule cases); a
     planter may also have `prepare(pop, cfg) -> pop` (called once, before any source),
     `clean_keys` (people whose numbers and names are typed cleanly) and `write_truth(dir)`
     (synthetic/plant.py; `DemoConfig.plant_cases` uses it);
  3. for each delivery of `deliveries.plan`: `deliveries.snapshot` → `render.render` → writers;
  4. ground truth rows for every record written.

Random streams are derived from (seed, stage, source, delivery), so a run of a subset of the
sources writes the same files for those sources as a full run.
"""

from __future__ import annotations

import multiprocessing
import shutil
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import polars as pl

from pipelines import contracts
from synthetic import deliveries as dlv
from synthetic import population, refdata, render, sources, writers
from synthetic.config import ALL_SOURCES, ID_CORRUPTIONS, NAME_CORRUPTIONS, DemoConfig

Planter = Callable[[str, pl.DataFrame, population.Population, DemoConfig], pl.DataFrame]

_STREAM_FRAME, _STREAM_RENDER, _STREAM_HEADERS = 2, 3, 4
ID_ENUM = pl.Enum(list(ID_CORRUPTIONS))
NAME_ENUM = pl.Enum(list(NAME_CORRUPTIONS))
SOURCE_ENUM = pl.Enum(list(ALL_SOURCES))


@dataclass
class DeliverySummary:
    day: str
    folder: Path
    kind: str
    complete: bool
    files: list[str]
    rows: int


@dataclass
class SourceSummary:
    source: str
    deliveries: list[DeliverySummary] = field(default_factory=list)
    elapsed: float = 0.0                 # seconds spent on this source (incl. background Excel writing)

    @property
    def rows(self) -> int:
        return sum(d.rows for d in self.deliveries)

    @property
    def folders(self) -> list[Path]:
        return [d.folder for d in self.deliveries]


@dataclass
class DemoSummary:
    out_dir: Path
    landing: Path
    truth: Path
    sources: dict[str, SourceSummary]
    people: int
    registry_persons: int
    households: int
    population_seconds: float
    elapsed: float

    @property
    def total_rows(self) -> int:
        return sum(s.rows for s in self.sources.values())

    @property
    def department_rows(self) -> int:
        return sum(s.rows for k, s in self.sources.items() if not k.startswith("registry_"))

    def table(self) -> str:
        lines = [f"{'source':<24}{'deliveries':>11}{'rows':>12}{'seconds':>9}"]
        for s in self.sources.values():
            lines.append(f"{s.source:<24}{len(s.deliveries):>11}{s.rows:>12,}{s.elapsed:>9.2f}")
        lines.append(f"{'population':<24}{'':>11}{self.people:>12,}{self.population_seconds:>9.2f}")
        lines.append(f"{'total (wall)':<24}{'':>11}{self.total_rows:>12,}{self.elapsed:>9.2f}")
        return "\n".join(lines)


def _rng(cfg: DemoConfig, stage: int, source: str, variant: int = 0) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([cfg.seed, stage, ALL_SOURCES.index(source), variant]))


def choose_headers(spec: sources.SourceSpec, contract: contracts.Contract, rng: np.random.Generator,
                   cfg: DemoConfig) -> list[str]:
    """The department's header per column: the contract's first header; the subject's id/name
    columns sometimes under an alias the contract accepts (never one that maps to another
    column or repeats a header)."""
    headers = [spec.header(c) for c in spec.columns]
    if contract.is_registry:
        return headers
    lookup = contract.header_lookup()
    for i, col in enumerate(spec.columns):
        if col not in (contract.subject.get("id_number"), contract.subject.get("name")):
            continue
        if rng.random() >= cfg.header_alias_rate:
            continue
        taken = {contracts.normalise_header(h) for h in headers}
        options = [h for h in contract.column(col).headers
                   if lookup.get(contracts.normalise_header(h)) == col and contracts.normalise_header(h) not in taken]
        if options:
            headers[i] = options[int(rng.integers(0, len(options)))]
    return headers


class _ExcelPool:
    """Excel parts written by worker processes while the main process goes on (or inline)."""

    def __init__(self, workers: int) -> None:
        self.pool = (ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
                     if workers > 0 else None)
        self.jobs: list[tuple[str, tuple, Future]] = []
        self.markers: list[Path] = []

    @property
    def background(self) -> bool:
        return self.pool is not None

    def submit(self, source: str, *args) -> float:
        if self.pool is not None:
            try:
                self.jobs.append((source, args, self.pool.submit(_timed_write_excel, *args)))
                return 0.0
            except BrokenProcessPool:  # e.g. a __main__ that a spawned process cannot import
                pass
        return _timed_write_excel(*args)

    def success_when_done(self, folder: Path) -> None:
        """`_SUCCESS` only once the folder's parts are all written (as a real delivery would)."""
        self.markers.append(folder)

    def abort(self) -> None:
        """Stop without marking anything complete (a failed run leaves no `_SUCCESS` behind)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.markers.clear()

    def finish(self) -> dict[str, float]:
        spent: dict[str, float] = {}
        try:
            for source, args, job in self.jobs:
                try:
                    seconds = job.result()
                except BrokenProcessPool:  # the worker could not start: write it here instead
                    seconds = _timed_write_excel(*args)
                spent[source] = spent.get(source, 0.0) + seconds
        finally:
            if self.pool is not None:
                self.pool.shutdown(cancel_futures=True)
        for folder in self.markers:
            writers.write_success(folder)
        return spent


def _timed_write_excel(*args) -> float:
    t = time.perf_counter()
    writers.write_excel(*args)
    return time.perf_counter() - t


def _excel_rows(cfg: DemoConfig) -> int:
    return sum(sources.n_records(cfg, s) for s in cfg.selected_sources if sources.SPECS[s].fmt == "xlsx")


def generate(out_dir: Path, config: DemoConfig = DemoConfig(), plant: Planter | None = None) -> DemoSummary:
    """Write the landing zone and the ground truth under `out_dir` (see the package docs).

    Existing `landing/<source>/` folders of the selected sources and `truth/*.parquet` are
    replaced. `plant(source, frame, pop, cfg) -> frame` may add or override rows of each
    source's TRUE frame (columns as `sources.SPECS[source]`, `person_key` into `pop.people`)
    before deliveries are cut, typed and written.
    """
    t0 = time.perf_counter()
    cfg = config
    out_dir = Path(out_dir)
    landing, truth = out_dir / "landing", out_dir / "truth"
    for source in cfg.selected_sources:
        shutil.rmtree(landing / source, ignore_errors=True)
    truth.mkdir(parents=True, exist_ok=True)
    for old in truth.glob("*.parquet"):
        old.unlink()

    if plant is None and cfg.plant_cases:
        from synthetic.plant import Planter
        plant = Planter()
    pop = population.build(cfg, sources.pool_size(cfg, 0))
    if hasattr(plant, "prepare"):
        pop = plant.prepare(pop, cfg)
    clean_keys = getattr(plant, "clean_keys", None)
    t_pop = time.perf_counter() - t0
    cons = contracts.load_contracts()
    background = cfg.excel_workers if _excel_rows(cfg) >= cfg.excel_background_min_rows else 0
    excel = _ExcelPool(background)

    summaries: dict[str, SourceSummary] = {}
    parts_dir = truth / "_records_parts"  # truth rows go to disk per delivery (memory stays flat)
    shutil.rmtree(parts_dir, ignore_errors=True)
    parts_dir.mkdir()
    record_parts: list[Path] = []
    delivery_rows: list[dict] = []
    persons_rendered: render.Rendered | None = None
    try:
        # Excel sources first (their parts are written in the background while the CSV sources are
        # generated); persons before households (the household file types heads as the persons file)
        dept = [s for s in ALL_SOURCES if not s.startswith("registry_")]
        order = (tuple(s for s in dept if sources.SPECS[s].fmt == "xlsx") + ("registry_persons", "registry_households")
                 + tuple(s for s in dept if sources.SPECS[s].fmt != "xlsx"))
        for source in order:
            if source not in cfg.selected_sources and not (
                    source == "registry_persons" and "registry_households" in cfg.selected_sources):
                continue
            ts = time.perf_counter()
            spec, contract = sources.SPECS[source], cons[source]
            frame = spec.frame(pop, _rng(cfg, _STREAM_FRAME, source), cfg)
            if plant is not None:
                frame = plant(source, frame, pop, cfg)
            if source == "registry_persons" and source not in cfg.selected_sources:
                persons_rendered = render.render(frame, spec, contract, pop, _rng(cfg, _STREAM_RENDER, source), cfg,
                                                 clean_keys=clean_keys)
                continue
            summary = SourceSummary(source)
            plan = dlv.plan(cfg, source)
            chosen = dlv.chosen_for(plan, cfg.as_of)
            for delivery in plan:
                rng = _rng(cfg, _STREAM_RENDER, source, delivery.variant)
                snap = dlv.snapshot(frame, delivery, cfg, rng, spec.event_date)
                pre = None
                if source == "registry_households":
                    pre = _heads_as_typed(snap, persons_rendered)
                headers = choose_headers(spec, contract, _rng(cfg, _STREAM_HEADERS, source, delivery.variant), cfg)
                rendered = render.render(snap, spec, contract, pop, rng, cfg, prerendered=pre, clean_keys=clean_keys)
                if source == "registry_persons" and delivery.kind == "main":
                    persons_rendered = rendered
                files = _write_delivery(landing, spec, cfg, delivery, rendered, headers, excel, summary)
                summary.deliveries.append(DeliverySummary(
                    delivery.day.isoformat(), landing / source / delivery.folder_name, delivery.kind,
                    delivery.complete, [f for f, _ in files], snap.height))
                part = parts_dir / f"{len(record_parts):04d}.parquet"
                _truth_records(source, delivery, snap, rendered, files, pop).write_parquet(part)
                record_parts.append(part)
                delivery_rows.append({
                    "source": source, "delivery_date": delivery.day, "kind": delivery.kind,
                    "complete": delivery.complete, "parts": len(files), "rows": snap.height,
                    "expected_chosen_for_as_of": delivery == chosen,
                })
            summary.elapsed = time.perf_counter() - ts
            summaries[source] = summary
    except BaseException:
        excel.abort()
        raise
    spent = excel.finish()
    for source, seconds in spent.items():
        summaries[source].elapsed += seconds

    _write_truth(truth, pop, record_parts, delivery_rows)
    if hasattr(plant, "write_truth"):
        plant.write_truth(truth)
    shutil.rmtree(parts_dir, ignore_errors=True)
    return DemoSummary(out_dir=out_dir, landing=landing, truth=truth, sources=summaries, people=pop.n,
                       registry_persons=pop.n_registry, households=pop.households.height,
                       population_seconds=t_pop, elapsed=time.perf_counter() - t0)


def _heads_as_typed(households: pl.DataFrame, persons: render.Rendered | None) -> dict | None:
    """The household file shows each head's name and number as the persons file types them."""
    if persons is None:
        return None
    typed = pl.DataFrame({
        "head_key": persons.keys, "head_name": persons.cells["name"], "head_id_number": persons.cells["id_number"],
        "id_kind": persons.id_kind, "name_kind": persons.name_kind,
    })
    heads = households.select("head_key").join(typed, on="head_key", how="left", maintain_order="left")
    return {
        "head_name": heads["head_name"], "head_id_number": heads["head_id_number"],
        "__id_kind": heads["id_kind"].fill_null(0).to_numpy(), "__name_kind": heads["name_kind"].fill_null(0).to_numpy(),
    }


def _write_delivery(landing: Path, spec: sources.SourceSpec, cfg: DemoConfig, delivery: dlv.Delivery,
                    rendered: render.Rendered, headers: list[str], excel: _ExcelPool,
                    summary: SourceSummary) -> list[tuple[str, int]]:
    folder = landing / spec.source / delivery.folder_name
    folder.mkdir(parents=True, exist_ok=True)
    cells = rendered.cells
    if spec.fmt == "xlsx":
        spans = writers.split_rows(cells.height, cfg.excel_part_rows)
        names = writers.part_names(spec.file_stem, delivery.day, "xlsx", len(spans))
        notes = refdata.NOTES_SHEET.get(spec.source, "填表说明：") if spec.source in cfg.excel_notes_sheet else None
        for name, (off, length) in zip(names, spans):
            summary.elapsed += excel.submit(spec.source, folder / name, cells.slice(off, length), rendered.columns,
                                            headers, spec.sheet or spec.file_stem, notes, delivery.day)
    else:
        spans = writers.split_rows(cells.height, cfg.csv_part_rows)
        names = writers.part_names(spec.file_stem, delivery.day, "csv", len(spans))
        enc = cfg.encodings[spec.source]
        for name, (off, length) in zip(names, spans):
            writers.write_csv(folder / name, cells.slice(off, length), rendered.columns, headers, enc)
    if delivery.complete:
        if spec.fmt == "xlsx" and excel.background:
            excel.success_when_done(folder)
        else:
            writers.write_success(folder)
    return [(name, length) for name, (_, length) in zip(names, spans)]


def _truth_records(source: str, delivery: dlv.Delivery, frame: pl.DataFrame, rendered: render.Rendered,
                   files: list[tuple[str, int]], pop: population.Population) -> pl.DataFrame:
    n = frame.height
    keys = frame["person_key"]
    if source == "registry_persons":
        record_no = frame["person_id"]
    elif source == "registry_households":
        record_no = frame["household_id"]
    else:
        record_no = pl.Series(np.arange(1, n + 1)).cast(pl.String)
    file_col = pl.Series([f for f, _ in files], dtype=pl.String).gather(
        np.repeat(np.arange(len(files)), [k for _, k in files]))
    return pl.DataFrame({
        "source": pl.Series([source] * n, dtype=SOURCE_ENUM),
        "delivery_date": pl.Series([delivery.day] * n, dtype=pl.Date),
        "file": file_col,
        "record_no": record_no.alias("record_no"),
        "person_key": keys.cast(pl.Int64),
        "true_person_id": pop.people["person_id"].gather(keys),
        "id_corruption": _labels(rendered.id_kind, ID_CORRUPTIONS, ID_ENUM),
        "name_corruption": _labels(rendered.name_kind, NAME_CORRUPTIONS, NAME_ENUM),
    })


def _labels(codes: np.ndarray, labels: tuple[str, ...], dtype: pl.Enum) -> pl.Series:
    return pl.Series(np.asarray(codes, dtype=np.int64)).replace_strict(
        list(range(len(labels))), list(labels), return_dtype=dtype)


def _write_truth(truth: Path, pop: population.Population, record_parts: list[Path],
                 delivery_rows: list[dict]) -> None:
    pop.people.select("person_key", "id18", "name", "sex", "birth_date", "county", "in_registry", "person_id",
                      "household_id", "is_decoy", "decoy_of", "minority").write_parquet(truth / "people.parquet")
    if record_parts:
        pl.scan_parquet(record_parts).sink_parquet(truth / "records.parquet")
    else:
        pl.DataFrame().write_parquet(truth / "records.parquet")
    pl.DataFrame(delivery_rows, schema_overrides={"source": SOURCE_ENUM}).write_parquet(truth / "deliveries.parquet")
