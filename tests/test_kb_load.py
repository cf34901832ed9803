"""Document + Facts → rows (kb/load.py) and the facts cache (kb/facts_cache.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

from kb_facts_fixture import N

from ingest.document import Document
from kb.facts import ClauseEffective, Control, DocReference, Entity, Facts, HsCode, Relation, Span, Threshold
from kb.facts_cache import FactsCache, cache_key, document_json, facts_from_json, facts_json
from kb.load import add_reference_documents, document_row, fact_rows, number_rows, reference_row, span_id

TEXT = "经批准，自即日起至2026年11月10日，商务部公告2025年第61号暂停实施。另见商务部公告2025年第61号、商务部令2025年第7号。"


def doc(**kw: object) -> Document:
    base: dict[str, object] = {"doc_id": N(70), "doc_type": "announcement", "title": "t", "text": TEXT,
                               "source": "snapshot", "doc_number": N(70)}
    return Document(**{**base, **kw})  # type: ignore[arg-type]


def sp(text: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(text, start + 1)
    return Span(start, start + len(text), text)


FACTS = Facts(
    N(70), N(70), effective_on_publication=True,
    relations=(Relation("suspends", N(61), sp("商务部公告2025年第61号"), start_date="2025-11-07", end_date="2026-11-10"),
               Relation("references", N(70), sp("经批准"))),  # a notice citing itself is no relation
    references=(DocReference(N(61), sp("商务部公告2025年第61号", 1)), DocReference("商务部令2025年第7号", sp("商务部令2025年第7号")),
                DocReference("商务部令2025年第7号", sp("商务部令2025年第7号"))),
    controls=(Control("1C902.a", sp("暂停实施"), hs_codes=("2805301910",)),),
    hs_codes=(HsCode("2805301910", 10, sp("暂停实施")),),
    thresholds=(Threshold("纯度", ">=", 99.99, "%", sp("经批准")),),
    clause_effective=(ClauseEffective("一（三）", sp("即日起"), on_publication=True),),
    entities=(Entity("关注名单", "add", "样例公司", Span(0, 2, "经批", page=3), name_en="Sample Co.", aliases=("SC",)),),
)


def test_rows_of_one_document_cite_spans_once_each() -> None:
    rows = fact_rows(doc(), FACTS)
    ids = [s["id"] for s in rows["spans"]]
    assert len(ids) == len(set(ids))
    assert f"{N(70)}@0-2p3" in ids  # a PDF page is part of the span's identity
    for table, table_rows in rows.items():
        if table != "spans":
            assert all(r["span_id"] in ids for r in table_rows), table
    assert rows["controls"][0]["control_code_root"] == "1C902"
    assert rows["listed_entities"][0]["aliases"] == '["SC"]'


def test_typed_relations_win_over_plain_references_and_duplicates_collapse() -> None:
    rels = fact_rows(doc(), FACTS)["document_relations"]
    assert sorted((r["relation"], r["target_number"]) for r in rels) == [
        ("references", "商务部令2025年第7号"), ("suspends", N(61))]


def test_dates_on_publication_and_signed_from_facts() -> None:
    row = document_row(doc(signed_date=None), dataclasses.replace(FACTS, dates=()))
    assert row["signed_date"] is None and row["effective_date"] is None
    row = document_row(doc(signed_date=dt.date(2025, 11, 7)), FACTS)
    assert row["effective_date"] == "2025-11-07" and row["effective_on_publication"] == 1
    assert (row["year"], row["number"]) == (2025, 70)


def test_reference_rows_know_their_type_from_the_number() -> None:
    assert reference_row("商务部令2025年第7号")["doc_type"] == "order"
    assert reference_row("国务院令第792号")["doc_type"] == "decree"
    assert reference_row(N(55))["known_only_by_reference"] == 1
    relations = number_rows(fact_rows(doc(), FACTS)["document_relations"])
    docs = add_reference_documents([document_row(doc(), FACTS)], relations)
    assert [d["id"] for d in docs] == sorted([N(70), N(61), "商务部令2025年第7号"])
    assert {r["target_document_id"] for r in relations} == {N(61), "商务部令2025年第7号"}


def test_fact_rows_are_numbered_in_a_stable_order() -> None:
    rows = fact_rows(doc(), FACTS)["document_relations"]
    assert number_rows(rows) == number_rows(list(reversed(rows)))


def test_span_id_is_readable_and_stable() -> None:
    assert span_id("D", Span(3, 9, "x")) == "D@3-9"


def test_facts_round_trip_through_the_cache(tmp_path: Path) -> None:
    cache = FactsCache(tmp_path / "c.sqlite")
    key = cache_key(doc(), "v1")
    cache.put(N(70), key, FACTS)
    assert cache.get(N(70), key) == FACTS
    assert cache.get(N(70), cache_key(doc(), "v2")) is None
    assert cache.get(N(70), cache_key(doc(text=TEXT + "。"), "v1")) is None
    assert facts_from_json(FACTS.to_json()) == FACTS
    cache.close()


def test_the_cache_texts_are_the_json_of_to_json() -> None:
    """document_json and facts_json (the fast walk, atoms inline) print exactly what json prints of to_json."""
    from ingest.document import Part
    from kb.facts import Check

    document = doc(parts=(Part("一、", "一", 1, 0, 5),), issuers=("商务部",), signed_date=dt.date(2025, 11, 7),
                   meta={"header": {"发文日期": "20251107"}, "annex_list": ["附件1", "附件2"], "n": 3, "x": 1.5,
                         "flag": True, "none": None})
    assert document_json(document) == json.dumps(document.to_json(), ensure_ascii=False, sort_keys=True,
                                                  separators=(",", ":"))
    facts = dataclasses.replace(FACTS, extra={"extraction_checks": (Check("no_controls", "e", "0", sp("经批准")),)})
    assert facts_json(facts) == json.dumps(facts.to_json(), ensure_ascii=False, sort_keys=True)


def test_a_damaged_cache_is_replaced_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"not a database at all" * 100)
    cache = FactsCache(path)
    assert cache.get(N(70), "k") is None
    cache.put(N(70), "k", FACTS)
    assert cache.get(N(70), "k") == FACTS
    cache.close()
