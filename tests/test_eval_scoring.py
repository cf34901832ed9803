"""The scorer itself: tiny gold written here against hand-made Facts, with exact expected numbers."""

from __future__ import annotations

import pytest

from kb.eval.keys import gold_keys, predicted_keys
from kb.eval.scoring import Counts, Scores
from kb.eval.spans import LabelledSpan, gold_spans, predicted_spans
from kb.facts import (
    Clause,
    Control,
    DateMention,
    DocReference,
    Facts,
    HsCode,
    LawReference,
    Relation,
    Span,
    Threshold,
)

S = Span(0, 1, "x")

GOLD_FACTS = {
    "doc_numbers": ["商务部公告2025年第70号", "商务部公告2025年第55号", "商务部公告2025年第56号"],
    "dates": [{"date": "2025-11-07", "role": "signed"}, {"date": "2026-11-10", "role": "window_end"}],
    "control_codes": ["1C902.a", "1C902.b"],
    "hs_codes": [{"hs_code": "2846901920", "digits": 10, "control_code": "1C902.b"}],
    "thresholds": [{"control_code": "1C117.c", "parameter": "钨含量", "operator": ">=", "value": 97, "unit": "%"}],
    "relations": [
        {"relation": "suspends", "target": "商务部公告2025年第55号", "part": None,
         "start_date": "2025-11-07", "end_date": "2026-11-10"},
        {"relation": "suspends", "target": "商务部公告2025年第56号", "part": None,
         "start_date": "2025-11-07", "end_date": "2026-11-10"},
    ],
    "clause_effective": [],
    "law_references": [{"law": "《中华人民共和国出口管制法》", "article": "第十二条"}],
    "entities": [],
}

FACTS = Facts(
    doc_id="商务部公告2025年第70号",
    doc_number="商务部公告2025年第70号",
    references=(DocReference("商务部公告2025年第55号", S), DocReference("商务部公告2025年第99号", S)),
    dates=(DateMention("2025-11-07", "header", S), DateMention("2026-11-10", "window_end", S),
           DateMention("2026-11-10", "window_end", S)),  # a repeat counts once
    controls=(Control("1C902.a", S), Control("1C902.c", S)),
    hs_codes=(HsCode("2846901920", 10, S, control_code=None),),
    thresholds=(Threshold("钨的质量分数", ">=", 97.0, "%", S, control_code="1C117.c"),),
    relations=(Relation("suspends", "商务部公告2025年第55号", S, start_date="2025-11-07", end_date="2026-11-10"),
               Relation("suspends", "商务部公告2025年第56号", S, start_date="2025-11-07", end_date=None),
               Relation("repeals", "《有关化学品及相关设备和技术出口管制办法》", S)),
    law_references=(LawReference("中华人民共和国出口管制法", S, article="第十二条"),),
)


def score() -> Scores:
    scores = Scores()
    gold, pred = gold_keys(GOLD_FACTS), predicted_keys(FACTS)
    for metric in gold:
        scores.add_keys("doc-a", metric, gold[metric], pred[metric])
    return scores


@pytest.mark.parametrize(
    ("metric", "tp", "fp", "fn"),
    [
        ("doc_numbers", 3, 1, 0),  # own number + references + numbered relation targets; 第99号 is false
        ("dates", 1, 1, 1),  # 11-07 printed as signed, extracted as header
        ("dates.date_only", 2, 0, 0),
        ("control_codes", 1, 1, 1),
        ("hs_codes", 0, 1, 1),  # the right HS number without its control code is not the pair
        ("hs_codes.hs_only", 1, 0, 0),
        ("thresholds", 1, 0, 0),  # the parameter's wording is not part of the key
        ("relations", 2, 1, 0),  # the repeal by title is a relation the gold does not have
        ("relations.window", 1, 2, 1),  # a window without its end date is wrong
        ("law_references", 1, 0, 0),  # 《》 added, whitespace ignored
    ],
)
def test_counts_per_metric(metric: str, tp: int, fp: int, fn: int) -> None:
    c = score().metrics[metric]
    assert (c.tp, c.fp, c.fn) == (tp, fp, fn)


def test_precision_recall_f1_exact_numbers() -> None:
    c = score().metrics["doc_numbers"]
    assert c.precision == 0.75 and c.recall == 1.0
    assert c.f1 == pytest.approx(2 * 0.75 / 1.75)
    d = score().metrics["dates"]
    assert (d.precision, d.recall, d.f1) == (0.5, 0.5, 0.5)


def test_empty_metric_has_no_score_and_one_sided_ones_score_zero() -> None:
    scores = score()
    assert scores.metrics["entities"].f1 is None
    assert scores.metrics["clause_effective"].to_json()["precision"] is None
    assert Counts(tp=0, fp=0, fn=3).f1 == 0.0
    assert Counts(tp=0, fp=2, fn=0).precision == 0.0


def test_micro_average_over_documents() -> None:
    scores = Scores()
    scores.add_keys("a", "control_codes", {("1C902.a",)}, {("1C902.a",)})
    scores.add_keys("b", "control_codes", {("3C001",), ("3C002",), ("3C003",)}, {("3C001",)})
    c = scores.metrics["control_codes"]
    assert (c.tp, c.fp, c.fn) == (2, 0, 2)
    assert c.recall == 0.5 and c.precision == 1.0


def test_errors_name_document_metric_and_value() -> None:
    errors = {(e.doc, e.metric, e.kind, str(e.value)) for e in score().errors}
    assert ("doc-a", "doc_numbers", "false", "商务部公告2025年第99号") in errors
    assert ("doc-a", "control_codes", "miss", "1C902.b") in errors
    assert ("doc-a", "dates", "miss", "['2025-11-07', 'signed']") in errors


TEXT = "出口经营者应当申请许可。用于人道主义救援的，无需申请。"


def test_spans_exact_and_overlap() -> None:
    gold = gold_spans([
        {"label": "OBLIGATION", "start": 0, "end": 11, "text": TEXT[0:11]},
        {"label": "EXEMPTION", "start": 12, "end": 27, "text": TEXT[12:27]},
    ])
    facts = Facts(doc_id="d", clauses=(
        Clause("obligation", TEXT[0:11], Span(0, 11, TEXT[0:11])),
        Clause("exemption", TEXT[14:20], Span(14, 20, TEXT[14:20])),  # inside the gold span
        Clause("end_use", TEXT[14:20], Span(14, 20, TEXT[14:20])),  # no END_USE in gold
    ))
    pred = predicted_spans(facts, TEXT, TEXT)
    scores = Scores()
    for label in ("OBLIGATION", "EXEMPTION", "END_USE"):
        scores.add_spans("d", label, [s for s in gold if s.label == label], [s for s in pred if s.label == label])
    m = scores.metrics
    assert (m["spans.OBLIGATION.exact"].tp, m["spans.OBLIGATION.exact"].fp) == (1, 0)
    assert (m["spans.EXEMPTION.exact"].tp, m["spans.EXEMPTION.exact"].fn, m["spans.EXEMPTION.exact"].fp) == (0, 1, 1)
    assert (m["spans.EXEMPTION.overlap"].tp, m["spans.EXEMPTION.overlap"].fn) == (1, 0)
    assert m["spans.END_USE.overlap"].precision == 0.0 and m["spans.END_USE.overlap"].f1 == 0.0


def test_overlap_matching_is_one_to_one() -> None:
    gold = [LabelledSpan("ITEM", 0, 10)]
    pred = [LabelledSpan("ITEM", 0, 4), LabelledSpan("ITEM", 5, 9)]
    scores = Scores()
    scores.add_spans("d", "ITEM", gold, pred)
    c = scores.metrics["spans.ITEM.overlap"]
    assert (c.tp, c.fp, c.fn) == (1, 1, 0)


def test_spans_are_carried_back_to_raw_text_when_the_parser_normalised_it() -> None:
    raw = "不 可 靠 实 体。出口经营者应当申请许可。"
    normalised = "不可靠实体。出口经营者应当申请许可。"
    start = normalised.index("出口经营者")
    facts = Facts(doc_id="d", clauses=(Clause("obligation", "x", Span(start, start + 11, "")),))
    (span,) = predicted_spans(facts, normalised, raw)
    assert raw[span.start : span.end] == "出口经营者应当申请许可"


def test_item_spans_from_control_items() -> None:
    text = "1C902.a 钐金属及其合金"
    facts = Facts(doc_id="d", controls=(Control("1C902.a", Span(0, 7, "1C902.a"), item="钐金属及其合金"),))
    (span,) = predicted_spans(facts, text, text)
    assert (span.label, text[span.start : span.end]) == ("ITEM", "钐金属及其合金")


def test_repeated_words_map_through_the_normaliser_not_the_nearest_occurrence() -> None:
    # After blank lines are dropped, the entry's 金属铒 sits nearer the heading's 金属铒 in raw offsets.
    raw = "一、金属铒、含铒的合金：" + "\n \n" * 12 + " 1. 金属铒（参考税则号列：28053019）"
    normalised = "一、金属铒、含铒的合金：\n1. 金属铒（参考税则号列：28053019）"
    start = normalised.rindex("金属铒")
    facts = Facts(doc_id="d", clauses=(Clause("item", "金属铒", Span(start, start + 3, "金属铒")),))
    (span,) = predicted_spans(facts, normalised, raw)
    assert (span.start, span.text) == (raw.rindex("金属铒"), "金属铒")
