"""The synthetic demo-data generator (synthetic/): layout, determinism, files vs truth,
and the messiness it promises (checked against the ground truth and the project's own
identity-number normaliser)."""

from __future__ import annotations

import dataclasses
import io
import unicodedata
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from pipelines import contracts
from pipelines.normalise.idnumbers import check_char, normalise_ids
from synthetic import DemoConfig, generate
from synthetic.config import ALL_SOURCES, DEPARTMENT_SOURCES
from synthetic.sources import SPECS

# small: many parts (tiny part sizes), fast; medium: enough records for proportions
SMALL = DemoConfig(households=300, excel_part_rows=150, csv_part_rows=1500, excel_workers=0)
MEDIUM = DemoConfig(households=2500, excel_workers=0, seed=7)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_small")
    return generate(out, SMALL)


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_medium")
    return generate(out, MEDIUM)


# ------------------------------------------------------------------ reading what was written
def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def read_file(path: Path) -> tuple[list[str], pl.DataFrame, list[list[str | None]] | None]:
    """(headers, cells as text, Excel cell types per row or None)."""
    if path.suffix == ".csv":
        df = pl.read_csv(io.BytesIO(_decode(path.read_bytes()).encode()), infer_schema=False)
        return df.columns, df, None
    ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    rows = list(ws.iter_rows())
    headers = [c.value for c in rows[0]]
    width = len(headers)
    values, types = [], []
    for row in rows[1:]:
        cells = list(row) + [None] * (width - len(row))
        values.append([None if c is None or c.value is None else str(c.value) for c in cells[:width]])
        types.append([None if c is None or c.value is None else c.data_type for c in cells[:width]])
    df = pl.DataFrame(values, schema=headers, orient="row") if values else pl.DataFrame(schema=headers)
    return headers, df, types


def delivered(summary, source: str) -> list[tuple[Path, list[Path]]]:
    """(delivery folder, its data files in part order) for one source."""
    out = []
    for folder in sorted((summary.landing / source).iterdir()):
        files = sorted(p for p in folder.iterdir() if p.name != "_SUCCESS")
        files.sort(key=lambda p: (len(p.stem), p.stem))  # _2 before _10
        out.append((folder, files))
    return out


def column_index(headers: list[str], source: str, column: str) -> int:
    lookup = contracts.contract(source).header_lookup()
    for i, h in enumerate(headers):
        if lookup.get(contracts.normalise_header(h)) == column:
            return i
    raise KeyError(column)


def typed_ids(summary, sources=DEPARTMENT_SOURCES) -> pl.DataFrame:
    """Per department record: the delivered identity-number text, Excel cell type, and truth."""
    frames = []
    for source in sources:
        col = contracts.contract(source).subject["id_number"]
        for folder, files in delivered(summary, source):
            for f in files:
                headers, df, types = read_file(f)
                i = column_index(headers, source, col)
                rn = column_index(headers, source, "record_no")
                frames.append(pl.DataFrame({
                    "source": source, "delivery_date": date.fromisoformat(folder.name), "file": f.name,
                    "record_no": df[headers[rn]].str.replace(r"\.0$", ""),
                    "typed": df[headers[i]],
                    "cell_type": [t[i] for t in types] if types is not None else [None] * df.height,
                }, schema_overrides={"cell_type": pl.String}))
    typed = pl.concat(frames)
    truth = pl.read_parquet(summary.truth / "records.parquet").with_columns(pl.col("source").cast(pl.String))
    people = pl.read_parquet(summary.truth / "people.parquet").select("person_key", "id18", "is_decoy")
    return typed.join(truth, on=["source", "delivery_date", "file", "record_no"], how="inner").join(
        people, on="person_key", how="left")


# ------------------------------------------------------------------ layout and determinism
def test_same_seed_same_bytes(small, tmp_path):
    again = generate(tmp_path / "again", SMALL)
    a = sorted(p.relative_to(small.landing) for p in small.landing.rglob("*") if p.is_file())
    b = sorted(p.relative_to(again.landing) for p in again.landing.rglob("*") if p.is_file())
    assert a == b and len(a) > 30
    for rel in a:
        assert (small.landing / rel).read_bytes() == (again.landing / rel).read_bytes(), rel
    for name in ("people", "records", "deliveries"):
        assert pl.read_parquet(small.truth / f"{name}.parquet").equals(pl.read_parquet(again.truth / f"{name}.parquet"))


def test_another_seed_other_data(small, tmp_path):
    other = generate(tmp_path / "other", dataclasses.replace(SMALL, seed=1, sources=("vehicles",)))
    a = next((small.landing / "vehicles").rglob("*.csv")).read_bytes()
    b = next((other.landing / "vehicles").rglob("*.csv")).read_bytes()
    assert a != b


def test_a_subset_of_sources_writes_the_same_files(small, tmp_path):
    part = generate(tmp_path / "part", dataclasses.replace(SMALL, sources=("registry_households", "edu_students", "vehicles")))
    assert sorted(p.name for p in part.landing.iterdir()) == ["edu_students", "registry_households", "vehicles"]
    for source in ("registry_households", "edu_students", "vehicles"):
        for p in (part.landing / source).rglob("*"):
            if p.is_file():
                assert p.read_bytes() == (small.landing / p.relative_to(part.landing)).read_bytes(), p


def test_background_excel_writer_writes_the_same_files(small, tmp_path):
    cfg = dataclasses.replace(SMALL, sources=("dpf_disabled", "acwf_two_cancers"), excel_workers=1,
                              excel_background_min_rows=0)
    bg = generate(tmp_path / "bg", cfg)
    files = [p for p in bg.landing.rglob("*") if p.is_file()]
    assert len(files) >= 6 and any(p.name == "_SUCCESS" for p in files)
    for p in files:
        assert p.read_bytes() == (small.landing / p.relative_to(bg.landing)).read_bytes(), p


def test_every_source_delivered_as_sources_md_says(small):
    deliveries = pl.read_parquet(small.truth / "deliveries.parquet").with_columns(pl.col("source").cast(pl.String))
    assert set(deliveries["source"]) == set(ALL_SOURCES)
    assert sorted(p.name for p in small.landing.iterdir()) == sorted(ALL_SOURCES)
    for row in deliveries.iter_rows(named=True):
        folder = small.landing / row["source"] / row["delivery_date"].isoformat()
        assert folder.is_dir()
        assert (folder / "_SUCCESS").exists() == row["complete"]
        files = [p for p in folder.iterdir() if p.name != "_SUCCESS"]
        assert len(files) == row["parts"] >= 1
        assert {p.suffix for p in files} == {"." + SPECS[row["source"]].fmt}
    chosen = deliveries.filter("expected_chosen_for_as_of")
    assert sorted(chosen["source"]) == sorted(ALL_SOURCES)  # exactly one per source
    for source, group in deliveries.group_by("source"):
        ok = group.filter(pl.col("complete") & (pl.col("delivery_date") <= SMALL.as_of))
        assert group.filter("expected_chosen_for_as_of")["delivery_date"][0] == ok["delivery_date"].max()
    # the traps: an older snapshot, one dated after as_of, one still being copied
    assert deliveries.filter(pl.col("delivery_date") > SMALL.as_of).height >= 1
    assert deliveries.filter(~pl.col("complete")).height >= 1
    assert deliveries.group_by("source").len().filter(pl.col("len") > 1).height >= 3
    assert (deliveries["delivery_date"] <= date(2026, 12, 31)).all()


def test_rows_in_files_equal_rows_in_truth(small):
    truth = pl.read_parquet(small.truth / "records.parquet").with_columns(pl.col("source").cast(pl.String))
    counts = truth.group_by("source", "delivery_date", "file").len()
    seen = 0
    for source in ALL_SOURCES:
        for folder, files in delivered(small, source):
            for f in files:
                _, df, _ = read_file(f)
                expected = counts.filter(source=source, delivery_date=date.fromisoformat(folder.name), file=f.name)
                assert expected["len"].to_list() == [df.height], f
                seen += df.height
    assert seen == truth.height
    assert small.total_rows == truth.height


def test_record_numbers_unique_and_continuous_across_parts(small):
    multi = {"csv": 0, "xlsx": 0}
    for source in DEPARTMENT_SOURCES:
        for folder, files in delivered(small, source):
            numbers: list[int] = []
            for f in files:
                headers, df, _ = read_file(f)
                col = headers[column_index(headers, source, "record_no")]
                numbers += [int(float(v)) for v in df[col].to_list()]
            assert numbers == list(range(1, len(numbers) + 1)), (source, folder.name)
            if len(files) > 1:
                multi[SPECS[source].fmt] += 1
    assert multi["csv"] >= 1 and multi["xlsx"] >= 1  # the small part sizes did split deliveries
    for source in ("edu_students", "dpf_disabled"):
        for _, files in delivered(small, source):
            for f in files:
                assert read_file(f)[1].height <= SMALL.excel_part_rows


def test_encodings(small):
    for source in ALL_SOURCES:
        enc = SMALL.encodings.get(source)
        for _, files in delivered(small, source):
            for f in files:
                raw = f.read_bytes()
                if f.suffix == ".xlsx":
                    assert raw[:2] == b"PK"
                    continue
                assert raw.startswith(b"\xef\xbb\xbf") == (enc == "utf-8-sig"), f
                if enc == "gb18030":
                    with pytest.raises(UnicodeDecodeError):
                        raw.decode("utf-8")
                    assert raw.decode("gb18030").startswith("序号,")
                else:
                    raw.decode("utf-8")
    assert SMALL.encodings["registry_persons"] == "utf-8-sig" and SMALL.encodings["hrss_contributions"] == "gb18030"


def test_headers_are_schema_spellings(small):
    aliased = 0
    for source in ALL_SOURCES:
        contract = contracts.contract(source)
        lookup = contract.header_lookup()
        spec = SPECS[source]
        for _, files in delivered(small, source):
            headers = read_file(files[0])[0]
            mapped = [lookup.get(contracts.normalise_header(h)) for h in headers]
            assert mapped == spec.columns, (source, headers)
            required = {c.name for c in contract.columns if c.required}
            assert required <= set(mapped)
            aliased += sum(h != spec.header(c) for h, c in zip(headers, spec.columns))
    assert aliased >= 1  # some delivery uses an alias header


def test_coded_values_are_schema_spellings(small):
    for source in ALL_SOURCES:
        contract = contracts.contract(source)
        for _, files in delivered(small, source):
            for f in files:
                headers, df, _ = read_file(f)
                for i, h in enumerate(headers):
                    col = contract.column(SPECS[source].columns[i])
                    if col.type != "code":
                        continue
                    ok = set(col.code_lookup())
                    values = {contracts.normalise_header(v) for v in df[h].drop_nulls().to_list()}
                    assert values <= ok, (source, h, values - ok)


# ------------------------------------------------------------------ identity numbers
def test_excel_id_cells_numeric_only_when_mangled(medium):
    ids = typed_ids(medium, [s for s in DEPARTMENT_SOURCES if SPECS[s].fmt == "xlsx"])
    mangled = ids.filter(pl.col("id_corruption") == "mangled")
    blank = ids.filter(pl.col("id_corruption") == "blank")
    rest = ids.filter(~pl.col("id_corruption").is_in(["mangled", "blank"]))
    assert mangled.height > 20 and rest.height > 1000
    assert (mangled["cell_type"] == "n").all()
    assert blank["typed"].is_null().all()
    assert (rest["cell_type"] == "s").all()
    # the float Excel kept: 15 significant digits of the true number
    kept = mangled.select((pl.col("typed").cast(pl.Float64) - pl.col("id18").cast(pl.Float64)).abs().max()).item()
    assert kept <= 1000


def test_ids_as_typed_match_their_labels(medium):
    ids = typed_ids(medium)
    by = {k: ids.filter(pl.col("id_corruption") == k) for k in ids["id_corruption"].unique().to_list()}
    clean = by["clean"]
    assert (clean["typed"] == clean["id18"]).all()
    assert all(check_char(v[:17]) == v[17] for v in clean["typed"].to_list())
    for kind in ("typo", "transposition"):
        bad = by[kind]
        assert bad.height > 10
        assert (bad["typed"].str.len_chars() == 18).all() and (bad["typed"] != bad["id18"]).all()
        assert not any(check_char(v[:17]) == v[17] for v in bad["typed"].to_list()), kind
    t = by["transposition"]
    for typed, true in zip(t["typed"].to_list(), t["id18"].to_list()):
        diff = [i for i in range(18) if typed[i] != true[i]]
        assert len(diff) == 2 and diff[1] == diff[0] + 1 and typed[diff[0]] == true[diff[1]]
    for kind in ("fullwidth", "spaces", "quote", "lower_x"):
        f = by[kind]
        restored = [unicodedata.normalize("NFKC", v).replace(" ", "").replace("'", "").upper() for v in f["typed"]]
        assert restored == f["id18"].to_list(), kind
        assert (f["typed"] != f["id18"]).all(), kind
    assert all(v.isascii() is False for v in by["fullwidth"]["typed"])
    assert (by["id15"]["typed"] == by["id15"]["id18"].str.slice(0, 6) + by["id15"]["id18"].str.slice(8, 9)).all()
    assert (by["id15"]["id18"].str.slice(6, 2) == "19").all()
    assert by["blank"]["typed"].is_null().all()
    csv_mangled = by["mangled"].filter(pl.col("cell_type").is_null())["typed"]
    assert csv_mangled.str.contains(r"^\d\.\d+E\+17$|^\dE\+17$|^\d{15}000$").all()
    for k in (6, 9, 12):  # scientific text with 6, 9 and 12 significant digits all occur
        assert csv_mangled.str.contains(rf"^\d\.\d{{{k - 1}}}E\+17$").any(), k


def test_the_projects_normaliser_reads_them_as_labelled(medium):
    ids = typed_ids(medium)
    norm = normalise_ids(ids["typed"].cast(pl.String))
    ids = ids.with_columns(s__status=norm["id_status"], s__id18=norm["id"], s__was_15=norm["id_was_15"])
    def status(kind):
        return ids.filter(pl.col("id_corruption") == kind)
    for kind in ("clean", "fullwidth", "spaces", "quote", "lower_x", "id15"):
        got = status(kind)
        assert (got["s__status"] == "valid").all(), kind
        assert (got["s__id18"] == got["id18"]).all(), kind
    assert status("id15")["s__was_15"].all()
    for kind in ("typo", "transposition"):
        assert status(kind)["s__status"].is_in(["bad_check", "mangled"]).all(), kind
    m = status("mangled")
    assert ((m["s__status"] == "mangled") | ((m["s__status"] == "valid") & (m["s__id18"] != m["id18"]))).all()
    assert (m["s__status"] == "mangled").mean() > 0.9
    assert (status("blank")["s__status"] == "blank").all()


def test_corruption_proportions_near_the_configured_rates(medium):
    truth = pl.read_parquet(medium.truth / "records.parquet").with_columns(pl.col("source").cast(pl.String))
    people = pl.read_parquet(medium.truth / "people.parquet")
    dept = truth.filter(pl.col("source").is_in(DEPARTMENT_SOURCES)).join(
        people.select("person_key", "is_decoy", "minority"), on="person_key")
    normal = dept.filter(~pl.col("is_decoy"))
    assert normal.height > 40_000
    share = normal["id_corruption"].value_counts(normalize=True)
    got = dict(zip(share["id_corruption"].cast(pl.String), share["proportion"]))
    for kind, rate in MEDIUM.id_corruption.items():
        assert abs(got.get(kind, 0) - rate) <= max(0.25 * rate, 0.002), (kind, got.get(kind), rate)
    assert 0.87 <= got["clean"] <= 0.93
    share = normal["name_corruption"].value_counts(normalize=True)
    got = dict(zip(share["name_corruption"].cast(pl.String), share["proportion"]))
    for kind in ("homophone", "traditional", "spaces"):
        rate = MEDIUM.name_corruption[kind]
        assert abs(got.get(kind, 0) - rate) <= max(0.3 * rate, 0.002), (kind, got.get(kind), rate)
    minority = normal.filter("minority")
    assert minority.height > 50
    dots = (minority["name_corruption"] == "dot_variant").mean()
    assert abs(dots - MEDIUM.name_corruption["dot_variant"]) < 0.15
    # decoys' records: often blank or mangled, except in their anchor source where they are clean
    decoy = dept.filter("is_decoy")
    outside = decoy.filter(pl.col("source") != "medins_burden")
    assert outside["id_corruption"].is_in(["blank", "mangled"]).mean() > 0.4
    anchor = decoy.filter(pl.col("source") == "medins_burden")
    assert anchor.height > 0 and (anchor["id_corruption"] == "clean").all()
    # the registry itself: ~0.3% of persons with a problem
    reg = truth.filter(source="registry_persons")
    assert 0.0005 < (reg["id_corruption"] != "clean").mean() < 0.008


def test_names_as_typed(medium):
    truth = pl.read_parquet(medium.truth / "records.parquet").with_columns(pl.col("source").cast(pl.String))
    people = pl.read_parquet(medium.truth / "people.parquet").select("person_key", "name")
    source = "medins_burden"
    folder, files = delivered(medium, source)[-1]
    headers, df, _ = read_file(files[0])
    typed = df.select(record_no=headers[0], typed=headers[column_index(headers, source, "name")]).with_columns(
        source=pl.lit(source), delivery_date=pl.lit(date.fromisoformat(folder.name)))
    rows = typed.join(truth, on=["source", "delivery_date", "record_no"]).join(people, on="person_key")
    clean = rows.filter(name_corruption="clean")
    assert (clean["typed"] == clean["name"]).all()
    changed = rows.filter(pl.col("name_corruption") != "clean")
    assert (changed["typed"] != changed["name"]).all()
    homo = rows.filter(name_corruption="homophone")
    assert (homo["typed"].str.len_chars() == homo["name"].str.len_chars()).all()
    assert (homo["typed"].str.slice(0, 1) == homo["name"].str.slice(0, 1)).all()  # surname kept
    sp = rows.filter(name_corruption="spaces")
    assert (sp["typed"].str.replace_all(r"[\s\u3000]", "") == sp["name"]).all()
    dots = rows.filter(name_corruption="dot_variant")
    assert (dots["typed"].str.replace_all(r"[•.。]", "·") == dots["name"]).all()


# ------------------------------------------------------------------ people
def test_population_and_decoys(medium):
    people = pl.read_parquet(medium.truth / "people.parquet")
    assert people["id18"].n_unique() == people.height
    sample = people.sample(3000, seed=1)
    assert all(check_char(v[:17]) == v[17] for v in sample["id18"].to_list())
    # numbers agree with birth date and sex
    assert (people["id18"].str.slice(6, 8) == people["birth_date"].dt.strftime("%Y%m%d")).all()
    odd = people["id18"].str.slice(16, 1).cast(pl.Int32) % 2 == 1
    assert (odd == (people["sex"] == "男")).all()
    reg = people.filter("in_registry")
    assert reg["person_id"].is_not_null().all() and reg["household_id"].is_not_null().all()
    assert 2.0 < reg.height / MEDIUM.households < 2.8
    assert (people["id18"].str.slice(0, 2) != "23").mean() > 0.01  # some born in other provinces
    # decoys: a non-registry twin with the same name, sex and birth date
    decoys = people.filter("is_decoy").join(people, left_on="decoy_of", right_on="person_key", suffix="_twin")
    assert 0.5 * MEDIUM.decoy_rate < decoys.height / reg.height < 1.5 * MEDIUM.decoy_rate
    assert not decoys["in_registry"].any() and decoys["in_registry_twin"].all()
    for c in ("name", "sex", "birth_date"):
        assert (decoys[c] == decoys[f"{c}_twin"]).all(), c
    assert (decoys["id18"] != decoys["id18_twin"]).all()
    same = decoys.filter(pl.col("county") == pl.col("county_twin"))
    assert same.height / decoys.height > 0.6
    assert (same["id18"].str.slice(0, 14) == same["id18_twin"].str.slice(0, 14)).mean() > 0.8
    truth = pl.read_parquet(medium.truth / "records.parquet")
    in_depts = truth.filter(pl.col("person_key").is_in(decoys["person_key"].implode()))
    assert in_depts["person_key"].n_unique() > 0.5 * decoys.height
    assert in_depts["true_person_id"].is_null().all()
    # namesakes are common: frequent names repeat inside one county
    per_county = people.group_by("county", "name").len()
    assert per_county["len"].max() >= 4
    assert per_county.filter(pl.col("len") > 1)["len"].sum() / people.height > 0.05
    assert people.group_by("name").len()["len"].max() > 0.001 * people.height


def test_registry_files_are_consistent(small):
    _, hh, _ = read_file(delivered(small, "registry_households")[0][1][0])
    _, ps, _ = read_file(delivered(small, "registry_persons")[0][1][0])
    sizes = ps.group_by("家庭编号").len()
    joined = hh.join(sizes, on="家庭编号")
    assert joined.height == hh.height == hh["家庭编号"].n_unique()
    assert (joined["家庭人口数"].cast(pl.Int64) == joined["len"]).all()
    heads = ps.filter(pl.col("与户主关系") == "本人")
    assert heads.height == hh.height
    j = hh.join(heads, on="家庭编号")
    assert (j["户主姓名"] == j["姓名"]).all() and (j["户主身份证号"].fill_null("") == j["身份证号"].fill_null("")).all()
    assert set(hh["状态"]) == {"有效", "已终止"} and set(hh["城乡类别"]) == {"城市", "农村"}
    entitled = hh["救助类别"].is_in(["低保", "特困分散"])
    assert hh.filter(~entitled)["取暖救助"].is_null().all()
    assert hh.filter(entitled)["取暖救助"].is_in(["已发放", "未发放"]).all()
    assert (hh["行政区划代码"].str.len_chars() == 12).all()
    assert ps["成员编号"].n_unique() == ps.height
    assert (ps["单独纳入"] == "否").mean() > 0.9


def test_department_sources_keep_their_nature(medium):
    truth = pl.read_parquet(medium.truth / "records.parquet").with_columns(pl.col("source").cast(pl.String))
    people = pl.read_parquet(medium.truth / "people.parquet")
    main = truth.join(pl.read_parquet(medium.truth / "deliveries.parquet").with_columns(pl.col("source").cast(pl.String))
                      .filter("expected_chosen_for_as_of").select("source", "delivery_date"),
                      on=["source", "delivery_date"]).join(people, on="person_key")
    age = (pl.lit(MEDIUM.as_of) - pl.col("birth_date")).dt.total_days() / 365.2425
    edu = main.filter(source="edu_students").select(age.alias("a"))["a"]
    assert edu.min() >= 3 and edu.max() < 25
    assert (main.filter(source="acwf_two_cancers")["sex"] == "女").all()
    share = main.group_by("source").agg(pl.col("in_registry").mean()).to_dict(as_series=False)
    share = dict(zip(share["source"], share["in_registry"]))
    for high in ("dpf_disabled", "health_serious_illness", "acftu_workers", "agri_monitoring"):
        for low in ("hrss_contributions", "vehicles", "market_entities"):
            assert share[high] > 3 * share[low], (high, low)
    hrss = main.filter(source="hrss_contributions")
    assert hrss.height == max(main.group_by("source").len()["len"])  # the largest source
    # one row per person and month, six months
    folder, files = delivered(medium, "hrss_contributions")[-1]
    frames = [read_file(f)[1] for f in files]
    df = pl.concat(frames)
    months = sorted(df["缴费年月"].unique())
    assert len(months) == MEDIUM.contribution_months and months[-1] == "202610"
    keyed = df.with_columns(record_no=pl.col("序号")).join(
        truth.filter(source="hrss_contributions", delivery_date=date.fromisoformat(folder.name)), on="record_no")
    assert keyed.group_by("person_key", "缴费年月").len()["len"].max() == 1
    per_person = keyed.group_by("person_key").len()["len"]
    assert per_person.max() == 6 and (per_person < 6).mean() > 0.03
    # dpf card number: the true 18-character number + category and grade digits
    source = "dpf_disabled"
    folder, files = delivered(medium, source)[-1]
    df = pl.concat([read_file(f)[1] for f in files]).with_columns(record_no=pl.col("序号").str.replace(r"\.0$", ""))
    d = df.join(truth.filter(source=source, delivery_date=date.fromisoformat(folder.name)), on="record_no").join(
        people, on="person_key")
    assert (d["残疾人证号"].str.slice(0, 18) == d["id18"]).all()
    assert (d["残疾人证号"].str.len_chars() == 20).all()
    # mps: 迁往地 only for 迁出, and some name another province
    _, mps, _ = read_file(delivered(medium, "mps_cancellations")[-1][1][0])
    reason = mps[[h for h in mps.columns if h == "注销原因"][0]]
    assert mps.filter(reason != "迁出")["迁往地"].is_null().all()
    dest = mps.filter(reason == "迁出")["迁往地"]
    assert dest.str.starts_with("黑龙江省").any() and dest.str.contains("^(辽宁省|北京市|内蒙古自治区|吉林省|山东省)").any()
    # agri: one row per member; a household's rows share head and division
    _, agri, _ = read_file(delivered(medium, "agri_monitoring")[-1][1][0])
    assert agri.group_by("区划代码", "监测类型").len()["len"].max() >= 2
