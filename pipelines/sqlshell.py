"""`lowincome sql`: a SQL session on the published warehouse, read-only, with the DuckDB Python
client the project already installs.

Why not the DuckDB command-line shell: the `duckdb-cli` wheel on PyPI stops at 1.5.x, which
refuses a DuckDB 2.0 file ("can only read versions between 64 and 68"); the Python client is
the same version as the pipeline's, so it always reads the warehouse. Read-only: a night being
run is never blocked, and nothing can be changed by mistake.

Results are printed as tables with identity numbers masked (pipelines.export.mask), at most
`max_rows` rows (the count of the rest is said); `--unmasked --reason` shows them in full and is
recorded like an unmasked export. For more rows, `lowincome export --query`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, TextIO

import polars as pl
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipelines.export import ExportError, ExportUsage, audit, mask, open_read_only
from pipelines.masking import safe_message

PROMPT, MORE = "lowincome> ", "       ...> "
HELP = ("Statements end with ;  .tables lists tables and views, .schema NAME their columns, .quit (or Ctrl-D) "
        "leaves. The warehouse is read-only here.")


def render(console: Console, frame: pl.DataFrame, more: bool) -> None:
    """The rows as a table, then how many (`more`: the query has rows beyond these)."""
    table = Table(show_lines=False)
    for name, dtype in frame.schema.items():
        table.add_column(f"{name}\n{dtype}", justify="right" if dtype.is_numeric() else "left", overflow="fold")
    for row in frame.iter_rows():
        table.add_row(*["NULL" if v is None else escape(str(v)) for v in row])
    console.print(table)
    if more:
        console.print(f"first {frame.height:,} rows shown; more exist (lowincome export --query ... writes them all)")
    else:
        console.print(f"{frame.height:,} row{'s' if frame.height != 1 else ''}")


class Session:
    """One read-only connection; `execute` runs a statement and prints its rows (masked)."""

    def __init__(self, warehouse: Path, console: Console, max_rows: int = 50, unmasked: bool = False):
        self.con = open_read_only(warehouse)
        self.console = console
        self.max_rows = max_rows
        self.unmasked = unmasked
        self.failures = 0

    def close(self) -> None:
        self.con.close()

    def execute(self, sql: str, limit: bool = True) -> bool:
        """Run one statement (or a dot command); False when the session should end. A failed
        statement is said and counted (`failures`)."""
        import duckdb

        text = sql.strip().rstrip(";").strip()
        if not text:
            return True
        if text.startswith("."):
            return self._dot(text)
        try:
            rel = self.con.sql(text)
            if rel is None:          # a statement without rows
                self.console.print("ok")
                return True
            frame = rel.limit(self.max_rows + 1).pl() if limit else rel.pl()
        except duckdb.Error as e:
            self.failures += 1
            self.console.print(f"[red]error:[/red] {escape(safe_message(str(e)))}", soft_wrap=True)
            return True
        more = limit and frame.height > self.max_rows
        frame = frame.head(self.max_rows) if limit else frame
        render(self.console, frame if self.unmasked else mask(frame), more)
        return True

    def _dot(self, text: str) -> bool:
        word, _, arg = text.partition(" ")
        if word in (".quit", ".exit", ".q"):
            return False
        if word == ".tables":
            return self.execute("SELECT table_name AS name, lower(table_type) AS kind FROM information_schema.tables "
                                "WHERE table_schema = 'main' AND table_name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY 1",
                                limit=False)
        if word == ".schema" and arg.strip():
            return self.execute(f"DESCRIBE {arg.strip()}", limit=False)
        self.console.print(HELP)
        return True


def statements(lines: Callable[[str], str]) -> "list[str]":
    """Read lines (prompting) until a statement ends with ; (or a dot command); [] at end of input."""
    buf: list[str] = []
    while True:
        try:
            line = lines(MORE if buf else PROMPT)
        except EOFError:
            return [" ".join(buf)] if buf else []
        if not buf and line.strip().startswith("."):
            return [line.strip()]
        buf.append(line)
        if line.rstrip().endswith(";"):
            return [" ".join(buf)]


def repl(session: Session, stdin: TextIO = sys.stdin) -> None:
    """The interactive loop (line editing and history where readline exists)."""
    interactive = stdin.isatty()
    if interactive:
        try:
            import readline  # noqa: F401  (input() gains editing and history)
        except ImportError:
            pass
        session.console.print(HELP)

    def read(prompt: str) -> str:
        if interactive:
            return input(prompt)
        line = stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    while True:
        found = statements(read)
        if not found or not session.execute(found[0]):
            return


def run(warehouse: Path, command: str | None, console: Console, max_rows: int = 50, unmasked: bool = False,
        reason: str | None = None) -> int:
    """`lowincome sql`: one command (-c) or a session reading statements from stdin; returns the
    number of statements that failed."""
    if unmasked:
        if not (reason and reason.strip()):
            raise ExportUsage("--unmasked needs --reason (it is recorded)")
        audit(warehouse, command or "interactive SQL session", reason, Path("-"), 0)
    session = Session(warehouse, console, max_rows, unmasked)
    try:
        if command is not None:
            import duckdb

            try:
                parts = [st.query for st in duckdb.extract_statements(command)]
            except duckdb.Error as e:
                raise ExportError(f"cannot read the SQL: {e}") from None
            for part in parts:
                session.execute(part)
        else:
            repl(session)
    finally:
        session.close()
    return session.failures
