"""The clause model's array decoder (kb/extract/greedy_ner.py) reads the same entities as spaCy's greedy parser:
on every candidate sentence of the team's samples and of the real corpus, on random slices of those texts, and
through the fallback when a batch holds what the decoder does not reproduce (preset entities)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc, Span

from kb.extract.clauses import MODEL_FORM, candidate_sentences
from kb.extract.greedy_ner import GreedyNer, entities, supported
from kb.extract.pipeline import shared_pipeline
from kb.extract.tokenizer import CharTokenizer

SAMPLES = Path(__file__).parent / "fixtures" / "kb-samples.jsonl"
BATCH = 64


def _model() -> Language:
    model = shared_pipeline().get_pipe("mofcom_clauses").model  # type: ignore[attr-defined]
    assert isinstance(model, Language)
    return model


def _windows(texts: list[str], slices: int, seed: int) -> list[str]:
    out = [t[a:b].translate(MODEL_FORM) for t in texts for a, b in candidate_sentences(t, broad=True)]
    rnd, pool = random.Random(seed), "\n".join(texts)
    for _ in range(slices):  # arbitrary cuts: entities at the edges, spaces, one-character windows
        start = rnd.randrange(len(pool) - 1)
        out.append(pool[start : start + rnd.randrange(1, 300)])
    return out


def _spacy_and_decoder(model: Language, windows: list[str]) -> tuple[list[list[tuple]], list[list[tuple]]]:
    tokenizer = CharTokenizer(model.vocab)
    reference = [[(e.start, e.end, e.label_) for e in d.ents] for d in model.pipe(windows, batch_size=BATCH)]
    decoder = supported(model)
    assert decoder is not None, "the committed clause model is no longer one the decoder reads: it would be slow"
    found = entities(model, decoder, (tokenizer(w) for w in windows), BATCH)
    return reference, [[(e.start, e.end, e.label_) for e in ents] for ents in found]


def test_decoder_reads_what_spacys_parser_reads_on_the_samples() -> None:
    texts = [json.loads(line)["text"] for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    windows = _windows(texts, slices=200, seed=5)
    reference, found = _spacy_and_decoder(_model(), windows)
    assert sum(map(len, reference)) > 20  # the comparison covers entities, not only empty readings
    assert found == reference


def test_decoder_reads_what_spacys_parser_reads_on_the_corpus(corpus_dir: Path) -> None:
    texts = [json.loads(line)["text"] for name in ("exportcontrol-notices.jsonl", "entity-list-notices.jsonl")
             for line in (corpus_dir / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    windows = _windows(texts, slices=300, seed=11)
    reference, found = _spacy_and_decoder(_model(), windows)
    assert sum(map(len, reference)) > 200
    mismatched = [(w[:60], r, f) for w, r, f in zip(windows, reference, found, strict=True) if r != f]
    assert mismatched == []


def test_a_batch_with_preset_entities_goes_to_spacys_parser() -> None:
    model = _model()
    decoder = supported(model)
    assert isinstance(decoder, GreedyNer)
    text = "出口经营者应当向国务院商务主管部门申请许可，未经许可不得出口。"
    doc = CharTokenizer(model.vocab)(text)
    doc.ents = [Span(doc, 0, 5, label="ITEM")]
    assert decoder.decode([doc]) is None
    preset = CharTokenizer(model.vocab)(text)
    preset.ents = [Span(preset, 0, 5, label="ITEM")]
    found = entities(model, decoder, [preset], BATCH)
    expected = model.get_pipe("ner")(model.get_pipe("tok2vec")(_preset(model, text)))
    assert [(e.start, e.end, e.label_) for e in found[0]] == [(e.start, e.end, e.label_) for e in expected.ents]
    assert (0, 5, "ITEM") in [(e.start, e.end, e.label_) for e in found[0]]


def _preset(model: Language, text: str) -> Doc:
    doc = CharTokenizer(model.vocab)(text)
    doc.ents = [Span(doc, 0, 5, label="ITEM")]
    return doc


@pytest.mark.parametrize("names", [["ner"], ["tok2vec"]])
def test_other_pipelines_are_left_to_spacy(names: list[str]) -> None:
    import spacy

    nlp = spacy.blank("zh")
    for name in names:
        nlp.add_pipe(name)
    assert supported(nlp) is None
