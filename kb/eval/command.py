"""What `mofcom-kb eval` does, kept out of kb/cli.py so the CLI stays a thin layer."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import click

from kb.errors import KbError
from kb.eval import baseline as naive
from kb.eval import gate, report
from kb.eval.gold import GOLD_DIR, SPLIT_FILE, GoldDoc, gold_data_sha256, load_gold_file, load_split
from kb.eval.scoring import Scores
from kb.evaluate import DEFAULT_CORPUS, evaluate, pipeline_extractor


@dataclass(frozen=True)
class EvalOptions:
    split: str = "dev"
    gold_files: tuple[Path, ...] = ()
    corpus: Path | None = None
    as_json: bool = False
    errors: bool = False
    with_baseline: bool = False
    markdown: bool = False
    update_floors: bool = False
    allow_lower: str | None = None
    # Where the gold data and the floors live (tests point these at tmp_path).
    gold_dir: Path = GOLD_DIR
    split_file: Path = SPLIT_FILE
    floors_file: Path = gate.BASELINE_FILE


def _golds(opts: EvalOptions) -> tuple[list[GoldDoc], str]:
    if not opts.gold_files:
        return load_split(opts.split, opts.split_file, opts.gold_dir), opts.split
    paths: list[Path] = []
    for path in opts.gold_files:
        paths += sorted(path.glob("*.json")) if path.is_dir() else [path]
    names = [p.name if p.is_dir() else p.stem for p in opts.gold_files]
    label = ", ".join(names) if len(names) <= 2 else f"{len(names)} given files"
    return [load_gold_file(p) for p in paths], label


def run(opts: EvalOptions) -> None:
    if opts.update_floors and (opts.gold_files or opts.split != "dev"):
        raise click.UsageError("--update-floors pins the dev split: drop --gold / --split")
    if opts.allow_lower is not None and not opts.update_floors:
        raise click.UsageError("--allow-lower only makes sense with --update-floors")
    corpus = opts.corpus or DEFAULT_CORPUS
    if not corpus.is_file():
        raise KbError(f"{corpus}: corpus snapshot not found (pass --corpus FILE)")
    started = time.perf_counter()
    golds, label = _golds(opts)
    if not golds:
        raise KbError(f"no gold documents to score ({label})")
    scores = evaluate(golds, pipeline_extractor(), corpus)
    base: Scores | None = None
    if opts.with_baseline or opts.markdown:
        base = evaluate(golds, naive.extract, corpus)
    elapsed = time.perf_counter() - started

    gold_hash = gold_data_sha256(opts.gold_dir, opts.split_file)
    if opts.update_floors:
        new = gate.update(gate.load(opts.floors_file), scores.f1(), gold_hash, opts.split, opts.allow_lower)
        gate.write(new, opts.floors_file)
        click.echo(f"{opts.floors_file}: {len(new['floors'])} floors pinned (gold {gold_hash[:12]}…)", err=True)
    verdict = _gate_verdict(opts, scores, gold_hash) if not opts.gold_files and opts.split == "dev" else None
    if opts.markdown:
        assert base is not None
        click.echo(report.markdown(scores, base, label), nl=False)
    elif opts.as_json:
        out = {"split": label, "seconds": round(elapsed, 2), "gate": verdict,
               "extractor": scores.to_json(opts.errors)}
        if base is not None:
            out["baseline"] = base.to_json(opts.errors)
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        report.print_table(scores, base, f"mofcom-kb eval — {label}: {len(golds)} documents, {elapsed:.1f}s")
        if verdict is not None:
            click.echo(f"gate: {verdict}")
        if opts.errors:
            for line in report.error_lines(scores):
                click.echo(line)


def _gate_verdict(opts: EvalOptions, scores: Scores, gold_hash: str) -> str:
    """One line on the floors: met, missed (which), or not comparable (gold changed since pinning)."""
    pinned = gate.load(opts.floors_file)
    if pinned is None:
        return f"no floors pinned yet ({opts.floors_file}); run with --update-floors"
    if pinned["gold_sha256"] != gold_hash:
        return "gold data changed since the floors were pinned; re-pin with --update-floors"
    failures = gate.check(pinned, scores.f1())
    if failures:
        return f"{len(failures)} below floor: " + "; ".join(str(f) for f in failures)
    return f"all {len(pinned['floors'])} floors met"
