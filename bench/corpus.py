"""A deterministic corpus of N notices in MOFCOM's shapes, made from the real texts, for the scale benches.

Notice i is the real record `templates[i % T]` (the 50 portal records of ../shared/corpus/
exportcontrol-notices.jsonl and the 8 of entity-list-notices.jsonl) in "copy" c = i // T. Every copy is a
consistent universe shifted in time: its years (in document numbers and in dates, posted date included)
move back by c mod 26, and its numbers up by 100 × (c div 26) (decrees, which print no year, by 1000 × c).
A notice's own number and the numbers it cites move the same way, so relations (2025 No. 70 suspends
No. 55–58 and 61) hold between the notices of one copy. The numbered entity lines of annexes
(`1. 三菱造船株式会社（Mitsubishi …）`) are replaced by entities of listed-entities.jsonl, rotated per
notice, and every notice gets its own URL. One in `PDF_LINKED_PER_CATALOGUE` notices whose template links a PDF
also gets a real catalogue PDF (drawn by tests/catalogue_pdfs.py, its title naming the notice),
archived as that notice's attachment.

Generated material goes only into a bench data dir, never into the repository or a real build.

    .venv/bin/python -m bench.corpus N OUT_DIR      # OUT_DIR/notices.jsonl, OUT_DIR/attachments/
"""

from __future__ import annotations

import argparse
import calendar
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.parse.numbers import NumberMatch, find_numbers
from kb.paths import SHARED_CORPUS

TEMPLATE_FILES = ("exportcontrol-notices.jsonl", "entity-list-notices.jsonl")
ENTITY_FILE = "listed-entities.jsonl"
YEARS = 26  # a copy's years go back at most this many years (2026 → 2000)
PDF_LINKED_PER_CATALOGUE = 30  # of the notices linking a PDF (~1 in 8), one in 30 gets a real catalogue
NOTICES_NAME = "notices.jsonl"
ATTACHMENTS_NAME = "attachments.jsonl"

_DATE = re.compile(r"(?<![0-9])((?:19|20)\d{2})(\s*年\s*)(\d{1,2})(\s*月\s*)(\d{1,2})(\s*日)")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_COMPACT_DATE = re.compile(r"(【发文日期】)((?:19|20)\d{2})(\d{2})(\d{2})")
_ENTITY_LINE = re.compile(r"^(\s*)(\d{1,3})\.\s*(\S[^（(\n]*)[（(]([^）)\n]+)[）)]\s*$", re.MULTILINE)
_HAN_DIGITS = str.maketrans("0123456789", "〇一二三四五六七八九")
_DIGITS_OF_HAN = str.maketrans("〇零一二三四五六七八九", "00123456789")


@dataclass(frozen=True)
class Shift:
    """How copy c moves numbers and dates."""

    years: int
    numbers: int
    decrees: int

    @classmethod
    def of_copy(cls, copy: int) -> Shift:
        return cls(years=copy % YEARS, numbers=100 * (copy // YEARS), decrees=1000 * copy)


def load_templates(corpus: Path = SHARED_CORPUS) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name in TEMPLATE_FILES:
        path = corpus / name
        if not path.exists():
            raise SystemExit(f"bench.corpus: {path} not found (the generator needs the real corpus)")
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def load_entities(corpus: Path = SHARED_CORPUS) -> list[tuple[str, str]]:
    """One (name zh, name en) per Chinese name. The real lists print some parties twice with other
    spacing (`SYNEXXUS, Inc.` / `SYNEXXUS,Inc.`); rotating both into one annex would print a party twice,
    which no real notice does, and the build's entity_count check would rightly flag every such annex."""
    first: dict[str, str] = {}
    for line in (corpus / ENTITY_FILE).read_text(encoding="utf-8").splitlines():
        row = json.loads(line) if line.strip() else {}
        if row.get("entityName") and row.get("entityNameEn"):
            first.setdefault(row["entityName"], row["entityNameEn"])
    return sorted(first.items())


def shift_year(year: int, shift: Shift) -> int:
    return year - shift.years


def _day(year: int, month: int, day: int) -> int:
    return min(day, calendar.monthrange(year, month)[1]) if 1 <= month <= 12 else day


def shift_dates(text: str, shift: Shift) -> str:
    def digits(m: re.Match[str]) -> str:
        year = shift_year(int(m.group(1)), shift)
        day = _day(year, int(m.group(3)), int(m.group(5)))
        return f"{year}{m.group(2)}{m.group(3)}{m.group(4)}{day:0{len(m.group(5))}d}{m.group(6)}"

    def compact(m: re.Match[str]) -> str:
        year = shift_year(int(m.group(2)), shift)
        return f"{m.group(1)}{year}{m.group(3)}{_day(year, int(m.group(3)), int(m.group(4))):02d}"

    return _COMPACT_DATE.sub(compact, _DATE.sub(digits, text))


def shift_iso(value: str | None, shift: Shift) -> str | None:
    m = _ISO.match(value or "")
    if not m:
        return value
    year = shift_year(int(m.group(1)), shift)
    return f"{year:04d}-{m.group(2)}-{_day(year, int(m.group(2)), int(m.group(3))):02d}"


def printed_number(match: NumberMatch, shift: Shift) -> str:
    """The number as printed, with its year and number moved by the copy's shift."""
    printed = match.printed
    new_number = match.number + (shift.decrees if match.kind == "decree" else shift.numbers)
    if match.year is not None:
        year = str(match.year)
        new_year = str(shift_year(match.year, shift))
        if year in printed:
            printed = printed.replace(year, new_year, 1)
        else:  # printed in Chinese numerals (二〇二五)
            han = year.translate(_HAN_DIGITS)
            printed = printed.replace(han, new_year.translate(_HAN_DIGITS), 1)
    # the number is the last run of digits before 号
    return re.sub(r"(\d+)(\s*号)(?!.*\d+\s*号)", lambda m: f"{new_number}{m.group(2)}", printed, count=1)


def shift_numbers(text: str, shift: Shift) -> str:
    pieces, pos = [], 0
    for match in sorted(find_numbers(text), key=lambda m: m.start):
        if match.start < pos or not match.number:
            continue
        pieces += [text[pos:match.start], printed_number(match, shift)]
        pos = match.end
    pieces.append(text[pos:])
    return "".join(pieces)


def replace_entities(text: str, entities: list[tuple[str, str]], offset: int) -> str:
    counter = iter(range(len(entities) * 1000))

    def swap(m: re.Match[str]) -> str:
        zh, en = entities[(offset + next(counter)) % len(entities)]
        return f"{m.group(1)}{m.group(2)}. {zh}（{en}）"

    return _ENTITY_LINE.sub(swap, text)


def notice(i: int, templates: list[dict[str, Any]], entities: list[tuple[str, str]]) -> dict[str, Any]:
    template = templates[i % len(templates)]
    shift = Shift.of_copy(i // len(templates))

    def move(text: str) -> str:
        return shift_dates(shift_numbers(text, shift), shift)

    base = (template.get("source_url") or "https://www.mofcom.gov.cn/article/unknown").split("?")[0].rstrip("/.")
    base = re.sub(r"\.s?html?$", "", base)
    url = f"{base}/g{i:06d}.html"
    attachments = [{"name": a.get("name"), "url": f"{a['url']}{'&' if '?' in a['url'] else '?'}g={i:06d}"}
                   for a in template.get("attachments", [])]
    return {
        "source_url": url,
        "column": template.get("column"),
        "title": move(template["title"]),
        "posted": shift_iso(template.get("posted"), shift),
        "text": replace_entities(move(template["text"]), entities, i * 7),
        "attachments": attachments,
    }


def generate(n: int, corpus: Path = SHARED_CORPUS) -> Iterator[dict[str, Any]]:
    templates, entities = load_templates(corpus), load_entities(corpus)
    for i in range(n):
        yield notice(i, templates, entities)


def catalogue_pdf(record: dict[str, Any], path: Path) -> None:
    """A real catalogue PDF for this notice (the team's sample rows, titled with the notice)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.catalogue_pdfs import render_catalogue, sample_blocks

    render_catalogue(sample_blocks(), path, title=f"{record['title'][:40]}（样例）")


def write(n: int, out_dir: Path, corpus: Path = SHARED_CORPUS, catalogues: bool = True) -> dict[str, Any]:
    """OUT_DIR/notices.jsonl (n records), attachments/ with the catalogue PDFs and attachments.jsonl
    naming each one's URL and parent URL. Returns counts."""
    out_dir.mkdir(parents=True, exist_ok=True)
    attach_dir = out_dir / "attachments"
    attach_dir.mkdir(exist_ok=True)
    chars = pdfs = with_pdf = 0
    numbers: set[str] = set()
    with (out_dir / NOTICES_NAME).open("w", encoding="utf-8") as notices, \
            (out_dir / ATTACHMENTS_NAME).open("w", encoding="utf-8") as links:
        for i, record in enumerate(generate(n, corpus)):
            notices.write(json.dumps(record, ensure_ascii=False) + "\n")
            chars += len(record["text"])
            head = find_numbers(record["title"])
            if head:
                numbers.add(head[0].canonical)
            pdf_links = [a for a in record["attachments"] if ".pdf" in a["url"].lower()]
            if pdf_links:
                with_pdf += 1
            if catalogues and pdf_links and with_pdf % PDF_LINKED_PER_CATALOGUE == 1:
                path = attach_dir / f"{i:06d}.pdf"
                catalogue_pdf(record, path)
                links.write(json.dumps({"url": pdf_links[0]["url"], "parent_url": record["source_url"],
                                        "name": pdf_links[0]["name"], "file": path.name}, ensure_ascii=False) + "\n")
                pdfs += 1
    return {"notices": n, "characters": chars, "distinct_title_numbers": len(numbers), "catalogue_pdfs": pdfs}


def archive_into(out_dir: Path, data_dir: Path) -> None:
    """Archive a generated corpus into a bench data dir: the notices through `mofcom-kb import`'s own
    code, the catalogue PDFs as attachments of their notices (as the crawler stores them)."""
    from ingest.archive import Archive
    from ingest.snapshot_import import import_snapshot

    archive = Archive(data_dir / "archive")
    import_snapshot(out_dir / NOTICES_NAME, archive)
    links = out_dir / ATTACHMENTS_NAME
    for line in links.read_text(encoding="utf-8").splitlines() if links.exists() else []:
        link = json.loads(line)
        archive.store((out_dir / "attachments" / link["file"]).read_bytes(), url=link["url"], source="portal",
                      kind="attachment", status=200, content_type="application/pdf",
                      parent_url=link["parent_url"], name=link["name"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--corpus", type=Path, default=SHARED_CORPUS)
    parser.add_argument("--no-catalogues", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(write(args.n, args.out, args.corpus, catalogues=not args.no_catalogues), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
