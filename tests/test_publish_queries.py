"""Every canned query (kb/schema.yml `queries`, published by datasette/plugins/canned_queries.py), through the JSON API of a real `datasette` process
over the corpus build (`?_shape=array`), with the rows the corpus texts imply.

Expected values restate the notices: 2025 No. 57 (holmium…ytterbium, 1C909–1C913, in force 2025-11-08),
No. 61 (part 一（三） on publication 2025-10-09), No. 70 (suspends Nos. 55–58, 61, 62 from 2025-11-07
until 2026-11-10), No. 10 (tungsten, tellurium, bismuth, molybdenum, indium; on publication 2025-02-04),
and the list notices 2026 Nos. 11, 12, 23, 28 (the entity counts are read from their titles).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from kb.schema import load_schema

pytestmark = pytest.mark.corpus

N57 = "商务部公告2025年第57号"
N61 = "商务部公告2025年第61号"
N70 = "商务部公告2025年第70号"
N10 = "商务部公告2025年第10号"
SUSPENDED_BY_70 = {f"商务部公告2025年第{n}号" for n in (55, 56, 57, 58, 61, 62)}


def query(base: str, query_name: str, **params: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{base}/mofcom/{query_name}.json", params={**params, "_shape": "array"}, timeout=30)
    assert response.status_code == 200, response.text[:500]
    rows = response.json()
    assert isinstance(rows, list)
    return rows


def canned_queries() -> dict[str, Any]:
    return load_schema().queries


def test_every_canned_query_has_a_json_api_test() -> None:
    tested = {name[len("test_query_"):].split("__")[0] for name in globals() if name.startswith("test_query_")}
    assert set(canned_queries()) == tested


def codes_by_document(rows: list[dict[str, Any]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for row in rows:
        out.setdefault(row["document_id"], set()).add(row["control_code"])
    return out


def test_query_controlled_on(served_kb: str) -> None:
    before = codes_by_document(query(served_kb, "controlled_on", date="2025-10-20"))
    during = codes_by_document(query(served_kb, "controlled_on", date="2026-01-15"))
    after = codes_by_document(query(served_kb, "controlled_on", date="2026-12-01"))
    # No. 10's tungsten (1C004, 1C117.c/.d), tellurium (6C002), bismuth (6C001), indium (3C004) items: in force throughout.
    for day in (before, during, after):
        assert {"1C004", "1C117.d", "6C001.a", "6C002.a", "3C004.a"} <= day.get(N10, set())
    # No. 57's rare earths: not yet effective on 2025-10-20, suspended on 2026-01-15, in force on 2026-12-01.
    assert N57 not in before and N57 not in during
    assert {"1C909.a", "1C909.b", "1C913.c"} <= after[N57]


def test_query_controlled_on__carries_english_glosses(served_kb: str) -> None:
    rows = query(served_kb, "controlled_on", date="2026-12-01")
    glosses = {(r["control_code"], r["item_en"]) for r in rows if r["document_id"] == N57}
    assert ("1C909.b", "holmium oxide and its mixtures") in glosses
    assert ("1C913.c", "ytterbium compounds and their mixtures") in glosses


def statuses(rows: list[dict[str, Any]], doc: str) -> dict[str | None, tuple[str, str | None]]:
    return {r["part"]: (r["status"], r["caused_by_document_id"]) for r in rows if r["document_id"] == doc}


def test_query_status_on(served_kb: str) -> None:
    oct20 = query(served_kb, "status_on", date="2025-10-20")
    assert statuses(oct20, N61)["一（三）"][0] == "in_force"
    assert statuses(oct20, N57)[None][0] == "published_not_effective"
    jan15 = query(served_kb, "status_on", date="2026-01-15")
    assert statuses(jan15, N61)[None] == ("suspended", N70)
    assert {r["status_en"] for r in jan15 if r["document_id"] == N61} == {"suspended"}
    dec01 = query(served_kb, "status_on", date="2026-12-01")
    assert statuses(dec01, N61)[None][0] == "in_force"
    assert statuses(dec01, N70)[None][0] == "expired"


def test_query_code_history(served_kb: str) -> None:
    rows = query(served_kb, "code_history", code="1C909")
    assert {r["document_id"] for r in rows} == {N57}
    events = [(r["event"], r["start_date"], r["end_date"], r["caused_by_document_id"]) for r in rows if r["part"] is None]
    assert events[0][0] == "controls"
    assert ("status: suspended", "2025-11-07", "2026-11-11", N70) in events
    assert ("status: in_force", "2026-11-11", None, N57) in events
    named = next(r for r in rows if r["event"] == "controls")
    assert {"1C909", "1C909.a", "1C909.b", "1C909.c"} <= set(named["detail"].split(","))
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates)


def test_query_code_history__hs_number(served_samples_kb: str) -> None:
    # 28053019 (参考税则号列) is printed beside 金属钬/金属铒/… in No. 57, and is the prefix of 2805301910
    # (printed only by the sample of No. 18, so asked of the samples-only build).
    rows = [r for r in query(served_samples_kb, "code_history", code="28053019") if r["event"] == "prints HS number"]
    by_doc = {r["document_id"]: r for r in rows}
    assert N57 in by_doc
    assert by_doc[N57]["detail"] == "28053019"
    assert any("2805301910" in r["detail"] for r in rows)


def test_query_document_changes(served_kb: str) -> None:
    rows = query(served_kb, "document_changes", document=N70)
    relations = {r["target"]: r for r in rows if r["kind"] == "relation"}
    assert set(relations) == SUSPENDED_BY_70
    assert {(r["what"], r["start_date"], r["end_date"]) for r in relations.values()} == {
        ("suspends", "2025-11-07", "2026-11-10")
    }
    suspended = {r["target"] for r in rows if r["kind"] == "status" and r["what"] == "suspended"}
    assert suspended == SUSPENDED_BY_70
    # The short number as printed works too.
    assert query(served_kb, "document_changes", document="商务部公告2025年第70号") == rows


def test_query_document_changes__entities(served_kb: str) -> None:
    rows = query(served_kb, "document_changes", document="商务部公告2026年第12号")
    entities = {r["target"] for r in rows if r["kind"] == "entity"}
    assert {"斯巴鲁株式会社", "半井试剂株式会社"} <= entities
    assert {r["what"] for r in rows if r["kind"] == "entity"} == {"add 关注名单"}


def test_query_suspended_or_expiring(served_kb: str) -> None:
    rows = query(served_kb, "suspended_or_expiring", date="2026-01-15", days="")
    whole = {r["document_id"] for r in rows if r["why"] == "suspended" and r["part"] is None}
    assert whole == SUSPENDED_BY_70
    assert {r["caused_by_document_id"] for r in rows if r["why"] == "suspended"} == {N70}
    # On 2026-10-20 No. 70's own window ends within 30 days (it runs until 2026-11-10, so ends 2026-11-11).
    later = query(served_kb, "suspended_or_expiring", date="2026-10-20", days="30")
    expiring = {r["document_id"]: r for r in later if r["why"] == "expiring"}
    assert expiring[N70]["days_left"] == 22
    assert {r["document_id"] for r in later if r["why"] == "suspended"} >= SUSPENDED_BY_70


def test_query_suspended_or_expiring__defaults_to_today_and_90_days(served_kb: str) -> None:
    import datetime as dt

    today = dt.date.today().isoformat()
    assert query(served_kb, "suspended_or_expiring", date="", days="") == query(
        served_kb, "suspended_or_expiring", date=today, days="90")


def listed_counts_from_titles(corpus_notices: list[dict]) -> dict[str, int]:
    """“将20家日本实体列入关注名单” → {关注名单: 20, …}, summed over the corpus's list notices."""
    counts: dict[str, int] = {}
    for notice in corpus_notices:
        match = re.search(r"将(\d+)家\w+?实体列入(出口管制管控名单|关注名单)", notice["title"])
        if match and "公告" in notice["title"]:
            counts[match.group(2)] = counts.get(match.group(2), 0) + int(match.group(1))
    return counts


def test_query_entities_on_lists(served_kb: str, corpus_notices: list[dict]) -> None:
    expected = listed_counts_from_titles(corpus_notices)
    assert expected == {"出口管制管控名单": 30, "关注名单": 40}
    rows = query(served_kb, "entities_on_lists", list="")
    assert {name: sum(1 for r in rows if r["list_name"] == name) for name in expected} == expected
    watch = query(served_kb, "entities_on_lists", list="关注名单")
    assert len(watch) == expected["关注名单"]
    assert {r["list_en"] for r in watch} == {"Watch List"}
    subaru = next(r for r in watch if r["name_zh"] == "斯巴鲁株式会社")
    assert (subaru["name_en"], subaru["listed_since"], subaru["document_id"]) == (
        "SUBARU Corporation", "2026-02-24", "商务部公告2026年第12号")


def test_query_entity_history(served_kb: str) -> None:
    rows = query(served_kb, "entity_history", name="SUBARU Corporation")
    assert [(r["list_name"], r["action"], r["date"], r["document_id"]) for r in rows] == [
        ("关注名单", "add", "2026-02-24", "商务部公告2026年第12号")
    ]
    fujitsu = query(served_kb, "entity_history", name="Fujitsu")
    assert {r["list_name"] for r in fujitsu} == {"出口管制管控名单", "关注名单"}
    assert query(served_kb, "entity_history", name="不存在的实体名称") == []


def test_query_search(served_kb: str) -> None:
    rows = query(served_kb, "search", q="稀土")
    documents = [r["document_id"] for r in rows]
    assert {N57, N61} <= set(documents)
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores)
    codes = query(served_kb, "search", q="1C909")
    assert codes and codes[0]["document_id"] == N57


def test_query_new_documents(served_kb: str, corpus_notices: list[dict]) -> None:
    since = "2026-06-01"
    expected_titles = {n["title"] for n in corpus_notices if n["posted"] >= since}
    rows = query(served_kb, "new_documents", since=since)
    assert {r["title"] for r in rows} == expected_titles
    assert [r["posted_date"] for r in rows] == sorted((r["posted_date"] for r in rows), reverse=True)
