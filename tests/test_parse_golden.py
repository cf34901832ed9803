"""Every fixture page and every real corpus notice, parsed, against its reviewed golden file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from golden_docs import GOLDEN_DIR, check, derived

from ingest.parse.article import article_document
from ingest.parse.document_builder import build_document
from ingest.parse.errors import ParseError
from ingest.sources.snapshot import fields_of

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
GOOD_PAGES = ["cms_announcement", "cms_order", "cms_uel_notice", "old_notice_gbk", "portal_announcement"]
ERROR_PAGES = ["js_frame", "not_found", "question_marks", "wrong_encoding"]


def corpus_slug(url: str) -> str:
    """…/article/zcfg/gnzcfg/zcfggzqd/202510/1171.html → zcfg-gnzcfg-zcfggzqd-202510-1171"""
    tail = url.split("/article/", 1)[-1].removesuffix(".html")
    return re.sub(r"[^0-9A-Za-z]+", "-", tail)


@pytest.mark.parametrize("name", GOOD_PAGES)
def test_fixture_page_matches_golden(name: str, update_golden: bool) -> None:
    url = f"https://www.mofcom.gov.cn/fixtures/{name}.html"
    doc = article_document((PAGES / f"{name}.html").read_bytes(), url, source="fixture")
    check(GOLDEN_DIR / "pages" / f"{name}.json", derived(doc, with_text=True), update_golden)


@pytest.mark.parametrize("name", ERROR_PAGES)
def test_error_page_matches_golden(name: str, update_golden: bool) -> None:
    url = f"https://www.mofcom.gov.cn/fixtures/{name}.html"
    with pytest.raises(ParseError) as caught:
        article_document((PAGES / f"{name}.html").read_bytes(), url, source="fixture")
    actual = {
        "error": type(caught.value).__name__,
        "source": caught.value.source,
        "reason": caught.value.reason,
    }
    check(GOLDEN_DIR / "pages" / f"{name}.json", actual, update_golden)


def test_every_fixture_page_has_a_golden_file() -> None:
    assert sorted(p.stem for p in PAGES.glob("*.html")) == sorted(GOOD_PAGES + ERROR_PAGES)


def test_corpus_records_match_golden(corpus_notices: list[dict], update_golden: bool) -> None:
    slugs = [corpus_slug(r["source_url"]) for r in corpus_notices]
    assert len(set(slugs)) == len(slugs) == 50
    for record, slug in zip(corpus_notices, slugs, strict=True):
        doc = build_document(fields_of(record))
        check(GOLDEN_DIR / "corpus" / f"{slug}.json", derived(doc), update_golden)
    if not update_golden:
        stored = {p.stem for p in (GOLDEN_DIR / "corpus").glob("*.json")}
        assert stored == set(slugs), "golden files for records no longer in the corpus"
