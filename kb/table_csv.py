"""CSV twins of the site's result lists (search, changes, checks): one header row, then one row per result,
columns in the order given, None as the empty string; and the same protection for Datasette's own .csv exports
(CsvStream, applied by datasette/plugins/security.py).

The cells are scraped text, and a spreadsheet runs a cell that starts with = + - @ TAB or CR as a formula
(CSV injection): such a cell is prefixed with `'`, as OWASP recommends (a plain number such as -12.5 is left
alone), and every text cell is quoted so a `;` inside one cannot split it where `;` is the list separator."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """A cell value a spreadsheet shows as text, never runs (numbers and None pass through)."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else safe_cell(row.get(c)) for c in columns])
    return out.getvalue()


_QUOTE_OR_NEWLINE = re.compile(r'["\n]')


def _last_record_end(text: str) -> int:
    """Where the last complete CSV record of `text` ends (text starts at a record boundary): after the
    last newline outside quotes ("" inside a quoted cell toggles twice, so the parity holds)."""
    quoted, end = False, 0
    for match in _QUOTE_OR_NEWLINE.finditer(text):
        if match.group() == '"':
            quoted = not quoted
        elif not quoted:
            end = match.end()
    return end


def neutralise_csv(text: str) -> str:
    """Complete CSV records with every formula cell made safe (safe_cell), quoting as csv.writer does."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in csv.reader(io.StringIO(text, newline="")):
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


class CsvStream:
    """neutralise_csv over a CSV body that arrives in chunks (Datasette streams its .csv exports): each
    chunk's complete records go out at once, a record cut by the chunk boundary waits for the next."""

    def __init__(self) -> None:
        self.pending = ""
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def feed(self, chunk: bytes, final: bool) -> bytes:
        text = self.pending + self.decoder.decode(chunk, final)
        cut = len(text) if final else _last_record_end(text)
        self.pending = text[cut:]
        return neutralise_csv(text[:cut]).encode("utf-8")
