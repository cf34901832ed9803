"""Catalogue rows as JSON or CSV text (for the CLI and for exports)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, fields

from ingest.document import CatalogueRow

CSV_COLUMNS = tuple(f.name for f in fields(CatalogueRow))
HS_SEPARATOR = ";"  # several HS numbers share one CSV cell


def rows_to_json(rows: Sequence[CatalogueRow]) -> str:
    return json.dumps([asdict(row) for row in rows], ensure_ascii=False, indent=1)


def rows_to_csv(rows: Sequence[CatalogueRow]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        record = asdict(row)
        record["hs_codes"] = HS_SEPARATOR.join(row.hs_codes)
        writer.writerow(record)
    return out.getvalue()
