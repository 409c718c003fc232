"""The outputs gate: the date's warnings checked before they are published.

It reads what the rules step hands to publishing (`pending_warnings`, issue 4), or, in a
warehouse without that table, the published `warnings` (columns of spec/outputs.md).

Every warning's person is in the run's registry (MONITORING_INTAKE, whose subject is not a
registry person, excepted); its rule is in the catalogue (`config/rule_catalogue.yaml`) and
its category is the one the rule gives (a fixed 1-4, or 1 if the person / the household is
covered, else 2, as rules.md defines covered); category_code matches category; no two
warnings share (rule, subject, date) -- subject = `subject_key` where the table has it, else
the person, household, identity number or name + county. With no such table or no rows for
the date the suite runs on an empty frame and passes; without a catalogue the rule checks
are no-ops.
"""

from __future__ import annotations

from datetime import date

import yaml

from pipelines import paths

CATEGORY_CODES = {1: "policy_gap", 2: "possibly_eligible", 3: "special_hardship", 4: "possibly_ineligible"}
COVERING_CATEGORIES = ("低保", "特困分散", "特困集中")
INTAKE_RULE = "MONITORING_INTAKE"
WARNINGS_TABLES = ("pending_warnings", "warnings")  # first that exists
COLUMNS = ["rule_code", "category", "category_code", "person_in_registry", "rule_known",
           "expected_category", "expected_category_code", "subject", "as_of"]


def catalogue() -> tuple[dict[str, str], dict[int, str]] | None:
    """rule code → category rule ('1'..'4', 'covered', 'household_covered'), and the category codes."""
    p = paths.CONFIG / "rule_catalogue.yaml"
    if not p.exists():
        return None
    doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    rules = {str(r["code"]): str(r["category"]) for r in doc.get("rules") or []}
    codes = {int(k): str(v) for k, v in (doc.get("categories") or CATEGORY_CODES).items()}
    return rules, codes


def _registry_dates(wh, as_of: date) -> dict[str, date]:
    from pipelines.contracts import registry_sources

    return {s: d for s, d in wh.usable_sources(as_of).items() if s in registry_sources()}


def _values(rows: list[tuple]) -> str:
    def lit(v):
        return "NULL" if v is None else "'" + str(v).replace("'", "''") + "'"
    return ", ".join("(" + ", ".join(lit(v) for v in r) + ")" for r in rows)


def output_frame(wh, as_of: date):
    """One row per warning of the date, with what the suite compares; pandas."""
    import pandas as pd

    empty = pd.DataFrame({
        "rule_code": pd.Series(dtype="str"), "category": pd.Series(dtype="Int64"),
        "category_code": pd.Series(dtype="str"), "person_in_registry": pd.Series(dtype="boolean"),
        "rule_known": pd.Series(dtype="boolean"), "expected_category": pd.Series(dtype="Int64"),
        "expected_category_code": pd.Series(dtype="str"), "subject": pd.Series(dtype="str"),
        "as_of": pd.Series(dtype="str"),
    })
    table = next((t for t in WARNINGS_TABLES if wh.table_exists(t)), None)
    if table is None:
        return empty
    columns = {r[0] for r in wh.execute(f"DESCRIBE {table}").fetchall()}
    subject = "w.subject_key" if "subject_key" in columns else (
        "coalesce('person:' || w.person_id, 'household:' || w.household_id, 'id:' || w.id_number, "
        "'name:' || w.name || '@' || coalesce(w.county_code, ''))")
    cat = catalogue()
    reg = _registry_dates(wh, as_of)
    have_p = "registry_persons" in reg and wh.table_exists("stg_registry_persons")
    have_h = "registry_households" in reg and wh.table_exists("stg_registry_households")
    persons = (f"SELECT person_id, household_id, individually_included FROM stg_registry_persons "
               f"WHERE delivery_date = DATE '{reg['registry_persons'].isoformat()}'") if have_p else \
        "SELECT NULL::VARCHAR AS person_id, NULL::VARCHAR AS household_id, NULL::VARCHAR AS individually_included WHERE false"
    households = (f"SELECT household_id, status, assistance_category FROM stg_registry_households "
                  f"WHERE delivery_date = DATE '{reg['registry_households'].isoformat()}'") if have_h else \
        "SELECT NULL::VARCHAR AS household_id, NULL::VARCHAR AS status, NULL::VARCHAR AS assistance_category WHERE false"
    if cat:
        rules, codes = cat
        rules_sql = f"SELECT * FROM (VALUES {_values(sorted(rules.items()))}) t(rule_code, category_rule)" if rules else \
            "SELECT NULL::VARCHAR AS rule_code, NULL::VARCHAR AS category_rule WHERE false"
        known = "r.rule_code IS NOT NULL"
    else:
        codes = CATEGORY_CODES
        rules_sql = "SELECT NULL::VARCHAR AS rule_code, NULL::VARCHAR AS category_rule WHERE false"
        known = "NULL::BOOLEAN"
    codes_sql = f"SELECT * FROM (VALUES {_values(sorted(codes.items()))}) t(category, code)"
    covering = ", ".join(f"'{c}'" for c in COVERING_CATEGORIES)
    sql = f"""
        WITH w AS (SELECT * FROM {table} WHERE as_of = ?),
             p AS ({persons}), h AS ({households}), r AS ({rules_sql}), c AS ({codes_sql})
        SELECT
            w.rule_code,
            TRY_CAST(w.category AS INTEGER) AS category,
            CAST(w.category_code AS VARCHAR) AS category_code,
            CASE WHEN w.rule_code = '{INTAKE_RULE}' THEN NULL ELSE p.person_id IS NOT NULL END AS person_in_registry,
            {known} AS rule_known,
            CASE
                WHEN r.category_rule = 'covered' AND p.person_id IS NOT NULL THEN
                    CASE WHEN coalesce(h.status = '有效' AND (h.assistance_category IN ({covering})
                                                           OR p.individually_included = '是'), false)
                         THEN 1 ELSE 2 END
                WHEN r.category_rule = 'household_covered' AND h.household_id IS NOT NULL THEN
                    CASE WHEN coalesce(h.status = '有效' AND h.assistance_category IN ({covering}), false)
                         THEN 1 ELSE 2 END
                ELSE TRY_CAST(r.category_rule AS INTEGER)
            END AS expected_category,
            CAST(c.code AS VARCHAR) AS expected_category_code,
            {subject} AS subject,
            CAST(w.as_of AS VARCHAR) AS as_of
        FROM w
        LEFT JOIN p ON p.person_id = w.person_id
        LEFT JOIN h ON h.household_id = coalesce(p.household_id, w.household_id)
        LEFT JOIN r ON r.rule_code = w.rule_code
        LEFT JOIN c ON c.category = TRY_CAST(w.category AS INTEGER)
    """
    df = wh.execute(sql, [as_of]).df()
    if df.empty:
        return empty
    return df.astype({"category": "Int64", "expected_category": "Int64", "person_in_registry": "boolean",
                      "rule_known": "boolean", "rule_code": "str", "category_code": "str",
                      "expected_category_code": "str", "subject": "str", "as_of": "str"})[COLUMNS]
