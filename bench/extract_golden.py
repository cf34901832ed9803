"""Every fact the extractor reads from a fixed set of documents, one JSON line per document, so a speed-up of
the extractor can be checked to change no output: the notices of ../shared/corpus (both snapshots and the raw
portal page), N generated notices (bench/corpus.py) and the catalogue PDFs the generator draws for them.

    .venv/bin/python -m bench.extract_golden dump OUT.jsonl [--generated 1000]
    .venv/bin/python -m bench.extract_golden compare OUT.jsonl [--generated 1000]   # exit 1 on any difference

The pipeline version is left out of each line (it changes with any edit of kb/extract/, which is the point of the
comparison); everything else (every field, span and flag) is kept, keys sorted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ingest.archive import sha256_bytes
from ingest.document import Document
from ingest.sources import snapshot
from kb.paths import SHARED_CORPUS

SNAPSHOTS = ("exportcontrol-notices.jsonl", "entity-list-notices.jsonl")


def corpus_documents(corpus: Path = SHARED_CORPUS) -> list[Document]:
    from kb.extract.inputs import page_document

    docs = [d for name in SNAPSHOTS for d in snapshot.parse_file(corpus / name)]
    docs += [page_document(p) for p in sorted((corpus / "pages").glob("*.html"))]
    return docs


def generated_documents(n: int, corpus: Path = SHARED_CORPUS) -> list[Document]:
    from bench.corpus import ATTACHMENTS_NAME, NOTICES_NAME, write
    from ingest.catalogue import catalogue_document

    with tempfile.TemporaryDirectory(prefix="mofcom-kb-golden-") as tmp:
        out = Path(tmp)
        write(n, out, corpus)
        docs = snapshot.parse_file(out / NOTICES_NAME)
        for line in (out / ATTACHMENTS_NAME).read_text(encoding="utf-8").splitlines():
            link = json.loads(line)
            data = (out / "attachments" / link["file"]).read_bytes()
            # the PDF's bytes carry its render time: its id comes from its URL so that the dump is reproducible
            docs.append(catalogue_document(data, url=link["url"], sha256=sha256_bytes(link["url"].encode())))
    return docs


def fact_lines(docs: list[Document]) -> Iterator[str]:
    from kb.extract import extract

    for doc in docs:
        data = extract(doc).to_json()
        data["meta"] = {k: v for k, v in data["meta"].items() if k != "pipeline_version"}
        yield json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)


def _first_difference(old: str, new: str) -> str:
    """The first field whose records differ, each side's first differing record."""
    a, b = json.loads(old), json.loads(new)
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if x == y:
            continue
        if isinstance(x, list) and isinstance(y, list):
            at = next((i for i, (p, q) in enumerate(zip(x, y, strict=False)) if p != q), min(len(x), len(y)))
            return f"{key}[{at}] (of {len(x)} vs {len(y)}): {x[at:at + 1]} -> {y[at:at + 1]}"
        return f"{key}: {str(x)[:300]} -> {str(y)[:300]}"
    return "(same fields, different encoding)"


def documents(generated: int) -> list[Document]:
    return corpus_documents() + (generated_documents(generated) if generated else [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("dump", "compare"))
    parser.add_argument("file", type=Path)
    parser.add_argument("--generated", type=int, default=1000)
    args = parser.parse_args(argv)
    if not (SHARED_CORPUS / SNAPSHOTS[0]).is_file():
        print(f"extract_golden: corpus not found: {SHARED_CORPUS}", file=sys.stderr)
        return 1
    lines = list(fact_lines(documents(args.generated)))
    text = "\n".join(lines) + "\n"
    digest = hashlib.sha256(text.encode()).hexdigest()
    if args.action == "dump":
        args.file.write_text(text, encoding="utf-8")
        print(json.dumps({"documents": len(lines), "sha256": digest}))
        return 0
    old = args.file.read_text(encoding="utf-8").splitlines()
    differing = [i for i, (a, b) in enumerate(zip(old, lines, strict=False)) if a != b]
    if len(old) != len(lines) or differing:
        for i in differing[:5]:
            print(f"document {i}: {_first_difference(old[i], lines[i])}", file=sys.stderr)
        print(json.dumps({"documents": len(lines), "expected": len(old), "differing": len(differing)}))
        return 1
    print(json.dumps({"documents": len(lines), "sha256": digest, "identical": True}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
