"""The knowledge-base pages of the real `datasette` process over the corpus build: the document page
(facts highlighted from `spans` and linked), the timeline and per-code history, the Atom feeds
(parsed as XML), the search page, and links from Datasette's own tables. Pure helpers are tested
on their own below."""

from __future__ import annotations

import re
import sqlite3
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from bs4 import BeautifulSoup
from datasette.utils import module_from_path, tilde_encode

from kb.paths import DATASETTE_DIR

N57 = "商务部公告2025年第57号"
N61 = "商务部公告2025年第61号"
N70 = "商务部公告2025年第70号"
ATOM = "{http://www.w3.org/2005/Atom}"


def plugin(name: str) -> Any:
    return module_from_path(str(DATASETTE_DIR / "plugins" / f"{name}.py"), f"kb_plugin_{name}_under_test")


def get(base: str, path: str, **params: str) -> httpx.Response:
    response = httpx.get(base + path, params=params or None, timeout=30)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:300]}"
    return response


def page(base: str, path: str, **params: str) -> BeautifulSoup:
    return BeautifulSoup(get(base, path, **params).text, "html.parser")


def doc_path(doc_id: str) -> str:
    return "/-/document/" + quote(doc_id, safe="")


# -- home page ------------------------------------------------------------------------------------

@pytest.mark.corpus
def test_home_page_lists_the_tables_in_both_languages_and_advertises_the_feed(served_kb: str) -> None:
    soup = page(served_kb, "/")
    assert soup.select_one('head link[rel="alternate"][type="application/atom+xml"]')["href"] == (
        "/-/feeds/documents.atom")
    labels = {li.select_one("code").get_text(): li.a.get_text(" ", strip=True) for li in soup.select("ul.kb-tables li")}
    assert labels["documents"] == "文件 Documents"
    assert labels["document_status_periods"] == "文件效力时段 Document status periods"
    assert list(labels)[0] == "documents"
    assert soup.select_one('form.kb-search[action="/-/search"] input[name="q"]') is not None


# -- document page ---------------------------------------------------------------------------

@pytest.mark.corpus
def test_document_page_marks_the_facts_of_no_61_and_links_the_official_page(served_kb: str) -> None:
    soup = page(served_kb, doc_path(N61))
    marks = soup.select(".kb-text mark.fact")
    kinds = {m["data-kind"] for m in marks}
    assert {"threshold", "part_effective", "date"} <= kinds
    threshold = next(m for m in marks if m["data-kind"] == "threshold")
    assert "0.1%" in threshold.get_text()
    official = soup.select_one("a.kb-official")
    assert official is not None and official["href"].startswith("https://exportcontrol.mofcom.gov.cn/")
    # No. 70 acts on it: the incoming relation links to No. 70's page.
    incoming = soup.select(".kb-relation-in a")
    assert any(a["href"] == doc_path(N70) for a in incoming)
    # The text shown is the stored text, marks and all (nothing dropped or duplicated).
    text = get(served_kb, f"/mofcom/documents/{tilde_encode(N61)}.json", _shape="array").json()[0]["text"]
    assert soup.select_one(".kb-text").get_text() == text


@pytest.mark.corpus
def test_relation_marks_on_no_70_link_each_suspended_document(served_kb: str) -> None:
    soup = page(served_kb, doc_path(N70))
    targets = {a["href"] for a in soup.select(".kb-text mark.fact-relation a")}
    assert {doc_path(f"商务部公告2025年第{n}号") for n in (55, 56, 57, 58, 61, 62)} <= targets
    target = page(served_kb, doc_path(N61))
    assert N61 in target.select_one(".kb-doc-number").get_text()
    # A target known only by reference still has a page, saying so.
    only_cited = page(served_kb, doc_path("商务部公告2025年第55号"))
    assert "known only by reference" in only_cited.get_text()


@pytest.mark.corpus
def test_control_marks_link_to_the_code_history_with_english_glosses(served_kb: str) -> None:
    soup = page(served_kb, doc_path(N57))
    code_links = {a["href"] for a in soup.select(".kb-text mark.fact-control a")}
    assert "/-/code/1C909.a" in code_links
    hs_links = {a["href"] for a in soup.select(".kb-text mark.fact-hs_code a")}
    assert "/-/code/28053019" in hs_links
    glosses = [td.get_text() for td in soup.select("table.kb-controls td.kb-gloss")]
    assert "holmium metal, holmium-containing alloys and related products" in glosses


@pytest.mark.corpus
def test_entity_marks_link_to_the_list_history(served_kb: str) -> None:
    soup = page(served_kb, doc_path("商务部公告2026年第12号"))
    links = [a["href"] for a in soup.select(".kb-text mark.fact-entity a")]
    assert len(links) == 20
    history = get(served_kb, links[0].replace("/mofcom/entity_history?", "/mofcom/entity_history.json?_shape=array&"))
    assert history.json()[0]["list_name"] == "关注名单"


@pytest.mark.corpus
def test_unknown_document_is_a_404(served_kb: str) -> None:
    response = httpx.get(served_kb + doc_path("商务部公告1999年第999号"), timeout=30, follow_redirects=True)
    assert response.status_code == 404


@pytest.mark.corpus
def test_datasette_tables_link_documents_and_codes(served_kb: str) -> None:
    soup = page(served_kb, "/mofcom/controls", document_id=N57)
    hrefs = {a["href"] for a in soup.select("table.rows-and-columns a")}
    assert doc_path(N57) in hrefs and "/-/code/1C909.a" in hrefs


@pytest.mark.corpus
def test_span_ids_link_to_the_passage_on_the_document_page(served_kb: str) -> None:
    relation = get(served_kb, "/mofcom/document_relations.json", source_document_id=N70, relation="suspends",
                   target_document_id=N61, _shape="array").json()[0]
    soup = page(served_kb, "/mofcom/document_relations", source_document_id=N70, target_document_id=N61)
    link = next(a["href"] for a in soup.select("table.rows-and-columns a") if a.get_text() == relation["span_id"])
    path, anchor = link.split("#")
    assert path == doc_path(N70)
    target = page(served_kb, path).select_one(f"a.kb-anchor#{anchor}")
    assert target is not None
    mark = target.find_next_sibling("mark")
    assert mark["data-kind"] == "relation"


@pytest.mark.corpus
def test_served_immutable(served_kb: str) -> None:
    databases = get(served_kb, "/-/databases.json").json()
    assert [(d["name"], d["is_mutable"]) for d in databases] == [("mofcom", False)]


# -- timeline and per-code history -------------------------------------------------------------

@pytest.mark.corpus
def test_timeline_json_has_no_61_suspended_by_no_70(served_kb: str) -> None:
    data = get(served_kb, "/-/timeline.json").json()
    lane = next(x for x in data["lanes"] if x["document_id"] == N61 and x["part"] is None)
    assert {"status": "suspended", "start_date": "2025-11-07", "end_date": "2026-11-11", "caused_by": N70} in [
        {k: p[k] for k in ("status", "start_date", "end_date", "caused_by")} for p in lane["periods"]]
    soup = page(served_kb, "/-/timeline")
    assert soup.select_one("#kb-timeline[data-chart]") is not None
    assert soup.select_one('script[src="/static/timeline.js"]') is not None
    assert get(served_kb, "/static/timeline.js").text.startswith("// mofcom-kb")


@pytest.mark.corpus
def test_timeline_counts_codes_in_force_and_suspended(served_kb: str) -> None:
    series = {p["date"]: p for p in get(served_kb, "/-/timeline.json").json()["codes_over_time"]}
    # No. 70 suspends the rare-earth codes of No. 57 (1C909–1C913 with their sub-items) on 2025-11-07 …
    assert series["2025-11-07"]["suspended"] >= 15
    # … and from 2026-11-11 they are in force, none suspended.
    assert series["2026-11-11"]["suspended"] == 0
    assert series["2026-11-11"]["in_force"] >= series["2025-11-07"]["in_force"] + 15


def test_codes_over_time_counts_each_code_once_with_half_open_periods() -> None:
    timeline = plugin("timeline")
    rows = [
        {"control_code": "1C909", "status": "in_force", "start_date": "2025-01-01", "end_date": "2025-06-01"},
        {"control_code": "1C909", "status": "suspended", "start_date": "2025-06-01", "end_date": "2025-09-01"},
        {"control_code": "1C909", "status": "in_force", "start_date": "2025-09-01", "end_date": None},
        {"control_code": "1C910", "status": "in_force", "start_date": "2025-03-01", "end_date": None},
        {"control_code": "1C910", "status": "suspended", "start_date": "2025-06-01", "end_date": "2025-07-01"},
    ]
    assert timeline.codes_over_time(rows) == [
        {"date": "2025-01-01", "in_force": 1, "suspended": 0},
        {"date": "2025-03-01", "in_force": 2, "suspended": 0},
        # 1C909 suspended; 1C910 both suspended and (open-ended) in force: counted once, as in force.
        {"date": "2025-06-01", "in_force": 1, "suspended": 1},
        {"date": "2025-07-01", "in_force": 1, "suspended": 1},
        {"date": "2025-09-01", "in_force": 2, "suspended": 0},
    ]


@pytest.mark.corpus
def test_code_history_of_1c909(served_kb: str) -> None:
    data = get(served_kb, "/-/code/1C909.json").json()
    assert data["kind"] == "control_code" and data["documents"] == [N57]
    events = [(h["event"], h["document_id"]) for h in data["history"]]
    assert events[0] == ("names", N57)
    assert ("suspends", N70) in events
    statuses = [(h["date"], h["codes"]) for h in data["history"] if h["event"] == "status" and h["item"] is None]
    assert statuses == [("2025-10-09", "published_not_effective"), ("2025-11-07", "suspended"),
                        ("2026-11-11", "in_force")]
    assert {lane["document_id"] for lane in data["lanes"]} == {N57, N70}
    soup = page(served_kb, "/-/code/1C909")
    assert soup.select_one('link[type="application/atom+xml"]')["href"] == "/-/feeds/code/1C909.atom"
    # People read last days: No. 70's window (printed, inclusive) and the suspension period it causes (its
    # end exclusive in the API) read the same on the page.
    suspended = next(h for h in data["history"] if h["event"] == "status" and h["codes"] == "suspended")
    assert (suspended["end_date"], suspended["last_day"]) == ("2026-11-11", "2026-11-10")
    windows = {td.get_text(strip=True) for td in soup.select("td") if "→" in td.get_text()}
    assert "2025-11-07 → 2026-11-10" in windows and "2025-11-07 → 2026-11-11" not in windows


def test_an_hs_prefix_finds_the_ten_digit_numbers_under_it(served_samples_kb: str) -> None:
    # Only the samples print a 10-digit number under 28053019 (2025 No. 18's 2805301910).
    data = get(served_samples_kb, "/-/code/28053019.json").json()
    assert data["kind"] == "hs_code"
    assert N57 in data["documents"]  # prints 28053019 itself
    ten_digit = get(served_samples_kb, "/-/code/2805301910.json").json()["documents"]
    assert ten_digit and set(ten_digit) <= set(data["documents"])


@pytest.mark.corpus
def test_a_code_no_document_names_has_an_empty_history_and_feed(served_kb: str) -> None:
    assert "No document names 9A999" in page(served_kb, "/-/code/9A999").get_text()
    assert get(served_kb, "/-/code/9A999.json").json()["history"] == []
    assert list(atom(served_kb, "/-/feeds/code/9A999.atom").iter(f"{ATOM}entry")) == []


def test_code_page_rejects_what_is_not_a_code(served_kb: str) -> None:
    response = httpx.get(served_kb + "/-/code/" + quote("稀土"), timeout=30, follow_redirects=True)
    assert response.status_code == 404


# -- Atom feeds ------------------------------------------------------------------------------------

def atom(base: str, path: str) -> ET.Element:
    response = get(base, path)
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{tag}") is not None
    ids = [e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")]
    assert len(ids) == len(set(ids))
    for entry in root.iter(f"{ATOM}entry"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", entry.findtext(f"{ATOM}updated") or "")
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
    return root


@pytest.mark.corpus
def test_new_documents_feed(served_kb: str, corpus_notices: list[dict]) -> None:
    root = atom(served_kb, "/-/feeds/documents.atom")
    entries = list(root.iter(f"{ATOM}entry"))
    assert 20 <= len(entries) <= 50
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)
    newest = max(corpus_notices, key=lambda n: n["posted"])
    assert entries[0].findtext(f"{ATOM}title") == newest["title"]
    assert entries[0].find(f"{ATOM}link[@rel='related']").get("href") == newest["source_url"]


@pytest.mark.corpus
def test_code_feed_has_the_control_and_its_suspension(served_kb: str) -> None:
    root = atom(served_kb, "/-/feeds/code/1C909.atom")
    titles = [e.findtext(f"{ATOM}title") or "" for e in root.iter(f"{ATOM}entry")]
    assert any(t.startswith(N57) and "1C909" in t for t in titles)
    assert any(t.startswith(N70) and "suspends" in t and N57 in t for t in titles)
    assert root.find(f"{ATOM}link[@rel='self']").get("href").endswith("/-/feeds/code/1C909.atom")


def test_atom_feed_escapes_what_it_carries() -> None:
    feeds = plugin("feeds")
    entry = feeds.Entry(id="tag:x,2025:1", title="<script>&\x1f", updated="2025-10-09", link="http://127.0.0.1/a?b=1&c=2",
                        summary="稀土 & <b>")
    root = ET.fromstring(feeds.atom_feed("tag:x,2025:feed", "t", "http://127.0.0.1/f", "http://127.0.0.1/", [entry]))
    assert root.find(f"{ATOM}entry/{ATOM}summary").text == "稀土 & <b>"
    assert root.find(f"{ATOM}entry/{ATOM}title").text == "<script>&"  # XML 1.0 cannot carry \x1f
    assert root.find(f"{ATOM}updated").text == "2025-10-09T00:00:00Z"


# -- search ------------------------------------------------------------------------------------------

@pytest.mark.corpus
@pytest.mark.parametrize(("q", "expected", "build"), [
    ("稀土", N61, "corpus"),
    ("镓", "gallium sample: 2023 No. 23", "samples"),
    ("1C902", "samarium sample: 2025 No. 18", "samples"),
    ("SUBARU", "商务部公告2026年第12号", "corpus"),
])
def test_search_page(request: pytest.FixtureRequest, q: str, expected: str, build: str) -> None:
    served_kb = request.getfixturevalue("served_kb" if build == "corpus" else "served_samples_kb")
    data = get(served_kb, "/-/search.json", q=q).json()
    assert data["error"] is None and data["results"]
    titles = " ".join((r["title"] or "") + " " + r["document_id"] for r in data["results"])
    if expected.startswith("商务部"):
        assert expected in titles
    else:
        number = re.search(r"(\d{4}) No\. (\d+)", expected)
        assert number and f"{number.group(1)}年第{number.group(2)}号" in titles
    soup = page(served_kb, "/-/search", q=q)
    assert len(soup.select("li.kb-result")) == len(data["results"])


@pytest.mark.corpus
@pytest.mark.parametrize(("q", "build"), [("稀土", "corpus"), ("1C909", "corpus"), ("镓", "samples"),
                                          ("锂电池", "samples"), ("稀土", "samples")])
def test_search_page_ranks_as_kb_search(request: pytest.FixtureRequest, q: str, build: str) -> None:
    from kb import search as kb_search

    served = request.getfixturevalue("served_kb" if build == "corpus" else "served_samples_kb")
    conn = sqlite3.connect(request.getfixturevalue("built_kb" if build == "corpus" else "samples_kb"))
    try:
        ranked = kb_search.search_documents(conn, q, 200)
        columns = {r[1] for r in conn.execute("pragma table_info(documents)")}
        label = "is_sample" if "is_sample" in columns else "title like '%样例 SAMPLE%'"
        samples = {r[0] for r in conn.execute(f"select id from documents where {label}")}
    finally:
        conn.close()
    # kb.search's order, the team's samples moved after the real documents (each group in rank order)
    expected = ([d for d in ranked if d not in samples] + [d for d in ranked if d in samples])[:50]
    assert expected  # the query finds something in that build, so the comparison means something
    results = get(served, "/-/search.json", q=q).json()["results"]
    assert [r["document_id"] for r in results] == expected
    assert [r["is_sample"] for r in results] == sorted(r["is_sample"] for r in results)


def test_search_without_searchable_characters_says_so(served_kb: str) -> None:
    response = httpx.get(served_kb + "/-/search.json", params={"q": "！？"}, timeout=30)
    assert response.status_code == 400
    assert "no searchable characters" in response.json()["error"]


@pytest.mark.corpus
def test_glossary_is_served_as_json(served_kb: str) -> None:
    glossary = get(served_kb, "/-/glossary.json").json()
    assert glossary["elements"]["钬"] == "holmium"
    assert glossary["lists"]["不可靠实体清单"] == "Unreliable Entity List"


# -- the highlighter -------------------------------------------------------------------------------

def test_highlight_nests_overlapping_facts_and_escapes() -> None:
    doc = plugin("document_page")
    text = "管制<1C909.a>金属钬28053019。"
    code = doc.Mark(2, 11, "control", "1C909.a", "/-/code/1C909.a")
    hs = doc.Mark(14, 22, "hs_code", "28053019", "/-/code/28053019")
    outer = doc.Mark(2, 23, "threshold", "x", None)
    html = str(doc.highlight(text, [outer, code, hs, doc.Mark(5, 99, "date", "out of range", None)]))
    soup = BeautifulSoup(html, "html.parser")
    assert soup.get_text() == text
    innermost = {m["data-kind"]: m.get_text() for m in soup.select("mark") if m.a}
    assert innermost == {"control": "<1C909.a>", "hs_code": "28053019"}
    assert "&lt;1C909.a&gt;" in html
    assert all("fact-threshold" in m["class"] for m in soup.select("mark"))


def test_document_ids_in_paths_round_trip() -> None:
    doc = plugin("document_page")
    for doc_id in (N61, "snapshot:0b390ed86df68bdc"):
        path = doc.document_href(doc_id)
        assert doc.path_value(path.rsplit("/", 1)[1]) == doc_id
    assert doc.path_value("~E5~95~86~E5~8A~A1~E9~83~A8") == "商务部"
