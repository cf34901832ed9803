"""Catalogues as datasets: dataset files and PDFs through one loader, editions with dates, code pages
that show the control list's description, and `mofcom-kb diff` / `/-/diff/A/B` between editions."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from catalogue_layouts import load_layouts, render_rows, synthetic_items
from click.testing import CliRunner

from ingest.archive import Archive, Record
from ingest.catalogue.datasets import DatasetError, parse_dataset
from ingest.snapshot_import import import_dataset
from ingest.sources import catalogue_data
from kb.cli import cli
from kb.editions import Entry, diff, edition_tables, link_datasets


def dataset_document(content: bytes, name: str) -> object:
    record = Record(url=catalogue_data.dataset_url(name), sha256=hashlib.sha256(content).hexdigest(),
                    source=catalogue_data.NAME, kind="page", fetched_at="")
    return catalogue_data.parse(content, record)


CODES = b"\n".join(json.dumps(e, ensure_ascii=False).encode() for e in [
    {"controlCode": "1C909", "industry": "材料", "description": "钬相关物项", "sourceUrl": "https://x.gov.cn/n1.html"},
    {"controlCode": "1C910", "industry": "材料", "description": "铒相关物项", "sourceUrl": "https://x.gov.cn/n1.html"},
    {"controlCode": "3A001", "industry": "电子", "description": "电子元器件", "sourceUrl": "https://x.gov.cn/n1.html"},
])
HS = json.dumps({"metadata": {"name": "2099年度目录HS", "effective_from": "2099-01-01", "source": "商务部公告2098年第9号"},
                 "codes": ["2805301910", "2846901100"]}).encode()


def test_a_dataset_file_becomes_the_same_catalogue_document_a_pdf_gives() -> None:
    doc = dataset_document(CODES, "codes.jsonl")
    assert doc.doc_type == "catalogue" and [r.control_code for r in doc.rows] == ["1C909", "1C910", "3A001"]
    assert doc.rows[0].name == "钬相关物项" and doc.rows[0].page is None
    assert doc.meta["edition"] == {"kind": "control_list", "provenance": "codes.jsonl", "shape": "control_list_codes",
                                   "notice_url": "https://x.gov.cn/n1.html"}
    start, end = doc.meta["row_lines"][1]
    assert "1C910" in doc.text[start:end] and "铒相关物项" in doc.text[start:end]
    hs = dataset_document(HS, "hs.json")
    assert [r.hs_codes for r in hs.rows] == [("2805301910",), ("2846901100",)]
    assert hs.meta["edition"]["effective_date"] == "2099-01-01"


@pytest.mark.parametrize("content, reason", [
    (b"", "empty dataset file"), (b"\xff\xfe", "not UTF-8"), (b'{"a": 1}', "not a known catalogue dataset"),
    (b'{"controlCode": "", "description": "x"}', "entry 1 has no controlCode"), (b"{oops", "not JSON")])
def test_bad_dataset_files_fail_with_one_line_naming_the_file(content: bytes, reason: str) -> None:
    with pytest.raises(DatasetError) as caught:
        parse_dataset(content, "bad.jsonl")
    assert "bad.jsonl" in str(caught.value) and reason in str(caught.value) and "\n" not in str(caught.value)


def test_a_refused_dataset_stores_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"metadata": {}, "codes": [""]}')
    archive = Archive(tmp_path / "archive")
    with pytest.raises(DatasetError):
        import_dataset(bad, archive)
    assert archive.latest() == {}


def _doc_row(doc: object, **extra: object) -> dict:
    return {"id": doc.doc_id, "doc_number": None, "source_urls": json.dumps(list(doc.source_urls)),  # type: ignore[attr-defined]
            "attachment_of": None, "title": doc.title, "effective_date": None, "signed_date": None,  # type: ignore[attr-defined]
            "posted_date": None, **extra}


def test_editions_are_dated_by_their_source_or_their_notice_and_end_at_the_next() -> None:
    codes = dataset_document(CODES, "codes.jsonl")
    hs = dataset_document(HS, "hs.json")
    notice = {"id": "商务部公告2024年第51号", "doc_number": "商务部公告2024年第51号", "attachment_of": None,
              "source_urls": json.dumps(["https://x.gov.cn/n1.html"]), "title": "关于发布《两用物项出口管制清单》的公告",
              "effective_date": "2024-12-01", "signed_date": "2024-11-15", "posted_date": None}
    later = replace(codes, doc_id="catalogue_data:later", meta={**codes.meta, "edition": {
        **codes.meta["edition"], "effective_date": "2026-03-01"}})
    # the HS dataset's notice is archived without its number (and under another URL): the one notice
    # publishing a licence catalogue that takes effect on the dataset's date is it
    unnumbered = {**notice, "id": "snapshot:x", "doc_number": None, "source_urls": "[]", "effective_date": "2099-01-01",
                  "title": "商务部 海关总署公布2099年度《两用物项和技术进出口许可证管理目录》"}
    rows = link_datasets([codes, hs, later], [_doc_row(codes), _doc_row(hs), _doc_row(later), notice, unnumbered])
    assert rows[0]["attachment_of"] == "商务部公告2024年第51号"  # hung from the notice it names
    assert rows[1]["attachment_of"] == "snapshot:x"
    twice = link_datasets([hs], [_doc_row(hs), unnumbered, {**unnumbered, "id": "snapshot:y"}])
    assert twice[0]["attachment_of"] is None  # two candidates: none is chosen
    tables = edition_tables([codes, hs, later], rows, set())
    editions, entries = tables["catalogue_editions"], tables["catalogue_entries"]
    by_id = {e["id"]: e for e in editions}
    assert by_id["control_list@2024-12-01"]["end_date"] == "2026-03-01"
    assert by_id["control_list@2024-12-01"]["notice_document_id"] == "商务部公告2024年第51号"
    assert by_id["control_list@2026-03-01"]["end_date"] is None
    assert by_id["licence_catalogue@2099-01-01"]["entries"] == 2
    assert by_id["licence_catalogue@2099-01-01"]["notice_document_id"] == "snapshot:x"
    first = next(e for e in entries if e["control_code"] == "1C909")
    assert (first["edition_id"], first["provenance"], first["description"]) == (
        "control_list@2024-12-01", "codes.jsonl", "钬相关物项")


# --- diff between two rendered editions ------------------------------------------------------------

def editions_pair() -> tuple[list, list, dict]:
    """Edition A; edition B with two codes removed, one added, a description and an HS cell changed."""
    a = synthetic_items(40)
    b = [it for it in a if it.control_code not in (a[5].control_code, a[30].control_code)]
    b[10] = replace(b[10], name=b[10].name + "（修订）")
    b[20] = replace(b[20], hs_codes=(*b[20].hs_codes, "9999000099"))
    added = replace(a[0], seq="41", control_code="9E999", name="新增物项", hs_codes=("9999000001",))
    b.append(added)
    expected = {"removed": sorted([a[5].control_code, a[30].control_code]), "added": ["9E999"],
                "changed": sorted([(b[10].control_code, "description"), (b[20].control_code, "hs_codes")]),
                "hs_added": sorted({"9999000099", "9999000001"}
                                   - {h for it in a for h in it.hs_codes}),
                "hs_removed": sorted({h for it in a for h in it.hs_codes} - {h for it in b for h in it.hs_codes})}
    return a, b, expected


def test_diff_of_two_rendered_editions_lists_exactly_the_rows_changed(tmp_path: Path) -> None:
    a, b, expected = editions_pair()
    layouts = load_layouts()
    # the two editions print in different layouts: another column order, another font
    render_rows(layouts["licence-ruled"], a, tmp_path / "a.pdf")
    render_rows(layouts["reordered-edition"], b, tmp_path / "b.pdf")
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "data"), "diff", str(tmp_path / "a.pdf"),
                                      str(tmp_path / "b.pdf"), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    codes = out["codes"]
    assert sorted(e["control_code"] for e in codes["removed"]) == expected["removed"]
    assert [e["control_code"] for e in codes["added"]] == expected["added"]
    changed = sorted((c["control_code"], f) for c in codes["changed"] for f in c["fields"])
    assert changed == expected["changed"]
    assert out["hs_codes"] == {"added": expected["hs_added"], "removed": expected["hs_removed"]}
    table = CliRunner().invoke(cli, ["diff", str(tmp_path / "a.pdf"), str(tmp_path / "b.pdf")])
    assert table.exit_code == 0 and "9E999" in table.output and "removed" in table.output


def test_diff_of_an_edition_with_itself_is_empty() -> None:
    entries = [Entry("1C909", "钬", ("2805301910",)), Entry("1C909", "钬", ("2805301920",))]  # listed twice
    assert diff(entries, entries)["codes"] == {"added": [], "removed": [], "changed": []}
    assert diff(entries, entries)["hs_codes"] == {"added": [], "removed": []}


def test_diff_of_an_unknown_edition_names_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "diff", "control_list@1999-01-01", "x"])
    assert result.exit_code != 0 and "control_list@1999-01-01" in str(result.exception or result.output)


# --- the built knowledge base (corpus datasets imported) --------------------------------------------

def corpus_codes(corpus_dir: Path) -> list[dict]:
    lines = (corpus_dir / "control-list-codes.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_every_control_list_code_and_2026_hs_number_is_in_the_kb(built_kb: Path, corpus_dir: Path) -> None:
    conn = sqlite3.connect(built_kb)
    editions = dict(conn.execute("select id, entries from catalogue_editions"))
    assert editions["control_list@2024-12-01"] == 189
    assert editions["licence_catalogue@2026-01-01"] == 636
    listed = {c: d for c, d in conn.execute(
        "select control_code, description from catalogue_entries where edition_id = 'control_list@2024-12-01'")}
    for entry in corpus_codes(corpus_dir):
        assert listed[entry["controlCode"]] == " ".join(entry["description"].split())
    from kb.table_search import escape_query

    hs = json.loads((corpus_dir / "licence-catalogue-2026-hs-codes.json").read_text(encoding="utf-8"))["codes"]
    for number in hs:
        found = conn.execute("select count(*) from hs_codes_fts where hs_codes_fts match ?", (escape_query(number),))
        assert found.fetchone()[0] >= 1, number
    # the consolidated list is in force with the notice issuing it
    in_force = conn.execute("select count(distinct control_code) from control_status_periods where status = 'in_force'"
                            " and start_date <= '2025-01-01' and (end_date is null or '2025-01-01' < end_date)")
    assert in_force.fetchone()[0] >= 189


def test_code_page_of_1c902_shows_the_control_list_description(served_kb: str, corpus_dir: Path) -> None:
    description = next(" ".join(e["description"].split()) for e in corpus_codes(corpus_dir)
                       if e["controlCode"] == "1C902")
    data = httpx.get(served_kb + "/-/code/1C902.json", timeout=30).json()
    entries = [e for e in data["catalogue_entries"] if e["edition_id"] == "control_list@2024-12-01"]
    assert [e["description"] for e in entries] == [description]
    assert entries[0]["provenance"] == "control-list-codes.jsonl"
    rows = [(c["control_code"], c["item"], c["document_id"]) for c in data["controls"] + data["mentions"]]
    assert len(rows) == len(set(rows))  # never one row twice
    assert all(c["role"] == "control" for c in data["controls"]) and all(m["role"] != "control" for m in data["mentions"])
    html = httpx.get(served_kb + "/-/code/1C902", timeout=30).text
    assert description[:20] in html and "No document names" not in html
    history = httpx.get(served_kb + "/mofcom/code_history.json", params={"code": "1C902", "_shape": "array"},
                        timeout=30).json()
    listed = [r for r in history if r["event"] == "catalogue entry: control_list"]
    assert [(r["date"], r["doc_number"], r["item"]) for r in listed] == [("2024-12-01", "control_list@2024-12-01",
                                                                          description)]


def test_every_control_list_code_has_a_page_with_its_description(served_kb: str, corpus_dir: Path) -> None:
    with httpx.Client(base_url=served_kb, timeout=30) as client:
        for entry in corpus_codes(corpus_dir):
            data = client.get(f"/-/code/{entry['controlCode']}.json").json()
            assert any(e["edition_id"] == "control_list@2024-12-01" and e["description"]
                       for e in data["catalogue_entries"]), entry["controlCode"]


def test_diff_page_between_two_editions(served_kb: str) -> None:
    data = httpx.get(served_kb + "/-/diff/control_list@2024-12-01/licence_catalogue@2026-01-01.json", timeout=30).json()
    assert len(data["codes"]["removed"]) == 189 and len(data["hs_codes"]["added"]) == 636
    html = httpx.get(served_kb + "/-/diff/control_list@2024-12-01/licence_catalogue@2026-01-01", timeout=30)
    assert html.status_code == 200 and "Codes removed (189)" in html.text
    assert httpx.get(served_kb + "/-/diff/nope@1/control_list@2024-12-01", timeout=30).status_code == 404


def test_diff_of_an_edition_and_the_notices_in_force_on_a_date(built_kb: Path) -> None:
    data_dir = str(built_kb.parent)
    result = CliRunner().invoke(cli, ["--data-dir", data_dir, "diff", "control_list@2024-12-01", "on:2025-06-01",
                                      "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["codes"]["removed"] == []  # the consolidated list is in force that day, code by code
    conn = sqlite3.connect(built_kb)
    in_force = {c for (c,) in conn.execute(
        "select distinct control_code from control_status_periods where status = 'in_force' and start_date <= "
        "'2025-06-01' and (end_date is null or '2025-06-01' < end_date)")}
    listed = {c for (c,) in conn.execute(
        "select control_code from catalogue_entries where edition_id = 'control_list@2024-12-01'")}
    assert {e["control_code"] for e in out["codes"]["added"]} == in_force - listed
    bad = CliRunner().invoke(cli, ["--data-dir", data_dir, "diff", "control_list@2024-12-01", "on:2025-13-01"])
    assert bad.exit_code != 0 and "on:2025-13-01" in str(bad.exception)


def test_diff_page_between_an_edition_and_a_date(served_kb: str) -> None:
    data = httpx.get(served_kb + "/-/diff/control_list@2024-12-01/on:2025-06-01.json", timeout=30).json()
    assert data["codes"]["removed"] == [] and data["codes"]["added"]
    assert all(not h.startswith("null") for e in data["codes"]["added"] for h in e["hs_codes"])
    assert httpx.get(served_kb + "/-/diff/control_list@2024-12-01/on:2025-99-01", timeout=30).status_code == 404


def test_code_page_lists_a_control_printed_twice_once_and_mentions_apart(served_kb: str, built_kb: Path) -> None:
    conn = sqlite3.connect(built_kb)
    twice = conn.execute("select control_code from controls group by control_code, item, role, document_id "
                         "having count(*) > 1 order by control_code limit 1").fetchone()
    mentioned = conn.execute("select control_code from controls where role = 'mention' order by control_code "
                             "limit 1").fetchone()
    assert twice and mentioned, "the corpus build has a code printed twice in one notice and a code only mentioned"
    page = httpx.get(served_kb + f"/-/code/{twice[0]}.json", timeout=30).json()
    keys = [(r["control_code"], r["item"], r["role"], r["document_id"]) for r in page["controls"] + page["mentions"]]
    assert len(keys) == len(set(keys)) and keys
    data = httpx.get(served_kb + f"/-/code/{mentioned[0]}.json", timeout=30).json()
    assert any(m["control_code"] == mentioned[0] for m in data["mentions"])
    html = httpx.get(served_kb + f"/-/code/{mentioned[0]}", timeout=30).text
    assert "Mentions (cited, not controlled there)" in html
