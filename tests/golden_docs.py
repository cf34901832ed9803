"""Golden files: the derived fields of a parsed Document, as reviewed JSON.

For corpus records only derived fields are stored (number, type, title, dates, issuers, part
paths and offsets, annex titles, the text's sha256) — never the corpus text itself. For the
team-written fixture pages the text is stored too, to make review easy.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ingest.document import Document

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


def derived(doc: Document, *, with_text: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "doc_id": doc.doc_id,
        "doc_number": doc.doc_number,
        "doc_number_printed": doc.doc_number_printed,
        "doc_type": doc.doc_type,
        "title": doc.title,
        "issuers": list(doc.issuers),
        "signed_date": doc.signed_date.isoformat() if doc.signed_date else None,
        "posted_date": doc.posted_date.isoformat() if doc.posted_date else None,
        "column": doc.column,
        "header": doc.meta.get("header", {}),
        "parts": [[p.path, p.level, p.start, p.end] for p in doc.parts],
        "annexes": [[a.title, a.start, a.end] for a in doc.annexes],
        "annex_list": doc.meta.get("annex_list", []),
        "attachments": [a.name for a in doc.attachments],
        "promulgated": doc.meta.get("promulgated"),
        "text_length": len(doc.text),
        "text_sha256": hashlib.sha256(doc.text.encode("utf-8")).hexdigest(),
    }
    if with_text:
        data["text"] = doc.text
    return data


def dumps(data: dict[str, Any]) -> str:
    """JSON with one line per field, and one line per part or annex, for review in a diff."""
    lines = []
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], list):
            items = ",\n".join(f"  {json.dumps(v, ensure_ascii=False)}" for v in value)
            lines.append(f" {json.dumps(key)}: [\n{items}\n ]")
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def check(path: Path, actual: dict[str, Any], update: bool) -> None:
    """Compare with the golden file, or (update) rewrite it for review."""
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dumps(actual), encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path}: run pytest --update-golden and review it"
    expected = json.loads(path.read_text(encoding="utf-8"))
    for key in expected:
        assert actual.get(key) == expected[key], f"{path.name}: {key} differs from the reviewed golden file"
    assert set(actual) == set(expected), f"{path.name}: fields differ from the golden file"
