"""CSV twins of the site's result lists (search, changes, checks): one header row, then one row per result,
columns in the order given, None as the empty string.

The cells are scraped text, and a spreadsheet runs a cell that starts with = + - @ TAB or CR as a formula
(CSV injection): such a cell is prefixed with `'`, as OWASP recommends (a plain number such as -12.5 is left
alone), and every text cell is quoted so a `;` inside one cannot split it where `;` is the list separator."""

from __future__ import annotations

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
