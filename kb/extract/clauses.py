"""Clauses: controlled items, end uses, exemptions and obligations.

A small statistical model (spaCy ner on char tokens, trained offline by kb.extract.train from the
gold annotations, stored in kb/extract/model/) reads only the sentences that need it: those
printing a category word of patterns.yaml `clauses` (~16% of the corpus text), which keeps the
pipeline well above 10% of bare tokenizer speed. Where the model finds no clause of a kind the
sentence's words name, the sentence itself is kept as that kind (value "rule": true); without a
model that rule reading is all there is. Items beside control codes and HS numbers come from
the linking rules (kb.extract.controls).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path

import spacy
from spacy.lang.zh import ChineseTokenizer, Segmenter
from spacy.language import Language
from spacy.tokens import Doc

from ingest.parse.part_labels import ENUMERATORS, label_pattern, label_regex
from kb.extract.components import Match, _write, doc_text
from kb.extract.greedy_ner import GreedyNer, entities, supported
from kb.extract.patterns import compiled, patterns
from kb.extract.tokenizer import CharTokenizer

LABEL_KINDS = {"ITEM": "item", "END_USE": "end_use", "EXEMPTION": "exemption", "OBLIGATION": "obligation"}
_TRAILING = "。；;：:，, \t\u3000"
SENTENCE = re.compile(r"[^。\n]+")
_PART_START = label_regex(ENUMERATORS)  # the part grammar's (ingest/parse/structure.yml)
# the clause model reads one bracket width (one character each, so offsets are kept); pages print either
MODEL_FORM = str.maketrans("()", "（）")


@cache
def _triggers() -> dict[str, dict[str, list[str]]]:
    data = patterns()["clauses"]
    return {kind: words for kind, words in data.items() if isinstance(words, dict)}  # kind → category → words


@cache
def _candidate_words(broad: bool) -> tuple[str, ...]:
    words = [w for kind in _triggers().values() for ws in kind.values() for w in ws]
    extra = list(patterns()["clauses"]["candidates"]) if broad else []
    return tuple(dict.fromkeys(words + list(patterns()["clauses"]["scope_words"]) + extra))


@cache
def _enumerator() -> re.Pattern[str]:
    """What a clause never starts with: a part label (the part grammar's) or an FAQ's 答："""
    answer = patterns()["clauses"]["answer_marker"]
    return re.compile(rf"\s*(?:{label_pattern(ENUMERATORS)}|{answer})\s*")


def _clauses(text: str, a: int, b: int) -> Iterator[tuple[int, int]]:
    """The ；-clauses of a sentence, without enumerator, surrounding space or closing punctuation."""
    pos = a
    for piece in compiled("clauses", "clause_split").split(text[a:b]):
        start, end = pos, pos + len(piece)
        pos = end + 1
        lead = _enumerator().match(text, start, end)
        start = lead.end() if lead else start
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
        if end > start:
            yield start, end


def _duties(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """A clause split where a new duty starts (…两用物项，禁止境外组织和个人…)."""
    pos = start
    for m in compiled("clauses", "duty_split").finditer(text, start, end):
        yield pos, m.start()
        pos = m.end()
    if end > pos:
        yield pos, end


def asked_until(text: str, a: int, b: int) -> int:
    """Where the sentence text[a:b] stops asking: just after its last question mark, else `a`. An FAQ
    question asks and rules nothing (是否存在豁免情况？ exempts nothing, …需要向商务部报告什么情况？ binds no
    one); the answer after it (答：…), on the same line or the next, is what rules. 是否 alone is no
    question: duties print it (需要判断经营物项是否被列入出口管制清单)."""
    end = a
    for m in compiled("clauses", "question_end").finditer(text, a, b):
        end = m.end()
    return end


def _turns(text: str) -> bool:
    return any(w in text for w in patterns()["clauses"]["end_use_turns"])


def _list_intro(text: str, start: int, reach: int = 400) -> str:
    """The line introducing the list `start` is in (三、用于…以下最终用途的出口申请，原则上不予许可：)."""
    head = text.rfind("：", max(0, start - reach), start)
    if head < 0 or text[head + 1 : start].strip("\n \t").count("\n") > 8:
        return ""
    return text[text.rfind("\n", 0, head) + 1 : head]


def category_of(text: str, kind: str) -> str | None:
    """The category whose word is printed first (四、…14纳米逻辑芯片…军事用途的人工智能 → advanced_chips)."""
    first: tuple[int, str] | None = None
    for category, words in _triggers().get(kind, {}).items():
        for word in words:
            pos = text.find(word)
            if pos >= 0 and (first is None or pos < first[0]):
                first = (pos, category)
    return first[1] if first else None


@cache
def _any_of(words: tuple[str, ...]) -> re.Pattern[str]:
    """One regex that finds any of `words` (a search instead of one `in` per word)."""
    return re.compile("|".join(re.escape(w) for w in words))


def candidate_sentences(text: str, broad: bool = False) -> Iterator[tuple[int, int]]:
    """Sentences for the clause model: those opening a numbered part or printing a category word
    (run time); `broad` adds the wider candidate words (training negatives and positives)."""
    words = _any_of(_candidate_words(broad))
    for m in SENTENCE.finditer(text):
        sentence = m.group(0)
        if sentence.strip() and ((broad and _PART_START.match(sentence)) or words.search(sentence)):
            yield m.start(), m.end()


@cache
def _model_words() -> tuple[str, ...]:
    rule_only = set(patterns()["clauses"]["rule_only"])
    return tuple(w for w in _candidate_words(False) if w not in rule_only)


def _worth_the_model(sentence: str) -> bool:
    """A sentence printing a category word other than the rule-only ones."""
    return _any_of(_model_words()).search(sentence) is not None


class ClauseFinder:
    def __init__(self, nlp: Language, name: str, batch_size: int) -> None:
        self.name = name
        self.batch_size = batch_size
        self.model: Language | None = None
        self._reader: tuple[Language, Callable[[str], Doc], GreedyNer | None] | None = None

    def _model_reader(self) -> tuple[Language, Callable[[str], Doc], GreedyNer | None]:
        """The model with how its windows are tokenized and decoded, worked out once per model."""
        assert self.model is not None
        if self._reader is None or self._reader[0] is not self.model:
            model = self.model
            # spacy.zh's char segmentation makes exactly CharTokenizer's tokens, in quadratic time
            chars = isinstance(model.tokenizer, CharTokenizer) or (
                isinstance(model.tokenizer, ChineseTokenizer) and model.tokenizer.segmenter == Segmenter.char)
            make = CharTokenizer(model.vocab) if chars else model.make_doc
            self._reader = (model, make, supported(model))
        return self._reader

    def _statistical(self, text: str, windows: list[tuple[int, int]]) -> Iterable[list[Match]]:
        model, make_doc, decoder = self._model_reader()
        docs = (make_doc(text[a:b].translate(MODEL_FORM)) for a, b in windows)
        found_ents = entities(model, decoder, docs, self.batch_size)
        for (offset, _), ents in zip(windows, found_ents, strict=True):
            found = []
            for span in ents:
                kind = LABEL_KINDS.get(span.label_, span.label_.lower())
                value = {"kind": kind, "category": category_of(span.text, kind)}
                found.append((offset + span.start_char, offset + span.end_char, span.label_, value))
            yield found

    @staticmethod
    def _rules(text: str, a: int, b: int, found: list[Match], answer_from: int) -> Iterable[Match]:
        """Each ；-clause from `answer_from` (what precedes it asks), for each kind its words name that
        the model did not find in it (exemptions and end uses matter more to users than exact clause
        edges). Guideline edges: an exemption stops before ，但…; what follows 但 is the obligation, if
        any; a derogation route (特殊情况下确需…应当…申请) is an exemption only; ，禁止… starts a new duty."""

        def model_has(kind: str, start: int, end: int) -> bool:
            return any(v["kind"] == kind and s < end and start < e for s, e, _l, v in found)

        for start, end in _clauses(text, answer_from, b):
            clause = text[start:end]
            obligation_from = start
            exemption = category_of(clause, "exemption")
            if compiled("clauses", "scope_out").search(clause):
                exemption = "out_of_scope"
            if exemption and not model_has("exemption", start, end):
                cut = compiled("clauses", "exemption_end").search(clause)
                stop = start + cut.start() if cut else end
                yield start, stop, "EXEMPTION", {"kind": "exemption", "category": exemption, "rule": True}
            if exemption:
                cut = compiled("clauses", "exemption_end").search(clause)
                obligation_from = start + cut.end() if cut else end  # nothing binds before 但
            end_use = category_of(clause, "end_use")
            turns = _turns(clause) or _turns(_list_intro(text, a))
            if end_use and turns and not model_has("end_use", start, end):
                yield start, end, "END_USE", {"kind": "end_use", "category": end_use, "rule": True}
            for o_start, o_end in _duties(text, obligation_from, end):
                duty = category_of(text[o_start:o_end], "obligation")
                if duty and not model_has("obligation", o_start, o_end):
                    yield o_start, o_end, "OBLIGATION", {"kind": "obligation", "category": duty, "rule": True}

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        windows = list(candidate_sentences(text))
        answers = {(a, b): asked_until(text, a, b) for a, b in windows}
        # the model reads the whole sentence (as in training), but only for what its answer part prints
        for_model = [w for w in windows if self.model is not None and _worth_the_model(text[answers[w] : w[1]])]
        model_found = dict(zip(for_model, self._statistical(text, for_model), strict=True)) if for_model else {}
        matches: list[Match] = []
        for a, b in windows:
            found = [m for m in model_found.get((a, b), []) if m[0] >= answers[a, b]]  # nothing from a question
            matches.extend(found)
            matches.extend(self._rules(text, a, b, found, answers[a, b]))
        _write(doc, "clauses", matches)
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

