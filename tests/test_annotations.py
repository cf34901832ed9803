"""Every gold annotation file is well-formed and pinned to the corpus text it annotates.

Schema checks run everywhere; checks against the text (hash, span offsets, printed codes) need
../shared/corpus and skip without it (fail in CI, see conftest).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from ingest.parse.dates import iso_day
from kb.fact_types import gold_fact_keys, span_labels
from kb.facts import ENTITY_ACTIONS, LIST_NAMES, RELATIONS

ANNOTATIONS = Path(__file__).resolve().parent.parent / "annotations"
GOLD_DIR = ANNOTATIONS / "gold"
GOLD_FILES = sorted(GOLD_DIR.glob("*.json"))
# The blind test set (annotations/blind/README.md): same format and checks, never in the split.
BLIND_DIR = ANNOTATIONS / "blind"
BLIND_FILES = sorted(BLIND_DIR.glob("*.json"))
# First contact (annotations/first-contact/README.md): texts new to the project, annotated and scored before any
# rule was changed for them; they annotate ../shared/corpus/entity-list-notices.jsonl.
FIRST_CONTACT_DIR = ANNOTATIONS / "first-contact"
FIRST_CONTACT_FILES = sorted(FIRST_CONTACT_DIR.glob("*.json"))
ANNOTATION_FILES = GOLD_FILES + BLIND_FILES + FIRST_CONTACT_FILES
SPLIT_FILE = ANNOTATIONS / "split.json"

TOP_KEYS = {
    "source_url", "title", "text_sha256", "doc_type", "doc_number", "signed_date", "effective_date",
    "effective_on_publication", "issuers", "facts", "spans", "flags", "notes",
}
FACT_KEYS = gold_fact_keys()  # each fact type's `eval.gold` key (kb/fact_types.yml)
DOC_TYPES = {"announcement", "order", "decree", "uel_notice", "law", "regulation", "faq", "catalogue", "other"}
DATE_ROLES = {"signed", "header", "effective", "window_start", "window_end", "mention"}
SPAN_LABELS = set(span_labels())
OPERATORS = {">=", ">", "<=", "<", "="}
# Relations that act on their target: a numberless law named by title may be their target (guidelines).
ACTING_RELATIONS = {"suspends", "resumes", "amends", "repeals", "supersedes", "adjusts"}
# Canonical numbers (issue 4): 商务部公告2025年第61号, 商务部令2025年第6号,
# 不可靠实体清单工作机制公告2025年第10号, 国务院令第792号; other issuers follow the same shapes.
CANONICAL_NUMBER = re.compile(r"^[\u4e00-\u9fff]+(?:公告\d{4}年第\d+号|令\d{4}年第\d+号|令第\d+号)$")
CONTROL_CODE = re.compile(r"^\d[A-E]\d{3}(?:\.[a-z0-9]+)*$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
# The notice columns of the corpus: every record in them must have a gold file (issue 8).
NOTICE_COLUMNS = {"管制清单", "规章及规范性文件"}


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def iso_date(value: Any) -> bool:
    return iso_day(value) is not None


def optional_date(value: Any) -> bool:
    return value is None or iso_date(value)


def schema_errors(gold: dict[str, Any]) -> list[str]:
    """Everything wrong with one gold file that can be told without the corpus."""
    errors: list[str] = []
    if set(gold) != TOP_KEYS:
        return [f"top-level keys differ: missing {TOP_KEYS - set(gold)}, extra {set(gold) - TOP_KEYS}"]
    facts = gold["facts"]
    if not isinstance(facts, dict) or set(facts) != FACT_KEYS:
        return [f"facts keys differ: {sorted(facts) if isinstance(facts, dict) else facts!r}"]
    if not SHA256.match(str(gold["text_sha256"])):
        errors.append("text_sha256 is not 64 lowercase hex digits")
    if gold["doc_type"] not in DOC_TYPES:
        errors.append(f"unknown doc_type {gold['doc_type']!r}")
    if not isinstance(gold["title"], str) or not gold["title"]:
        errors.append("title must be a non-empty string")
    # null only for a record printed without a URL (the text hash then finds it)
    if gold["source_url"] is not None and (not isinstance(gold["source_url"], str) or not gold["source_url"]):
        errors.append("source_url must be a non-empty string or null")
    for key in ("signed_date", "effective_date"):
        if not optional_date(gold[key]):
            errors.append(f"{key} {gold[key]!r} is not an ISO date or null")
    if not isinstance(gold["effective_on_publication"], bool):
        errors.append("effective_on_publication must be a bool")
    if not all(isinstance(i, str) and i for i in gold["issuers"]):
        errors.append("issuers must be non-empty strings")
    if not isinstance(gold["notes"], str) or not all(isinstance(f, str) for f in gold["flags"]):
        errors.append("notes must be a string and flags a list of strings")

    numbers = facts["doc_numbers"]
    for n in numbers:
        if not CANONICAL_NUMBER.match(n):
            errors.append(f"doc number {n!r} is not canonical")
    if gold["doc_number"] is not None and gold["doc_number"] not in numbers:
        errors.append(f"own number {gold['doc_number']} missing from facts.doc_numbers")
    for d in facts["dates"]:
        if set(d) != {"date", "role"} or not iso_date(d["date"]) or d["role"] not in DATE_ROLES:
            errors.append(f"bad date fact {d}")
    codes = facts["control_codes"]
    for c in codes:
        if not CONTROL_CODE.match(c):
            errors.append(f"control code {c!r} is not normalised ASCII")
    for c in facts["controlled_codes"]:
        if c not in codes:
            errors.append(f"controlled code {c!r} is not among the control codes printed")
    for h in facts["hs_codes"]:
        if set(h) != {"hs_code", "digits", "control_code"}:
            errors.append(f"bad hs fact keys {h}")
            continue
        if not re.fullmatch(r"\d{8}|\d{10}", h["hs_code"]) or h["digits"] != len(h["hs_code"]):
            errors.append(f"hs number {h['hs_code']!r} with digits {h['digits']}")
        if h["control_code"] is not None and h["control_code"] not in codes:
            errors.append(f"hs number {h['hs_code']} points at unlisted code {h['control_code']}")
    for t in facts["thresholds"]:
        if set(t) != {"control_code", "parameter", "operator", "value", "unit"}:
            errors.append(f"bad threshold keys {t}")
            continue
        if t["operator"] not in OPERATORS or isinstance(t["value"], bool) or not isinstance(t["value"], int | float):
            errors.append(f"bad threshold {t}")
        if t["control_code"] is not None and t["control_code"] not in codes:
            errors.append(f"threshold points at unlisted code {t['control_code']}")
    for r in facts["relations"]:
        if set(r) != {"relation", "target", "part", "start_date", "end_date"}:
            errors.append(f"bad relation keys {r}")
            continue
        if r["relation"] not in RELATIONS:
            errors.append(f"unknown relation {r['relation']!r}")
        if r["target"] not in numbers and not (
            r["relation"] in ACTING_RELATIONS and r["target"] in {lr["law"] for lr in facts["law_references"]}
        ):
            errors.append(f"relation target {r['target']} missing from facts.doc_numbers (or, for a numberless "
                          "law acted upon, from facts.law_references)")
        if not (optional_date(r["start_date"]) and optional_date(r["end_date"])):
            errors.append(f"relation window not ISO: {r}")
        elif r["start_date"] and r["end_date"] and r["start_date"] > r["end_date"]:
            errors.append(f"relation window ends before it starts: {r}")
    for c in facts["clause_effective"]:
        if set(c) != {"part", "date", "on_publication"} or not optional_date(c["date"]):
            errors.append(f"bad clause_effective {c}")
    for lr in facts["law_references"]:
        if set(lr) != {"law", "article"} or not re.fullmatch(r"《.+》", lr["law"]):
            errors.append(f"bad law reference {lr}")
    for e in facts["entities"]:
        if set(e) != {"list_name", "action", "name_zh", "name_en", "country"}:
            errors.append(f"bad entity keys {e}")
            continue
        if e["list_name"] not in LIST_NAMES or e["action"] not in ENTITY_ACTIONS or not e["name_zh"]:
            errors.append(f"bad entity {e}")
    for key in ("doc_numbers", "dates", "control_codes", "controlled_codes", "hs_codes", "thresholds", "relations",
                "clause_effective", "law_references", "entities"):
        seen = [json.dumps(x, ensure_ascii=False, sort_keys=True) for x in facts[key]]
        if len(seen) != len(set(seen)):
            errors.append(f"duplicate entries in facts.{key}")
    for s in gold["spans"]:
        if set(s) != {"label", "start", "end", "text"} or s["label"] not in SPAN_LABELS:
            errors.append(f"bad span {s}")
        elif not (isinstance(s["start"], int) and isinstance(s["end"], int) and 0 <= s["start"] < s["end"]):
            errors.append(f"bad span offsets {s}")
        elif len(s["text"]) != s["end"] - s["start"]:
            errors.append(f"span text length differs from its offsets: {s}")
    return errors


def test_gold_files_exist() -> None:
    assert GOLD_FILES, f"no gold files in {GOLD_DIR}"


@pytest.mark.parametrize("path", ANNOTATION_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_gold_file_schema(path: Path) -> None:
    assert schema_errors(load(path)) == []


def test_schema_check_catches_broken_files() -> None:
    good = load(GOLD_FILES[0])
    assert schema_errors(good) == []
    broken = json.loads(json.dumps(good))
    broken["signed_date"] = "2025-02-30"
    broken["facts"]["relations"] = [{"relation": "cancels", "target": "公告61", "part": None,
                                     "start_date": None, "end_date": None}]
    broken["facts"]["control_codes"] = ["1C117．d"]
    broken["spans"] = [{"label": "PERSON", "start": 3, "end": 1, "text": "x"}]
    errors = " | ".join(schema_errors(broken))
    for expected in ("signed_date", "unknown relation", "missing from facts.doc_numbers",
                     "not normalised", "bad span"):
        assert expected in errors


def record_key(record: dict) -> str:
    """A record's URL, or for one printed without a URL its text hash (as kb.eval.gold keys it)."""
    return record.get("source_url") or "urn:sha256:" + hashlib.sha256(record["text"].encode("utf-8")).hexdigest()


@pytest.fixture(scope="session")
def records_by_url(corpus_dir: Path) -> dict[str, dict]:
    records: dict[str, dict] = {}
    for name in ("exportcontrol-notices.jsonl", "entity-list-notices.jsonl"):
        for line in (corpus_dir / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                records[record_key(record)] = record
    return records


@pytest.mark.corpus
@pytest.mark.parametrize("path", ANNOTATION_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_gold_file_matches_corpus_text(path: Path, records_by_url: dict[str, dict]) -> None:
    gold = load(path)
    key = gold["source_url"] or "urn:sha256:" + gold["text_sha256"]
    record = records_by_url.get(key)
    assert record is not None, f"{path.name}: no corpus record {key}"
    text = record["text"]
    assert gold["title"] == record["title"]
    assert gold["text_sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest(), (
        f"{path.name}: the corpus text changed; re-read and re-annotate, never just update the hash"
    )
    for s in gold["spans"]:
        assert text[s["start"]:s["end"]] == s["text"], f"{path.name}: span {s} is not text[start:end]"
    printed = (record["title"] + "\n" + text).replace("．", ".")
    for code in gold["facts"]["control_codes"]:
        assert code in printed, f"{path.name}: control code {code} is not printed"
    for h in gold["facts"]["hs_codes"]:
        assert h["hs_code"] in text, f"{path.name}: HS number {h['hs_code']} is not printed"


@pytest.mark.corpus
def test_every_notice_has_gold(corpus_notices: list[dict]) -> None:
    annotated = {load(p)["text_sha256"] for p in GOLD_FILES}
    missing = [
        r["title"] for r in corpus_notices
        if r["column"] in NOTICE_COLUMNS and hashlib.sha256(r["text"].encode("utf-8")).hexdigest() not in annotated
    ]
    assert missing == []


def test_first_contact_files_annotate_texts_no_other_set_annotates() -> None:
    """The first-contact set is its own: 8 texts, none annotated in gold/ or blind/, no shared stem."""
    assert len(FIRST_CONTACT_FILES) == 8, f"expected the 8 first-contact texts in {FIRST_CONTACT_DIR}"
    others = GOLD_FILES + BLIND_FILES
    assert not {p.stem for p in FIRST_CONTACT_FILES} & {p.stem for p in others}
    hashes = {load(p)["text_sha256"] for p in others}
    assert [p.name for p in FIRST_CONTACT_FILES if load(p)["text_sha256"] in hashes] == []


def test_blind_files_exist_and_annotate_texts_without_gold() -> None:
    """A blind file annotates a text no gold file annotates, and no stem is in both sets."""
    assert BLIND_FILES, f"no blind files in {BLIND_DIR}"
    gold_hashes = {load(p)["text_sha256"] for p in GOLD_FILES}
    assert not {p.stem for p in BLIND_FILES} & {p.stem for p in GOLD_FILES}
    assert [p.name for p in BLIND_FILES if load(p)["text_sha256"] in gold_hashes] == []


def split_side(stem: str, split: dict[str, Any]) -> str:
    """The stated rule of split.json: pins first, then a salted hash of the stem decides, stem by stem."""
    if stem in split["pinned_dev"]:
        return "dev"
    if stem in split["pinned_train"]:
        return "train"
    digest = hashlib.sha256((split["salt"] + stem).encode("utf-8")).hexdigest()
    return "dev" if int(digest, 16) % 10 < split["dev_below"] else "train"


def test_split_covers_every_gold_file_once_by_its_rule() -> None:
    split = load(SPLIT_FILE)
    train, dev = set(split["train"]), set(split["dev"])
    assert not train & dev, f"in both train and dev: {train & dev}"
    stems = {p.stem for p in GOLD_FILES}
    assert train | dev == stems, f"unassigned: {stems - train - dev}; unknown: {(train | dev) - stems}"
    wrong = {s for s in stems if (s in dev) != (split_side(s, split) == "dev")}
    assert not wrong, f"not where the rule puts them: {wrong}"
    assert {"ann-2025-061", "ann-2025-070", "ann-2024-051"} <= dev


def test_split_rule_is_stated() -> None:
    split = load(SPLIT_FILE)
    assert "dev" in split["rule"] and "never train" in split["rule"]
    assert 0 < split["dev_below"] < 10 and split["salt"]
