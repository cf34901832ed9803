"""Listed entities as FollowTheMoney entities, validated with followthemoney's own model: every entity
is a known schema, every value valid for its property type, required properties present, and every
reference (Sanction.entity, Sanction.proof) resolves to an entity of the right schema in the export."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from followthemoney import model

from kb import schema as kb_schema
from kb.cli import cli
from kb.ftm_export import export

N1, N2 = "商务部公告2026年第11号", "商务部公告2026年第40号"


def hand_db(path: Path) -> Path:
    """A database with two notices: one lists two entities (one with a hostile name), a later one
    removes the first entity from the same list."""
    conn = sqlite3.connect(path)
    kb_schema.create(conn)
    docs = [(N1, N1, "announcement", "2026-02-24", "2026-02-24", "https://exportcontrol.mofcom.gov.cn/a/1.html"),
            (N2, N2, "announcement", "2026-09-01", "2026-09-01", "javascript:alert(1)")]
    conn.executemany("insert into documents (id, doc_number, doc_type, title, signed_date, effective_date, source_url)"
                     " values (?, ?, ?, ?, ?, ?, ?)", [(d[0], d[1], d[2], d[1] + " 标题", d[3], d[4], d[5]) for d in docs])
    for doc, start, end in [(N1, 0, 8), (N1, 9, 20), (N2, 0, 8)]:
        conn.execute("insert into spans (id, document_id, start, \"end\", text) values (?, ?, ?, ?, ?)",
                     (f"{doc}@{start}-{end}", doc, start, end, "x"))
    rows = [(1, N1, "出口管制管控名单", "add", "三菱重工业株式会社", "Mitsubishi Heavy Industries, Ltd.", '["MHI"]',
             "东京都千代田区", "100-8332", "日本", f"{N1}@0-8"),
            (2, N1, "出口管制管控名单", "add", "<script>公司", None, None, None, None, "火星", f"{N1}@9-20"),
            (3, N2, "出口管制管控名单", "remove", "三菱重工业株式会社", None, None, None, None, "日本", f"{N2}@0-8")]
    conn.executemany("insert into listed_entities (id, document_id, list_name, action, name_zh, name_en, aliases, "
                     "address, postcode, country, span_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("insert into document_status_periods (document_id, status, start_date, basis) "
                 "values (?, 'in_force', '2026-02-24', 'effective_date')", (N1,))
    conn.commit()
    conn.close()
    return path


def validate(lines: list[str]) -> dict[str, dict]:
    """Each line through followthemoney's model; returns the entities by id."""
    by_id: dict[str, dict] = {}
    for line in lines:
        data = json.loads(line)
        schema = model.get(data["schema"])
        assert schema is not None, data["schema"]
        assert schema.validate(data) is None, (data, schema.validate(data))
        proxy = model.get_proxy(data, cleaned=False)
        for prop, values in data["properties"].items():
            ftm_type = schema.get(prop).type
            for value in values:
                assert ftm_type.validate(value), (prop, value)
        assert proxy.id and proxy.id not in by_id
        by_id[proxy.id] = data
    for data in by_id.values():
        if data["schema"] == "Sanction":
            (entity,) = data["properties"]["entity"]
            assert by_id[entity]["schema"] == "LegalEntity"
            (proof,) = data["properties"]["proof"]
            assert by_id[proof]["schema"] == "Document"
    return by_id


def test_hand_built_entities_validate_with_the_ftm_model(tmp_path: Path) -> None:
    lines = list(export(hand_db(tmp_path / "mofcom.db")))
    by_id = validate(lines)
    entities = [e for e in by_id.values() if e["schema"] == "LegalEntity"]
    sanctions = [e for e in by_id.values() if e["schema"] == "Sanction"]
    assert len(entities) == 2 and len(sanctions) == 2  # the removal ends a sanction, it is not one
    mhi = next(e for e in entities if "三菱重工业株式会社" in e["properties"]["name"])
    assert set(mhi["properties"]["name"]) == {"三菱重工业株式会社", "Mitsubishi Heavy Industries, Ltd."}
    assert mhi["properties"]["country"] == ["jp"] and mhi["properties"]["alias"] == ["MHI"]
    assert mhi["properties"]["topics"] == ["export.control"]
    listing = next(s for s in sanctions if s["properties"]["entity"] == [mhi["id"]])
    assert listing["properties"]["startDate"] == ["2026-02-24"]
    assert listing["properties"]["endDate"] == ["2026-09-01"]  # removed by No. 40
    assert listing["properties"]["programId"] == ["出口管制管控名单"]
    assert listing["properties"]["sourceUrl"] == ["https://exportcontrol.mofcom.gov.cn/a/1.html"]
    other = next(e for e in entities if e is not mhi)
    assert "country" not in other["properties"] and other["properties"]["notes"] == ["country as printed: 火星"]
    documents = [e for e in by_id.values() if e["schema"] == "Document"]
    assert all("javascript" not in json.dumps(d) for d in documents)  # only allow-listed links


def test_export_is_stable(tmp_path: Path) -> None:
    db = hand_db(tmp_path / "mofcom.db")
    assert list(export(db)) == list(export(db))


def test_cli_writes_the_file_and_refuses_a_missing_database(tmp_path: Path) -> None:
    hand_db(tmp_path / "mofcom.db")
    out = tmp_path / "entities.ftm.json"
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "export-ftm", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 6  # 2 documents, 2 entities, 2 sanctions
    missing = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "none"), "export-ftm", "-o", str(out)])
    assert missing.exit_code != 0 and "no database yet" in str(missing.exception)
    assert len(out.read_text(encoding="utf-8").splitlines()) == 6  # the earlier export is untouched


@pytest.mark.corpus
def test_corpus_entities_validate(built_kb: Path) -> None:
    by_id = validate(list(export(built_kb)))
    conn = sqlite3.connect(built_kb)
    try:
        listed = conn.execute("select count(*) from listed_entities where action = 'add'").fetchone()[0]
        fujitsu = conn.execute("select count(*) from listed_entities where name_en like '%Fujitsu%'").fetchone()[0]
    finally:
        conn.close()
    sanctions = [e for e in by_id.values() if e["schema"] == "Sanction"]
    assert listed > 0 and len(sanctions) == listed
    assert all(s["properties"].get("startDate") and s["properties"].get("sourceUrl") for s in sanctions)
    names = " ".join(n for e in by_id.values() if e["schema"] == "LegalEntity" for n in e["properties"]["name"])
    assert fujitsu == 0 or "Fujitsu" in names


def test_sanctions_follow_list_membership_when_the_build_made_it(tmp_path: Path) -> None:
    """With list_membership_periods (kb/list_membership.py), a Sanction dates and words what happened to the
    measures: a suspension by a later text, the day a removal ended the listing."""
    db = hand_db(tmp_path / "mofcom.db")
    conn = sqlite3.connect(db)
    rows = [(1, 1, "in_force", "2026-02-24", "2026-05-01", N1), (2, 1, "suspended", "2026-05-01", "2026-08-01", N2),
            (3, 1, "in_force", "2026-08-01", "2026-09-01", N2), (4, 2, "in_force", "2026-02-24", None, N1)]
    conn.executemany(
        "insert into list_membership_periods (id, entity_id, list_name, name_zh, document_id, action, listed_since, "
        "status, start_date, end_date, caused_by_document_id, basis) select ?, e.id, e.list_name, e.name_zh, "
        "e.document_id, e.action, '2026-02-24', ?, ?, ?, ?, 'test' from listed_entities e where e.id = ?",
        [(i, status, start, end, cause, entity) for i, entity, status, start, end, cause in rows])
    conn.commit()
    conn.close()
    by_id = validate(list(export(db)))
    sanctions = {s["properties"]["recordId"][0]: s["properties"] for s in by_id.values() if s["schema"] == "Sanction"}
    mhi, other = sanctions[f"{N1}@0-8"], sanctions[f"{N1}@9-20"]
    assert mhi["startDate"] == ["2026-02-24"] and mhi["endDate"] == ["2026-09-01"]
    assert "ended" in mhi["status"] and mhi["description"] == [
        f"measures suspended from 2026-05-01 to 2026-07-31 by {N2}"]
    assert other["startDate"] == ["2026-02-24"] and "endDate" not in other and other["status"] == ["in force"]
