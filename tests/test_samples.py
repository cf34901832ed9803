"""Samples never pose as data (issue 11, point 7): team-written samples are marked `is_sample`, labelled
on every page that shows them, left out of any build that has real material, never replace a real text
(same number or same URL), and restate their real notice faithfully (same dates and statuses)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from ingest.archive import Archive
from ingest.archive_documents import load_material, merge, select_material
from ingest.document import Document
from ingest.snapshot_import import ImportRefused, import_site, import_snapshot
from ingest.sources import snapshot
from kb import glossary
from kb.build import build
from kb.cli import cli
from kb.paths import SAMPLES_DIR
from kb.schema import load_schema

REPO = Path(__file__).resolve().parent.parent
KB_SAMPLES = REPO / "tests" / "fixtures" / "kb-samples.jsonl"
N57 = "商务部公告2025年第57号"
RARE_EARTH_57 = ("1C909", "1C910", "1C911", "1C912", "1C913")


def controlled_on(db: Path, date: str) -> list[dict]:
    """The published `controlled_on` query (kb/schema.yml), with each row's document's is_sample."""
    sql = load_schema().queries["controlled_on"]["sql"]
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    glossary.register(conn)  # the published SQL calls gloss_en / label_en
    try:
        rows = [dict(r) for r in conn.execute(sql, {"date": date})]
        samples = {r[0] for r in conn.execute("select id from documents where is_sample = 1")}
    finally:
        conn.close()
    return [{**r, "is_sample": r["document_id"] in samples} for r in rows]


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


# -- the corpus build: real texts + every sample ----------------------------------------------------

@pytest.fixture(scope="module")
def corpus_builds(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The acceptance build (import the two corpus files, the samples folder and the kb samples, then
    build, through the CLI) and, sharing its facts cache, the same corpus built with no sample at all."""
    corpus = [str(corpus_dir / "exportcontrol-notices.jsonl"), str(corpus_dir / "entity-list-notices.jsonl")]
    mixed = tmp_path_factory.mktemp("corpus-and-samples")
    state = mixed / "state"
    invoke("--data-dir", str(mixed), "import", str(SAMPLES_DIR), *corpus, str(KB_SAMPLES))
    out = invoke("--data-dir", str(mixed), "build")
    assert "team-written samples left out" in out
    alone = tmp_path_factory.mktemp("corpus-alone")
    invoke("--data-dir", str(alone), "import", *corpus)
    build(alone / "archive", alone / "mofcom.db", state_dir=state)
    return {"mixed": mixed / "mofcom.db", "alone": alone / "mofcom.db"}


@pytest.mark.corpus
def test_controlled_on_2026_01_15_returns_no_code_whose_only_source_is_a_sample(corpus_builds: dict[str, Path]) -> None:
    rows = controlled_on(corpus_builds["mixed"], "2026-01-15")
    assert rows, "the corpus controls codes on 2026-01-15 (2025 No. 10 is in force)"
    sample_sourced = [r["control_code"] for r in rows if r["is_sample"]]
    assert sample_sourced == []
    # 2025 No. 57 (1C909–1C913) is suspended by No. 70 that day; its sample catalogue once made them in force.
    assert not [r for r in rows if r["control_code"].startswith(RARE_EARTH_57)]


@pytest.mark.corpus
@pytest.mark.parametrize("date", ["2023-09-01", "2025-06-01", "2026-01-15", "2026-12-01"])
def test_the_samples_change_nothing_in_a_build_with_real_material(corpus_builds: dict[str, Path], date: str) -> None:
    def codes(db: Path) -> list[tuple[str, str]]:
        return sorted((r["control_code"], r["document_id"]) for r in controlled_on(db, date))

    assert codes(corpus_builds["mixed"]) == codes(corpus_builds["alone"])


@pytest.mark.corpus
def test_the_corpus_build_holds_no_sample_and_the_url_less_record(corpus_builds: dict[str, Path]) -> None:
    def documents(db: Path) -> list[tuple]:
        conn = sqlite3.connect(db)
        try:
            return conn.execute("select id, text_sha256, source_urls, is_sample, known_only_by_reference "
                                "from documents order by id").fetchall()
        finally:
            conn.close()

    mixed = documents(corpus_builds["mixed"])
    assert mixed == documents(corpus_builds["alone"])  # same rows, same texts, same URLs
    assert not [d for d in mixed if d[3]]
    assert not [d for d in mixed if "invalid" in d[2]]
    # The entity-list record without a source_url is imported and built, its URL unknown.
    conn = sqlite3.connect(corpus_builds["mixed"])
    try:
        row = conn.execute("select source_url, source_urls from documents "
                           "where id = '不可靠实体清单工作机制公告2023年第1号'").fetchone()
    finally:
        conn.close()
    assert row == (None, "[]")


# -- a sample never replaces a real text --------------------------------------------------------------

def _real_57(corpus_dir: Path) -> dict:
    lines = (corpus_dir / "exportcontrol-notices.jsonl").read_text(encoding="utf-8").splitlines()
    return next(r for r in map(json.loads, lines) if "2025年第57号" in r["title"])


@pytest.mark.corpus
@pytest.mark.parametrize("sample_first", [True, False])
def test_a_sample_with_a_real_number_never_replaces_the_real_text(corpus_dir: Path, tmp_path: Path,
                                                                    sample_first: bool) -> None:
    real = _real_57(corpus_dir)
    sample = {**real, "source_url": "https://example.invalid/mofcom-kb-sample/2025-57-long.html", "sample": True,
              "title": "【样例 SAMPLE】" + real["title"], "text": real["text"] + "\n【样例】" + "附加样例文字。" * 400}
    real_file, sample_file = tmp_path / "real.jsonl", tmp_path / "sample.jsonl"
    real_file.write_text(json.dumps(real, ensure_ascii=False) + "\n", encoding="utf-8")
    sample_file.write_text(json.dumps(sample, ensure_ascii=False) + "\n", encoding="utf-8")
    archive = Archive(tmp_path / "archive")
    for file in (sample_file, real_file) if sample_first else (real_file, sample_file):
        import_snapshot(file, archive)
    material = load_material(archive)
    (doc,) = [d for d in material.documents if d.doc_id == N57]
    assert not doc.is_sample and doc.original_text == real["text"] and doc.source_urls == (real["source_url"],)
    assert [s.split(" ")[0] for s in material.samples_left_out] == [N57]


@pytest.mark.corpus
def test_a_sample_stored_at_a_real_url_never_shadows_the_real_text(corpus_dir: Path, tmp_path: Path) -> None:
    """Import refuses a sample at a real URL; an archive that holds one anyway (an older import, a copied
    archive) still builds the real version: at one URL a real text wins over a later sample."""
    real = _real_57(corpus_dir)
    sample = {**real, "sample": True, "text": "【样例】" + real["text"] + "附加样例文字。" * 400}
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(sample, ensure_ascii=False) + "\n", encoding="utf-8")
    archive = Archive(tmp_path / "archive")
    with pytest.raises(ImportRefused, match="must not pose under a real URL"):
        import_snapshot(bad, archive)
    archive.store(snapshot.encode(real), url=real["source_url"], source="snapshot", kind="snapshot")
    archive.store(snapshot.encode(sample), url=real["source_url"], source="snapshot", kind="snapshot")
    assert archive.latest()[real["source_url"]].sha256 != archive.records_for(real["source_url"])[0].sha256
    (doc,) = load_material(archive).documents
    assert not doc.is_sample and doc.original_text == real["text"]


def _doc(doc_id: str, text: str, is_sample: bool) -> Document:
    return Document(doc_id=doc_id, doc_type="announcement", title=doc_id, text=text, source="snapshot",
                    source_urls=(f"https://{'example.invalid' if is_sample else 'www.mofcom.gov.cn'}/{len(text)}",),
                    is_sample=is_sample)


def test_merge_keeps_the_real_text_whatever_the_order_and_length() -> None:
    real, sample = _doc("n", "短", False), _doc("n", "样例" * 100, True)
    assert merge(real, sample) is real and merge(sample, real) is real


def test_select_material_drops_samples_only_when_something_is_real() -> None:
    real, sample = _doc("a", "x", False), _doc("b", "y", True)
    assert select_material([sample]) == ([sample], [])
    assert select_material([sample, real]) == ([real], [sample])
    assert select_material([]) == ([], [])


# -- the samples-only build ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def offline_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `make kb` builds in a fresh clone with no ../shared: ingest/samples (site tree + snapshot)."""
    data = tmp_path_factory.mktemp("offline")
    invoke("--data-dir", str(data), "import", str(SAMPLES_DIR))
    out = invoke("--data-dir", str(data), "build")
    assert "built from team-written samples only" in out
    return data / "mofcom.db"


def test_every_document_of_a_samples_only_build_is_marked(offline_kb: Path) -> None:
    conn = sqlite3.connect(offline_kb)
    try:
        rows = conn.execute("select id, is_sample, title, source_url from documents "
                            "where not known_only_by_reference").fetchall()
        material = dict(conn.execute("select key, value from build_info").fetchall())["material"]
    finally:
        conn.close()
    assert rows and material == "samples only"
    assert [r[0] for r in rows if r[1] != 1] == []
    assert [r[0] for r in rows if "样例" not in r[2]] == []  # the visible label is in every title
    assert [r[0] for r in rows if ".invalid/" not in r[3]] == []  # no sample poses under a real URL


def test_on_date_warns_that_a_samples_only_build_is_not_mofcom(offline_kb: Path) -> None:
    result = CliRunner().invoke(cli, ["--data-dir", str(offline_kb.parent), "on", "2026-01-15", "--json"])
    assert result.exit_code == 0 and "built from team-written samples only" in result.stderr
    json.loads(result.stdout)  # the JSON itself stays clean


def test_the_sample_catalogue_of_no_57_is_suspended_with_its_notice(offline_kb: Path) -> None:
    """The sample catalogue annex restates 2025 No. 57's list: in force exactly when No. 57 is, so
    suspended by No. 70 on 2026-01-15 and in force again after 2026-11-10 (as the real notices say)."""
    assert not [r for r in controlled_on(offline_kb, "2026-01-15") if r["control_code"].startswith(RARE_EARTH_57)]
    after = {r["control_code"].split(".")[0] for r in controlled_on(offline_kb, "2026-12-01")}
    assert set(RARE_EARTH_57) <= after


def _periods(db: Path, doc_id: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("select coalesce(part, ''), status, start_date, end_date from document_status_periods "
                            "where document_id = ? order by 1, 3", [doc_id]).fetchall()
    finally:
        conn.close()


@pytest.mark.corpus
def test_each_sample_restates_its_real_notice_faithfully(offline_kb: Path, corpus_builds: dict[str, Path]) -> None:
    """Same dates and statuses as the real notice of the same number, wherever the corpus holds it: the
    whole status history for a real text, the suspension windows for a notice the corpus only cites."""
    real_db = corpus_builds["alone"]
    conn = sqlite3.connect(real_db)
    real = {r[0]: r[1:] for r in conn.execute(
        "select id, known_only_by_reference, signed_date, effective_date from documents where doc_number is not null")}
    conn.close()
    conn = sqlite3.connect(offline_kb)
    samples = {r[0]: r[1:] for r in conn.execute(
        "select id, signed_date, effective_date from documents where is_sample = 1 and doc_number is not null")}
    conn.close()
    compared = []
    for doc_id, (signed, effective) in samples.items():
        if doc_id not in real:
            continue
        by_reference, real_signed, real_effective = real[doc_id]
        if by_reference:
            suspended = [p for p in _periods(offline_kb, doc_id) if p[1] == "suspended"]
            assert suspended == _periods(real_db, doc_id), doc_id
        else:
            assert (signed, effective) == (real_signed, real_effective), doc_id
            assert _periods(offline_kb, doc_id) == _periods(real_db, doc_id), doc_id
        compared.append(doc_id)
    assert {N57, "商务部公告2025年第61号", "商务部公告2025年第70号", "商务部公告2025年第55号"} <= set(compared)


# -- labels on the pages ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served_offline(offline_kb: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from kb.serve import running_datasette

    with running_datasette(offline_kb, tmp_path_factory.mktemp("datasette-offline") / "server.log") as base:
        yield base


def _page(base: str, path: str, **params: str) -> BeautifulSoup:
    response = httpx.get(base + path, params=params or None, timeout=30)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return BeautifulSoup(response.text, "html.parser")


def test_document_search_and_code_pages_label_samples(served_offline: str) -> None:
    from urllib.parse import quote

    doc = _page(served_offline, "/-/document/" + quote(N57, safe=""))
    label = doc.select_one("p.kb-sample-label")
    assert label and "SAMPLE" in label.get_text() and "not an official text" in label.get_text()
    assert doc.select_one("a.kb-official") is None  # a .invalid URL is never the official page
    results = _page(served_offline, "/-/search", q="稀土").select("li.kb-result")
    assert results and all(r.select_one(".kb-sample-label") for r in results)
    code = _page(served_offline, "/-/code/1C909")
    rows = code.select("table.kb-controls tbody tr") + code.select("table.kb-history tbody tr")
    assert rows and all(r.select_one(".kb-sample-label") for r in rows)
    data = httpx.get(served_offline + "/-/search.json", params={"q": "稀土"}, timeout=30).json()
    assert data["results"] and all(r["is_sample"] == 1 for r in data["results"])


@pytest.mark.parametrize("path", ["/", "/-/timeline", "/mofcom/documents", "/-/search?q=镓"])
def test_every_page_of_a_samples_only_build_says_so(served_offline: str, path: str) -> None:
    banner = _page(served_offline, path).select_one("p.kb-samples-banner")
    assert banner and "not from MOFCOM's texts" in banner.get_text()


@pytest.mark.corpus
def test_a_corpus_build_shows_no_samples_banner(served_kb: str) -> None:
    assert _page(served_kb, "/").select_one("p.kb-samples-banner") is None


def test_the_samples_folder_is_archived_under_invalid_hosts_only(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    import_site(SAMPLES_DIR / "site", archive)
    for file in sorted(SAMPLES_DIR.glob("*.jsonl")):
        import_snapshot(file, archive)
    urls = [r.url for r in archive.records()]
    assert urls and all(".invalid/" in u for u in urls)
