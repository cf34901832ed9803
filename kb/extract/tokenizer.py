"""One token per character, exactly as spacy.blank("zh") (segmenter "char") tokenizes, in linear time.

spaCy's Chinese tokenizer aligns its words with `util.get_words_and_spaces`, which slices the rest
of the text for every word: quadratic, ~25 s for a 1M-character catalogue text. This builds the
same words and spaces in one pass (a single " " after a character is its trailing space; other
whitespace runs are tokens of their own).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

_WHITESPACE = re.compile(r"\s+")  # str.isspace()'s characters (tests/test_extract_pipeline.py checks every one)


def words_and_spaces(text: str) -> tuple[list[str], list[bool]]:
    """The words and trailing spaces of `text`, whole runs of characters at a time (list.extend of a
    str adds its characters): a run's last character takes a single following " " as its trailing
    space; other whitespace runs are words of their own."""
    words: list[str] = []
    spaces: list[bool] = []
    pos = 0
    for m in _WHITESPACE.finditer(text):
        start, end = m.span()
        if start > pos:
            words.extend(text[pos:start])
            spaces.extend([False] * (start - pos))
            if text[start] == " ":
                spaces[-1] = True
                start += 1
        if end > start:
            words.append(text[start:end])
            spaces.append(False)
        pos = end
    if pos < len(text):
        words.extend(text[pos:])
        spaces.extend([False] * (len(text) - pos))
    return words, spaces


class CharTokenizer:
    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words, spaces = words_and_spaces(text)
        return Doc(self.vocab, words=words, spaces=spaces)

    # a tokenizer saved with the pipeline has nothing to save: it has no settings or data
    def to_disk(self, path: object, **kwargs: object) -> None:
        return None

    def from_disk(self, path: object, **kwargs: object) -> CharTokenizer:
        return self

    def to_bytes(self, **kwargs: object) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: object) -> CharTokenizer:
        return self


@registry.tokenizers("mofcom.char_tokenizer.v1")
def create_char_tokenizer() -> Callable[[object], CharTokenizer]:
    def make(nlp: object) -> CharTokenizer:
        return CharTokenizer(nlp.vocab)  # type: ignore[attr-defined]

    return make
