"""Clauses: controlled items, end uses, exemptions and obligations.

A statistical span categorizer (spaCy spancat, trained offline by kb.extract.train from the gold
annotations) reads only the sentences that need it: those printing a trigger word of
patterns.yaml `clauses`, or opening a numbered part. That keeps the pipeline near rule speed.
Without a trained model the component reads those sentences by their trigger words alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kb.extract.components import Match, _write, doc_text
from kb.extract.patterns import patterns

SPANS_KEY = "sc"
LABEL_KINDS = {"ITEM": "item", "END_USE": "end_use", "EXEMPTION": "exemption", "OBLIGATION": "obligation"}
_SENTENCE = re.compile(r"[^。；;\n]+")
_PART_START = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}、|（[一二三四五六七八九十]{1,3}）|\d{1,2}[．.])")


def _triggers() -> dict[str, dict[str, list[str]]]:
    data: dict[str, dict[str, list[str]]] = patterns()["clauses"]
    return data


def category_of(text: str, kind: str) -> str | None:
    for category, words in _triggers().get(kind, {}).items():
        if any(w in text for w in words):
            return category
    return None


def candidate_sentences(text: str) -> Iterator[tuple[int, int]]:
    words = [w for kind in _triggers().values() for ws in kind.values() for w in ws]
    for m in _SENTENCE.finditer(text):
        sentence = m.group(0)
        if sentence.strip() and (_PART_START.match(sentence) or any(w in sentence for w in words)):
            yield m.start(), m.end()


class ClauseFinder:
    def __init__(self, nlp: Language, name: str, batch_size: int) -> None:
        self.name = name
        self.batch_size = batch_size
        self.model: Language | None = None

    def _statistical(self, text: str, windows: list[tuple[int, int]]) -> Iterable[Match]:
        assert self.model is not None
        texts = (text[a:b] for a, b in windows)
        for (offset, _), sdoc in zip(windows, self.model.pipe(texts, batch_size=self.batch_size), strict=True):
            for span in sdoc.spans.get(SPANS_KEY, []):
                kind = LABEL_KINDS.get(span.label_, span.label_.lower())
                value = {"kind": kind, "category": category_of(span.text, kind)}
                yield offset + span.start_char, offset + span.end_char, span.label_, value

    def _rules(self, text: str, windows: list[tuple[int, int]]) -> Iterable[Match]:
        for a, b in windows:
            sentence = text[a:b]
            for kind in ("exemption", "end_use", "obligation"):
                category = category_of(sentence, kind)
                if category:
                    lead = len(sentence) - len(sentence.lstrip())
                    label = next(k for k, v in LABEL_KINDS.items() if v == kind)
                    yield a + lead, b, label, {"kind": kind, "category": category}
                    break

    def __call__(self, doc: Doc) -> Doc:
        windows = list(candidate_sentences(doc_text(doc)))
        finder = self._statistical if self.model is not None else self._rules
        _write(doc, "clauses", finder(doc_text(doc), windows))
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        if self.model is not None:
            self.model.to_disk(path)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> ClauseFinder:
        if (Path(path) / "config.cfg").is_file():
            self.model = spacy.load(path)
        return self


@Language.factory("mofcom_clauses", default_config={"batch_size": 64})
def make_clauses(nlp: Language, name: str, batch_size: int) -> ClauseFinder:
    return ClauseFinder(nlp, name, batch_size)

