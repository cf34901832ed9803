"""The README's generated sections (quality tables from `mofcom-kb eval --markdown`, speed tables from
bench/results/) are what bench/readme.py produces now: a hand edit, a changed score or a new bench
result without `python -m bench.readme` fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import readme

README = readme.README.read_text(encoding="utf-8")


def sections(text: str) -> list[str]:
    return [m["source"] for m in readme.SECTION.finditer(text)]


def test_the_quality_and_speed_tables_are_generated_sections() -> None:
    found = sections(README)
    for source in ("mofcom-kb eval --markdown", "mofcom-kb eval --markdown --gold annotations/blind",
                   "mofcom-kb eval --markdown --split all", "bench/results/scale_speed.json",
                   "bench/results/serve_speed.json"):
        assert source in found


def test_the_readme_is_what_the_generator_produces(corpus_dir: Path) -> None:  # eval needs the corpus texts
    fresh, changed = readme.regenerate(README)
    assert changed == [], f"README.md out of date in {changed}: run `.venv/bin/python -m bench.readme`"
    assert fresh == README


def test_a_hand_edited_table_fails_the_check(corpus_dir: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "README.md"
    dev = README.index("<!-- generated: mofcom-kb eval --markdown -->")
    edited = README[:dev] + README[dev:].replace("| law_references |", "| law_references | 1 |", 1)
    copy.write_text(edited, encoding="utf-8")
    assert readme.main(["--check", "--readme", str(copy)]) == 1
    assert "out of date: <!-- generated: mofcom-kb eval --markdown -->" in capsys.readouterr().err
    assert copy.read_text(encoding="utf-8") == edited  # --check writes nothing
    assert readme.main(["--readme", str(copy)]) == 0
    assert copy.read_text(encoding="utf-8") == README


def test_a_new_bench_result_fails_the_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    start = README.index("<!-- generated: bench/results/serve_speed.json -->")
    text = README[start:README.index(readme.END, start) + len(readme.END)]
    results = tmp_path / "results"
    results.mkdir()
    serve = (readme.RESULTS_DIR / "serve_speed.json").read_text(encoding="utf-8")
    (results / "serve_speed.json").write_text(serve.replace('"canned_search": ', '"canned_search": 1'), encoding="utf-8")
    assert readme.regenerate(text)[1] == []
    monkeypatch.setattr(readme, "RESULTS_DIR", results)
    fresh, changed = readme.regenerate(text)
    assert changed == ["bench/results/serve_speed.json"] and fresh != text


def test_unpaired_or_unknown_markers_are_errors() -> None:
    with pytest.raises(readme.ReadmeError, match="pair"):
        readme.regenerate("<!-- generated: mofcom-kb eval -->\n| a |\n", lambda s: "x\n")
    with pytest.raises(readme.ReadmeError, match="no renderer"):
        readme.regenerate(f"<!-- generated: bench/results/nope.json -->\n{readme.END}")
    with pytest.raises(readme.ReadmeError, match="neither"):
        readme.regenerate(f"<!-- generated: make bench -->\n{readme.END}")
