"""The dialect seam of the Spark engine: SQL written once, in DuckDB's dialect, rendered as Spark SQL.

Models, macros and the pipeline's own statements are written for DuckDB (`$name` parameters, the
helpers of sql/macros/core.sql). For Spark each statement is parsed with sqlglot and rewritten in
one pass here, never in a model:

  1. macros expanded into the tree: the DuckDB definitions of sql/macros/core.sql, except where
     sql/macros/spark.sql gives a Spark SQL one (its nodes are marked and left alone below);
     a macro body that is a let-style scalar subquery `(SELECT f(x) FROM (SELECT e AS x) t)` is
     inlined (Spark refuses uncorrelated-looking scalar subqueries over outer columns)
  2. DuckDB meaning spelled in Spark (TRANSFORMS: one function per difference, each tested on
     both engines in tests/test_spark_dialect.py):
        date_diff('year'|'quarter'|'month')  counts calendar boundaries (Spark: whole units)
        a / b                                is float division, also for DECIMAL (Spark: DECIMAL)
        list(x ORDER BY k), array_agg(...)   ordered (Spark has no ordered collect: sort after)
        list_position(l, x)                  NULL when absent (Spark: 0)
        try_strptime(s, fmt)                 NULL when unparsable (Spark: try_to_timestamp)
        regexp_full_match(s, p)              anchored match
        CAST('0x…' AS BIGINT)                reads hexadecimal (Spark: conv)
        jaro_winkler_similarity(a, b)        a vectorised UDF (rapidfuzz; Spark has none)
        x->>'k'                              the text of a member, numbers as DuckDB prints them
  3. JSON values: a JSON value is its text on Spark. json_object(k, v, …) builds the object text
     (to_json of a named_struct, nulls kept), embedding a value that is itself JSON (json_object,
     json(), to_json, json_merge_patch, ->, a macro giving one) as JSON and anything else as a
     JSON scalar, as DuckDB's JSON type does; json_merge_patch is a UDF (RFC 7386, DuckDB's key
     order and number printing). A stored column is embedded as JSON only through json(column),
     on both engines the portable spelling.
  4. UNION [ALL] BY NAME: explicit columns (each side's columns from the engine's analyser)
  5. generated as Spark SQL; `$name` becomes the named parameter `:name` (spark.sql(args=…))

A construct that cannot be rendered raises SparkDialectError naming it, never a silent change.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable

import sqlglot
from sqlglot import exp

from pipelines import paths

SPARK_MARK = "spark_body"          # meta flag on nodes of a Spark macro body: already Spark SQL
JSON_MARK = "json_value"           # meta flag on rewritten nodes that are JSON text
MAX_EXPANSION = 200                # macro calls expanded per statement (a recursive macro stops here)
UDF_JARO_WINKLER = "jaro_winkler_similarity"
UDF_MERGE_PATCH = "lowincome_json_merge_patch"
NO_NULL_DROP = "map('ignoreNullFields', 'false')"

Columns = Callable[[str], list[str]]   # Spark SQL of a SELECT → its output column names


class SparkDialectError(ValueError):
    """A statement uses something the seam cannot render for Spark; names the construct."""


# --------------------------------------------------------------------------- macros
@dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...]
    body: exp.Expression
    spark: bool                     # body written in Spark SQL (sql/macros/spark.sql)


_MACRO = re.compile(r"CREATE\s+OR\s+REPLACE\s+TEMP\s+MACRO\s+(\w+)\s*\(([^)]*)\)\s+AS\s+(.*)", re.S | re.I)


def parse_macros(text: str, dialect: str) -> dict[str, Macro]:
    """`CREATE OR REPLACE TEMP MACRO name(a, b) AS <expression>;` statements of a macro file."""
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("--")]
    out = {}
    for stmt in re.split(r";\s*(?:\n|$)", "\n".join(lines)):
        if not stmt.strip():
            continue
        m = _MACRO.match(stmt.strip())
        if not m:
            raise SparkDialectError(f"not a macro definition: {stmt.strip()[:80]}")
        name, params, body = m.group(1).lower(), tuple(p.strip() for p in m.group(2).split(",") if p.strip()), m.group(3)
        probe = sqlglot.parse_one(f"SELECT {name}({', '.join(params) or ''})", read="duckdb").selects[0]
        if not isinstance(probe, exp.Anonymous):
            raise SparkDialectError(f"macro {name} has the name of a function sqlglot knows ({type(probe).__name__}): "
                                    "rename it")
        out[name] = Macro(name, params, sqlglot.parse_one(f"SELECT {body}", read=dialect).selects[0],
                          dialect == "spark")
    return out


@cache
def macros() -> dict[str, Macro]:
    """core.sql's definitions, replaced by spark.sql's where it gives one (same name and arguments)."""
    folder = paths.SQL / "macros"
    core = {}
    for p in sorted(folder.glob("*.sql")):
        if not p.name.startswith("spark"):
            core.update(parse_macros(p.read_text(encoding="utf-8"), "duckdb"))
    for p in sorted(folder.glob("spark*.sql")):
        for name, m in parse_macros(p.read_text(encoding="utf-8"), "spark").items():
            if name not in core:
                raise SparkDialectError(f"{p.name}: {name} is not a macro of core.sql")
            if core[name].params != m.params:
                raise SparkDialectError(f"{p.name}: {name}{m.params} differs from core.sql's {name}{core[name].params}")
            core[name] = m
    return core


def _substitute(body: exp.Expression, params: tuple[str, ...], args: list[exp.Expression]) -> exp.Expression:
    values = dict(zip(params, args))

    def swap(node):
        if isinstance(node, exp.Column) and not node.table and node.name in values:
            return exp.Paren(this=values[node.name].copy())
        return node

    return body.copy().transform(swap, copy=False)


def _mark(tree: exp.Expression) -> exp.Expression:
    for node in tree.walk():
        node.meta[SPARK_MARK] = True
    return tree


def expand_macros(tree: exp.Expression) -> exp.Expression:
    defs = macros()
    count = 0
    while True:
        calls = [n for n in tree.find_all(exp.Anonymous) if n.name.lower() in defs]
        if not calls:
            return tree
        for call in calls:
            count += 1
            if count > MAX_EXPANSION:
                raise SparkDialectError(f"macro {call.name} expands without end")
            m = defs[call.name.lower()]
            if len(call.expressions) != len(m.params):
                raise SparkDialectError(f"macro {m.name} takes {len(m.params)} arguments, given {len(call.expressions)}")
            body = m.body.copy()
            if m.spark:
                _mark(body)
            new = _inline_let(_substitute(body, m.params, list(call.expressions)))
            call.replace(exp.Paren(this=new) if not isinstance(new, (exp.Paren, exp.Subquery)) else new)


def _inline_let(node: exp.Expression) -> exp.Expression:
    """(SELECT f(x) FROM (SELECT e AS x) t) → f(e): a macro's let-binding, as an expression."""
    sub = node.this if isinstance(node, exp.Paren) else node
    if not isinstance(sub, exp.Subquery) or not isinstance(sub.this, exp.Select):
        return node
    outer = sub.this
    src = outer.args.get("from_") or outer.args.get("from")
    if (len(outer.expressions) != 1 or not src or outer.args.get("joins") or outer.args.get("where")
            or outer.args.get("group") or not isinstance(src.this, exp.Subquery)):
        return node
    inner = src.this.this
    if not isinstance(inner, exp.Select) or inner.args.get("from_") or inner.args.get("from"):
        return node
    named = {e.alias_or_name: e.this if isinstance(e, exp.Alias) else e for e in inner.expressions}
    alias = src.this.alias_or_name

    def swap(n):
        if isinstance(n, exp.Column) and n.name in named and n.table in ("", alias):
            return exp.Paren(this=named[n.name].copy())
        return n

    expr = outer.expressions[0]
    expr = expr.this if isinstance(expr, exp.Alias) else expr
    return exp.Paren(this=expr.copy().transform(swap, copy=False))


# --------------------------------------------------------------------------- DuckDB meaning in Spark
def _spark(node: exp.Expression) -> bool:
    return bool(node.meta.get(SPARK_MARK))


def _fn(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _sql(text: str) -> exp.Expression:
    """A Spark SQL expression written here (already Spark: left alone by the transforms)."""
    return _mark(sqlglot.parse_one(f"SELECT {text}", read="spark").selects[0])


def _date_diff(node: exp.Expression):
    if not isinstance(node, exp.DateDiff) or _spark(node):
        return node
    unit = (node.text("unit") or "DAY").upper()
    end, start = node.this, node.expression
    year = lambda d: exp.Year(this=d.copy())  # noqa: E731
    month = lambda d: exp.Month(this=d.copy())  # noqa: E731
    if unit in ("DAY", "DAYS", "D"):
        return exp.DateDiff(this=end, expression=start)          # Spark: datediff(end, start), whole days
    if unit in ("YEAR", "YEARS", "Y", "YR", "YRS"):
        return exp.Paren(this=exp.Sub(this=year(end), expression=year(start)))
    if unit in ("MONTH", "MONTHS", "MON"):
        total = lambda d: exp.Paren(this=exp.Add(this=exp.Mul(this=year(d), expression=exp.Literal.number(12)),  # noqa: E731
                                                 expression=month(d)))
        return exp.Paren(this=exp.Sub(this=total(end), expression=total(start)))
    if unit in ("QUARTER", "QUARTERS"):
        total = lambda d: exp.Paren(this=exp.Add(this=exp.Mul(this=year(d), expression=exp.Literal.number(4)),  # noqa: E731
                                                 expression=exp.Quarter(this=d.copy())))
        return exp.Paren(this=exp.Sub(this=total(end), expression=total(start)))
    raise SparkDialectError(f"date_diff('{unit.lower()}', …) has no Spark rendering (DuckDB counts calendar "
                            "boundaries): use day, month, quarter or year")


def _division(node: exp.Expression):
    """DuckDB's `/` divides as DOUBLE, DECIMAL operands too; Spark keeps DECIMAL (other digits in
    text and JSON)."""
    if isinstance(node, exp.Div) and not _spark(node) and not node.meta.get("double"):
        out = exp.Div(this=exp.Cast(this=node.this, to=exp.DataType.build("DOUBLE")), expression=node.expression)
        out.meta["double"] = True
        return out
    return node


def _ordered_list(node: exp.Expression):
    """list(x ORDER BY k …) / array_agg: Spark collects unordered; sort the collected structs."""
    if not isinstance(node, exp.ArrayAgg) or _spark(node) or not isinstance(node.this, exp.Order):
        return node
    order = node.this
    keys = order.expressions
    fields = []
    for i, k in enumerate(keys):
        fields += [exp.Literal.string(f"n{i}"), exp.Is(this=k.this.copy(), expression=exp.Null()),
                   exp.Literal.string(f"k{i}"), k.this.copy()]
    fields += [exp.Literal.string("v"), order.this.copy()]
    collected = _fn("collect_list", _fn("named_struct", *fields))
    # comparator: per key, nulls last unless NULLS FIRST, then the value (descending when DESC)
    parts = []
    for i, k in enumerate(keys):
        nulls_first = bool(k.args.get("nulls_first"))
        a_null, b_null = f"a.n{i}", f"b.n{i}"
        first, second = ("-1", "1") if nulls_first else ("1", "-1")
        lo, hi = ("1", "-1") if k.args.get("desc") else ("-1", "1")
        parts.append(f"CASE WHEN {a_null} AND {b_null} THEN 0 WHEN {a_null} THEN {first} WHEN {b_null} THEN {second} "
                     f"WHEN a.k{i} < b.k{i} THEN {lo} WHEN a.k{i} > b.k{i} THEN {hi} ELSE 0 END")
    cmp = parts[-1]
    for p in reversed(parts[:-1]):
        cmp = f"CASE WHEN ({p}) <> 0 THEN ({p}) ELSE ({cmp}) END"
    sorted_ = exp.Anonymous(this="array_sort", expressions=[collected, _lambda(f"(a, b) -> {cmp}")])
    return exp.Anonymous(this="transform", expressions=[sorted_, _lambda("s -> s.v")])


def _lambda(text: str) -> exp.Expression:
    return _mark(sqlglot.parse_one(f"SELECT f({text})", read="spark").selects[0].expressions[0])


def _list_position(node: exp.Expression):
    if isinstance(node, exp.Anonymous) and node.name.lower() in ("list_position", "list_indexof", "array_position") \
            and not _spark(node):
        return exp.Nullif(this=_fn("array_position", *node.expressions), expression=exp.Literal.number(0))
    return node


def _try_strptime(node: exp.Expression):
    if isinstance(node, exp.Anonymous) and node.name.lower() == "try_strptime" and not _spark(node):
        value, fmt = node.expressions
        if not isinstance(fmt, exp.Literal):
            raise SparkDialectError("try_strptime needs a literal format on Spark")
        spark_fmt = exp.StrToTime(this=value, format=fmt).sql("spark")     # sqlglot maps %Y → yyyy …
        m = re.search(r"'([^']*)'\)$", spark_fmt)
        return _fn("try_to_timestamp", value, exp.Literal.string(m.group(1) if m else fmt.this))
    return node


def _regexp_full_match(node: exp.Expression):
    if isinstance(node, exp.RegexpFullMatch) and not _spark(node):
        pattern = node.expression
        anchored = (exp.Literal.string(f"^(?:{pattern.this})$") if isinstance(pattern, exp.Literal)
                    else exp.Concat(expressions=[exp.Literal.string("^(?:"), pattern, exp.Literal.string(")$")]))
        return exp.RegexpLike(this=node.this, expression=anchored)
    return node


def _hex_cast(node: exp.Expression):
    """DuckDB reads '0x…' as hexadecimal when casting text to an integer; Spark does not."""
    if (isinstance(node, exp.Cast) and not _spark(node) and node.to.is_type(*exp.DataType.INTEGER_TYPES)
            and isinstance(node.this, (exp.DPipe, exp.Concat))):
        parts = node.this.expressions if isinstance(node.this, exp.Concat) else [node.this.this, node.this.expression]
        if isinstance(parts[0], exp.Literal) and parts[0].this.lower() == "0x":
            rest = parts[1] if len(parts) == 2 else exp.Concat(expressions=parts[1:])
            return exp.Cast(this=_fn("conv", rest, exp.Literal.number(16), exp.Literal.number(10)), to=node.to)
    return node


def _jaro_winkler(node: exp.Expression):
    if isinstance(node, exp.JarowinklerSimilarity) and not _spark(node):
        return _fn(UDF_JARO_WINKLER, node.this, node.expression)
    return node


def _json_text(node: exp.Expression):
    """x->>'k': DuckDB prints a member's text with its numbers re-read (1200.00 → 1200.0); a map of
    strings parsed by Spark prints the same."""
    if not isinstance(node, exp.JSONExtractScalar) or _spark(node):
        return node
    keys = _path_keys(node.expression)
    if keys is None:
        raise SparkDialectError(f"JSON path {node.expression.sql('duckdb')} has no Spark rendering")
    target = node.this
    for k in keys[:-1]:
        target = _fn("get_json_object", target, exp.Literal.string(_json_path(k)))
    out = _fn("try_element_at", _fn("from_json", target, exp.Literal.string("map<string,string>")), keys[-1])
    return out


def _json_member(node: exp.Expression):
    """x->'k' (JSON): the member's JSON text."""
    if not isinstance(node, exp.JSONExtract) or _spark(node):
        return node
    keys = _path_keys(node.expression)
    if keys is None or not all(isinstance(k, exp.Literal) for k in keys):
        raise SparkDialectError(f"JSON path {node.expression.sql('duckdb')} has no Spark rendering")
    out = node.this
    for k in keys:
        out = _fn("get_json_object", out, exp.Literal.string(_json_path(k)))
    out.meta[JSON_MARK] = True
    return out


def _path_keys(path: exp.Expression) -> list[exp.Expression] | None:
    if isinstance(path, exp.JSONPath):
        keys = []
        for part in path.expressions:
            if isinstance(part, exp.JSONPathRoot):
                continue
            if isinstance(part, exp.JSONPathKey) and isinstance(part.this, str):
                keys.append(exp.Literal.string(part.this))
            else:
                return None
        return keys or None
    return [path]   # a key given as an expression (a macro's argument, a lambda's variable)


def _json_path(key: exp.Expression) -> str:
    if not isinstance(key, exp.Literal):
        raise SparkDialectError("a nested JSON path with a computed key has no Spark rendering")
    if "'" in key.this or "]" in key.this:
        raise SparkDialectError(f"JSON key {key.this!r} cannot be a Spark JSON path")
    return f"$['{key.this}']"


def _grouping_sets_having(node: exp.Expression):
    """HAVING over GROUPING SETS: Spark resolves it against the select list only; filter outside."""
    if not isinstance(node, exp.Select) or _spark(node) or not node.args.get("having"):
        return node
    group = node.args.get("group")
    if not group or not any(isinstance(g, (exp.GroupingSets, exp.Cube, exp.Rollup)) for g in group.expressions) and \
            not (group.args.get("grouping_sets") or group.args.get("cube") or group.args.get("rollup")):
        return node
    names = []
    for e in node.expressions:
        if isinstance(e, exp.Star) or not e.alias_or_name:
            raise SparkDialectError("HAVING over GROUPING SETS needs every output column named")
        names.append(e.alias_or_name)
    cond = node.args["having"].this
    inner = node.copy()
    inner.set("having", None)
    inner = inner.select(exp.alias_(cond, "__having", quoted=True), copy=False)
    outer = exp.select(*[exp.column(n, quoted=True) for n in names]).from_(
        exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("g"))))
    return outer.where(exp.column("__having", quoted=True))


TRANSFORMS: list[Callable[[exp.Expression], exp.Expression]] = [
    _date_diff, _division, _ordered_list, _list_position, _try_strptime, _regexp_full_match, _hex_cast,
    _jaro_winkler, _json_text, _json_member, _grouping_sets_having,
]


# --------------------------------------------------------------------------- JSON values
def is_json(node: exp.Expression) -> bool:
    """Whether an expression is a JSON value (DuckDB's JSON type), statically."""
    if node.meta.get(JSON_MARK):
        return True
    if isinstance(node, (exp.JSONObject, exp.ParseJSON, exp.JSONExtract, exp.JSONFormat)):
        return True
    if isinstance(node, exp.Anonymous) and node.name.lower() in ("json_merge_patch", "to_json", "json",
                                                                 UDF_MERGE_PATCH):
        return True
    if isinstance(node, exp.Paren):
        return is_json(node.this)
    if isinstance(node, exp.Case):
        branches = [i.args.get("true") for i in node.args.get("ifs") or []] + [node.args.get("default")]
        branches = [b for b in branches if b is not None and not isinstance(b, exp.Null)]
        return bool(branches) and all(is_json(b) for b in branches)
    if isinstance(node, exp.Coalesce):
        return all(is_json(a) for a in [node.this, *node.expressions])
    return False


def _scalar_json(value: exp.Expression) -> exp.Expression:
    """The JSON text of any scalar (string quoted and escaped, number, date, boolean, null)."""
    wrapped = _fn("to_json", _fn("named_struct", exp.Literal.string("v"), value), _sql(NO_NULL_DROP))
    return _fn("regexp_extract", wrapped, exp.Literal.string(r'^\{"v":(.*)\}$'), exp.Literal.number(1))


def _as_json(value: exp.Expression) -> exp.Expression:
    if is_json(value):
        return exp.Coalesce(this=value, expressions=[exp.Literal.string("null")])
    return _scalar_json(value)


def _json_object(node: exp.JSONObject) -> exp.Expression:
    pairs = []
    for kv in node.expressions:
        key = kv.this
        if not isinstance(key, exp.Literal) or not key.is_string:
            raise SparkDialectError("json_object with a computed key has no Spark rendering")
        pairs.append((key.this, kv.expression))
    if not any(is_json(v) for _, v in pairs):
        args = [a for k, v in pairs for a in (exp.Literal.string(k), v)]
        out = _fn("to_json", _fn("named_struct", *args), _sql(NO_NULL_DROP)) if pairs else exp.Literal.string("{}")
    else:
        parts: list[exp.Expression] = [exp.Literal.string("{")]
        for i, (k, v) in enumerate(pairs):
            parts.append(exp.Literal.string(("," if i else "") + json.dumps(k, ensure_ascii=False) + ":"))
            parts.append(_as_json(v))
        parts.append(exp.Literal.string("}"))
        out = exp.Concat(expressions=parts)
    out.meta[JSON_MARK] = True
    return out


def _json_values(tree: exp.Expression) -> exp.Expression:
    """Innermost first: an object knows whether its values are JSON before it is rewritten."""
    def rewrite(node):
        if isinstance(node, exp.JSONObject):
            return _json_object(node)
        if isinstance(node, exp.ParseJSON):             # json(x): the text is already JSON
            out = exp.Paren(this=node.this)
            out.meta[JSON_MARK] = True
            return out
        if isinstance(node, exp.Anonymous) and node.name.lower() == "json_merge_patch":
            out = _fn(UDF_MERGE_PATCH, *node.expressions)
            out.meta[JSON_MARK] = True
            return out
        if isinstance(node, exp.Anonymous) and node.name.lower() == "to_json" and len(node.expressions) == 1 \
                and not _spark(node):
            out = _as_json(node.expressions[0]) if not is_json(node.expressions[0]) else node.expressions[0]
            out.meta[JSON_MARK] = True
            return out
        if isinstance(node, exp.FromJson) and not _spark(node):
            schema = node.expression
            if isinstance(schema, exp.Literal) and schema.this.replace(" ", "") == '["JSON"]':
                return exp.FromJson(this=node.this, expression=exp.Literal.string("array<string>"))
            raise SparkDialectError(f"from_json with the structure {schema.sql('duckdb')} has no Spark rendering")
        return node

    return post_order(tree, rewrite)


# --------------------------------------------------------------------------- UNION BY NAME
def _union_by_name(tree: exp.Expression, columns_of: Columns | None) -> exp.Expression:
    def rewrite(node):
        if not (isinstance(node, exp.Union) and node.args.get("by_name")):
            return node
        if columns_of is None:
            raise SparkDialectError("UNION BY NAME needs the engine's columns to be rendered")
        left, right = node.this, node.expression
        lcols, rcols = columns_of(_generate(left)), columns_of(_generate(right))
        names = lcols + [c for c in rcols if c not in lcols]

        def side(select, have):
            cols = [exp.column(c, quoted=True) if c in have else exp.alias_(exp.Null(), c, quoted=True) for c in names]
            return exp.select(*cols).from_(exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier("u"))))

        return exp.Union(this=side(left, set(lcols)), expression=side(right, set(rcols)),
                         distinct=node.args.get("distinct"))

    return post_order(tree, rewrite)


# --------------------------------------------------------------------------- the whole rendering
def _generate(tree: exp.Expression) -> str:
    return tree.sql(dialect="spark")


def post_order(tree: exp.Expression, fn: Callable[[exp.Expression], exp.Expression]) -> exp.Expression:
    """Apply `fn` to every node, each after its descendants (sqlglot's own transform is pre-order
    and does not descend into a node it replaced: a json_object inside another would be missed)."""
    root = tree
    for node in reversed(list(tree.walk(bfs=False))):
        new = fn(node)
        if new is not node:
            if node is root:
                root = new
            else:
                node.replace(new)
    return root


def _dialect_rules(node: exp.Expression) -> exp.Expression:
    for rule in TRANSFORMS:
        node = rule(node)
    return node


def transform(tree: exp.Expression, columns_of: Columns | None = None) -> exp.Expression:
    tree = expand_macros(tree)
    tree = post_order(tree, _dialect_rules)
    tree = _json_values(tree)
    return _union_by_name(tree, columns_of)


def render(sql: str, columns_of: Columns | None = None) -> str:
    """The Spark SQL of a DuckDB-dialect statement (see the module doc)."""
    if "by name" not in sql.lower():
        return _render_cached(sql)
    return _render(sql, columns_of)


@cache
def _render_cached(sql: str) -> str:
    return _render(sql, None)


def _render(sql: str, columns_of: Columns | None) -> str:
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as e:
        raise SparkDialectError(str(e).splitlines()[0]) from None
    try:
        return _generate(transform(tree, columns_of))
    except sqlglot.errors.UnsupportedError as e:
        raise SparkDialectError(str(e)) from None


def macro_names() -> list[str]:
    return sorted(macros())


def spark_overrides() -> list[str]:
    return sorted(n for n, m in macros().items() if m.spark)


def macro_file(name: str) -> Path:
    return paths.SQL / "macros" / name
