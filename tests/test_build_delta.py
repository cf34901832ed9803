"""Incremental builds (kb/build_delta.py): the old database plus the changed documents must hold the
same rows as a full build of the same archive (ids of fact rows aside), run NLP only on what changed,
keep the ids of untouched rows, fall back to a full build whenever the index cannot vouch for the old
file, and never publish a half-written file."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from kb_facts_fixture import KB_SAMPLES, N, hand_facts, sample_archive

from ingest.archive import Archive
from ingest.document import Document
from ingest.snapshot_import import import_snapshot
from kb import build_delta
from kb.build import BuildSummary, build
from kb.facts import Facts
from kb.search import fts_query


class Counting:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, doc: Document) -> Facts:
        self.calls.append(doc.doc_id)
        return hand_facts(doc)


def run(root: Path, extractor: Counting | None = None, **kw: object) -> BuildSummary:
    return build(root / "archive", root / "mofcom.db", extractor=extractor or Counting(), version="hand-1", **kw)  # type: ignore[arg-type]


FTS_KEYS = {"documents": "t.id", "controls": "t.document_id, t.control_code", "hs_codes": "t.document_id, t.hs_code",
            "listed_entities": "t.document_id, t.name_zh"}


def content(db: Path) -> dict[str, Counter[str]]:
    """Every table's rows as a multiset, integer ids left out (relation ids as the relation they name),
    plus what the search indexes find: what a reader of the database can tell apart."""
    conn = sqlite3.connect(db)
    try:
        relations = {r[0]: r[1:] for r in conn.execute(
            "SELECT id, source_document_id, relation, target_number, part, start_date, end_date FROM document_relations")}
        out: dict[str, Counter[str]] = {}
        tables = [t for (t,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%' AND name != 'build_info'")]
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cursor.description]
            rows = []
            for values in cursor:
                row = dict(zip(names, values, strict=True))
                if isinstance(row.get("id"), int):
                    del row["id"]
                if "relation_id" in row:
                    row["relation_id"] = relations.get(row["relation_id"])
                if table == "search_index" and row["kind"] != "document":
                    del row["ref_id"]
                rows.append(json.dumps(row, ensure_ascii=False, sort_keys=True, default=str))
            out[table] = Counter(rows)
        for q in ("稀土", "锂电池", "1C902", "镓"):
            out[f"search {q}"] = Counter(repr(r) for r in conn.execute(
                "SELECT s.kind, s.document_id, s.title FROM search_fts JOIN search_index s ON s.id = search_fts.rowid "
                "WHERE search_fts MATCH ?", (fts_query(q),)))
            for table, key in FTS_KEYS.items():
                out[f"{table}_fts {q}"] = Counter(repr(r) for r in conn.execute(
                    f"SELECT {key} FROM {table}_fts f JOIN {table} t ON t.rowid = f.rowid WHERE {table}_fts MATCH ?",
                    (f'"{q[:2]}"',)))
    finally:
        conn.close()
    return out


def full_twin(root: Path, tmp: Path) -> Path:
    """A full build of root's archive in a data dir of its own."""
    twin = tmp / "twin"
    Archive(twin / "archive")
    for line in (root / "archive" / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        (twin / "archive").mkdir(parents=True, exist_ok=True)
        with open(twin / "archive" / "manifest.jsonl", "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
    (twin / "archive" / "objects").symlink_to(root / "archive" / "objects")
    run(twin, full=True)
    return twin / "mofcom.db"


def test_new_notices_are_added_incrementally_with_the_rows_of_a_full_build(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    sample_archive(root / "archive", with_kb_samples=False)
    first = run(root)
    assert not first.incremental
    before = {r[1:]: r[0] for r in sqlite3.connect(root / "mofcom.db").execute(
        "SELECT id, document_id, control_code FROM controls")}
    import_snapshot(KB_SAMPLES, Archive(root / "archive"))
    extractor = Counting()
    summary = run(root, extractor)
    assert summary.incremental
    assert sorted(extractor.calls) == sorted([N(18), N(58), "商务部公告2023年第23号"])  # only the new notices
    assert content(root / "mofcom.db") == content(full_twin(root, tmp_path))
    after = {r[1:]: r[0] for r in sqlite3.connect(root / "mofcom.db").execute(
        "SELECT id, document_id, control_code FROM controls")}
    assert all(after[key] == before[key] for key in before)  # untouched rows keep their ids
    conn = sqlite3.connect(root / "mofcom.db")
    # No. 58 was known only by reference; now it is archived, cited by No. 70, with its own status.
    assert conn.execute("SELECT known_only_by_reference, cited_by_count FROM documents WHERE id = ?",
                        (N(58),)).fetchone() == (0, 1)
    assert conn.execute("SELECT count(*) FROM document_status_periods WHERE document_id = ?", (N(58),)).fetchone()[0] > 0


def test_a_changed_record_replaces_its_document_rows(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    sample_archive(root / "archive")
    run(root)
    lines = KB_SAMPLES.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[1])  # 2025 No. 18: same URL, its text republished with a new sentence
    assert "2025年第18号" in record["title"]
    record["text"] += "\n本公告由商务部负责解释。"
    changed = tmp_path / "changed.jsonl"
    changed.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    import_snapshot(changed, Archive(root / "archive"))
    extractor = Counting()
    summary = run(root, extractor)
    assert summary.incremental and extractor.calls == [N(18)]
    text = sqlite3.connect(root / "mofcom.db").execute("SELECT text FROM documents WHERE id = ?", (N(18),)).fetchone()[0]
    assert text.endswith("负责解释。")
    assert content(root / "mofcom.db") == content(full_twin(root, tmp_path))


def test_without_an_index_that_vouches_for_the_database_the_build_is_full(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "kb"
    sample_archive(root / "archive", with_kb_samples=False)
    run(root)
    import_snapshot(KB_SAMPLES, Archive(root / "archive"))
    monkeypatch.setattr(build_delta, "code_digest", lambda: "other code")  # the parser may have changed
    extractor = Counting()
    summary = run(root, extractor)
    assert not summary.incremental  # full, the old notices' facts from the cache
    assert sorted(extractor.calls) == sorted([N(18), N(58), "商务部公告2023年第23号"])
    monkeypatch.undo()
    (root / "state" / build_delta.INDEX_NAME).unlink()
    record = json.loads(KB_SAMPLES.read_text(encoding="utf-8").splitlines()[0])
    record["text"] += "\n特此公告。"
    (tmp_path / "one.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    import_snapshot(tmp_path / "one.jsonl", Archive(root / "archive"))
    assert not run(root).incremental  # no index: full, and it writes one
    assert (root / "state" / build_delta.INDEX_NAME).exists()


def test_a_failed_incremental_build_leaves_the_served_file_untouched(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "kb"
    sample_archive(root / "archive", with_kb_samples=False)
    run(root)
    served = (root / "mofcom.db").read_bytes()
    import_snapshot(KB_SAMPLES, Archive(root / "archive"))

    def boom(delta: object) -> None:
        raise RuntimeError("killed mid-build")

    monkeypatch.setattr(build_delta, "recompute_status", boom)
    with pytest.raises(RuntimeError):
        run(root)
    assert (root / "mofcom.db").read_bytes() == served
    assert not (root / "mofcom.db.new").exists()
    monkeypatch.undo()
    assert run(root).incremental  # the index still describes the served file
    assert content(root / "mofcom.db") == content(full_twin(root, tmp_path))


def test_a_notice_republished_at_a_second_url_is_merged_as_in_a_full_build(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    sample_archive(root / "archive")
    run(root)
    record = json.loads(KB_SAMPLES.read_text(encoding="utf-8").splitlines()[1])  # 2025 No. 18
    record["source_url"] = record["source_url"].replace(".html", "-copy.html")
    record["text"] += "\n（转载）"  # the fuller text: the merged document keeps it, and both URLs
    copy = tmp_path / "copy.jsonl"
    copy.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    import_snapshot(copy, Archive(root / "archive"))
    summary = run(root)
    assert summary.incremental
    urls = sqlite3.connect(root / "mofcom.db").execute("SELECT source_urls FROM documents WHERE id = ?",
                                                       (N(18),)).fetchone()[0]
    assert len(json.loads(urls)) == 2
    assert content(root / "mofcom.db") == content(full_twin(root, tmp_path))


def test_a_sample_arriving_beside_real_material_is_left_to_a_full_build(tmp_path: Path) -> None:
    """Samples never build beside real texts (ingest/archive_documents.py): an incremental build, which
    only sees the changed records, hands such a change to a full build, which leaves the samples out."""
    from ingest.sources import snapshot

    archive = Archive(tmp_path / "archive")
    record = {"source_url": "https://www.mofcom.gov.cn/zwgk/test-901.html", "title": "商务部公告2026年第901号 测试",
              "text": "商务部公告2026年第901号\n对下列物项实施出口管制。", "column": "x"}
    archive.store(snapshot.encode(record), url=record["source_url"], source=snapshot.NAME, kind="snapshot",
                  content_type=snapshot.CONTENT_TYPE, status=200)
    assert run(tmp_path).samples == 0
    import_snapshot(KB_SAMPLES, archive)
    summary = run(tmp_path)
    assert not summary.incremental and summary.samples == 0 and summary.samples_left_out
    conn = sqlite3.connect(tmp_path / "mofcom.db")
    try:
        assert conn.execute("SELECT count(*) FROM documents WHERE is_sample = 1").fetchone()[0] == 0
    finally:
        conn.close()
