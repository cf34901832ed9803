"""datasette/metadata.yml and glossary.yml against the built database: every table and column is
described (in Chinese and English), every public table names its licence and source, facets name real
columns, the canned queries (kb/schema.yml) are documented, and the glossary covers the critical minerals."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from datasette.utils import module_from_path

from kb.errors import KbError
from kb.paths import DATASETTE_DIR
from kb.schema import load_schema
from kb.serve import datasette_command, running_datasette

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{2,}")


def metadata() -> dict[str, Any]:
    return yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text(encoding="utf-8"))


def tables_meta() -> dict[str, Any]:
    """metadata.yml's tables, and the fact tables the registry describes (as Datasette merges them)."""
    described = module_from_path(str(DATASETTE_DIR / "plugins" / "fact_metadata.py"), "kb_fact_metadata_under_test")
    return {**described.described_tables(), **metadata()["databases"]["mofcom"]["tables"]}


def glossary_module() -> Any:
    return module_from_path(str(DATASETTE_DIR / "plugins" / "glossary.py"), "kb_glossary_under_test")


def db_columns(db_path: Path) -> dict[str, list[str]]:
    conn = sqlite3.connect(db_path)
    try:
        names = [r[0] for r in conn.execute("select name from sqlite_master where type in ('table', 'view')")]
        return {name: [r[1] for r in conn.execute(f'pragma table_info("{name}")')] for name in names}
    finally:
        conn.close()


def bilingual(text: str) -> bool:
    return bool(CJK.search(text)) and bool(LATIN.search(text))


def test_every_table_and_column_in_the_built_db_is_described(built_kb: Path) -> None:
    described = tables_meta()
    missing: list[str] = []
    for table, columns in sorted(db_columns(built_kb).items()):
        meta = described.get(table)
        if not meta or not meta.get("description"):
            missing.append(f"table {table}")
            continue
        missing += [f"{table}.{c}" for c in columns if not (meta.get("columns") or {}).get(c)]
    assert not missing, "describe these in datasette/metadata.yml: " + ", ".join(missing)


def test_descriptions_name_no_table_or_column_that_does_not_exist(built_kb: Path) -> None:
    actual = db_columns(built_kb)
    stale = [t for t in tables_meta() if t not in actual]
    stale += [f"{t}.{c}" for t, m in tables_meta().items() if t in actual
              for c in (m.get("columns") or {}) if c not in actual[t]]
    assert not stale, f"described in metadata.yml but absent from the built database: {stale}"


def test_descriptions_are_in_chinese_and_english() -> None:
    for table, meta in tables_meta().items():
        assert bilingual(meta["description"]), table
        for column, text in (meta.get("columns") or {}).items():
            assert bilingual(text), f"{table}.{column}: {text!r}"


def test_every_public_table_has_title_licence_and_source() -> None:
    for table, meta in tables_meta().items():
        if meta.get("hidden"):
            continue
        for key in ("title", "license", "license_url", "source", "source_url"):
            assert meta.get(key), f"{table}: no {key}"
        assert bilingual(meta["title"]), table


def test_table_titles_are_the_glossary_labels() -> None:
    label = glossary_module().glossary().label
    for table, meta in tables_meta().items():
        if not meta.get("hidden"):
            assert meta["title"] == f"{label('tables', table, 'zh')} {label('tables', table)}", table


def test_facets_and_label_columns_are_real_columns(built_kb: Path) -> None:
    actual = db_columns(built_kb)
    for table, meta in tables_meta().items():
        for facet in meta.get("facets") or []:
            column = next(iter(facet.values())) if isinstance(facet, dict) else facet  # {array: issuers}
            assert column in actual[table], f"{table}: facet {facet}"
        if meta.get("label_column"):
            assert meta["label_column"] in actual[table]


def test_every_canned_query_is_documented() -> None:
    for name, spec in load_schema().queries.items():
        assert bilingual(spec["title"]) and bilingual(spec["description"]), name
        params = set(re.findall(r"(?<!:):([a-z_]+)", spec["sql"]))
        for param in params:
            assert f":{param}" in spec["description"], f"{name}: describe :{param}"


def test_readme_json_api_documents_every_canned_query() -> None:
    readme = (DATASETTE_DIR.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## JSON API", 1)[1].split("\n## ", 1)[0]
    for name, spec in load_schema().queries.items():
        assert f"| `{name}` |" in section, f"README JSON API: document the canned query {name}"
        for param in sorted(set(re.findall(r"(?<!:):([a-z_]+)", spec["sql"]))):
            assert f"`{param}`" in section.split(f"| `{name}` |", 1)[1].split("\n", 1)[0], (name, param)


def run(conn: sqlite3.Connection, sql: str, **params: str) -> list[dict[str, Any]]:
    conn.row_factory = sqlite3.Row
    return [dict(r) for r in conn.execute(sql, params)]


def test_search_query_ranks_with_the_schema_weights() -> None:
    weights = load_schema().fts["search_fts"]["rank_weights"]
    sql = load_schema().queries["search"]["sql"]
    assert f"bm25(search_fts, {', '.join(str(float(w)) for w in weights)})" in sql


def test_serve_command_uses_the_configuration_and_serves_immutable(tmp_path: Path) -> None:
    db = tmp_path / "mofcom.db"
    sqlite3.connect(db).close()
    cmd = datasette_command(db, "127.0.0.1", 8123)
    assert cmd[cmd.index("-i") + 1] == str(db)
    assert cmd[cmd.index("--metadata") + 1] == str(DATASETTE_DIR / "metadata.yml")
    assert cmd[cmd.index("--plugins-dir") + 1] == str(DATASETTE_DIR / "plugins")
    assert cmd[cmd.index("--template-dir") + 1] == str(DATASETTE_DIR / "templates")
    assert f"static:{DATASETTE_DIR / 'static'}" in cmd


def test_serve_command_runs_workers_under_the_supervisor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.serve import WORKERS_ENV, worker_count

    db = tmp_path / "mofcom.db"
    sqlite3.connect(db).close()
    monkeypatch.delenv(WORKERS_ENV, raising=False)
    assert worker_count() == 2  # publishing.yml serving.workers
    one, two = datasette_command(db, "127.0.0.1", 8123, workers=1), datasette_command(db, "127.0.0.1", 8123, workers=2)
    assert one[1:4] == ["-m", "datasette", "serve"]
    assert two[1:6] == ["-m", "kb.serve", "--workers", "2", "serve"]
    assert one[one.index("serve"):] == two[two.index("serve"):]  # the same `datasette serve` arguments
    monkeypatch.setenv(WORKERS_ENV, "1")
    assert datasette_command(db, "127.0.0.1", 8123)[1:3] == ["-m", "datasette"]
    for bad, message in (("two", "not a number"), ("0", "between 1 and 16"), ("99", "between 1 and 16")):
        monkeypatch.setenv(WORKERS_ENV, bad)
        with pytest.raises(KbError, match=f"MOFCOM_KB_SERVE_WORKERS={bad!r}|MOFCOM_KB_SERVE_WORKERS={bad}.*{message}"):
            worker_count()
    with pytest.raises(KbError, match="--workers=0: worker processes must be between 1 and 16"):
        worker_count(0)


def test_serving_a_missing_or_corrupt_database_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    with pytest.raises(KbError, match="missing.db: no database yet"):
        datasette_command(missing, "127.0.0.1", 8123)
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"not a database")
    with pytest.raises(KbError, match=r"corrupt\.db: datasette exited with \d+: .*not a database"), \
            running_datasette(corrupt, tmp_path / "server.log"):
        pass
    assert corrupt.read_bytes() == b"not a database"  # served read-only: left as it was


# -- the glossary ------------------------------------------------------------------------------

RARE_EARTHS = {"镧": "lanthanum", "铈": "cerium", "镨": "praseodymium", "钕": "neodymium", "钷": "promethium",
               "钐": "samarium", "铕": "europium", "钆": "gadolinium", "铽": "terbium", "镝": "dysprosium",
               "钬": "holmium", "铒": "erbium", "铥": "thulium", "镱": "ytterbium", "镥": "lutetium",
               "钪": "scandium", "钇": "yttrium"}
# The other items of the 2023–2025 timeline (domain notes): Ga/Ge, graphite, Sb, superhard materials,
# W/Te/Bi/Mo/In, lithium batteries and graphite anode material.
TIMELINE_ITEMS = {"镓": "gallium", "锗": "germanium", "石墨": "graphite", "锑": "antimony", "超硬材料": "superhard",
                  "钨": "tungsten", "碲": "tellurium", "铋": "bismuth", "钼": "molybdenum", "铟": "indium",
                  "锂电池": "lithium", "石墨负极材料": "graphite anode", "稀土": "rare earth",
                  "中重稀土": "medium and heavy rare earths"}


def test_glossary_covers_every_rare_earth_and_critical_mineral_of_the_timeline() -> None:
    gloss = glossary_module().gloss_en
    for zh, en in {**RARE_EARTHS, **TIMELINE_ITEMS}.items():
        assert en in (gloss(zh) or ""), zh


@pytest.mark.parametrize(("item", "english"), [
    ("1. 金属钬（参考税则号列：28053019）。", "holmium metal"),
    ("（一）1C909.a．金属钬、含钬的合金及相关制品：", "holmium metal, holmium-containing alloys and related products"),
    ("氧化镝及其混合物", "dysprosium oxide and its mixtures"),
    ("含铽的化合物及其混合物", "terbium compounds and their mixtures"),
    ("a. 钬铜合金；", "holmium–copper alloy"),
    ("4. 含钬的永磁材料。", "holmium-containing permanent-magnet material"),
    ("b. 【保留】。", "[reserved]"),
    ("关注名单", "Watch List"),
    ("钼粉", "molybdenum powder"),
    ("磷化铟", "indium phosphide"),
    ("具有下述所有特性的固态钨", "solid tungsten having all of the following characteristics"),
    ("生产1C004、1C117.c、1C117.d项的技术及资料（含工艺规范、工艺参数、加工程序等）",
     "technology and data for producing 1C004, 1C117.c, 1C117.d"),
])
def test_glossary_reads_item_names(item: str, english: str) -> None:
    assert glossary_module().gloss_en(item) == english


def test_glossary_does_not_read_form_words_inside_other_words() -> None:
    # 管 (tube) inside 管制, 金 (gold) inside 合金: no false glosses from one-character form words.
    gloss = glossary_module().gloss_en
    assert gloss("出口管制") == "export control"
    assert "tube" not in (gloss("两用物项出口管制管控名单所列实体") or "")
    assert gloss("完全无关的文字") is None
    assert gloss("") is None and gloss(None) is None


def test_every_rare_earth_item_in_the_corpus_build_has_a_gloss(built_kb: Path) -> None:
    conn = sqlite3.connect(built_kb)
    try:
        items = [r[0] for r in conn.execute(
            "select distinct item from controls where control_code_root between '1C902' and '1C913' and item is not null")]
    finally:
        conn.close()
    assert items, "no rare-earth items (1C902–1C913) in the build"
    gloss = glossary_module().gloss_en
    unglossed = [i for i in items if not gloss(i)]
    assert not unglossed
    element_names = set(RARE_EARTHS.values())
    assert all(any(name in (gloss(i) or "") for name in element_names) for i in items if "保留" not in i)


def test_glossary_labels_cover_every_enumerated_value(built_kb: Path) -> None:
    label = glossary_module().label_en
    conn = sqlite3.connect(built_kb)
    try:
        for kind, sql in (("statuses", "select distinct status from document_status_periods"),
                          ("relations", "select distinct relation from document_relations"),
                          ("lists", "select distinct list_name from listed_entities"),
                          ("actions", "select distinct action from listed_entities"),
                          ("doc_types", "select distinct doc_type from documents"),
                          ("tables", "select name from sqlite_master where type in ('table', 'view') "
                                     "and name not like 'search_fts_%' and name not like '%_fts\\_%' escape '\\'")):
            for (value,) in conn.execute(sql):
                assert label(kind, value), f"glossary.yml {kind}: no English for {value!r}"
    finally:
        conn.close()
