"""Building, loading and versioning the extraction pipeline (disk at the edge)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from spacy.language import Language
from spacy.util import load_config, load_model_from_config

import kb.extract.clauses  # noqa: F401  (registers mofcom_clauses)
import kb.extract.components  # noqa: F401  (registers the rule factories)
import kb.extract.tokenizer  # noqa: F401  (registers mofcom.char_tokenizer.v1)

HERE = Path(__file__).resolve().parent
CONFIG_FILE = HERE / "config.cfg"
MODEL_DIR = HERE / "model"
CLAUSE_PIPE = "mofcom_clauses"
# spaCy refuses texts over 1M characters by default; one character per token and rule components
# keep memory small, and a whole catalogue PDF's text can be long
MAX_CHARS = 20_000_000
# Everything whose change changes the facts: this package's code, patterns, config and model, and
# the parse primitives it calls (numbers, dates).
_VERSIONED = (
    (HERE, ("*.py", "*.yaml", "*.cfg")),
    (MODEL_DIR, ("**/*",)),
    (HERE.parent.parent / "ingest" / "parse", ("numbers.py", "numbers.yml", "dates.py", "numerals.py")),
)


# The training workflow changes facts only through the model it writes (hashed above).
_TRAINING_ONLY = ("train.py", "train.cfg")


def pipeline_version() -> str:
    digest = hashlib.sha256()
    for root, globs in _VERSIONED:
        for pattern in globs:
            for path in sorted(root.glob(pattern)):
                if path.is_file() and "__pycache__" not in path.parts and path.name not in _TRAINING_ONLY:
                    digest.update(str(path.relative_to(root)).encode())
                    digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build_pipeline(model_dir: Path | None = MODEL_DIR) -> Language:
    """The pipeline from config.cfg, with the trained clause model when `model_dir` holds one."""
    nlp = load_model_from_config(load_config(CONFIG_FILE), auto_fill=True, validate=True)
    nlp.max_length = MAX_CHARS
    if model_dir is not None and model_dir.is_dir():
        nlp.get_pipe(CLAUSE_PIPE).from_disk(model_dir)  # type: ignore[attr-defined]
    return nlp


@cache
def shared_pipeline() -> Language:
    return build_pipeline()
