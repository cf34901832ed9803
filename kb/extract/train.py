"""Train the clause model (ITEM, END_USE, EXEMPTION, OBLIGATION) from the gold annotations: the
workflow declared in train.yml (inputs, config train.cfg, outputs), run here.

    .venv/bin/python -m kb.extract.train [--corpus PATH] [--max-steps N] [--out DIR]

Only the `train` stems of annotations/split.json are read: dev documents are never seen. A few
train documents, pinned in train.yml, are held out to pick the best checkpoint (training stops when
their F has not risen for the config's patience). The model's training.json records what it
was trained from (`inputs`), and `stale_reasons` says how that differs from the inputs now. The model is a small char-token
tok2vec + ner on spacy.blank("zh"). Why ner rather than spancat: obligations run to 80+
characters, beyond what an n-gram suggester proposes cheaply (a per-character IOB tagger was
tried and never beat the all-O baseline: a 7-character receptive field cannot tell a long
clause). Nested gold spans keep the longest. Trained
on the same candidate sentences the pipeline sends it at run time. Output: kb/extract/model/.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
import yaml
from spacy.cli.train import train as spacy_train
from spacy.tokens import Doc, DocBin
from spacy.util import filter_spans

from ingest.document import Document
from ingest.sources import snapshot
from kb.extract.clauses import LABEL_KINDS, MODEL_FORM, SENTENCE, candidate_sentences
from kb.extract.pipeline import MODEL_DIR
from kb.paths import REPO_ROOT, SHARED_CORPUS

ANNOTATIONS = REPO_ROOT / "annotations"
WORKFLOW_FILE = Path(__file__).resolve().with_name("train.yml")


@dataclass(frozen=True)
class GoldSpan:
    label: str
    start: int
    end: int
    text: str


class TrainingDataError(ValueError):
    pass


def train_stems(annotations: Path = ANNOTATIONS) -> list[str]:
    split = json.loads((annotations / "split.json").read_text(encoding="utf-8"))
    dev = set(split["dev"])
    stems = [s for s in split["train"] if s not in dev]
    return stems


def corpus_by_url(corpus: Path) -> dict[str, dict]:
    return {r["source_url"]: r for _line, r in snapshot.iter_snapshot(corpus)}


def _document(record: dict) -> Document:
    return snapshot.parse_data(record)


def locate(text: str, span: dict) -> GoldSpan | None:
    """The gold span in Document.text: at its offsets, else the occurrence nearest to them."""
    start, wanted = span["start"], span["text"]
    if text[start : start + len(wanted)] == wanted:
        return GoldSpan(span["label"], start, start + len(wanted), wanted)
    hits, pos = [], text.find(wanted)
    while pos >= 0:
        hits.append(pos)
        pos = text.find(wanted, pos + 1)
    if not hits:
        return None
    best = min(hits, key=lambda p: abs(p - start))
    return GoldSpan(span["label"], best, best + len(wanted), wanted)


def gold_documents(stems: list[str], corpus: Path, annotations: Path = ANNOTATIONS) -> list[tuple[str, str, list[GoldSpan]]]:
    records = corpus_by_url(corpus)
    out = []
    for stem in stems:
        gold = json.loads((annotations / "gold" / f"{stem}.json").read_text(encoding="utf-8"))
        record = records.get(gold["source_url"])
        if record is None:
            raise TrainingDataError(f"{stem}: {gold['source_url']} is not in {corpus}")
        if hashlib.sha256(record["text"].encode("utf-8")).hexdigest() != gold["text_sha256"]:
            raise TrainingDataError(f"{stem}: the corpus text changed since it was annotated")
        text = _document(record).text
        spans = [g for g in (locate(text, s) for s in gold["spans"]) if g is not None]
        out.append((stem, text, spans))
    return out


def window_docs(nlp: spacy.language.Language, text: str, spans: list[GoldSpan]) -> list[Doc]:
    """Training Docs with their gold entities: the candidate sentences the pipeline will send the
    model, and every sentence holding a gold span (so no positive example is lost to the filter)."""
    windows = set(candidate_sentences(text, broad=True))
    windows |= {(m.start(), m.end()) for m in SENTENCE.finditer(text) if any(m.start() <= s.start < m.end() for s in spans)}
    docs = []
    for a, b in sorted(windows):
        doc = nlp.make_doc(text[a:b].translate(MODEL_FORM))  # the form the pipeline sends the model
        inside = [doc.char_span(s.start - a, s.end - a, label=s.label, alignment_mode="expand")
                  for s in spans if a <= s.start and s.end <= b]
        doc.ents = filter_spans([s for s in inside if s is not None])
        docs.append(doc)
    return docs


def training_examples(stems: list[str], held: set[str], corpus: Path,
                      annotations: Path = ANNOTATIONS) -> tuple[list[Doc], list[Doc]]:
    """The training and held-out Docs of these train stems, as the model is fitted on them."""
    nlp = spacy.blank("zh")
    train_docs: list[Doc] = []
    held_docs: list[Doc] = []
    for stem, text, spans in gold_documents(stems, corpus, annotations):
        (held_docs if stem in held else train_docs).extend(window_docs(nlp, text, spans))
    return train_docs, held_docs


def examples_sha256(docs: list[Doc]) -> str:
    """The examples by content (each window's text and entities, in order). The gold and config hashes
    miss a change in how examples are made from them (the windows cut, the form the model reads, e.g.
    MODEL_FORM's bracket width): this does not, and ignores code changes that leave the examples alone."""
    digest = hashlib.sha256()
    for doc in docs:
        ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        digest.update(json.dumps([doc.text, ents], ensure_ascii=False).encode("utf-8") + b"\n")
    return digest.hexdigest()


def example_reasons(record: dict[str, Any], current: dict[str, str]) -> list[str]:
    """How the examples made now (`examples_sha256` of train and held-out) differ from the record's."""
    recorded = record.get("examples_sha256")
    if recorded is None:
        return ["the record names no training examples (trained before they were recorded)"]
    return [f"the {part} examples made now differ from those the model was trained on (the windows cut or"
            f" the form the model reads changed): retrain" for part in ("train", "held_out")
            if recorded.get(part) != current[part]]


def load_workflow(path: Path = WORKFLOW_FILE) -> dict[str, Any]:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in ("vars", "inputs", "config", "outputs"):
        if key not in workflow:
            raise TrainingDataError(f"{path}: no `{key}`")
    return dict(workflow)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def training_inputs(workflow: dict[str, Any], root: Path = REPO_ROOT, max_steps: int | None = None) -> dict[str, Any]:
    """What a model trained now would be trained from: the train stems, their gold files, the config
    and the vars (by content, so a changed gold file or config counts as a different input)."""
    annotations = root / Path(workflow["inputs"]["split"]).parent
    gold_dir = root / workflow["inputs"]["gold"]
    stems = train_stems(annotations)
    missing = [s for s in stems if not (gold_dir / f"{s}.json").is_file()]
    if missing:
        raise TrainingDataError(f"{gold_dir}: no gold file for train stems {missing}")
    return {
        "train_split": stems,
        "gold_sha256": {s: _sha256(gold_dir / f"{s}.json") for s in stems},
        "config_sha256": _sha256(root / workflow["config"]),
        "vars": {**workflow["vars"], **({"max_steps": max_steps} if max_steps is not None else {})},
    }


def stale_reasons(record: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """How a model's training record differs from the current inputs ([] when it is up to date)."""
    trained = sorted(record.get("train_documents", []) + record.get("held_out_documents", []))
    reasons = []
    if trained != sorted(current["train_split"]):
        missing = sorted(set(current["train_split"]) - set(trained))
        extra = sorted(set(trained) - set(current["train_split"]))
        reasons.append(f"trained on {len(trained)} documents, the train split has {len(current['train_split'])}"
                       f" (not trained on: {missing}; not in the split: {extra})")
    recorded = record.get("inputs")
    if recorded is None:
        return [*reasons, "the record names no inputs (trained before train.yml)"]
    changed = sorted(s for s, sha in current["gold_sha256"].items() if recorded["gold_sha256"].get(s) not in (None, sha))
    if changed:
        reasons.append(f"gold files changed since training: {changed}")
    if recorded["config_sha256"] != current["config_sha256"]:
        reasons.append("the training config changed since training")
    if recorded["vars"] != current["vars"]:
        reasons.append(f"the workflow vars changed: {recorded['vars']} → {current['vars']}")
    return reasons


def training_config(workflow: dict[str, Any], max_steps: int) -> spacy.Config:
    config = spacy.util.load_config(REPO_ROOT / workflow["config"])
    config["training"]["max_steps"] = max_steps
    return config


def held_out_stems(stems: list[str], pinned: list[str]) -> set[str]:
    """The train stems that pick the checkpoint: those pinned in train.yml (a stem added to the split is
    trained on and moves none of them). A pinned stem outside the train split is an error, never skipped:
    a held-out document gone to dev would be seen, and an empty held-out picks nothing."""
    outside = [s for s in pinned if s not in stems]
    if outside:
        raise TrainingDataError(f"train.yml vars.held_out: {outside} not in the train split")
    if len(set(pinned)) >= len(stems):
        raise TrainingDataError("train.yml vars.held_out: nothing left to train on")
    return set(pinned)


def train(corpus: Path, out: Path, max_steps: int | None = None) -> dict[str, object]:
    workflow = load_workflow()
    steps = int(max_steps if max_steps is not None else workflow["vars"]["max_steps"])
    inputs = training_inputs(workflow, max_steps=steps)
    stems = inputs["train_split"]
    held = held_out_stems(stems, list(workflow["vars"]["held_out"]))
    train_docs, held_docs = training_examples(stems, held, corpus)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        DocBin(docs=train_docs).to_disk(work / "train.spacy")
        DocBin(docs=held_docs).to_disk(work / "held.spacy")
        training_config(workflow, steps).to_disk(work / "config.cfg")
        spacy_train(work / "config.cfg", work / "output",
                    overrides={"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "held.spacy")})
        best = work / "output" / "model-best"
        meta = json.loads((best / "meta.json").read_text(encoding="utf-8"))
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(best, out)
    # the run's temporary corpus paths would make every retrain differ (and change PIPELINE_VERSION) for nothing
    saved = spacy.util.load_config(out / "config.cfg")
    saved["paths"]["train"] = saved["paths"]["dev"] = None
    saved.to_disk(out / "config.cfg")
    summary = {
        "train_documents": [s for s in stems if s not in held],
        "held_out_documents": [s for s in stems if s in held],
        "train_windows": len(train_docs),
        "labels": sorted(LABEL_KINDS),
        "held_out_scores": {k: meta.get("performance", {}).get(k) for k in ("ents_p", "ents_r", "ents_f")},
        "inputs": inputs,
        "examples_sha256": {"train": examples_sha256(train_docs), "held_out": examples_sha256(held_docs)},
    }
    (out / "training.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the clause model from annotations/ (train split only).")
    parser.add_argument("--corpus", type=Path, default=SHARED_CORPUS / "exportcontrol-notices.jsonl")
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--max-steps", type=int, default=None, help="default: train.yml vars.max_steps")
    args = parser.parse_args(argv)
    try:
        summary = train(args.corpus, args.out, args.max_steps)
    except (TrainingDataError, OSError) as exc:
        print(f"train: {exc}", file=sys.stderr)
        return 1
    from kb.extract.pipeline import pipeline_version

    print(json.dumps({**summary, "pipeline_version": pipeline_version()}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
