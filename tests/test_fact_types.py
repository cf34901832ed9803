"""The fact-type registry (kb/fact_types.yml): a type registered once reaches its table, the eval keys
and the document page's marks, with nothing else edited. The test-only type lives in a temporary file
named by MOFCOM_KB_FACT_TYPES, as any extra registry file would."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from datasette.utils import module_from_path

from ingest.document import Document
from kb import fact_types, load
from kb.eval.keys import gold_keys, metric_names, predicted_keys
from kb.facts import Facts
from kb.paths import DATASETTE_DIR
from kb.schema import create, load_schema

TEST_TYPE = """
demo_check:
  field: demo_checks
  record: kb.facts:LawReference
  table: demo_checks
  columns:
    law: text not null
    article: text
  indexes: [[document_id]]
  eval:
    gold: demo_checks
    metrics:
      demo_checks: [law(law), s(article)]
  mark:
    kind: demo_check
    key: "null"
    title: "'check ' || t.law"
    label: {zh: 测试, en: test check}
    style: "background: #123456;"
"""
TEXT = "依据《出口管制法》第十二条，特此公告。"


def plugin(name: str) -> Any:
    return module_from_path(str(DATASETTE_DIR / "plugins" / f"{name}.py"), f"kb_plugin_{name}_registry_test")


@pytest.fixture()
def demo_type(tmp_path: Path) -> Any:
    path = tmp_path / "demo_types.yml"
    path.write_text(TEST_TYPE, encoding="utf-8")
    with fact_types.registered(path) as types:
        yield types


def facts_with_check() -> Facts:
    return Facts.from_json({"doc_id": "d1", "demo_checks": [
        {"law": "《出口管制法》", "article": "第十二条", "span": {"start": 2, "end": 13, "text": TEXT[2:13]}}]})


def test_a_registered_type_reaches_table_eval_and_page(demo_type: Any) -> None:
    assert "demo_check" in {t.name for t in demo_type}
    facts = facts_with_check()
    assert len(facts.records("demo_checks")) == 1
    assert Facts.from_json(facts.to_json()) == facts
    # the table: created by the schema, filled by the loader
    assert list(load_schema().tables["demo_checks"].columns) == ["id", "document_id", "law", "article", "span_id"]
    conn = sqlite3.connect(":memory:")
    create(conn)
    rows = load.fact_rows(Document(doc_id="d1", doc_type="other", source="test", title="t", text=TEXT), facts)
    conn.execute("insert into documents (id, doc_type, text) values ('d1', 'other', ?)", (TEXT,))
    for span in rows["spans"]:
        conn.execute("insert into spans values (:id, :document_id, :start, :end, :page, :text)", span)
    for i, row in enumerate(rows["demo_checks"], 1):
        conn.execute("insert into demo_checks values (?, :document_id, :law, :article, :span_id)".replace("?", str(i)),
                     row)
    assert conn.execute("select law, article from demo_checks").fetchall() == [("《出口管制法》", "第十二条")]
    # the eval: a metric of its own, gold and extracted keys alike
    assert "demo_checks" in metric_names()
    gold = gold_keys({"demo_checks": [{"law": "出口管制法", "article": "第十二条"}]})
    assert gold["demo_checks"] == predicted_keys(facts)["demo_checks"] == {("《出口管制法》", "第十二条")}
    # the page: marked from its table, labelled and coloured
    page = plugin("document_page")
    demo = next(t for t in page.mark_types() if t.name == "demo_check")
    conn.row_factory = sqlite3.Row
    marked = [dict(r) for r in conn.execute(page.mark_sql(demo), {"id": "d1"})]
    assert marked == [{"start": 2, "end": 13, "key": None, "title": "check 《出口管制法》"}]
    assert page.mark_labels()["demo_check"] == {"zh": "测试", "en": "test check"}
    assert "mark.fact-demo_check { background: #123456; }" in page.mark_styles()


def test_without_the_file_the_type_is_unknown() -> None:
    assert "demo_checks" not in load_schema().tables
    assert "demo_checks" not in metric_names()


def test_a_type_declared_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "twice.yml"
    path.write_text(TEST_TYPE.replace("demo_check:", "control:", 1), encoding="utf-8")
    with pytest.raises(fact_types.FactTypeError, match="declared twice"), fact_types.registered(path):
        pass


def demo_rule(doc: Any, document: Document, structure: Any, facts: Any) -> list[Any]:
    """The test type's rule: every 《…》 title in the text."""
    from kb.facts import LawReference, Span

    out = []
    start = document.text.find("《")
    while start >= 0:
        end = document.text.index("》", start) + 1
        out.append(LawReference(law=document.text[start:end], span=Span(start, end, document.text[start:end])))
        start = document.text.find("《", end)
    return out


def test_a_registered_rule_runs_in_extraction(tmp_path: Path) -> None:
    path = tmp_path / "ruled_types.yml"
    path.write_text(TEST_TYPE.replace("  record: kb.facts:LawReference\n",
                                      f"  record: kb.facts:LawReference\n  rule: {__name__}:demo_rule\n"), encoding="utf-8")
    from kb.extract import extract

    document = Document(doc_id="d1", doc_type="announcement", source="test", title="t", text=TEXT)
    with fact_types.registered(path):
        facts = extract(document)
        found = [(r.law, r.span.start, r.span.end) for r in facts.records("demo_checks")]
        assert found == [("《出口管制法》", 2, 9)]
        assert predicted_keys(facts)["demo_checks"] == {("《出口管制法》", None)}
    assert "demo_checks" not in extract(document).to_json()


DESCRIBED = TEST_TYPE + """  describe:
    title: {zh: 测试核对, en: Demo checks}
    description: 测试用。 — For tests only.
    facets: [law]
    columns: {law: 法律 — Law, article: 条 — Article}
"""


def test_a_described_type_is_published_without_metadata_or_glossary_edits(tmp_path: Path) -> None:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import yaml
    from datasette.app import Datasette

    from kb.glossary import Glossary, glossary_data

    path = tmp_path / "described.yml"
    path.write_text(DESCRIBED, encoding="utf-8")
    db = tmp_path / "mofcom.db"
    with fact_types.registered(path):
        conn = sqlite3.connect(db)
        create(conn)
        conn.commit()
        conn.close()

        async def page() -> tuple[Any, str]:
            ds = Datasette([str(db)], plugins_dir=str(DATASETTE_DIR / "plugins"),
                           metadata=yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text(encoding="utf-8")))
            meta = (await ds.client.get("/-/metadata.json")).json()["databases"]["mofcom"]["tables"]["demo_checks"]
            return meta, (await ds.client.get("/mofcom/demo_checks")).text

        with ThreadPoolExecutor(1) as pool:  # its own loop: a browser test's may still run in this thread
            meta, html = pool.submit(asyncio.run, page()).result()
        assert meta["title"] == "测试核对 Demo checks" and meta["columns"]["law"] == "法律 — Law"
        assert meta["license"] and meta["source"]  # the provenance every table carries
        assert "测试核对 Demo checks" in html
        assert Glossary(glossary_data()).label("tables", "demo_checks", "zh") == "测试核对"


def test_describe_naming_a_missing_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(DESCRIBED.replace("article: 条 — Article", "articel: 条 — Article"), encoding="utf-8")
    with pytest.raises(fact_types.FactTypeError, match="articel"), fact_types.registered(path):
        pass


def test_record_classes_resolve_without_loading_the_pipeline() -> None:
    """A cached build decodes every type's records (Facts.from_json → record_class): that must not import
    kb.extract's package, which loads spaCy (seconds on every rebuild that extracts nothing)."""
    import subprocess
    import sys

    from kb.paths import REPO_ROOT

    probe = ("import sys\nfrom kb.fact_types import fact_types\n"
             "for ft in fact_types():\n    ft.record_class()\n"
             "print(sorted(m for m in sys.modules if m == 'spacy' or m.startswith('kb.extract')))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
