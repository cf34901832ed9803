"""The researcher's pages in Chromium: the home page's coverage, today and recent changes; search with its
filters, status badges and labelled samples; the document page's status line and date picker; the review
page's links into the passage; the changes page; a code page. Screenshots of each go to
tests/artifacts/screenshots/ (home, search, document, code, timeline — by test_browse.py — and review)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.corpus]

N61, N70 = "商务部公告2025年第61号", "商务部公告2025年第70号"


def watch_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def test_home_page_coverage_today_and_changes(page: Any, served_kb: str, screenshots: Path) -> None:
    errors = watch_errors(page)
    page.goto(served_kb + "/")
    coverage = page.locator("section.kb-coverage")
    assert int(coverage.locator(".kb-big strong").inner_text()) > 10
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", coverage.locator(".kb-newest-date").inner_text())
    today = page.locator("section.kb-today")
    assert dt.date.today().isoformat() in today.locator("h2").inner_text()
    in_force = today.locator("details.kb-today-in_force")
    assert not in_force.locator("ul").is_visible()  # folded: the long list opens on demand
    in_force.locator("summary").click()
    assert in_force.locator("li a").first.is_visible()
    assert page.locator("section.kb-recent").is_visible()
    page.screenshot(path=str(screenshots / "home.png"), full_page=True)
    page.locator('section.kb-recent a[href^="/-/changes.json"]').click()
    assert "/-/changes.json" in page.url
    assert errors == []


def test_search_filters_badges_and_samples(page: Any, served_kb: str, screenshots: Path) -> None:
    errors = watch_errors(page)
    page.goto(served_kb + "/-/search")
    page.fill("#kb-q", "稀土")
    page.click("form.kb-search button[type=submit]")
    page.wait_for_url(re.compile(r"/-/search\?q="))
    results = page.locator("li.kb-result")
    assert results.count() >= 3
    flags = [("kb-result-sample" in (results.nth(i).get_attribute("class") or "")) for i in range(results.count())]
    assert flags == sorted(flags)  # samples after every real document
    assert page.locator(f'li.kb-result[data-document="{N61}"] .kb-status').count() == 1
    mark = page.locator(f'li.kb-result[data-document="{N61}"] .kb-snippet mark').first
    assert mark.inner_text() == "稀土"
    assert mark.evaluate("el => getComputedStyle(el).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    page.screenshot(path=str(screenshots / "search.png"), full_page=True)
    page.select_option("select[name=status]", "suspended")
    page.fill("input[name=on]", "2026-01-15")
    page.click("form.kb-search button[type=submit]")
    page.wait_for_url(re.compile(r"status=suspended"))
    statuses = page.locator("li.kb-result").evaluate_all("els => els.map(e => e.dataset.status)")
    assert statuses and set(statuses) == {"suspended"}
    assert page.locator(f'li.kb-result[data-document="{N61}"]').count() == 1
    assert "on=2026-01-15" in (page.locator("a", has_text="CSV").get_attribute("href") or "")
    assert errors == []


def test_document_status_line_and_date_picker(page: Any, served_kb: str, screenshots: Path) -> None:
    errors = watch_errors(page)
    page.goto(served_kb + "/-/document/" + quote(N61, safe=""))
    today_line = page.locator(".kb-status-today")
    assert today_line.get_attribute("data-date") == dt.date.today().isoformat()
    assert today_line.is_visible() and today_line.bounding_box()["y"] < 400  # the first thing on the page
    page.fill("#kb-on", "2026-01-15")
    page.click(".kb-on-form button[type=submit]")
    page.wait_for_url(re.compile(r"on=2026-01-15"))
    line = page.locator(".kb-status-on")
    assert line.get_attribute("data-status") == "suspended"
    assert "2026-11-10" in line.inner_text()
    assert page.locator(".kb-annex-missing").count() >= 1
    text = page.locator(".kb-text")
    assert text.bounding_box()["width"] > 800  # a wide, readable column
    page.screenshot(path=str(screenshots / "document-2025-61.png"), full_page=True)
    line.locator("a", has_text=N70).first.click()
    page.wait_for_url(re.compile(r"/-/document/"))
    assert unquote(page.url).endswith(N70)
    assert errors == []


def test_review_page_leads_to_the_passage(page: Any, served_kb: str, screenshots: Path) -> None:
    errors = watch_errors(page)
    page.goto(served_kb + "/-/checks")
    assert "待核对" in page.locator("h1").inner_text()
    page.screenshot(path=str(screenshots / "review.png"), full_page=True)
    checks = page.locator("tr.kb-check")
    if checks.count() == 0:
        assert page.locator(".kb-none").is_visible()
        return
    link = checks.first.locator("a").first
    href = link.get_attribute("href") or ""
    link.click()
    page.wait_for_url(re.compile(r"/-/document/.*#span-"))
    anchor = href.split("#", 1)[1]
    assert page.locator(f"#{anchor}").count() == 1
    assert page.locator(".kb-checks li.kb-check").count() >= 1
    assert errors == []


def test_changes_page_and_code_page(page: Any, served_kb: str, screenshots: Path) -> None:
    errors = watch_errors(page)
    page.goto(served_kb + "/-/changes?since=2025-11-01&until=2025-11-30")
    rows = page.locator("tr.kb-change")
    assert rows.count() >= 3
    assert page.locator(f'tr.kb-change[data-document="{N61}"] .kb-status-suspended').count() >= 1
    page.goto(served_kb + "/-/code/1C909")
    page.locator("#kb-code-timeline svg rect.period").first.wait_for()
    assert "1C909" in page.locator("h1").inner_text()
    page.screenshot(path=str(screenshots / "code-1C909.png"), full_page=True)
    assert errors == []
