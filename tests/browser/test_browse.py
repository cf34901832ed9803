"""A reader's path through the served knowledge base, in Chromium: search 稀土, open 2025 No. 61,
see its facts highlighted, follow the relation to No. 70, see the timeline chart render.
Screenshots of the home page, a document page and the timeline go to tests/artifacts/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.corpus]

N61 = "商务部公告2025年第61号"
N70 = "商务部公告2025年第70号"


def no_page_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def test_search_open_no_61_follow_relation_to_no_70(page: Any, served_kb: str, screenshots: Path) -> None:
    errors = no_page_errors(page)
    page.goto(served_kb + "/")
    assert "出口管制知识库" in page.locator("h1").inner_text()
    page.screenshot(path=str(screenshots / "home.png"), full_page=True)

    page.fill("#kb-q", "稀土")
    page.click("form.kb-search button[type=submit]")
    page.wait_for_url(re.compile(r"/-/search\?q="))
    results = page.locator("li.kb-result")
    assert results.count() >= 3
    result_61 = page.locator(f'li.kb-result[data-document="{N61}"] a.kb-result-title')
    assert result_61.count() == 1
    assert "稀土" in page.locator(f'li.kb-result[data-document="{N61}"] .kb-snippet mark').first.inner_text()

    result_61.click()
    page.wait_for_url(re.compile(r"/-/document/"))
    assert unquote(page.url).endswith(N61)
    assert N61 in page.locator(".kb-doc-number").inner_text()
    marks = page.locator(".kb-text mark.fact")
    assert marks.count() >= 3
    threshold = page.locator(".kb-text mark.fact-threshold").first
    assert "0.1%" in threshold.inner_text()
    # Highlighted for real: the mark has a background colour, unlike the surrounding text.
    background = threshold.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.locator("a.kb-official").get_attribute("href").startswith("https://exportcontrol.mofcom.gov.cn/")
    page.screenshot(path=str(screenshots / "document-2025-61.png"), full_page=True)

    page.locator(".kb-relation-in a", has_text=N70).first.click()
    page.wait_for_url(re.compile(r"/-/document/"))
    assert unquote(page.url).endswith(N70)
    relation_marks = page.locator(".kb-text mark.fact-relation")
    assert relation_marks.count() >= 6
    assert "暂停实施" in page.locator("ul.kb-relations").inner_text()
    assert errors == []


def test_timeline_chart_renders(page: Any, served_kb: str, screenshots: Path) -> None:
    errors = no_page_errors(page)
    page.goto(served_kb + "/-/timeline")
    chart = page.locator("#kb-timeline")
    chart.locator("svg rect.period").first.wait_for()
    lanes = int(chart.get_attribute("data-rendered") or "0")
    assert lanes >= 10
    assert chart.locator("svg g.lane").count() == lanes
    suspended = chart.locator(f'g.lane[data-document="{N61}"] rect.status-suspended')
    assert suspended.count() >= 1
    box = suspended.first.bounding_box()
    assert box and box["width"] > 20  # 2025-11-07 → 2026-11-11 is a visible bar
    counts = page.locator("#kb-timeline-counts")
    assert counts.locator("svg path.count-line").count() == 2
    assert int(counts.get_attribute("data-rendered") or "0") >= 3
    page.screenshot(path=str(screenshots / "timeline.png"), full_page=True)

    page.fill("#kb-code", "1C909")
    page.click("text=查看 Show")
    page.wait_for_url(re.compile(r"/-/code/1C909$"))
    page.locator("#kb-code-timeline svg rect.period").first.wait_for()
    assert "1C909" in page.locator("h1").inner_text()
    assert errors == []
