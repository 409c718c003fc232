"""What the rule SQL reads, set up on the warehouse connection for one logical date.

  * DuckDB variables: `as_of`, every threshold of config/rules.yaml under its own name, and
    `delivery_<source>` (the delivery each usable source contributes). The SQL reads them with
    getvariable(), so no threshold is ever a literal in Python or SQL.
  * `rule_persons` (sql/signals/persons.sql): the registry with age, head, coverage.
  * `linked_<source>` (sql/signals/linked.sql): the source's records of the run that are linked
    to a registry person on that date, with the person's id. Only those count for a person.
  * macros (sql/signals/macros.sql) and the empty `signals_tonight` table.

Everything is TEMP: the step's connection owns it, and nothing is left in the warehouse.
"""

from __future__ import annotations

from datetime import date
from string import Template

from pipelines import paths
from pipelines.contracts import Contract
from pipelines.warehouse import Warehouse


def sql_text(relative: str, **params: str) -> str:
    """A file of sql/ with `$name` template parameters (only identifiers, never values)."""
    text = (paths.SQL / relative).read_text(encoding="utf-8")
    return Template(text).substitute(params) if params else text


def set_variables(wh: Warehouse, as_of: date, params: dict[str, object], usable: dict[str, date]) -> None:
    """The date, the thresholds and the deliveries as DuckDB variables (bound, not spliced)."""
    con = wh.con
    con.execute("SET VARIABLE as_of = ?::DATE", [as_of])
    for name, value in params.items():
        if isinstance(value, dict):  # a mapping becomes a MAP, e.g. dibao_standard['农村']
            con.execute(f"SET VARIABLE {name} = MAP(?, ?)", [list(value), list(value.values())])
        else:
            con.execute(f"SET VARIABLE {name} = ?", [value])
    for source, day in usable.items():
        con.execute(f"SET VARIABLE delivery_{source} = ?::DATE", [day])


def prepare(wh: Warehouse, as_of: date, params: dict[str, object], usable: dict[str, date],
            contracts: dict[str, Contract]) -> list[str]:
    """Variables, macros, rule_persons and the linked tables. Returns the linked sources."""
    set_variables(wh, as_of, params, usable)
    wh.con.execute(sql_text("signals/macros.sql"))
    wh.con.execute(sql_text("signals/persons.sql"))
    linked = []
    for source, contract in sorted(contracts.items()):
        if contract.is_registry:
            continue
        if source in usable:
            wh.con.execute(sql_text("signals/linked.sql", source=source))
            linked.append(source)
        else:  # never let a table of an earlier date on this connection stand in for it
            wh.con.execute(f"DROP TABLE IF EXISTS temp.linked_{source}")
    return linked
