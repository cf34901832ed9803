"""Train the clause model (ITEM, END_USE, EXEMPTION, OBLIGATION) from the gold annotations.

    .venv/bin/python -m kb.extract.train [--corpus PATH] [--max-steps N] [--out DIR]

Only the `train` stems of annotations/split.json are read: dev documents are never seen. A few
train documents are held out to pick the best checkpoint. The model is a small char-token
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

import spacy
from spacy.cli.init_config import init_config
from spacy.cli.train import train as spacy_train
from spacy.tokens import Doc, DocBin
from spacy.util import filter_spans

from ingest.document import Document
from ingest.sources import snapshot
from kb.extract.clauses import LABEL_KINDS, MODEL_FORM, SENTENCE, candidate_sentences
from kb.extract.pipeline import MODEL_DIR
from kb.paths import REPO_ROOT, SHARED_CORPUS

ANNOTATIONS = REPO_ROOT / "annotations"
HELD_OUT_EVERY = 5  # every 5th train document picks the checkpoint, never dev documents


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


def training_config(max_steps: int) -> spacy.Config:
    config = init_config(lang="zh", pipeline=["ner"], optimize="efficiency")
    overrides = {
        # one character per token: PREFIX/SUFFIX repeat NORM, so NORM and SHAPE suffice; kept narrow
        # so the model reads ~100k chars/s on a laptop core
        "components.tok2vec.model.embed.width": 32,
        "components.tok2vec.model.embed.attrs": ["NORM", "SHAPE"],
        "components.tok2vec.model.embed.rows": [3000, 100],
        "components.tok2vec.model.encode.width": 32,
        "components.tok2vec.model.encode.depth": 3,
        "components.ner.model.hidden_width": 32,
        "training.max_steps": max_steps,
        "training.eval_frequency": 50,
        "training.patience": 3000,
        "training.batcher.size.start": 20,
        "training.batcher.size.stop": 200,
        "training.optimizer.learn_rate": 0.0005,
    }
    for dotted, value in overrides.items():
        node = config
        *path, leaf = dotted.split(".")
        for key in path:
            node = node[key]
        node[leaf] = value
    return config


def train(corpus: Path, out: Path, max_steps: int) -> dict[str, object]:
    stems = train_stems()
    documents = gold_documents(stems, corpus)
    nlp = spacy.blank("zh")
    train_docs: list[Doc] = []
    held_docs: list[Doc] = []
    for i, (_stem, text, spans) in enumerate(documents):
        (held_docs if i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1 else train_docs).extend(window_docs(nlp, text, spans))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        DocBin(docs=train_docs).to_disk(work / "train.spacy")
        DocBin(docs=held_docs).to_disk(work / "held.spacy")
        training_config(max_steps).to_disk(work / "config.cfg")
        spacy_train(work / "config.cfg", work / "output",
                    overrides={"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "held.spacy")})
        best = work / "output" / "model-best"
        meta = json.loads((best / "meta.json").read_text(encoding="utf-8"))
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(best, out)
    summary = {
        "train_documents": [s for i, (s, _t, _sp) in enumerate(documents) if i % HELD_OUT_EVERY != HELD_OUT_EVERY - 1],
        "held_out_documents": [s for i, (s, _t, _sp) in enumerate(documents) if i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1],
        "train_windows": len(train_docs),
        "labels": sorted(LABEL_KINDS),
        "held_out_scores": {k: meta.get("performance", {}).get(k) for k in ("ents_p", "ents_r", "ents_f")},
    }
    (out / "training.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the clause model from annotations/ (train split only).")
    parser.add_argument("--corpus", type=Path, default=SHARED_CORPUS / "exportcontrol-notices.jsonl")
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--max-steps", type=int, default=3000)
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
