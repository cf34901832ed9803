"""The clause model's training workflow is a file (kb/extract/train.yml: inputs, config, outputs) and
the committed model records what it was trained from: a model trained on another split, other gold or
another config is noticed here, not months later."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import spacy

from kb.extract import train
from kb.extract.pipeline import MODEL_DIR
from kb.paths import REPO_ROOT

WORKFLOW = train.load_workflow()


def record() -> dict[str, Any]:
    return json.loads((REPO_ROOT / WORKFLOW["outputs"]["record"]).read_text(encoding="utf-8"))


def test_the_workflow_names_its_inputs_config_and_outputs() -> None:
    for key in ("split", "gold"):
        assert (REPO_ROOT / WORKFLOW["inputs"][key]).exists(), key
    assert (REPO_ROOT / WORKFLOW["outputs"]["model"]) == MODEL_DIR
    config = train.training_config(WORKFLOW, 123)
    on_disk = spacy.util.load_config(REPO_ROOT / WORKFLOW["config"])
    assert config["training"]["max_steps"] == 123
    assert config["components"] == on_disk["components"]  # the config is the file, not code


def test_the_held_out_documents_are_pinned_and_a_new_stem_moves_none() -> None:
    stems = train.train_stems()
    pinned = list(WORKFLOW["vars"]["held_out"])
    held = train.held_out_stems(stems, pinned)
    assert held == set(pinned) and held < set(stems)
    # a stem added anywhere in the split (faq-compliance-2 went in at position 9) is trained on, moves nothing
    for at in (0, len(stems) // 2, len(stems)):
        assert train.held_out_stems([*stems[:at], "faq-new-stem", *stems[at:]], pinned) == held
    with pytest.raises(train.TrainingDataError, match="not in the train split"):
        train.held_out_stems([s for s in stems if s != pinned[0]], pinned)  # gone to dev, or deleted
    with pytest.raises(train.TrainingDataError, match="nothing left"):
        train.held_out_stems(pinned, pinned)


def test_the_held_out_documents_hold_every_label() -> None:
    """The checkpoint is picked on the held-out F: a label none of them prints would count for nothing."""
    gold = REPO_ROOT / WORKFLOW["inputs"]["gold"]
    labels = {s["label"] for stem in WORKFLOW["vars"]["held_out"]
              for s in json.loads((gold / f"{stem}.json").read_text(encoding="utf-8"))["spans"]}
    assert labels == set(record()["labels"])


def test_the_committed_model_was_trained_on_the_current_inputs() -> None:
    reasons = train.stale_reasons(record(), train.training_inputs(WORKFLOW))
    assert reasons == [], "kb/extract/model is stale — retrain: .venv/bin/python -m kb.extract.train\n" + "\n".join(reasons)


def test_the_committed_model_was_trained_on_the_examples_made_now(corpus_dir: Path) -> None:
    """A change in how examples are made (windows, the bracket width the model reads) makes it stale too."""
    inputs = train.training_inputs(WORKFLOW)
    held = train.held_out_stems(inputs["train_split"], WORKFLOW["vars"]["held_out"])
    train_docs, held_docs = train.training_examples(inputs["train_split"], held, corpus_dir / "exportcontrol-notices.jsonl")
    current = {"train": train.examples_sha256(train_docs), "held_out": train.examples_sha256(held_docs)}
    assert train.example_reasons(record(), current) == []
    # made to fail: the examples in the other bracket width (the form before MODEL_FORM) are another input
    assert any("（" in d.text for d in train_docs)
    halfwidth, nlp = [], spacy.blank("zh")
    for doc in train_docs:
        other = nlp.make_doc(doc.text.translate(str.maketrans("（）", "()")))
        other.ents = [other.char_span(e.start_char, e.end_char, label=e.label_) for e in doc.ents]
        halfwidth.append(other)
    (reason,) = train.example_reasons(record(), {**current, "train": train.examples_sha256(halfwidth)})
    assert reason.startswith("the train examples made now differ")
    assert train.example_reasons({}, current) == ["the record names no training examples (trained before they were recorded)"]


@pytest.fixture()
def checkout(tmp_path: Path) -> Path:
    """A copy of the workflow's inputs (split, the train stems' gold, config) to change."""
    for rel in (WORKFLOW["inputs"]["split"], WORKFLOW["config"]):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / rel, tmp_path / rel)
    (tmp_path / WORKFLOW["inputs"]["gold"]).mkdir(parents=True)
    for stem in train.train_stems(REPO_ROOT / Path(WORKFLOW["inputs"]["split"]).parent):
        shutil.copy(REPO_ROOT / WORKFLOW["inputs"]["gold"] / f"{stem}.json", tmp_path / WORKFLOW["inputs"]["gold"])
    return tmp_path


def fresh_record(inputs: dict[str, Any]) -> dict[str, Any]:
    held = train.held_out_stems(inputs["train_split"], inputs["vars"]["held_out"])
    return {"train_documents": [s for s in inputs["train_split"] if s not in held],
            "held_out_documents": [s for s in inputs["train_split"] if s in held], "inputs": inputs}


def test_a_changed_split_gold_file_or_config_makes_the_model_stale(checkout: Path) -> None:
    trained = fresh_record(train.training_inputs(WORKFLOW, checkout))
    assert train.stale_reasons(trained, train.training_inputs(WORKFLOW, checkout)) == []

    split_file = checkout / WORKFLOW["inputs"]["split"]
    split = json.loads(split_file.read_text(encoding="utf-8"))
    dropped = split["train"].pop()
    split_file.write_text(json.dumps(split), encoding="utf-8")
    (reason,) = train.stale_reasons(trained, train.training_inputs(WORKFLOW, checkout))
    assert f"the train split has {len(split['train'])}" in reason and dropped in reason

    gold = checkout / WORKFLOW["inputs"]["gold"] / f"{split['train'][0]}.json"
    gold.write_text(gold.read_text(encoding="utf-8").replace('"spans"', '"spans" ', 1), encoding="utf-8")
    (checkout / WORKFLOW["config"]).write_text("# changed\n" + (REPO_ROOT / WORKFLOW["config"]).read_text(), "utf-8")
    reasons = train.stale_reasons(trained, train.training_inputs(WORKFLOW, checkout))
    assert any(split["train"][0] in r and "gold" in r for r in reasons)
    assert any("config" in r for r in reasons)


def test_a_record_without_inputs_is_stale() -> None:
    inputs = train.training_inputs(WORKFLOW)
    old = {k: v for k, v in fresh_record(inputs).items() if k != "inputs"}
    assert train.stale_reasons(old, inputs) == ["the record names no inputs (trained before train.yml)"]
