"""Records and field counts of a CSV file, from its bytes, vectorised (numpy, no Python per row).

Why: polars fills a row that is too short with NULLs and says nothing, and a file cut in the
middle of a copy ends in the middle of a row or inside a quoted field. The readers need, for
every record, how many fields it has, and whether the file ends inside quotes.

How: in UTF-8 the bytes `"`, `,`, LF never occur inside a multi-byte character. A comma or LF
is inside a quoted field exactly when an odd number of `"` precede it (an escaped `""` counts
twice, so it never changes the state), which is how polars reads quotes too. So per chunk:
the positions of the three bytes, the quote parity before each comma and LF, the LFs outside
quotes are the record ends, and the commas outside quotes between two ends are that record's
separators (a chunk without any quote skips the parity). About 0.3 s per million rows (90 MB). Run only when a check needs it (see readers.read_csv_file).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CHUNK = 64 * 1024 * 1024
QUOTE, COMMA, LF, CR = 34, 44, 10, 13


@dataclass
class Scan:
    fields: np.ndarray        # fields per record, the header first (int64)
    empty: np.ndarray         # the record is an empty line (nothing, or only CR, before its LF)
    ends_with_newline: bool   # the last record is terminated
    open_quote_record: int | None  # 0-based record in which a quoted field opens and never closes

    @property
    def records(self) -> int:
        return len(self.fields)

    def first_width_mismatch(self, width: int) -> int | None:
        """0-based index of the first non-empty record whose field count is not `width`."""
        bad = np.flatnonzero((self.fields != width) & ~self.empty)
        return int(bad[0]) if len(bad) else None


def count_byte(data: bytes, byte: int, chunk: int = CHUNK) -> int:
    """How many times `byte` occurs, counted in chunks (no temporary the size of the file)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    return sum(int(np.count_nonzero(buf[lo:lo + chunk] == byte)) for lo in range(0, len(buf), chunk))


def scan(data: bytes, chunk: int = CHUNK) -> Scan:
    """Scan the UTF-8 bytes of a CSV file (BOM already removed)."""
    fields: list[np.ndarray] = []
    empty: list[np.ndarray] = []
    quotes_before = 0      # quotes seen before the current chunk
    seps_carry = 0         # separators of the record still open at the end of the previous chunk
    last_end = -1          # position of the previous record end (LF outside quotes)
    last_quote = -1
    buf = np.frombuffer(data, dtype=np.uint8)
    n = len(buf)
    for lo in range(0, n, chunk):
        arr = buf[lo:lo + chunk]
        lf = np.flatnonzero(arr == LF)
        cm = np.flatnonzero(arr == COMMA)
        if quotes_before % 2 == 0 and data.find(b'"', lo, lo + len(arr)) < 0:
            lf_out, cm_out = lf, cm  # no quote in the chunk: every LF ends a record, every comma separates
        else:
            q = np.flatnonzero(arr == QUOTE)
            last_quote = lo + int(q[-1]) if len(q) else last_quote
            lf_out = lf[((quotes_before + np.searchsorted(q, lf)) & 1) == 0]
            cm_out = cm[((quotes_before + np.searchsorted(q, cm)) & 1) == 0]
            quotes_before += len(q)
        if len(lf_out):
            per_end = np.searchsorted(cm_out, lf_out)          # separators before each end
            counts = np.diff(per_end, prepend=0)
            counts[0] += seps_carry
            fields.append(counts + 1)
            ends = lf_out + lo
            starts = np.concatenate(([last_end + 1], ends[:-1] + 1))
            length = ends - starts
            is_empty = length == 0
            one = np.flatnonzero(length == 1)
            if len(one):
                is_empty[one] = buf[starts[one]] == CR
            empty.append(is_empty)
            last_end = int(ends[-1])
            seps_carry = len(cm_out) - int(per_end[-1])
        else:
            seps_carry += len(cm_out)
    tail = n - (last_end + 1)  # bytes after the last record end
    ends_with_newline = tail == 0
    if tail > 0:
        fields.append(np.array([seps_carry + 1], dtype=np.int64))
        empty.append(np.array([bool(tail == 1 and buf[n - 1] == CR)]))
    f = np.concatenate(fields) if fields else np.zeros(0, dtype=np.int64)
    e = np.concatenate(empty) if empty else np.zeros(0, dtype=bool)
    open_record = None
    if quotes_before % 2:
        # the last quote of the file opened the field that never closes; its record is the number
        # of record ends before it
        open_record = len(_record_ends_before(buf, last_quote))
    return Scan(f.astype(np.int64, copy=False), e, ends_with_newline, open_record)


def _record_ends_before(buf: np.ndarray, pos: int) -> np.ndarray:
    """LFs outside quotes before `pos` (error path only: one more pass over the head of the file)."""
    head = buf[:pos]
    q = np.flatnonzero(head == QUOTE)
    lf = np.flatnonzero(head == LF)
    return lf[(np.searchsorted(q, lf) & 1) == 0]
