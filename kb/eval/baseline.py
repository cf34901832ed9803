"""The naive regex baseline: what a peer's "grep the notice" extractor finds, as a Facts record.

Patterns live in baseline_patterns.json. Every date is a plain mention (no roles), HS numbers
carry no control code, only `商务部公告YYYY年第N号` numbers are seen, and nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path

from ingest.document import Document
from kb.facts import Control, DateMention, DocReference, Facts, HsCode, Span

PATTERNS_FILE = Path(__file__).with_name("baseline_patterns.json")


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    data = json.loads(PATTERNS_FILE.read_text(encoding="utf-8"))
    return {name: re.compile(value) for name, value in data.items() if not name.startswith("_")}


def extract(doc: Document) -> Facts:
    text = f"{doc.title}\n{doc.text}"
    shift = len(doc.title) + 1  # spans refer to doc.text; title matches get negative starts
    pats = _patterns()

    def span(m: re.Match[str]) -> Span:
        return Span(m.start() - shift, m.end() - shift, m.group(0))

    dates = []
    for m in pats["date"].finditer(text):
        try:
            iso = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            continue
        dates.append(DateMention(iso, "mention", span(m)))
    return Facts(
        doc_id=doc.doc_id,
        references=tuple(
            DocReference(f"商务部公告{m.group(1)}年第{int(m.group(2))}号", span(m))
            for m in pats["doc_number"].finditer(text)
        ),
        dates=tuple(dates),
        controls=tuple(Control(m.group(0), span(m)) for m in pats["control_code"].finditer(text)),
        hs_codes=tuple(HsCode(m.group(0), 10, span(m)) for m in pats["hs_code"].finditer(text)),
        meta={"extractor": "naive-regex-baseline"},
    )
