"""One table of every department record's identifying evidence, whatever its source's layout.

Each source's contract says which of its columns identify the person (`subject:` in the YAML);
this module turns that into one SELECT per source, UNION ALL'd into `link_records`. A source
without a sex, birth-date or county column contributes NULL there: the matcher only ever uses
what the record itself carries.

Household context (issue 13): a contract may also name the household the person belongs to —
`head_name` / `head_id_number` (the 户主's name and number) and `village` (the 12-digit 区划代码
where the household lives). agri_monitoring names its head beside each member; housing's record
is the head itself (its own name and number are the head's). The household-context tier ties a
member through that household (sql/models/linking/context_*.sql).
"""

from __future__ import annotations

from pipelines.contracts import Contract

HOUSEHOLD_KEYS = ("head_name", "head_id_number", "village")


def _col(name: str | None, suffix: str = "", cast: str = "VARCHAR") -> str:
    return f"{name}{suffix}" if name else f"CAST(NULL AS {cast})"


def record_select(contract: Contract) -> str:
    """SELECT of one source's records in the shape of `link_records`."""
    s = contract.subject
    idc, name = s["id_number"], s["name"]
    sex, birth, county, card = s.get("sex"), s.get("birth_date"), s.get("county"), s.get("card")
    head_name, head_id, village = (s.get(k) for k in HOUSEHOLD_KEYS)
    return f"""
    SELECT
        '{contract.source}' AS source,
        delivery_date,
        record_no,
        {idc} AS id18,
        {idc}_status AS id_status,
        -- the text as typed, kept only where no 18-character number came out of it (the repair
        -- tier reads it for Excel-mangled numbers): a 10-million-row run stays in memory
        CASE WHEN {idc} IS NULL THEN {idc}_raw END AS id_raw,
        {idc}_was_15 AS id_was_15,
        {idc}_digits AS id_digits,
        {idc}_lo AS id_lo,
        {idc}_hi AS id_hi,
        {idc}_birth AS id_birth,
        {idc}_sex AS id_sex,
        {name} AS name,
        {name}_pinyin AS pinyin,
        {_col(sex)} AS sex_col,
        {_col(birth, cast='DATE')} AS birth_col,
        {_col(county, '_county')} AS county_col,
        {_col(card, '_id')} AS card_id18,
        {_col(card, '_id_status')} AS card_status,
        -- the household the record names (NULL where the source names none)
        {_col(head_name)} AS head_name,
        {_col(head_name, '_pinyin')} AS head_pinyin,
        {_col(head_id)} AS head_id18,
        {_col(head_id, '_status')} AS head_id_status,
        {_col(head_id, '_lo', 'BIGINT')} AS head_id_lo,
        {_col(head_id, '_hi', 'BIGINT')} AS head_id_hi,
        {_col(village)} AS village,
        -- the same record in any delivery of the source: what a clerk's or department's decision
        -- about a tie (record ↔ person) is remembered by across nights. All the identifying
        -- evidence the record carries, the household it names included (two members called 王伟
        -- without a number in two households of one county are two records, not one).
        md5(concat_ws('|', '{contract.source}', coalesce({name}, ''), coalesce({idc}, {idc}_raw, ''),
                      coalesce(CAST({_col(birth, cast='DATE')} AS VARCHAR), ''),
                      coalesce({_col(county, '_county')}, ''), coalesce({_col(village)}, ''),
                      coalesce({_col(head_name)}, ''), coalesce({_col(head_id)}, {_col(head_id, '_raw')}, ''))) AS signature
    FROM cur_{contract.source}"""


SHAPE = {
    "source": "VARCHAR", "delivery_date": "DATE", "record_no": "VARCHAR", "id18": "VARCHAR", "id_status": "VARCHAR",
    "id_raw": "VARCHAR", "id_was_15": "BOOLEAN", "id_digits": "BIGINT", "id_lo": "BIGINT", "id_hi": "BIGINT",
    "id_birth": "DATE", "id_sex": "VARCHAR", "name": "VARCHAR", "pinyin": "VARCHAR", "sex_col": "VARCHAR",
    "birth_col": "DATE", "county_col": "VARCHAR", "card_id18": "VARCHAR", "card_status": "VARCHAR",
    "head_name": "VARCHAR", "head_pinyin": "VARCHAR", "head_id18": "VARCHAR", "head_id_status": "VARCHAR",
    "head_id_lo": "BIGINT", "head_id_hi": "BIGINT", "village": "VARCHAR",
    "signature": "VARCHAR",
}


def link_records_sql(contracts: list[Contract]) -> str:
    """The SELECT of the night's `link_records` over the usable department sources (typed empty
    when there are none)."""
    if not contracts:
        return "SELECT " + ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in SHAPE.items()) + " WHERE false"
    return "\n    UNION ALL".join(record_select(c) for c in contracts)
