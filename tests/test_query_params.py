"""A canned query with a bad or missing date answers 400 with a message naming the parameter."""

from __future__ import annotations

import httpx


def test_bad_date_is_a_400_naming_the_parameter(served_kb: str) -> None:
    r = httpx.get(f"{served_kb}/mofcom/controlled_on.json", params={"date": "2026-13-45"})
    assert r.status_code == 400 and "date" in r.json()["error"] and "2026-13-45" in r.json()["error"]


def test_missing_date_is_a_400(served_kb: str) -> None:
    r = httpx.get(f"{served_kb}/mofcom/status_on.json")
    assert r.status_code == 400 and "parameter date is missing" in r.json()["error"]
    assert httpx.get(f"{served_kb}/mofcom/new_documents").status_code == 400


def test_good_date_answers(served_kb: str) -> None:
    r = httpx.get(f"{served_kb}/mofcom/controlled_on.json", params={"date": "2026-01-01", "_shape": "array"})
    assert r.status_code == 200 and r.json()
    assert httpx.get(f"{served_kb}/mofcom/suspended_or_expiring.json").status_code == 200


def test_document_page_has_a_json_twin(served_kb: str) -> None:
    from urllib.parse import quote

    r = httpx.get(f"{served_kb}/-/document/{quote('商务部公告2025年第61号', safe='')}.json")
    assert r.status_code == 200
    data = r.json()
    assert data["doc"]["doc_number"] == "商务部公告2025年第61号" and data["periods"] and data["marks"]
