"""The floor: the least any pipeline must do with the same files — read them and join numbers.

A plain DuckDB script: every chosen delivery's files are read as text (UTF-8 CSV by DuckDB's own
reader; GB18030 CSV decoded by Python, the only way on this machine since DuckDB's encodings
extension cannot be downloaded here; Excel by fastexcel), the registry's numbers are trimmed and
upper-cased, and every department source is joined to them on the exact identity number. No
normalisation, no validation, no fuzzy matching, no rules, no publishing.

    python -m benchmarks.floor LANDING --as-of 2026-11-28   # prints seconds and the join counts
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from pipelines.contracts import load_contracts
from pipelines.ingest.discovery import discover
from pipelines.ingest.encoding import detect_and_decode


def _load_file(con: duckdb.DuckDBPyConnection, table: str, path: Path, first: bool) -> None:
    verb = "CREATE TABLE" if first else "INSERT INTO"
    if path.suffix.lower() == ".csv":
        head = path.open("rb").read(1 << 16)
        try:
            head.decode("utf-8")
            utf8 = True
        except UnicodeDecodeError as e:
            utf8 = e.start > len(head) - 4  # a character cut at the end of the sample
        if utf8:
            sel = f"SELECT * FROM read_csv('{path.as_posix()}', all_varchar = true, header = true)"
        else:
            _, data = detect_and_decode(path)
            frame = pl.read_csv(data, infer_schema=False)
            con.register("_frame", frame.to_arrow())
            sel = "SELECT * FROM _frame"
    else:
        import fastexcel

        frame = fastexcel.read_excel(path).load_sheet(0, dtypes="string").to_polars()
        con.register("_frame", frame.to_arrow())
        sel = "SELECT * FROM _frame"
    con.execute(f"{verb} {table} {'AS ' if first else 'BY NAME '}{sel}")
    con.unregister("_frame") if "_frame" in sel else None


def run_floor(landing: Path, as_of: date, database: str = ":memory:") -> dict:
    started = time.perf_counter()
    contracts = load_contracts()
    chosen = discover(landing, as_of, contracts).chosen
    con = duckdb.connect(database)
    for source, delivery in chosen.items():
        for i, path in enumerate(delivery.files):
            _load_file(con, f"raw_{source}", path, first=i == 0)
    read_s = time.perf_counter() - started
    reg_header = contracts["registry_persons"].column("id_number").headers[0]
    con.execute(f'CREATE TABLE reg AS SELECT upper(trim("{reg_header}")) AS id FROM raw_registry_persons')
    counts = {}
    for source in chosen:
        c = contracts[source]
        if c.is_registry:
            continue
        cols = {r[0] for r in con.execute(f"DESCRIBE raw_{source}").fetchall()}
        header = next(h for h in c.column(c.subject["id_number"]).headers if h in cols)
        con.execute(f'CREATE TABLE link_{source} AS SELECT s.* FROM raw_{source} s '
                    f'JOIN reg ON reg.id = upper(trim(s."{header}"))')
        counts[source] = con.execute(f"SELECT count(*) FROM link_{source}").fetchall()[0][0]
    con.close()
    return {"seconds": time.perf_counter() - started, "read_seconds": read_s, "joined": counts}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("landing", type=Path)
    ap.add_argument("--as-of", default="2026-11-28")
    args = ap.parse_args()
    print(json.dumps(run_floor(args.landing, date.fromisoformat(args.as_of)), ensure_ascii=False))


if __name__ == "__main__":
    main()
