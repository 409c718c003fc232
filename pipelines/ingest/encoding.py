"""Which encoding a CSV file is in: strict UTF-8 (with or without BOM) first, then GB18030.

Chinese Excel saves CSV as GBK/GB18030 without a marker, so the encoding is detected, never
assumed from the contract. Large files are decoded in chunks cut at newlines: in GB18030 the
byte 0x0A never occurs inside a multi-byte character, so a cut there is always safe.

Every leading byte-order mark is removed (a file saved twice by a BOM-adding tool starts with
two). UTF-16 and UTF-32 files (their BOMs are unmistakable) are refused with that name rather
than being misread as GB18030.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from pipelines.ingest.errors import DeliveryError
from pipelines.ingest.safeio import open_regular

CHUNK = 64 * 1024 * 1024
UTF8_BOM = codecs.BOM_UTF8
_WIDE_BOMS = [(codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
              (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")]


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _chunks(path: Path):
    """Chunks of the file, each ending at a newline (except possibly the last)."""
    with open_regular(path) as f:
        carry = b""
        while True:
            block = f.read(CHUNK)
            if not block:
                if carry:
                    yield carry
                return
            block = carry + block
            cut = block.rfind(b"\n")
            if cut < 0:
                carry = block
                continue
            yield block[: cut + 1]
            carry = block[cut + 1 :]


def _strip_boms(chunk: bytes) -> tuple[bytes, bool]:
    had = False
    while chunk.startswith(UTF8_BOM):
        chunk, had = chunk[len(UTF8_BOM):], True
    return chunk, had


def detect_and_decode(path: Path) -> tuple[str, bytes]:
    """(encoding name, the file's content as UTF-8 bytes without BOM).

    Raises DeliveryError naming the line of the first byte that is neither UTF-8 nor GB18030.
    """
    lines_before = 0
    utf8_ok = True
    first = True
    had_bom = False
    pieces: list[bytes] = []
    # Pass 1: is the whole file strict UTF-8? Keep the bytes as they are if so.
    for chunk in _chunks(path):
        if first:
            for bom, name in _WIDE_BOMS:
                if chunk.startswith(bom):
                    raise DeliveryError(path, f"the file is {name} (byte-order mark {bom.hex(' ').upper()}); "
                                              "send it as UTF-8 or GB18030", row=1)
            chunk, had_bom = _strip_boms(chunk)
            first = False
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            utf8_ok = False
            break
        pieces.append(chunk)
    if first:
        raise DeliveryError(path, "the file is empty")
    if utf8_ok:
        return ("utf-8-sig" if had_bom else "utf-8"), b"".join(pieces)
    # Pass 2: GB18030, transcoded to UTF-8 chunk by chunk.
    pieces = []
    first = True
    for chunk in _chunks(path):
        try:
            text = chunk.decode("gb18030")
        except UnicodeDecodeError as e:
            raise DeliveryError(
                path,
                f"bytes that are neither UTF-8 nor GB18030 (byte 0x{chunk[e.start]:02X})",
                row=lines_before + _line_of(chunk, e.start),
            ) from None
        if first:
            text, first = text.lstrip("\ufeff"), False  # GB18030's own BOM (84 31 95 33) decodes to U+FEFF
        lines_before += chunk.count(b"\n")
        pieces.append(text.encode("utf-8"))
    return "gb18030", b"".join(pieces)
