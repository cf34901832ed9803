"""Datasette's own ?_search= (as dclient's `rows --search` sends it) and the sqlite-utils CLI find
1–2 character Chinese queries and English names in documents, controls, HS numbers and entities."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from kb.table_search import escape_query, index_form

SQLITE_UTILS = Path(sys.executable).with_name("sqlite-utils")
CASES = [("documents", "稀土", "id"), ("documents", "镓", "id"), ("controls", "钨镍", "item"),
         ("hs_codes", "钨", "item"), ("listed_entities", "Fujitsu", "name_en")]


def test_index_form_has_characters_and_pairs() -> None:
    assert index_form("稀土物项 1C902.a") == "稀 土 物 项 稀土 土物 物项 1c902 a"
    assert escape_query("稀土物项") == '"稀土" "土物" "物项"'


@pytest.mark.parametrize(("table", "q", "column"), CASES)
def test_datasette_search_on_table_pages(served_kb: str, table: str, q: str, column: str) -> None:
    everything = httpx.get(f"{served_kb}/mofcom/{table}.json", params={"_size": "max", "_shape": "array"}).json()
    found = httpx.get(f"{served_kb}/mofcom/{table}.json",
                      params={"_search": q, "_size": "max", "_shape": "array"}).json()
    assert found and len(found) < len(everything)
    key = "id" if column == "id" else column
    assert all(q.lower() in json.dumps(r, ensure_ascii=False).lower() for r in found), [r[key] for r in found]


@pytest.mark.parametrize(("table", "q", "column"), CASES)
def test_sqlite_utils_search(built_kb: Path, table: str, q: str, column: str) -> None:
    out = subprocess.run([str(SQLITE_UTILS), "search", str(built_kb), table, q, "-c", column, "--csv"],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(out) > 1, out
    if column != "id":  # the text searched is in the column shown
        assert all(q.lower() in line.lower() for line in out[1:] if line), out
