"""The declared models: every transformation after staging is one SELECT in `sql/models/`.

A model is a file `sql/models/<folder>/<name>.sql`: comment lines first (the model's doc),
then `-- @key: value` lines (its declaration, YAML values), then one SELECT. The folder's
`_folder.yaml` gives defaults (which step of the night runs it, how it is materialised).

    -- @materialized: ephemeral | temp | table | night | view
    --      ephemeral  a view of the step's connection, inlined into its readers (no parameters):
    --             a cheap projection or filter read by few models is not worth writing
    --      temp   a relation of the step's connection only
    --      table  kept for the later steps of the run (scratch; another process under Airflow)
    --      night  a per-night dataset of the warehouse (<table>/as_of=<date>/), published with the
    --             night and pruned after the retention window when `@retention: detail`
    --      view   an analyst view in the warehouse catalog (no parameters)
    -- @requires: [source, ...]     landing sources it needs beyond those its inputs already need
    -- @for_each: department_source one model per department source: `{source}` in the file
    --                              name and text is replaced by the source id (an identifier)
    -- @collect: <folder>/<glob>    no SELECT: the UNION ALL of the matching models that ran,
    --                              in the shape `@columns: {name: TYPE, ...}` declares (a member
    --                              without a column gives NULL there); `@tag: col` adds the
    --                              member's code (upper-cased name) as col
    -- @retention: detail | keep    for night models (outputs.md: detail may be pruned)
    -- @sorted_by: [col, ...]       for night models: the file's row order (readers that filter on
    --                              the leading column skip the other row groups)

Inputs are not restated: they are the relations the SELECT reads (parsed with sqlglot), so the
declaration cannot drift from the SQL. `cur_<source>` is the run's delivery of a source; `all_<source>` every delivery on or before the
night of a source whose every delivery counts (feedback; empty, never missing, when there is none);
`param_<name>` a mapping threshold of config/rules.yaml; `history_<table>` the published nights
of a warehouse table; `rule_catalogue` and `categories` the catalogue. Parameters are the `$name`s
the SELECT reads.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import sqlglot
import yaml
from sqlglot import exp

from pipelines import paths
from pipelines.engine.base import referenced_params

MATERIALIZATIONS = {"ephemeral", "temp", "table", "night", "view"}
STEPS = ("link", "rules", "publish")
SOURCE_PREFIX = "cur_"        # cur_<source>: the run's delivery of a landing source
ALL_PREFIX = "all_"           # all_<source>: every delivery on or before the night of an every-delivery source
PARAM_TABLE_PREFIX = "param_"  # param_<name>: a mapping threshold of config/rules.yaml (key, value)
HISTORY_PREFIX = "history_"    # history_<table>: the published nights of a warehouse table
SEEDS = {"rule_catalogue", "categories"}  # config/rule_catalogue.yaml as tables


class ProjectError(ValueError):
    """A model file that cannot be used: names the file and the problem."""


@dataclass(frozen=True)
class Model:
    name: str
    folder: str
    path: Path
    sql: str                     # the SELECT ('' for a collect model until the runner builds it)
    step: str
    materialized: str
    doc: str = ""
    requires: tuple[str, ...] = ()
    collect: str | None = None
    tag: str | None = None
    columns: tuple[tuple[str, str], ...] = ()   # a collect model's declared shape
    retention: str = "detail"
    sorted_by: tuple[str, ...] = ()
    source: str | None = None    # the source of a for_each instance
    inputs: frozenset[str] = field(default_factory=frozenset)
    params: frozenset[str] = field(default_factory=frozenset)
    python: bool = False         # computed by a Python function (pipelines.models.python_models)

    @property
    def code(self) -> str:
        """A rule's code: its file name upper-cased (sql/models/rules/med_subsidy.sql → MED_SUBSIDY)."""
        return self.name.upper()


_DECL = re.compile(r"^--\s*@(\w+)\s*:\s*(.*)$")


def _parse_file(path: Path, folder_cfg: dict) -> tuple[dict, str, str]:
    """(declaration, doc, SELECT) of one model file."""
    decl, doc, body = dict(folder_cfg), [], []
    in_header = True
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _DECL.match(line.strip()) if in_header else None
        if m:
            decl[m.group(1)] = yaml.safe_load(m.group(2)) if m.group(2).strip() else None
        elif in_header and line.strip().startswith("--"):
            doc.append(line.strip()[2:].strip())
        elif in_header and not line.strip():
            continue
        else:
            in_header = False
            body.append(line)
    return decl, "\n".join(doc).strip(), "\n".join(body).strip().rstrip(";").strip()


def relations_read(sql: str) -> set[str]:
    """Relation names a SELECT reads, CTE names and table functions excluded (parsed with
    sqlglot; remembered per SQL text in the cache folder, parsing ~100 models costs a second)."""
    key = hashlib.sha1(sql.encode("utf-8")).hexdigest()
    cache = _parse_cache()
    if key not in cache:
        try:
            tree = sqlglot.parse_one(sql, read="duckdb")
        except sqlglot.errors.ParseError as e:
            raise ProjectError(str(e).splitlines()[0]) from None
        ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
        cache[key] = sorted({t.name for t in tree.find_all(exp.Table)
                             if isinstance(t.this, exp.Identifier) and t.name and t.name not in ctes})
        _CACHE_DIRTY.append(key)
    return set(cache[key])


_CACHE_DIRTY: list[str] = []


@cache
def _parse_cache() -> dict[str, list[str]]:
    try:
        return json.loads(_cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _cache_file() -> Path:
    root = Path(os.environ.get("LOWINCOME_CACHE", Path.home() / ".cache" / "lowincome-monitor"))
    return root / f"model-inputs-sqlglot-{sqlglot.__version__}.json"


def _save_parse_cache() -> None:
    if not _CACHE_DIRTY:
        return
    path = _cache_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(_parse_cache(), sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
        _CACHE_DIRTY.clear()
    except OSError:  # a read-only home: parse again next time
        pass


def _department_sources() -> list[str]:
    from pipelines.contracts import load_contracts

    return [s for s, c in load_contracts().items() if not c.is_registry and c.subject]


def _model(path: Path, folder: str, cfg: dict, source: str | None = None) -> Model:
    decl, doc, sql = _parse_file(path, cfg)
    name = path.stem
    if source is not None:
        name, sql = name.replace("{source}", source), sql.replace("{source}", source)
    unknown = set(decl) - {"materialized", "requires", "for_each", "collect", "tag", "columns", "retention", "step",
                           "python", "sorted_by"}
    if unknown:
        raise ProjectError(f"{path}: unknown declaration(s) {sorted(unknown)}")
    step = decl.get("step")
    materialized = decl.get("materialized", "temp")
    if step not in STEPS:
        raise ProjectError(f"{path}: step must be one of {STEPS} (set it in {folder}/_folder.yaml)")
    if materialized not in MATERIALIZATIONS:
        raise ProjectError(f"{path}: materialized must be one of {sorted(MATERIALIZATIONS)}")
    if materialized == "ephemeral" and referenced_params(sql):
        raise ProjectError(f"{path}: an ephemeral model is a view and cannot read parameters "
                           f"({', '.join(sorted(referenced_params(sql)))}); make it temp")
    collect = decl.get("collect")
    python = bool(decl.get("python"))
    if not sql and not collect and not python:
        raise ProjectError(f"{path}: no SELECT")
    if collect and not decl.get("columns"):
        raise ProjectError(f"{path}: a collect model declares its @columns")
    return Model(
        name=name, folder=folder, path=path, sql=sql, step=step, materialized=materialized, doc=doc,
        requires=tuple(decl.get("requires") or ()), collect=collect, tag=decl.get("tag"),
        columns=tuple((str(k), str(v)) for k, v in (decl.get("columns") or {}).items()),
        retention=decl.get("retention", "detail"), source=source,
        sorted_by=tuple(decl.get("sorted_by") or ()),
        inputs=frozenset(relations_read(sql)) if sql else frozenset(),
        params=frozenset(referenced_params(sql)) if sql else frozenset(), python=python,
    )


@dataclass(frozen=True, eq=False)
class Project:
    models: dict[str, Model]

    def members(self, model: Model) -> list[Model]:
        """A collect model's members: the models matching its `folder/glob` (collect models excluded)."""
        if not model.collect:
            return []
        return sorted((m for m in self.models.values()
                       if not m.collect and fnmatch.fnmatchcase(f"{m.folder}/{m.name}", model.collect)),
                      key=lambda m: m.name)

    def inputs(self, model: Model) -> set[str]:
        return set(model.inputs) | ({m.name for m in self.members(model)} if model.collect else set())

    def order(self) -> list[Model]:
        """Every model after the models it reads (graphlib; a cycle fails naming it)."""
        from graphlib import CycleError, TopologicalSorter

        graph = {name: {i for i in self.inputs(m) if i in self.models} for name, m in self.models.items()}
        try:
            names = list(TopologicalSorter(graph).static_order())
        except CycleError as e:
            raise ProjectError(f"models read each other in a cycle: {e.args[1]}") from None
        steps = {s: i for i, s in enumerate(STEPS)}
        return sorted((self.models[n] for n in names), key=lambda m: steps[m.step])  # stable: keeps the order

    def sources_of(self, name: str) -> set[str]:
        """Landing sources a model needs: its own (cur_<source>, @requires) and its inputs'
        (a collect model needs none: it unions whatever members ran)."""
        return set(_sources_of(self, name))

    def describe(self) -> str:
        """The tree of models: step, folder, materialisation, inputs (for the README and notes)."""
        lines = []
        for m in self.order():
            ins = sorted(self.inputs(m))
            lines.append(f"{m.step:8} {m.folder}/{m.name} [{m.materialized}] ← {', '.join(ins) or '-'}")
        return "\n".join(lines)


@cache
def _sources_of(project: "Project", name: str) -> frozenset[str]:
    m = project.models[name]
    out = set(m.requires)
    if m.collect:
        return frozenset(out)
    for i in m.inputs:
        if i.startswith(SOURCE_PREFIX):
            out.add(i[len(SOURCE_PREFIX):])
        elif i in project.models:
            out |= _sources_of(project, i)
    return frozenset(out)


@cache
def load_project(root: Path = paths.SQL / "models") -> Project:
    """Every model under sql/models/ (for_each models expanded per department source)."""
    models: dict[str, Model] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        cfg_file = folder / "_folder.yaml"
        cfg = yaml.safe_load(cfg_file.read_text(encoding="utf-8")) if cfg_file.exists() else {}
        for path in sorted(folder.glob("*.sql")):
            decl, _, _ = _parse_file(path, cfg)
            sources = _department_sources() if decl.get("for_each") == "department_source" else [None]
            for source in sources:
                model = _model(path, folder.name, cfg, source)
                if model.name in models:
                    raise ProjectError(f"{path}: model {model.name} is defined twice")
                models[model.name] = model
    from pipelines.models.python_models import python_model_inputs

    for name, m in list(models.items()):
        if m.python:
            models[name] = replace(m, inputs=frozenset(python_model_inputs(name)))
    _save_parse_cache()
    project = Project(models)
    project.order()   # fails now, naming it, on a cycle
    return project
