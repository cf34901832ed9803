"""The index builders' fast tokenising (kb.search.runs: whole-text lowercasing, one match per run)
must index exactly what the per-token definition does (kb.search.tokens), or searches would miss."""

from __future__ import annotations

import json
import random
import re

import pytest

from kb import search, table_search
from kb.paths import SHARED_CORPUS


def reference_tokenize(text: str | None) -> str:
    return " ".join(search.tokens(text))


def reference_index_form(text: str | None) -> str:
    out: list[str] = []
    run: list[str] = []
    for tok in search.tokens(text):
        if search._CJK_CHAR.fullmatch(tok):
            run.append(tok)
            continue
        out.extend(run)
        out.extend(a + b for a, b in zip(run, run[1:], strict=False))
        run.clear()
        out.append(tok)
    out.extend(run)
    out.extend(a + b for a, b in zip(run, run[1:], strict=False))
    return " ".join(out)


ALPHABET = "稀土镓锗，。、（）()１Ｃ９０２．ａ 1C902.a 2805301910 ABCdef ÀÉü İƁẞKÅ\n\t-_/𠀀𠀁龥"


def samples() -> list[str | None]:
    rng = random.Random(16)
    out: list[str | None] = [None, "", " ", "İstanbul Ɓa ẞtraße", "稀土，物项", "Terra Drone 株式会社", "1C902.a（稀土）"]
    out += ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 60))) for _ in range(2000)]
    corpus = SHARED_CORPUS / "exportcontrol-notices.jsonl"
    if corpus.exists():
        out += [json.loads(line)["text"] for line in corpus.read_text(encoding="utf-8").splitlines()[:20]]
    return out


@pytest.mark.parametrize("text", samples()[:40])
def test_fast_forms_equal_the_per_token_definition_on_samples(text: str | None) -> None:
    assert search.tokenize(text) == reference_tokenize(text)
    assert table_search.index_form(text) == reference_index_form(text)


def test_fast_forms_equal_the_per_token_definition_on_random_text() -> None:
    for text in samples():
        assert search.tokenize(text) == reference_tokenize(text), text
        assert table_search.index_form(text) == reference_index_form(text), text


def test_case_unsafe_characters_are_exactly_those_unicode_says() -> None:
    word = re.compile("[0-9A-Za-z\u00c0-\u024f]")
    unsafe, listed = [], []
    for cp in range(0x110000):
        char = chr(cp)
        low = char.lower()
        if low != char and not ((word.fullmatch(char) and len(low) == 1 and word.fullmatch(low))
                                or (not word.fullmatch(char) and not search._TOKEN.search(low))):
            unsafe.append(char)
        if low != char and search._CASE_UNSAFE.fullmatch(char):
            listed.append(char)
    assert unsafe == listed
