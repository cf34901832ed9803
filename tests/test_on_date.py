"""`mofcom-kb on DATE`: the point-in-time answer from the command line, over the built corpus."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from kb.cli import cli


def run_on(built_kb: Path, tmp_path: Path, *args: str) -> dict:
    shutil.copy(built_kb, tmp_path / "mofcom.db")
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "on", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def statuses_of(answer: dict, document: str) -> set[tuple[str | None, str]]:
    return {(s["part"], s["status"]) for s in answer["statuses"] if s["document_id"] == document}


def test_no57_codes_published_then_suspended_then_in_force(built_kb: Path, tmp_path: Path) -> None:
    no57 = "商务部公告2025年第57号"
    before = run_on(built_kb, tmp_path, "2025-10-20", "--code", "1C909")
    assert statuses_of(before, no57) == {(None, "published_not_effective")}
    assert before["controls"] == []
    suspended = run_on(built_kb, tmp_path, "2026-01-15", "--code", "1C909")
    assert statuses_of(suspended, no57) == {(None, "suspended")}
    assert suspended["controls"] == []
    after = run_on(built_kb, tmp_path, "2026-12-01", "--code", "1C909")
    assert {c["control_code"] for c in after["controls"]} >= {"1C909.a", "1C909.b", "1C909.c"}
    assert {c["document_id"] for c in after["controls"]} == {no57}


def test_no_database_is_a_one_line_failure(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "on", "2026-01-01"])
    assert result.exit_code != 0
    assert "mofcom-kb build" in str(result.exception)
