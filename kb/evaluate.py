"""Score an extractor against gold annotations: gold file → corpus record → Document → Facts → scores.

The library behind `mofcom-kb eval`. Each gold file's record is found in a corpus snapshot by
source_url and refused if its text no longer hashes to the gold's text_sha256; the record is
parsed exactly as the pipeline parses it (`ingest.sources.snapshot.parse`), then extracted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ingest.document import Document
from ingest.sources import snapshot
from kb.errors import KbError
from kb.eval.gold import GoldDoc, load_corpus, record_for, text_sha256, url_less_key
from kb.eval.keys import gold_keys, metric_names, predicted_keys
from kb.eval.scoring import Scores
from kb.eval.spans import gold_spans, labels, predicted_spans
from kb.facts import Facts
from kb.paths import SHARED_CORPUS

Extractor = Callable[[Document], Facts]
DEFAULT_CORPUS = SHARED_CORPUS / "exportcontrol-notices.jsonl"


def parse_record(record: dict[str, Any]) -> Document:
    """Parse one snapshot record the way `mofcom-kb import` + `build` would; a record printed without a
    source_url is named by its text hash (the gold file keys it the same way)."""
    if not record.get("source_url"):
        record = {**record, "source_url": url_less_key(text_sha256(str(record.get("text", ""))))}
    return snapshot.parse_data(record)


def pipeline_extractor() -> Extractor:
    """The team's extractor, `kb.extract.extract` (imported here: it loads spaCy)."""
    from kb.extract import extract

    return extract


def score_document(scores: Scores, gold: GoldDoc, doc: Document, raw_text: str, facts: Facts) -> None:
    gold_k, pred_k = gold_keys(gold.facts), predicted_keys(facts)
    for metric in metric_names():
        scores.add_keys(gold.stem, metric, gold_k[metric], pred_k[metric])
    g_spans, p_spans = gold_spans(gold.spans), predicted_spans(facts, doc.text, raw_text)
    for label in labels():
        scores.add_spans(gold.stem, label, [s for s in g_spans if s.label == label],
                         [s for s in p_spans if s.label == label])


def evaluate(golds: Sequence[GoldDoc], extractor: Extractor, corpus_path: Path = DEFAULT_CORPUS) -> Scores:
    corpus = load_corpus(corpus_path)
    scores = Scores()
    for gold in golds:
        record = record_for(gold, corpus, corpus_path)
        doc = parse_record(record)
        try:
            facts = extractor(doc)
        except Exception as exc:  # an extractor crash is a finding about that document, named as such
            raise KbError(f"{gold.path}: the extractor failed on {gold.record_key}: {exc!r}") from exc
        score_document(scores, gold, doc, str(record["text"]), facts)
        scores.documents.append(gold.stem)
    return scores
