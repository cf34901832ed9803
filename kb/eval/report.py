"""Printing scores: a rich table, Markdown for the README, and the list of misses and false hits."""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table

from kb.eval.scoring import Counts, Scores

# Rows the README shows: the fact types of the target first.
HEADLINE = ("doc_numbers", "dates", "dates.date_only", "control_codes", "hs_codes", "hs_codes.hs_only",
            "relations", "relations.window", "thresholds", "clause_effective", "law_references", "entities")


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def ordered_metrics(scores: Scores) -> list[str]:
    rest = sorted(m for m in scores.metrics if m not in HEADLINE)
    return [m for m in HEADLINE if m in scores.metrics] + rest


def table(scores: Scores, baseline: Scores | None, title: str) -> Table:
    out = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)  # light borders: fits 80 columns
    out.add_column("metric", no_wrap=True)
    for name in ("gold", "tp", "fp", "fn", "P", "R", "F1"):
        out.add_column(name, justify="right", no_wrap=True)
    if baseline:
        out.add_column("naive", justify="right", no_wrap=True)
    for metric in ordered_metrics(scores):
        c = scores.metrics[metric]
        row = [metric, str(c.support), str(c.tp), str(c.fp), str(c.fn), _fmt(c.precision), _fmt(c.recall), _fmt(c.f1)]
        if baseline:
            row.append(_fmt(baseline.metrics.get(metric, Counts()).f1))
        out.add_row(*row)
    return out


def print_table(scores: Scores, baseline: Scores | None, title: str, console: Console | None = None) -> None:
    (console or Console()).print(table(scores, baseline, title))


def markdown(scores: Scores, baseline: Scores, split: str) -> str:
    """The README's table: extractor beside the naive regex baseline, per metric."""
    lines = [
        f"| metric ({split}: {len(scores.documents)} documents) | gold facts | P | R | F1 | naive regex F1 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for metric in ordered_metrics(scores):
        c = scores.metrics[metric]
        b = baseline.metrics.get(metric, Counts())
        lines.append(f"| {metric} | {c.support} | {_fmt(c.precision)} | {_fmt(c.recall)} | **{_fmt(c.f1)}** "
                     f"| {_fmt(b.f1)} |")
    return "\n".join(lines) + "\n"


def error_lines(scores: Scores, metrics: Sequence[str] | None = None) -> list[str]:
    """One line per miss / false hit: `doc  metric  miss|false  value`."""
    wanted = set(metrics) if metrics else None
    return [f"{e.doc}\t{e.metric}\t{e.kind}\t{e.value}" for e in scores.errors
            if wanted is None or e.metric in wanted]
