"""Parse throughput over the real corpus: the 50 records of exportcontrol-notices.jsonl through
snapshot.parse (normalise → structure → numbers, dates, parts, annexes → Document), and the
team-written article pages through parse_article + build_document. Stages are timed apart.

    .venv/bin/python -m bench.parse_speed [--corpus PATH] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.timing import best_of
from ingest.archive import Record, sha256_bytes
from ingest.parse.article import article_document
from ingest.parse.numbers import find_numbers
from ingest.parse.structure import parse_structure
from ingest.parse.text import normalise
from ingest.sources import snapshot
from kb.paths import REPO_ROOT, SHARED_CORPUS

PAGES = REPO_ROOT / "tests" / "fixtures" / "pages"
GOOD_PAGES = ("cms_announcement", "cms_order", "cms_uel_notice", "old_notice_gbk", "portal_announcement")


def measure(corpus: Path, repeat: int) -> dict[str, float | int | str]:
    records: list[tuple[bytes, Record]] = []
    for _lineno, data in snapshot.iter_snapshot(corpus):
        content = snapshot.encode(data)
        records.append(
            (
                content,
                Record(
                    url=data["source_url"],
                    sha256=sha256_bytes(content),
                    source="snapshot",
                    kind="snapshot",
                    fetched_at="",
                ),
            )
        )
    texts = [snapshot.parse(c, r).original_text for c, r in records]
    chars = sum(len(t) for t in texts)
    normalised = [normalise(t).text for t in texts]
    full_s = best_of(repeat, lambda: [snapshot.parse(c, r) for c, r in records])
    normalise_s = best_of(repeat, lambda: [normalise(t) for t in texts])
    structure_s = best_of(repeat, lambda: [parse_structure(t) for t in normalised])
    numbers_s = best_of(repeat, lambda: [find_numbers(t) for t in normalised])
    pages = [((PAGES / f"{n}.html").read_bytes(), n) for n in GOOD_PAGES]
    pages_s = best_of(repeat, lambda: [article_document(b, n, source="bench") for b, n in pages])
    return {
        "records": len(records),
        "chars": chars,
        "records_per_s": round(len(records) / full_s, 1),
        "chars_per_s": round(chars / full_s),
        "ms_per_record": round(1000 * full_s / len(records), 3),
        "normalise_chars_per_s": round(chars / normalise_s),
        "structure_chars_per_s": round(chars / structure_s),
        "numbers_chars_per_s": round(chars / numbers_s),
        "pages": len(pages),
        "ms_per_page": round(1000 * pages_s / len(pages), 3),
        "repeat": repeat,
        "command": "python -m bench.parse_speed",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=SHARED_CORPUS / "exportcontrol-notices.jsonl")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv if argv is not None else [])
    if not args.corpus.exists():
        print(json.dumps({"skipped": f"corpus not found at {args.corpus}"}))
        return 0
    print(json.dumps(measure(args.corpus, args.repeat), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
