"""The `contact` fact type (kb/fact_types.yml, kb/extract/contacts.py): the e-mail and web addresses a notice
prints reach the extracted facts (with kind and part), the contacts table, the document page's marks and the
Datasette description, from the registry entry alone; and they are scorable as soon as gold carries them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from datasette.utils import module_from_path

from ingest.document import Document
from kb import fact_types, load
from kb.eval.keys import gold_keys, metric_names, predicted_keys
from kb.extract import extract
from kb.facts import Facts
from kb.paths import DATASETTE_DIR
from kb.schema import create, load_schema

# The general form of a notice's application paragraph: a numbered part naming a platform and an inquiry mailbox.
TEXT = ("商务部公告\n一、出口经营者应当依法申请两用物项出口许可。\n"
        "二、申请人可通过商务部业务系统统一平台（http://ecomp.mofcom.gov.cn）提交申请。"
        "咨询邮箱：jingwaizixun@mofcom.gov.cn；举报邮箱：jingwaibaogao@mofcom.gov.cn。联系电话：010-65197366。\n")
EXPECTED = [("url", "http://ecomp.mofcom.gov.cn", "二"), ("email", "jingwaizixun@mofcom.gov.cn", "二"),
            ("email", "jingwaibaogao@mofcom.gov.cn", "二")]


def document(text: str = TEXT) -> Document:
    return Document(doc_id="d1", doc_type="announcement", source="test", title="t", text=text)


@pytest.fixture(scope="module")
def facts() -> Facts:
    return extract(document())


def test_each_printed_address_is_a_contact_with_its_kind_and_part(facts: Facts) -> None:
    contacts = facts.records("contacts")
    assert [(c.kind, c.address, c.part) for c in contacts] == EXPECTED
    assert all(TEXT[c.span.start : c.span.end] == c.address for c in contacts)  # no bracket, no 。 or ；
    assert Facts.from_json(facts.to_json()) == facts


def test_a_text_printing_no_address_has_no_contacts() -> None:
    text = "商务部公告\n一、联系电话：010-65197366，传真：010-65197926，地址：北京市东长安街2号。\n"
    assert extract(document(text)).records("contacts") == ()


def test_contacts_reach_the_table_and_the_page(facts: Facts) -> None:
    assert list(load_schema().tables["contacts"].columns) == ["id", "document_id", "kind", "address", "part",
                                                              "span_id"]
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    create(conn)
    rows = load.fact_rows(document(), facts)
    conn.execute("insert into documents (id, doc_type, text) values ('d1', 'announcement', ?)", (TEXT,))
    for table in ("spans", "contacts"):
        for row in load.number_rows(rows[table]) if table == "contacts" else rows[table]:
            names = ", ".join(f'"{c}"' for c in row)
            conn.execute(f'insert into "{table}" ({names}) values ({", ".join(f":{c}" for c in row)})', row)
    got = [tuple(r) for r in conn.execute("select kind, address, part from contacts order by id")]
    assert sorted(got) == sorted(EXPECTED)
    page = module_from_path(str(DATASETTE_DIR / "plugins" / "document_page.py"), "kb_plugin_document_page_contacts")
    contact = next(t for t in page.mark_types() if t.name == "contact")
    marks = sorted((r["start"], r["end"], r["title"]) for r in conn.execute(page.mark_sql(contact), {"id": "d1"}))
    assert [TEXT[s:e] for s, e, _t in marks] == [a for _k, a, _p in EXPECTED]
    assert [t for _s, _e, t in marks] == [f"{k} {a}" for k, a, _p in EXPECTED]
    assert page.mark_labels()["contact"] == {"zh": "联系方式", "en": "contact"}
    assert "mark.fact-contact {" in page.mark_styles()


def test_the_contacts_table_is_described_for_datasette() -> None:
    described = module_from_path(str(DATASETTE_DIR / "plugins" / "fact_metadata.py"), "kb_fact_metadata_contacts")
    meta = described.described_tables()["contacts"]
    assert meta["title"] == "联系方式 Contacts" and meta["facets"] == ["kind"]
    assert set(meta["columns"]) == set(load_schema().tables["contacts"].columns)


# What the entry's `eval` will be once every gold file carries `contacts` (annotations/guidelines.md): registered
# here beside the type, on the same records, so the keys are proved now and the metric stays out of the README.
SCORED = """
contact_scored:
  field: contacts
  record: kb.facts:Contact
  eval:
    gold: contacts
    metrics:
      contacts: [raw(kind), s(address)]
"""


def test_contacts_are_scorable_against_gold(facts: Facts, tmp_path: Path) -> None:
    assert "contacts" not in metric_names()  # not scored until the gold files carry the key
    path = tmp_path / "scored.yml"
    path.write_text(SCORED, encoding="utf-8")
    with fact_types.registered(path):
        gold = gold_keys({"contacts": [{"kind": "email", "address": "jingwaizixun@mofcom.gov.cn"},
                                       {"kind": "url", "address": "http://ecomp.mofcom.gov.cn"}]})
        predicted = predicted_keys(facts)["contacts"]
        assert gold["contacts"] < predicted
        assert predicted - gold["contacts"] == {("email", "jingwaibaogao@mofcom.gov.cn")}


def test_the_corpus_build_loads_no61s_addresses(corpus_dir: Path, built_kb: Path) -> None:
    conn = sqlite3.connect(built_kb)
    try:
        got = set(conn.execute("select c.kind, c.address from contacts c join documents d on d.id = c.document_id "
                               "where d.doc_number = '商务部公告2025年第61号'"))
    finally:
        conn.close()
    assert {("email", "jingwaibaogao@mofcom.gov.cn"), ("email", "jingwaizixun@mofcom.gov.cn"),
            ("url", "http://ecomp.mofcom.gov.cn")} <= got
