"""The one place identity numbers are masked: in any text, in frames, and in every log record.

Whatever leaves the pipeline for people (messages, logs, reports, quarantine reasons, data
issues) goes through `mask_text`, so a number is hidden however it was typed:

  * 18 characters (the last may be X/x), 15 digits, 20-character disability card numbers (the
    identity number followed by two digits), any longer run of digits;
  * ASCII, full-width (０-９, Ｘ) or any other Unicode decimal digits (Arabic-Indic ...);
  * with single spaces or hyphens inside (`230102 19500101 001X`), embedded in longer text
    (a CSV line printed in a message, `ID230102...`);
  * Excel's scientific form of a number whose digits were cut (`2.30102195001E+17`).

Mask forms (the birth date, the hidden part, is always gone; the visible digits are ASCII):

  18 characters          230102********123X   division code and last four, as before
  15 digits              230102******123      division code and the three sequence digits
  any other run ≥ 16     230102***********X11 first six and last three (a card: check digit and
                                              the card's own two digits)
  Excel scientific form  2.30102*********E+17 six significant digits kept

Why keep only three at the end of other runs: a run joined from a number and its neighbours
(`12 230102...`) must not show a birth digit wherever the number sits in it; the first six and
last three never can. A run of fewer than 15 digits is not an identity number and is left alone.
"""

from __future__ import annotations

import logging
import re
import traceback
import unicodedata

import polars as pl

_SEP = r"[ \u00a0\u2007\u2009\u202f\u3000\-\u2010\u2011\u2012\u2013]"
_X = r"[XxＸｘ]"
# Python's \d matches every Unicode decimal digit (Nd); runs start at a digit not preceded by one.
_RUN = re.compile(rf"(?<!\d)\d(?:{_SEP}?\d){{14,}}(?:{_SEP}?{_X}(?:{_SEP}?\d)*)?")
_SCI = re.compile(r"(?<!\d)(\d)([.．])(\d{5})(\d+)([EeＥｅ][+＋]?[1１][4-9４-９])(?!\d)")
# The same candidates for polars (Rust regex: \d is Unicode there too): a value that matches
# neither cannot hold a number to mask, so only matching values reach Python.
_CANDIDATE = rf"\d(?:{_SEP}?\d){{14}}|\d[.．]\d{{6}}"
# control characters (line breaks too: a message is one line, no forged log lines), line and
# paragraph separators, lone surrogates; a tab stays
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
MESSAGE_LIMIT = 2000


def _ascii_digit(ch: str) -> str:
    if ch in "XxＸｘ":
        return "X"
    return str(unicodedata.decimal(ch))


def _mask_run(m: re.Match) -> str:
    chars = [_ascii_digit(c) for c in m.group(0) if c.isdecimal() or c in "XxＸｘ"]
    n = len(chars)
    keep_end = 4 if n == 18 else 3
    hidden = n - 6 - keep_end
    return "".join(chars[:6]) + "*" * hidden + "".join(chars[-keep_end:])


def _mask_sci(m: re.Match) -> str:
    head = _ascii_digit(m.group(1)) + "." + "".join(_ascii_digit(c) for c in m.group(3))
    return head + "*" * len(m.group(4)) + m.group(5)


def mask_text(text: str | None) -> str:
    """`text` with every identity number (in any of the forms above) masked; never raises."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    return _RUN.sub(_mask_run, _SCI.sub(_mask_sci, text))


def safe_message(text: str | None, limit: int = MESSAGE_LIMIT) -> str:
    """A message fit for consoles, logs and tables: masked, on one line, control characters shown as
    escapes (no terminal escape sequences, no NUL bytes, no lone surrogates), at most `limit`
    characters."""
    out = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100
                       else f"\\u{ord(m.group(0)):04x}", mask_text(text))
    if len(out) > limit:
        out = out[:limit] + f"… ({len(out) - limit:,} more characters)"
    return out


def mask_id(value: str | None) -> str:
    """A normalised identity number (18 characters) in the mask form; `<blank>` for None.

    Other lengths follow `mask_text`'s forms; a value of 8 characters or fewer shows only stars."""
    if value is None:
        return "<blank>"
    v = str(value)
    if len(v) <= 8:
        return "*" * len(v)
    masked = mask_text(v)
    if masked != v:
        return masked
    return v[:6] + "*" * (len(v) - 10) + v[-4:]  # not digits (a code?): the historical form


def mask_id_expr(col: pl.Expr) -> pl.Expr:
    """Vectorised mask of a column of normalised 18-character numbers (push lists, reports):
    the division code and the last four characters. Other lengths go through `mask_expr`."""
    n = col.str.len_chars()
    eighteen = col.str.slice(0, 6) + pl.lit("*" * 8) + col.str.slice(14, 4)
    return pl.when(n == 18).then(eighteen).otherwise(mask_expr(col))


def _mask_series(s: pl.Series) -> pl.Series:
    if s.dtype != pl.String:
        s = s.cast(pl.String)
    hits = s.str.contains(_CANDIDATE).fill_null(False)
    if not bool(hits.any()):
        return s
    idx = hits.arg_true()
    masked = pl.Series(s.name, [mask_text(v) for v in s.gather(idx).to_list()], dtype=pl.String)
    return s.clone().scatter(idx, masked)


def mask_expr(col: pl.Expr) -> pl.Expr:
    """`mask_text` over a text column: values that cannot hold a number (no run of 15 digits, no
    long scientific mantissa; one vectorised regex) are left as they are, the others masked."""
    return col.map_batches(_mask_series, return_dtype=pl.String, is_elementwise=True)


def mask_frame(frame: pl.DataFrame, columns: list[str] | None = None) -> pl.DataFrame:
    """Every (or each named) text column of `frame` masked."""
    names = columns if columns is not None else [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(mask_expr(pl.col(c)).alias(c) for c in names) if names else frame


# ------------------------------------------------------------------------------------- logging
class MaskingFilter(logging.Filter):
    """Renders a record's message (and its exception and stack text) once, masked, so no handler
    or formatter downstream ever sees an identity number."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    if getattr(record, "_masked", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: keep what can be shown
        message = f"{record.msg!r} % {record.args!r}"
    record.msg, record.args = mask_text(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = mask_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)
    record._masked = True
    return record


_FILTER = MaskingFilter()
_INSTALLED: dict[str, object] = {}


def install_log_masking() -> None:
    """Mask every log record of this process, whichever logger or handler it goes through.

    A filter on the root logger does not see records of child loggers (propagation skips logger
    filters), and handlers are added later by Airflow and basicConfig; so the record factory is
    wrapped (every record is masked when it is created) and the filter is put on the root logger
    and its current handlers as well. Calling it again changes nothing."""
    if "factory" not in _INSTALLED:
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs):
            return mask_record(previous(*args, **kwargs))

        _INSTALLED["factory"] = factory
        _INSTALLED["previous"] = previous
        logging.setLogRecordFactory(factory)
    root = logging.getLogger()
    if _FILTER not in root.filters:
        root.addFilter(_FILTER)
    for handler in root.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)


def uninstall_log_masking() -> None:
    """Undo `install_log_masking` (tests)."""
    if "factory" in _INSTALLED:
        if logging.getLogRecordFactory() is _INSTALLED["factory"]:
            logging.setLogRecordFactory(_INSTALLED["previous"])
        _INSTALLED.clear()
    root = logging.getLogger()
    root.removeFilter(_FILTER)
    for handler in root.handlers:
        handler.removeFilter(_FILTER)
