"""The CLI: every command is documented in the README and has a working --help."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)


def test_top_level_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\s", result.output, re.M), name
    assert "--data-dir" in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_has_help_and_is_in_the_readme(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert cli.commands[name].help, f"{name} has no help text"
    assert f"`mofcom-kb {name}" in README, f"`mofcom-kb {name}` is not documented in README.md"


def test_failure_exits_nonzero_with_one_line_reason(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "kb.cli", "--data-dir", str(tmp_path), "build"],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mofcom-kb: "), proc.stderr
    assert str(tmp_path) in lines[0]


def test_usage_error_exits_2(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "kb.cli", "--data-dir", str(tmp_path), "import", str(tmp_path / "missing.jsonl")],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 2
