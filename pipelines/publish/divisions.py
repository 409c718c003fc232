"""Administrative division names for the files for people and for analysts (table `divisions`).

Two sources, neither typed by hand:
  * the official table: province, prefectures and counties with their codes, and the townships'
    official names per county, generated from the maintained `jionlp` library's national
    division table (`python -m pipelines.publish.divisions` rewrites OFFICIAL_CSV;
    tests/test_divisions.py regenerates it and fails when the committed file differs). jionlp
    itself is heavy (≈165 MB with its segmenter, 2 s to import, and it unzips its dictionaries into
    its own folder on first import), so the nightly run reads only the small generated file.
  * the registry: township (9-digit) and village (12-digit) names are not in any table with
    codes, so they are read from the households' 详细地址 ("黑龙江省哈尔滨市道里区新阳路街道安静社区
    12号楼…"): the province, prefecture and county names are taken off its start, the township is
    the county's official township name it starts with (else the text up to the first 街道/镇/乡/
    林场/农场 …), the village the text up to its 社区/村/… ; per code the most common spelling
    wins (ties: the alphabetically first), and only the place part of an address is ever read
    (it is cut at the first digit or house-number word before it leaves the database).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import sys
from collections import Counter, defaultdict
from functools import cache

import polars as pl

from pipelines import paths

OFFICIAL_CSV = paths.SQL / "models" / "divisions" / "official_divisions.csv"
LIBRARY = "jionlp"
LEVELS = ("province", "prefecture", "county", "township", "village")
SCHEMA = {"level": pl.String, "code": pl.String, "name": pl.String, "full_name": pl.String,
          "parent_code": pl.String, "county_code": pl.String, "name_source": pl.String,
          "official": pl.Boolean, "households": pl.Int64, "spellings": pl.Int64}

TOWNSHIP_SUFFIX = re.compile(r"^(.+?(?:街道办事处|街道|民族乡|民族镇|镇|乡|林场|农场|经营所|林业局|良种场|种畜场|牧场))")
VILLAGE_SUFFIX = re.compile(r"^(.+?(?:社区居民委员会|居民委员会|村民委员会|社区|居委会|村委会|生活区|管理区|嘎查|村))")
VILLAGE_WHOLE = re.compile(r"^.{1,15}(?:社区|居委会|居民委员会|村委会|村民委员会|生活区|管理区|嘎查|村)$")
# where the place part of an address ends: the first digit or a house-number word in Chinese numerals
ADDRESS_STEM_SQL = r"regexp_replace(address, '([0-9０-９]|[一二三四五六七八九十]+(组|号|栋|幢|单元|排|楼)).*$', '')"


# ------------------------------------------------------------------------- the official table
def generate_official(province_code: str) -> list[dict]:
    """The province's rows from jionlp's national table (development and test time only)."""
    with contextlib.redirect_stdout(io.StringIO()):   # jionlp prints a banner on import
        import jionlp

        table = jionlp.china_location_loader(detail=True)
    version = getattr(jionlp, "__version__", "?")
    province = next((v for v in table.values() if v.get("_admin_code") == province_code), None)
    if province is None:
        raise ValueError(f"{LIBRARY} {version} has no province {province_code}")
    rows = [{"level": "province", "code": province_code, "name": province["_full_name"], "alias": _alias(province),
             "parent_code": ""}]
    for pref_name, pref in sorted(_children(province), key=lambda kv: kv[1]["_admin_code"]):
        rows.append({"level": "prefecture", "code": pref["_admin_code"], "name": pref_name, "alias": _alias(pref),
                     "parent_code": province_code})
        for county_name, county in sorted(_children(pref), key=lambda kv: kv[1]["_admin_code"]):
            rows.append({"level": "county", "code": county["_admin_code"], "name": county_name,
                         "alias": _alias(county), "parent_code": pref["_admin_code"]})
            for town in sorted(name for name, _ in _children(county)):
                rows.append({"level": "township", "code": "", "name": town, "alias": "",
                             "parent_code": county["_admin_code"]})
    return rows


def _children(node: dict) -> list[tuple[str, dict]]:
    return [(k, v if isinstance(v, dict) else {}) for k, v in node.items() if not k.startswith("_")]


def _alias(node: dict) -> str:
    alias = node.get("_alias") or ""
    return alias[0] if isinstance(alias, list) and alias else str(alias) if not isinstance(alias, list) else ""


def official_csv_text(province_code: str) -> str:
    """The generated file's text (what OFFICIAL_CSV must hold)."""
    rows = generate_official(province_code)
    version = getattr(sys.modules[LIBRARY], "__version__", "?")
    buf = io.StringIO()
    buf.write(f"# generated from {LIBRARY} {version} (china_location) for {province_code} by "
              f"`python -m pipelines.publish.divisions`; do not edit (tests/test_divisions.py regenerates it)\n")
    writer = csv.DictWriter(buf, ["level", "code", "name", "alias", "parent_code"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


@cache
def official() -> pl.DataFrame:
    """The committed official table (level, code, name, alias, parent_code); codes as text."""
    return pl.read_csv(OFFICIAL_CSV, comment_prefix="#", schema={
        "level": pl.String, "code": pl.String, "name": pl.String, "alias": pl.String, "parent_code": pl.String})


def official_source() -> str:
    first = OFFICIAL_CSV.read_text(encoding="utf-8").split("\n", 1)[0]
    m = re.search(rf"{LIBRARY} (\S+)", first)
    return f"{LIBRARY} {m.group(1)}" if m else LIBRARY


# ------------------------------------------------------------------------- names from addresses
@cache
def _official_index() -> tuple[dict, dict]:
    """county code → the names to take off the start of an address, level by level (province:
    full name or alias, e.g. 黑龙江; prefecture and county: full names only — an alias such as 依兰
    would eat the start of 依兰镇); county code → official township names, longest first."""
    off = official()
    names = {r["code"]: r for r in off.filter(pl.col("level") != "township").iter_rows(named=True)}
    prefixes: dict[str, list[tuple[str, ...]]] = {}
    for code, r in names.items():
        if r["level"] != "county":
            continue
        pref = names.get(r["parent_code"]) or {}
        prov = names.get(pref.get("parent_code", "")) or {}
        prefixes[code] = [tuple(p for p in (prov.get("name"), prov.get("alias")) if p),
                          tuple(p for p in (pref.get("name"),) if p), (r["name"],)]
    towns: dict[str, list[str]] = defaultdict(list)
    for r in off.filter(pl.col("level") == "township").iter_rows(named=True):
        towns[r["parent_code"]].append(r["name"])
    return prefixes, {k: sorted(v, key=len, reverse=True) for k, v in towns.items()}


def parse_place(county_code: str, stem: str) -> tuple[str | None, str | None, bool]:
    """(township name, village name, township name is official) from the place part of an address."""
    prefixes, towns = _official_index()
    rest = re.sub(r"\s+", "", stem or "")
    for level in prefixes.get(county_code, ()):   # province, prefecture, county: each at most once
        hit = next((p for p in sorted(level, key=len, reverse=True) if rest.startswith(p)), None)
        if hit is not None:
            rest = rest[len(hit):]
    town = next((t for t in towns.get(county_code, ()) if rest.startswith(t)), None)
    official_town = town is not None
    if town is None:
        m = TOWNSHIP_SUFFIX.match(rest)
        town = m.group(1) if m and len(m.group(1)) <= 15 else None
    village = None
    if town is not None:
        rem = rest[len(town):]
        if VILLAGE_WHOLE.match(rem):
            village = rem
        else:
            m = VILLAGE_SUFFIX.match(rem)
            village = m.group(1) if m and len(m.group(1)) <= 15 else None
    return town, village, official_town


def _most_common(counter: Counter) -> tuple[str | None, int]:
    if not counter:
        return None, 0
    best = min(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return best[0], len(counter)


def divisions_frame(stems: pl.DataFrame) -> pl.DataFrame:
    """The `divisions` table from the official table and the registry's address stems
    (division_code, stem, n: households with that code and place text)."""
    off = official()
    source = official_source()
    by_code = {r["code"]: r for r in off.filter(pl.col("level") != "township").iter_rows(named=True)}
    official_towns = {(r["parent_code"], r["name"]) for r in off.filter(pl.col("level") == "township").iter_rows(named=True)}
    town_names: dict[str, Counter] = defaultdict(Counter)
    village_names: dict[str, Counter] = defaultdict(Counter)
    households: Counter = Counter()
    for code, stem, n in stems.select("division_code", "stem", "n").iter_rows():
        if code is None or len(code) != 12 or not code.isdigit():
            continue
        households[code[:6]] += n
        households[code[:9]] += n
        households[code] += n
        town, village, _ = parse_place(code[:6], stem or "")
        if town:
            town_names[code[:9]][town] += n
            if village:
                village_names[code][village] += n
    rows = []

    def full(code: str | None) -> str:
        r = by_code.get(code or "")
        if r is None:
            return ""
        if r["level"] == "province":
            return r["name"]
        parent = by_code.get(r["parent_code"])
        return (full(r["parent_code"]) if parent and parent["level"] != "province" else "") + r["name"]

    for code, r in by_code.items():
        rows.append({"level": r["level"], "code": code, "name": r["name"], "full_name": full(code),
                     "parent_code": r["parent_code"] or None, "county_code": code if r["level"] == "county" else None,
                     "name_source": source, "official": True, "households": households.get(code, 0),
                     "spellings": 1})
    villages_of: dict[str, list[str]] = defaultdict(list)   # township → its villages (one pass, not one per township)
    for c in households:
        if len(c) == 12:
            villages_of[c[:9]].append(c)
    for code9 in sorted(villages_of):
        name, spellings = _most_common(town_names.get(code9, Counter()))
        county = code9[:6]
        rows.append({"level": "township", "code": code9, "name": name,
                     "full_name": (full(county) + name) if name and county in by_code else name,
                     "parent_code": county, "county_code": county,
                     "name_source": "registry 详细地址" if name else None,
                     "official": (county, name) in official_towns if name else False,
                     "households": households[code9], "spellings": spellings})
        town_full = rows[-1]["full_name"]
        for code12 in sorted(villages_of[code9]):
            vname, vspell = _most_common(village_names.get(code12, Counter()))
            rows.append({"level": "village", "code": code12, "name": vname,
                         "full_name": (town_full + vname) if vname and town_full else vname,
                         "parent_code": code9, "county_code": county,
                         "name_source": "registry 详细地址" if vname else None, "official": False,
                         "households": households[code12], "spellings": vspell})
    return pl.DataFrame(rows, schema=SCHEMA).sort("level", "code")


def model(engine, ctx) -> pl.DataFrame:
    """The night model `divisions` (sql/models/divisions/divisions.sql, python: true)."""
    stems = engine.frame(
        f"SELECT division_code, {ADDRESS_STEM_SQL} AS stem, count(*) AS n FROM cur_registry_households "
        "WHERE division_code IS NOT NULL AND address IS NOT NULL GROUP BY 1, 2")
    return divisions_frame(stems)


# ------------------------------------------------------------------------- names for the files
def name_maps(divisions: pl.DataFrame | None = None) -> dict[str, dict[str, str]]:
    """level → code → the name a file shows (a county whose name repeats in the province, e.g.
    向阳区 of 佳木斯 and 鹤岗, shows its prefecture too)."""
    if divisions is None or divisions.is_empty():
        divisions = divisions_frame(pl.DataFrame(schema={"division_code": pl.String, "stem": pl.String,
                                                         "n": pl.Int64}))
    known = divisions.filter(pl.col("name").is_not_null())
    out: dict[str, dict[str, str]] = {lvl: {} for lvl in LEVELS}
    counties = known.filter(pl.col("level") == "county")
    repeated = {n for n, k in Counter(counties["name"].to_list()).items() if k > 1}
    prefectures = dict(known.filter(pl.col("level") == "prefecture").select("code", "name").iter_rows())
    for level, code, name, parent in known.select("level", "code", "name", "parent_code").iter_rows():
        if level == "county" and name in repeated:
            name = prefectures.get(parent, "") + name
        out.setdefault(level, {})[code] = name
    return out


def with_place_names(rows: pl.DataFrame, names: dict[str, dict[str, str]]) -> pl.DataFrame:
    """county_name, township_name, village_name beside the codes: the name where known, else the code."""
    def named(col: str, level: str) -> pl.Expr:
        if col not in rows.columns:
            return pl.lit(None, pl.String).alias(f"{level}_name")
        mapping = names.get(level, {})
        code = pl.col(col).cast(pl.String)
        return code.replace_strict(list(mapping), list(mapping.values()), default=code,
                                   return_dtype=pl.String).alias(f"{level}_name") if mapping else code.alias(f"{level}_name")

    return rows.with_columns(named("county_code", "county"), named("township_code", "township"),
                             named("village_code", "village"))


def main(argv: list[str] | None = None) -> int:
    """Rewrite OFFICIAL_CSV from jionlp (needs the dev dependency jionlp)."""
    from pipelines.publish.settings import files_config

    text = official_csv_text(files_config().province_code)
    OFFICIAL_CSV.write_text(text, encoding="utf-8")
    print(f"wrote {OFFICIAL_CSV} ({text.count(chr(10)) - 2} rows)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
