"""Gold annotation files: load them, pick a split, find each one's corpus record, hash the set.

A gold file annotates one corpus record, pinned by the sha256 of the record's raw `text`
(annotations/README.md gives the format). A gold file whose hash matches no record means the
text changed under the annotation: that is refused, never scored.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.errors import KbError
from kb.paths import REPO_ROOT

ANNOTATIONS_DIR = REPO_ROOT / "annotations"
GOLD_DIR = ANNOTATIONS_DIR / "gold"
SPLIT_FILE = ANNOTATIONS_DIR / "split.json"
SPLITS = ("dev", "train", "all")
REQUIRED_KEYS = ("source_url", "text_sha256", "facts", "spans")


class GoldError(KbError):
    """A gold file that cannot be used: unreadable, malformed, or annotating another text."""


@dataclass(frozen=True)
class GoldDoc:
    stem: str  # file name without .json, the key used by split.json
    path: Path
    data: dict[str, Any]

    @property
    def source_url(self) -> str | None:
        """None for a record printed with no URL (its text hash then finds it: `record_key`)."""
        url = self.data["source_url"]
        return str(url) if url else None

    @property
    def record_key(self) -> str:
        return self.source_url or url_less_key(self.text_sha256)

    @property
    def text_sha256(self) -> str:
        return str(self.data["text_sha256"])

    @property
    def facts(self) -> dict[str, Any]:
        return dict(self.data.get("facts") or {})

    @property
    def spans(self) -> list[dict[str, Any]]:
        return list(self.data.get("spans") or [])


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_gold_file(path: Path) -> GoldDoc:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GoldError(f"{path}: not a readable gold JSON file ({exc})") from exc
    if not isinstance(data, dict):
        raise GoldError(f"{path}: a gold file holds one JSON object")
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise GoldError(f"{path}: missing {', '.join(missing)}")
    return GoldDoc(stem=path.stem, path=path, data=data)


def load_split(split: str, split_file: Path = SPLIT_FILE, gold_dir: Path = GOLD_DIR) -> list[GoldDoc]:
    """The gold documents of one split (`all`: every gold file, in or out of split.json)."""
    if split not in SPLITS:
        raise GoldError(f"unknown split {split!r} (one of {', '.join(SPLITS)})")
    files = sorted(gold_dir.glob("*.json"))
    if split == "all":
        return [load_gold_file(p) for p in files]
    try:
        stems = json.loads(split_file.read_text(encoding="utf-8"))[split]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise GoldError(f"{split_file}: no usable {split!r} list ({exc})") from exc
    by_stem = {p.stem: p for p in files}
    absent = [s for s in stems if s not in by_stem]
    if absent:
        raise GoldError(f"{split_file}: {split} names gold files that do not exist: {', '.join(absent)}")
    return [load_gold_file(by_stem[s]) for s in stems]


def gold_data_sha256(gold_dir: Path = GOLD_DIR, split_file: Path = SPLIT_FILE) -> str:
    """One hash over every gold file (sorted by name) and the split: any edit to either changes it."""
    digest = hashlib.sha256()
    paths = sorted(gold_dir.glob("*.json")) + ([split_file] if split_file.exists() else [])
    for path in paths:
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def url_less_key(sha256: str) -> str:
    """How a corpus record with no source_url is keyed (and named where a URL would stand)."""
    return f"urn:sha256:{sha256}"


def load_corpus(path: Path) -> dict[str, dict[str, Any]]:
    """Corpus records (JSON Lines) by source_url; a record without one by `url_less_key` of its text."""
    records: dict[str, dict[str, Any]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: cannot read the corpus snapshot ({exc})") from exc
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldError(f"{path}:{lineno}: not JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            continue
        if record.get("source_url"):
            records[str(record["source_url"])] = record
        elif isinstance(record.get("text"), str):
            records[url_less_key(text_sha256(record["text"]))] = record
    return records


def record_for(gold: GoldDoc, corpus: dict[str, dict[str, Any]], corpus_path: Path) -> dict[str, Any]:
    """The corpus record a gold file annotates; refuses a missing record or a changed text."""
    record = corpus.get(gold.record_key)
    if record is None:
        raise GoldError(f"{gold.path}: {gold.record_key} is not in {corpus_path}")
    actual = text_sha256(str(record.get("text", "")))
    if actual != gold.text_sha256:
        raise GoldError(
            f"{gold.path}: text_sha256 {gold.text_sha256[:12]}… does not match the text of "
            f"{gold.record_key} in {corpus_path} ({actual[:12]}…): the text changed, re-annotate"
        )
    return record
