"""Datasette's table search as a tool-builder meets it through `dclient` (the real binary, not our code):
`dclient rows mofcom TABLE --search Q` for 稀土, 镓 and an entity's English name returns only rows holding
the query, fewer than the table, and the same rows as the JSON API's ?_search=."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.corpus

DCLIENT = Path(sys.executable).with_name("dclient")
CASES = [("documents", "稀土"), ("documents", "镓"), ("listed_entities", "稀土"), ("listed_entities", "Fujitsu"),
         ("documents", "Fujitsu"), ("controls", "钨")]


def dclient_rows(base: str, table: str, q: str, home: Path) -> list[dict]:
    result = subprocess.run([str(DCLIENT), "rows", "mofcom", table, "--search", q, "-i", base, "--all", "--nl"],
                            capture_output=True, text=True, timeout=120,
                            env={"HOME": str(home), "PATH": str(DCLIENT.parent)})
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.mark.parametrize(("table", "q"), CASES)
def test_dclient_search_finds_only_matching_rows(served_kb: str, table: str, q: str, tmp_path: Path) -> None:
    found = dclient_rows(served_kb, table, q, tmp_path)
    total = httpx.get(f"{served_kb}/mofcom/{table}.json", params={"_size": "0"}, timeout=30).json()["filtered_table_rows_count"]
    assert found and len(found) < total
    assert all(q.lower() in json.dumps(r, ensure_ascii=False).lower() for r in found)
    api = httpx.get(f"{served_kb}/mofcom/{table}.json", timeout=30,
                    params={"_search": q, "_size": "max", "_shape": "array"}).json()
    assert sorted(json.dumps(r, sort_keys=True) for r in api) == sorted(json.dumps(r, sort_keys=True) for r in found)
