"""Clauses (items, end uses, exemptions, obligations) and the training of the clause model: only
train documents are read, gold offsets are re-found in the normalised text, the committed model
loads and reads only the candidate sentences."""

from __future__ import annotations

import json
from pathlib import Path

import spacy

from ingest.document import Document
from kb.extract import extract
from kb.extract.clauses import LABEL_KINDS, candidate_sentences, category_of
from kb.extract.pipeline import MODEL_DIR, shared_pipeline
from kb.extract.train import GoldSpan, locate, train_stems, window_docs

TEXT = ("一、用于研发14纳米及以下逻辑芯片的出口申请，逐案审批。\n"
        "二、最终用途为紧急医疗等人道主义救援的出口申请，无需申请许可。\n"
        "三、本段只是背景介绍。\n")


def test_train_stems_never_include_a_dev_stem(tmp_path: Path) -> None:
    (tmp_path / "split.json").write_text(json.dumps({"train": ["a", "b", "c"], "dev": ["b", "d"]}), encoding="utf-8")
    assert train_stems(tmp_path) == ["a", "c"]


def test_gold_offsets_are_refound_when_normalisation_shifted_them() -> None:
    text = "前言\n第一条 出口经营者应当申请许可。"
    assert locate(text, {"label": "OBLIGATION", "start": 4, "end": 14, "text": "出口经营者应当申请许可"}) == \
        GoldSpan("OBLIGATION", 7, 18, "出口经营者应当申请许可")
    assert locate(text, {"label": "ITEM", "start": 0, "end": 2, "text": "不存在"}) is None


def test_training_windows_carry_gold_entities() -> None:
    spans = [GoldSpan("END_USE", TEXT.index("研发"), TEXT.index("芯片") + 2, "研发14纳米及以下逻辑芯片")]
    docs = window_docs(spacy.blank("zh"), TEXT, spans)
    labelled = [(e.text, e.label_) for d in docs for e in d.ents]
    assert labelled == [("研发14纳米及以下逻辑芯片", "END_USE")]


def test_model_reads_only_sentences_with_category_words() -> None:
    windows = [TEXT[a:b] for a, b in candidate_sentences(TEXT)]
    assert windows == [TEXT.splitlines()[0].rstrip("。"), TEXT.splitlines()[1].rstrip("。")]
    assert category_of("人道主义救援", "exemption") == "humanitarian"
    assert category_of("14纳米及以下逻辑芯片", "end_use") == "advanced_chips"


def test_committed_model_is_small_and_labelled() -> None:
    assert (MODEL_DIR / "config.cfg").is_file()
    size = sum(p.stat().st_size for p in MODEL_DIR.rglob("*") if p.is_file())
    assert size < 5_000_000
    model = shared_pipeline().get_pipe("mofcom_clauses").model  # type: ignore[attr-defined]
    assert set(model.get_pipe("ner").labels) == set(LABEL_KINDS)
    training = json.loads((MODEL_DIR / "training.json").read_text(encoding="utf-8"))
    split = json.loads((MODEL_DIR.parents[2] / "annotations" / "split.json").read_text(encoding="utf-8"))
    assert not set(training["train_documents"] + training["held_out_documents"]) & set(split["dev"])


def test_every_exemption_and_end_use_sentence_yields_a_clause() -> None:
    doc = Document(doc_id="s", doc_type="announcement", title="样例", text=TEXT, source="test")
    clauses = extract(doc).clauses
    kinds = {(c.kind, c.category) for c in clauses}
    assert ("exemption", "humanitarian") in kinds
    assert ("end_use", "advanced_chips") in kinds
    assert all(TEXT[c.span.start : c.span.end] == c.span.text == c.text for c in clauses)
    assert not [c for c in clauses if c.span.start >= TEXT.index("三、")]


def test_rule_read_clauses_follow_the_guideline_edges() -> None:
    text = ("五、最终用途为紧急医疗等人道主义救援的出口申请，无需申请许可，但应当在出口后报告；"
            "出口经营者不得转让上述物项。\n")
    doc = Document(doc_id="s", doc_type="announcement", title="样例", text=text, source="test")
    got = {(c.kind, c.text) for c in extract(doc).clauses if c.kind in ("exemption", "obligation")}
    assert ("exemption", "最终用途为紧急医疗等人道主义救援的出口申请，无需申请许可") in got  # no 五、, stops before ，但
    assert all(not t.startswith("五、") and not t.endswith(("；", "。")) for _k, t in got)


def test_two_labels_on_one_span_keep_their_own_kinds() -> None:
    text = "二、特殊情况下确需出口的，出口经营者应当向商务部提出申请。\n"
    doc = Document(doc_id="s", doc_type="announcement", title="样例", text=text, source="test")
    kinds = {(c.kind, c.category) for c in extract(doc).clauses}
    assert ("exemption", "derogation") in kinds


def test_sentences_with_only_rule_only_words_skip_the_model_but_keep_a_rule_clause() -> None:
    from kb.extract.clauses import _worth_the_model

    text = "禁止出口经营者对上述实体出口两用物项。\n"
    assert not _worth_the_model(text)
    assert _worth_the_model("出口经营者应当向商务部申请许可")
    doc = Document(doc_id="s", doc_type="announcement", title="样例", text=text, source="test")
    assert [(c.kind, c.text) for c in extract(doc).clauses] == [("obligation", "禁止出口经营者对上述实体出口两用物项")]


def test_duties_split_at_a_new_prohibition_and_derogations_are_exemptions_only() -> None:
    text = ("一、禁止出口经营者向上述实体出口两用物项，禁止境外组织和个人将两用物项转移给上述实体。\n"
            "二、特殊情况下确需出口的，出口经营者应当向商务部提出申请。\n")
    doc = Document(doc_id="s", doc_type="announcement", title="样例", text=text, source="test")
    got = [(c.kind, c.text) for c in extract(doc).clauses]
    assert ("obligation", "禁止出口经营者向上述实体出口两用物项") in got
    assert ("obligation", "禁止境外组织和个人将两用物项转移给上述实体") in got
    assert ("exemption", "特殊情况下确需出口的，出口经营者应当向商务部提出申请") in got
    assert not [t for k, t in got if k == "obligation" and t.startswith("特殊情况")]


def test_end_uses_count_only_where_a_rule_turns_on_them() -> None:
    text = ("两用物项是指可以用于设计大规模杀伤性武器及其运载工具的货物\n"
            "三、用于以下最终用途的出口申请，原则上不予许可：\n（一）恐怖主义目的；\n")
    doc = Document(doc_id="s", doc_type="faq", title="样例", text=text, source="test")
    end_uses = [c.text for c in extract(doc).clauses if c.kind == "end_use"]
    assert "恐怖主义目的" in end_uses  # its list's introduction says 不予许可
    assert not [t for t in end_uses if t.startswith("两用物项是指")]  # a definition turns nothing


def test_faq_scope_answers_exempt_but_questions_do_not() -> None:
    text = ("1.偏钨酸铵是否属于此次列管的两用物项管制范围？\n答：偏钨酸铵是钨的酸性化合物，不属于此次列管的两用物项管制范围。\n"
            "2.哪些物项属于管制范围？\n答：仲钨酸铵、氧化钨与其他物项的简单混合物，未烧结金属碳化钨均属于此次列管的两用物项管制范围。\n")
    doc = Document(doc_id="s", doc_type="faq", title="问答", text=text, source="test")
    got = {(c.kind, c.text) for c in extract(doc).clauses if c.kind in ("item", "exemption")}
    assert ("exemption", "偏钨酸铵是钨的酸性化合物，不属于此次列管的两用物项管制范围") in got
    assert not [t for _k, t in got if "是否" in t or t.endswith("？")]


QUESTION_FAQ = ("九、是否存在豁免情况？\n"
                "答：出于紧急医疗等人道主义救援目的的出口，无需申请许可。\n"
                "6. 获得通用许可的经营者后续需要向商务部报告什么情况？\n"
                "答：经营者应当向商务部报告出口情况。\n"
                "问：什么是禁止出口？答：禁止出口经营者向上述实体出口两用物项。\n")


def test_an_faq_question_rules_nothing_its_answer_rules() -> None:
    # a question asks: no exemption, obligation (or any clause) is read from it, whatever words it prints
    doc = Document(doc_id="s", doc_type="faq", title="问答", text=QUESTION_FAQ, source="test")
    clauses = extract(doc).clauses
    questions = [(m, QUESTION_FAQ.index("？", m) + 1) for m in
                 (QUESTION_FAQ.index("九、"), QUESTION_FAQ.index("6. "), QUESTION_FAQ.index("问："))]
    asked = [(c.kind, c.text) for c in clauses for a, b in questions if c.span.start < b and a < c.span.end]
    assert asked == []
    got = {(c.kind, c.text) for c in clauses}
    assert ("exemption", "humanitarian") in {(c.kind, c.category) for c in clauses}  # the answer exempts
    assert any(k == "obligation" and t.startswith("经营者应当向商务部报告") for k, t in got)
    assert ("obligation", "禁止出口经营者向上述实体出口两用物项") in got  # the answer after ？ on the same line


def test_a_question_is_its_question_mark_not_the_word_whether() -> None:
    from kb.extract.clauses import asked_until

    duty = "出口经营者应当向商务部报告物项是否被用于恐怖主义目的。\n"  # 是否 inside a duty asks nothing
    doc = Document(doc_id="s", doc_type="faq", title="问答", text=duty, source="test")
    assert any(c.kind == "obligation" for c in extract(doc).clauses)
    line = "问：是否需要申请？答：应当申请。"
    assert asked_until(line, 0, len(line)) == line.index("答")
    assert asked_until(line, 0, line.index("？")) == 0  # a sentence without its mark asks nothing
    url = "详见https://example.invalid/list?id=1，出口经营者应当申请许可"
    assert asked_until(url, 0, len(url)) == 0
    assert asked_until("是否豁免?", 0, 5) == 5  # a half-width question mark ends a question too
