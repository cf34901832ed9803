"""Hand-built Facts for the sample notices (written by the team), so the loaders, status periods and
search are tested without the NLP pipeline. Spans are found in the real document text."""

from __future__ import annotations

from pathlib import Path

from ingest.archive import Archive
from ingest.document import Document
from ingest.snapshot_import import import_snapshot
from kb.facts import ClauseEffective, Control, DateMention, Entity, Facts, HsCode, Relation, Span, Threshold
from kb.paths import SAMPLES_DIR

REPO = Path(__file__).resolve().parent.parent
KB_SAMPLES = REPO / "tests" / "fixtures" / "kb-samples.jsonl"
N = "商务部公告2025年第{}号".format


def span(doc: Document, text: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = doc.text.index(text, start + 1)
    return Span(start, start + len(text), text)


def hand_facts(doc: Document) -> Facts:
    signed = next((line for line in doc.text.splitlines()[::-1] if line.startswith("20") and line.endswith("日")), "")
    iso = signed.replace("年", "-").replace("月", "-").replace("日", "").split("-")
    dates = (DateMention(f"{int(iso[0]):04d}-{int(iso[1]):02d}-{int(iso[2]):02d}", "signed", span(doc, signed)),) if signed else ()
    if doc.doc_id == N(70):
        window = span(doc, "自即日起至2026年11月10日")
        rels = tuple(Relation("suspends", N(n), window, start_date="2025-11-07", end_date="2026-11-10")
                     for n in (55, 56, 57, 58, 61, 62))
        return Facts(doc.doc_id, doc.doc_number, effective_date="2025-11-07", dates=dates, relations=rels)
    if doc.doc_id == N(61):
        clause = span(doc, "本公告“一（一）”和“一（二）”部分自2025年12月1日起实施")
        now = span(doc, "本公告“一（三）”部分自公布之日起实施")
        return Facts(doc.doc_id, doc.doc_number, dates=dates, clause_effective=(
            ClauseEffective("一（一）", clause, "2025-12-01"), ClauseEffective("一（二）", clause, "2025-12-01"),
            ClauseEffective("一（三）", now, None, on_publication=True)),
            thresholds=(Threshold("价值比例", ">=", 0.1, "%", span(doc, "0.1%及以上"), part="一（一）"),))
    if doc.doc_id == N(57):
        return Facts(doc.doc_id, doc.doc_number, effective_date="2025-11-08", dates=dates, controls=(
            Control("1C909.a", span(doc, "1C909.a"), item="金属钬、含钬的合金及相关制品", part="一（一）", hs_codes=("28053019",)),
            Control("1C913.a", span(doc, "1C913.a"), item="金属镱", part="二（一）", hs_codes=("28053019",))),
            hs_codes=(HsCode("28053019", 8, span(doc, "28053019"), control_code="1C909.a", part="一（一）"),))
    if doc.doc_id == N(18):
        return Facts(doc.doc_id, doc.doc_number, effective_on_publication=True, dates=dates, controls=(
            Control("1C902.a", span(doc, "1C902.a"), item="金属钐、含钐的合金及相关制品", part="一（一）",
                    hs_codes=("2805301910",)),),
            hs_codes=(HsCode("2805301910", 10, span(doc, "2805301910"), control_code="1C902.a", part="一（一）"),))
    if doc.doc_id == N(58):
        return Facts(doc.doc_id, doc.doc_number, effective_date="2025-11-08", dates=dates, entities=(
            Entity("关注名单", "add", "样例锂电实体公司", span(doc, "锂离子电池"), name_en="Sample Lithium Cell Co."),))
    return Facts(doc.doc_id, doc.doc_number, dates=dates)


def sample_archive(root: Path, with_kb_samples: bool = True) -> Archive:
    archive = Archive(root)
    import_snapshot(SAMPLES_DIR / "snapshot.jsonl", archive)
    if with_kb_samples:
        import_snapshot(KB_SAMPLES, archive)
    return archive
