"""The researcher's pages on the real `datasette` process over the corpus build: the document page's status
line (today and ?on=), dates as printed, causes in words, parts in printed order, effective dates, annexes
and checks; the review page; the home page's coverage, today and recent changes; /-/changes and its feed;
search's order, snippets, filters and exports; the FtM export. Each page's JSON twin carries the same."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.corpus

N58, N61, N70 = "商务部公告2025年第58号", "商务部公告2025年第61号", "商务部公告2025年第70号"
ATOM = "{http://www.w3.org/2005/Atom}"


def get(base: str, path: str, expect: int = 200, **params: str) -> httpx.Response:
    response = httpx.get(base + path, params=params or None, timeout=30)
    assert response.status_code == expect, f"{path}: {response.status_code} {response.text[:300]}"
    return response


def soup_of(base: str, path: str, **params: str) -> BeautifulSoup:
    return BeautifulSoup(get(base, path, **params).text, "html.parser")


def doc_path(doc_id: str) -> str:
    return "/-/document/" + quote(doc_id, safe="")


# -- document page ----------------------------------------------------------------------------------

def test_document_status_on_a_date_in_words_with_printed_dates(served_kb: str) -> None:
    data = get(served_kb, doc_path(N61) + ".json", on="2026-01-15").json()
    on = data["status_on"]
    assert on["date"] == "2026-01-15" and on["status"] == "suspended"
    assert on["whole"]["start_date"] == "2025-11-07"
    assert on["whole"]["last_day"] == "2026-11-10"  # as No. 70 prints it (the table's end is 2026-11-11)
    assert on["whole"]["end_date"] == "2026-11-11"
    assert [s["doc"] for s in on["whole"]["cause_en"] if "doc" in s] == [N70]
    assert "suspended by" in on["en"] and "2026-11-10" in on["zh"]
    soup = soup_of(served_kb, doc_path(N61), on="2026-01-15")
    line = soup.select_one(".kb-status-on")
    assert line["data-status"] == "suspended"
    assert line.select_one(f'a[href="{doc_path(N70)}"]') is not None
    assert "2026-11-10" in line.get_text() and "2026-11-11" not in line.get_text()


def test_document_status_today_is_the_first_thing_said(served_kb: str) -> None:
    data = get(served_kb, doc_path(N61) + ".json").json()
    today = dt.date.today().isoformat()
    assert data["status_today"]["date"] == today == data["on"]
    soup = soup_of(served_kb, doc_path(N61))
    first = soup.select_one(".kb-status-today")
    assert first["data-date"] == today and first["data-status"] == data["status_today"]["status"]
    assert soup.select_one(".kb-status-on") is None  # the picked date is today: one line


@pytest.mark.parametrize("bad", ["2026-13-45", "2026-1-5", "yesterday", "2026-02-30"])
def test_document_page_refuses_a_malformed_date(served_kb: str, bad: str) -> None:
    response = get(served_kb, doc_path(N61) + ".json", expect=400, on=bad)
    assert "parameter on=" in response.json()["error"] and bad in response.json()["error"]
    assert "parameter on=" in get(served_kb, doc_path(N61), expect=400, on=bad).text


def test_document_parts_in_printed_order_and_causes_in_words(served_kb: str) -> None:
    data = get(served_kb, doc_path(N61) + ".json").json()
    parts = [p["part"] for p in data["periods"]]
    firsts = list(dict.fromkeys(parts))
    assert firsts == [None, "一（一）", "一（二）", "一（三）"]
    for p in data["periods"]:
        words = p["cause_text_en"] + p["cause_text_zh"]
        assert "part_effective" not in words and "signed_date" not in words, words
    soup = soup_of(served_kb, doc_path(N61))
    rows = soup.select("table.kb-periods tbody tr")
    assert [r["data-part"] for r in rows][:3] == ["", "", ""]
    suspended = next(r for r in rows if "status-suspended" in r["class"])
    cells = [td.get_text(" ", strip=True) for td in suspended.select("td")]
    assert cells[2] == "2025-11-07" and cells[3] == "2026-11-10"


def test_document_effective_dates_annexes_and_number(served_kb: str) -> None:
    data = get(served_kb, doc_path(N61) + ".json").json()
    planned = {e["part"]: e for e in data["effective_dates"]}
    assert planned["一（一）"]["effective_date"] == "2025-12-01"
    assert planned["一（一）"]["then"]["status"] == "suspended"  # the planned day fell in No. 70's window
    assert planned["一（三）"]["on_publication"]
    annexes = data["annexes"]
    assert annexes and annexes[0]["number"] == 1 and annexes[0]["held"] == "missing"  # 附件1, the item list
    soup = soup_of(served_kb, doc_path(N61))
    assert "未收录" in soup.select_one("li.kb-annex-missing").get_text()
    assert soup.select_one(".kb-doc-number").get_text(strip=True) == N61
    numberless = get(served_kb, "/mofcom/documents.json", _shape="array", doc_number__isnull="1",
                     known_only_by_reference="0", _size="1", _col="id").json()
    if numberless:
        other = soup_of(served_kb, doc_path(numberless[0]["id"]))
        assert "无文号" in other.select_one(".kb-doc-number").get_text()


def test_document_open_checks_and_review_page(served_kb: str, built_kb: Path) -> None:
    conn = sqlite3.connect(built_kb)
    try:
        open_checks = conn.execute('select document_id, "check" from extraction_checks order by id').fetchall()
    finally:
        conn.close()
    review = get(served_kb, "/-/checks.json").json()
    assert review["count"] == len(open_checks)
    assert {(d["document_id"], c["check"]) for d in review["documents"] for c in d["checks"]} == set(open_checks)
    soup = soup_of(served_kb, "/-/checks")
    assert len(soup.select("tr.kb-check")) == len(open_checks)
    for doc_id, _ in open_checks:
        section = soup.select_one(f'section.kb-check-doc[data-document="{doc_id}"]')
        assert section.select_one(f'h2 a[href="{doc_path(doc_id)}"]') is not None
        assert section.select_one('a[href*="#span-"]') is not None
        page_checks = get(served_kb, doc_path(doc_id) + ".json").json()["checks"]
        assert page_checks and all(c["span_href"].startswith(doc_path(doc_id) + "#span-") for c in page_checks)


# -- home page and changes ------------------------------------------------------------------------------

def test_home_page_says_what_is_covered_and_as_of_when(served_kb: str, built_kb: Path) -> None:
    conn = sqlite3.connect(built_kb)
    try:
        documents = conn.execute("select count(*) from documents where known_only_by_reference = 0").fetchone()[0]
        newest = conn.execute("select max(coalesce(signed_date, posted_date)) from documents "
                              "where known_only_by_reference = 0").fetchone()[0]
    finally:
        conn.close()
    soup = soup_of(served_kb, "/")
    coverage = soup.select_one("section.kb-coverage")
    assert coverage.select_one(".kb-big strong").get_text() == str(documents)
    assert coverage.select_one(".kb-newest-date").get_text() == newest
    assert dt.date.fromisoformat(coverage.select_one(".kb-built").get_text())
    today = soup.select_one("section.kb-today")
    assert dt.date.today().isoformat() in today.h2.get_text()
    assert int(today.select_one(".kb-big strong").get_text()) > 0
    assert today.select_one("details.kb-today-in_force li a") is not None


def test_changes_in_a_range_as_page_json_and_feed(served_kb: str) -> None:
    data = get(served_kb, "/-/changes.json", since="2025-11-01", until="2025-11-30").json()
    assert data["since"] == "2025-11-01" and data["until"] == "2025-11-30"
    suspended = {e["document_id"] for e in data["changes"] if e["status"] == "suspended"}
    assert N61 in suspended and N58 in suspended
    assert all("2025-11-01" <= e["date"] <= "2025-11-30" for e in data["changes"])
    n61 = next(e for e in data["changes"] if e["document_id"] == N61 and e["status"] == "suspended")
    assert n61["caused_by_document_id"] == N70 and n61["last_day"] == "2026-11-10"
    soup = soup_of(served_kb, "/-/changes", since="2025-11-01", until="2025-11-30")
    assert len(soup.select("tr.kb-change")) == data["count"]
    root = ET.fromstring(get(served_kb, "/-/feeds/changes.atom", since="2025-11-01").content)
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert any(N61 in t and "suspended" in t for t in titles)
    default = get(served_kb, "/-/changes.json").json()
    assert default["since"] == (dt.date.today() - dt.timedelta(days=90)).isoformat()


@pytest.mark.parametrize("path", ["/-/changes", "/-/changes.json", "/-/feeds/changes.atom"])
def test_changes_refuse_malformed_dates(served_kb: str, path: str) -> None:
    assert "since" in get(served_kb, path, expect=400, since="2025-13-01").text
    assert "since" in get(served_kb, path, expect=400, since="2026-01-01", until="2025-01-01").text


# -- search --------------------------------------------------------------------------------------------

def test_search_real_documents_first_snippets_as_printed(served_kb: str) -> None:
    results = get(served_kb, "/-/search.json", q="稀土").json()["results"]
    samples = [r["is_sample"] for r in results]
    assert samples == sorted(samples) and not samples[0]
    n61 = next(r for r in results if r["document_id"] == N61)
    assert "稀土" in n61["snippet"] and n61["status"] in ("in_force", "suspended")
    soup = soup_of(served_kb, "/-/search", q="稀土")
    item = soup.select_one(f'li.kb-result[data-document="{N61}"]')
    assert item.select_one(".kb-snippet mark").get_text() == "稀土"
    assert item.select_one(".kb-status") is not None
    for sample in soup.select("li.kb-result-sample"):
        assert sample.select_one(".kb-sample-badge") is not None


def test_search_snippet_is_escaped(served_kb: str) -> None:
    soup = soup_of(served_kb, "/-/search", q="<script>alert(1)</script> 稀土")
    assert soup.select_one(".kb-snippet script") is None


def test_search_filters_and_exports(served_kb: str) -> None:
    everything = get(served_kb, "/-/search.json", q="稀土").json()
    types = {r["doc_type"] for r in everything["results"]}
    assert len(types) >= 2
    only = get(served_kb, "/-/search.json", q="稀土", type="announcement").json()["results"]
    assert only and all(r["doc_type"] == "announcement" for r in only)
    suspended = get(served_kb, "/-/search.json", q="稀土", status="suspended", on="2026-01-15").json()["results"]
    assert N61 in {r["document_id"] for r in suspended} and all(r["status"] == "suspended" for r in suspended)
    assert N61 not in {r["document_id"] for r in get(served_kb, "/-/search.json", q="稀土", status="suspended",
                                                     on="2026-12-01").json()["results"]}
    year = get(served_kb, "/-/search.json", q="稀土", year="2025").json()["results"]
    assert year and all(str(r["year"]) == "2025" for r in year)
    listed = get(served_kb, "/-/search.json", q="美国", list="出口管制管控名单").json()["results"]
    assert listed and all("出口管制管控名单" in r["lists"] for r in listed)
    rows = list(csv.DictReader(io.StringIO(get(served_kb, "/-/search.csv", q="稀土", type="announcement").text)))
    assert [r["document_id"] for r in rows] == [r["document_id"] for r in only]
    assert rows[0]["url"].startswith("http") and rows[0]["status"]
    for bad in ({"year": "25"}, {"status": "alive"}, {"on": "2026-13-01"}):
        assert get(served_kb, "/-/search.json", expect=400, q="稀土", **bad).json()["error"]


# -- exports -------------------------------------------------------------------------------------------

def test_ftm_entities_are_served(served_kb: str) -> None:
    lines = get(served_kb, "/-/entities.ftm.json").text.splitlines()
    entities = [json.loads(line) for line in lines]
    schemata = {e["schema"] for e in entities}
    assert schemata == {"Document", "LegalEntity", "Sanction"}
    assert any("Fujitsu" in " ".join(e["properties"].get("name", [])) for e in entities)


# -- timeline ------------------------------------------------------------------------------------------

def test_timeline_defaults_to_the_years_with_activity_and_zooms(served_kb: str, built_kb: Path) -> None:
    conn = sqlite3.connect(built_kb)
    try:
        first = conn.execute("select min(p.start_date) from document_status_periods p join documents d "
                             "on d.id = p.document_id where d.doc_type in ('announcement', 'order')").fetchone()[0]
        earliest = conn.execute("select min(start_date) from document_status_periods").fetchone()[0]
    finally:
        conn.close()
    data = get(served_kb, "/-/timeline.json").json()
    assert data["range"]["from"] == f"{first[:4]}-01-01" and first[:4] > earliest[:4]
    assert data["range"]["to"] == f"{dt.date.today().year + 1}-01-01"
    zoomed = get(served_kb, "/-/timeline.json", **{"from": "2025", "to": "2026"}).json()
    assert zoomed["range"] == {"from": "2025-01-01", "to": "2027-01-01"}
    assert get(served_kb, "/-/timeline.json", **{"from": "all"}).json()["range"] == {"from": None, "to": None}
    for bad in ({"from": "20x5"}, {"from": "2026", "to": "2025"}):
        assert "parameter" in get(served_kb, "/-/timeline.json", expect=400, **bad).json()["error"]
    lane = next(lane for lane in data["lanes"] if lane["document_id"] == N61 and lane["part"] is None)
    suspended = next(p for p in lane["periods"] if p["status"] == "suspended")
    assert suspended["end_date"] == "2026-11-11" and suspended["last_day"] == "2026-11-10"
    assert suspended["cause_text_en"] == f"suspended by {N70}"
    soup = soup_of(served_kb, "/-/timeline")
    assert soup.select_one("select#kb-from option[selected]")["value"] == first[:4]
    assert "earliest part_effective" not in soup.select_one("table.kb-history").get_text()


def test_internal_ids_read_as_titles_in_datasette_tables(served_kb: str, built_kb: Path) -> None:
    conn = sqlite3.connect(built_kb)
    try:
        doc_id, title = conn.execute(
            "select d.id, d.title from documents d join document_status_periods p on p.document_id = d.id "
            "where d.doc_number is null and d.title is not null and d.id like '%:%' "
            "and p.start_date <= '2026-01-15' and (p.end_date is null or '2026-01-15' < p.end_date) "
            "order by d.id limit 1").fetchone()
    finally:
        conn.close()
    soup = soup_of(served_kb, "/mofcom/status_on", date="2026-01-15")  # a canned query: no foreign-key labels
    link = soup.select_one(f'td a[href="{doc_path(doc_id)}"]')
    assert link is not None and link.get_text(" ", strip=True) == f"{title} {doc_id}"
    assert link.em.get_text() == doc_id


def test_every_result_list_has_csv_beside_json(served_kb: str) -> None:
    changes = get(served_kb, "/-/changes.json", since="2025-11-01", until="2025-11-30").json()
    rows = list(csv.DictReader(io.StringIO(get(served_kb, "/-/changes.csv", since="2025-11-01",
                                               until="2025-11-30").text)))
    assert [(r["date"], r["document_id"], r["what_en"]) for r in rows] == [
        (e["date"], e["document_id"], e["what_en"]) for e in changes["changes"]]
    assert rows and all(r["url"].startswith("http") for r in rows)
    checks = get(served_kb, "/-/checks.json").json()
    check_rows = list(csv.DictReader(io.StringIO(get(served_kb, "/-/checks.csv").text)))
    assert len(check_rows) == checks["count"]
    assert all("#span-" in r["url"] for r in check_rows)
    assert "since" in get(served_kb, "/-/changes.csv", expect=400, since="x").text


def test_home_page_has_a_json_twin(served_kb: str) -> None:
    data = get(served_kb, "/-/home.json").json()
    soup = soup_of(served_kb, "/")
    assert soup.select_one('head link[rel="alternate"][type="application/json"]')["href"] == "/-/home.json"
    assert str(data["coverage"]["documents"]) == soup.select_one("section.kb-coverage .kb-big strong").get_text()
    assert str(data["codes_today"]) == soup.select_one("section.kb-today .kb-big strong").get_text()
    assert set(data["today_status"]) <= {"in_force", "suspended", "published_not_effective", "repealed", "expired"}
