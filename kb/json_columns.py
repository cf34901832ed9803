"""JSON array columns (documents.issuers, listed_entities.aliases, …) read back for display and export:
a plain string from an older build is one value, empty values are dropped."""

from __future__ import annotations

import json


def json_list(value: str | None) -> list[str]:
    if not value:
        return []
    try:
        parsed = json.loads(value)
    except ValueError:
        return [value]
    return [str(v) for v in parsed if v] if isinstance(parsed, list) else [str(parsed)]
