"""The clause model's entity recogniser, decoded as spaCy's greedy transition parser decodes it, in a few
array operations per batch instead of one C step per token.

Why: spaCy 3.8's parser checks each move's validity through `StateC.B_`, which re-acquires the GIL on every
call; with 18 moves that is ~50 GIL round trips per character, and the parse cost ~18 µs per character, most of
the extraction pipeline's time. The decoding itself is simple for this model (BILUO moves, features "next
token, entity start, previous token", no preset entities), so it is redone here with the model's own layers
and weights and the same float32 arithmetic in the same order:

- outside an entity the features are (token, padding, padding): every token's scores come from one matrix
  product, and the best valid move of every token from one masked argmax;
- inside an entity begun at `s` they are (token, s, token - 1): the scores of the tokens after `s` are computed
  in chunks until the first one where "last" beats "in" (or "in" is not allowed).

Batches are the parser's own (`Parser.pipe`: batches of `batch_size`, sorted by length, sub-batches of a
quarter), so the tok2vec projection and precomputed features are computed over the same rows. Anything this
decoder does not reproduce (a beam, other features, unseen classes, preset entities or sentence starts,
non-finite scores) is left to spaCy: `GreedyNer.supports` says whether it applies, `decode` returns None for
a batch it will not decode. tests/test_greedy_ner.py compares it with spaCy's parser on the corpus sentences.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

import numpy as np
from spacy.attrs import ENT_IOB, IS_SPACE, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch

_FIRST_CHUNK = 16  # tokens scored at once inside an entity (doubled while the entity goes on)
Entity = tuple[int, int, str]  # token start, token end, label


class GreedyNer:
    def __init__(self, model: Language, ner_name: str = "ner") -> None:
        self.ner: Any = cast(Any, model.get_pipe(ner_name))  # spaCy's EntityRecognizer (its moves and model are Cython)
        self.ok = self._check()
        if not self.ok:
            return
        tok2vec, lower, upper = self.ner.model.layers
        self.tok2vec, self.lower, self.upper = tok2vec, lower, upper
        self.bias = lower.get_param("b")  # (nO, nP)
        names = [self.ner.moves.get_class_name(i) for i in range(self.ner.moves.n_moves)]
        self.n_classes = len(names)
        self.labels = [name.partition("-")[2] for name in names]
        kind = [name.partition("-")[0] for name in names]
        self.begin = [i for i, k in enumerate(kind) if k == "B" and self.labels[i]]
        self.unit = [i for i, k in enumerate(kind) if k == "U" and self.labels[i]]
        self.out = [i for i, k in enumerate(kind) if k == "O"]
        self.inside = {self.labels[i]: i for i, k in enumerate(kind) if k == "I"}
        self.last = {self.labels[i]: i for i, k in enumerate(kind) if k == "L"}

    def _check(self) -> bool:
        ner = self.ner
        model = getattr(ner, "model", None)
        if model is None or getattr(ner, "cfg", {}).get("beam_width", 1) != 1:
            return False
        if model.name != "parser_model" or not model.attrs.get("has_upper") or model.attrs.get("unseen_classes"):
            return False
        if len(model.layers) != 3:
            return False
        lower = model.layers[1]
        if lower.name != "precomputable_affine" or lower.get_dim("nF") != 3 or lower.get_dim("nP") < 2:
            return False
        names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
        kinds = {n.partition("-")[0] for n in names}
        if type(ner.moves).__name__ != "BiluoPushDown" or not kinds <= {"B", "I", "L", "U", "O"}:
            return False
        labels = {n.partition("-")[2] for n in names if n.partition("-")[2]}
        return all(f"{k}-{label}" in names for k in "BILU" for label in labels) and names.count("O") == 1

    def pipe(self, docs: Sequence[Doc], batch_size: int) -> list[list[Span]] | None:
        """Each doc's entities (docs already through the model's tok2vec), batched as `Parser.pipe` batches;
        None when some batch is beyond this decoder (the caller then runs spaCy's parser)."""
        out: dict[int, list[Span]] = {}
        for batch in minibatch(list(enumerate(docs)), size=batch_size):
            by_length = sorted(batch, key=lambda item: len(item[1]))
            for sub in minibatch(by_length, size=max(batch_size // 4, 2)):
                found = self.decode([d for _i, d in sub])
                if found is None:
                    return None
                for (i, doc), ents in zip(sub, found, strict=True):
                    out[i] = [Span(doc, s, e, label=label) for s, e, label in ents]
        return [out[i] for i in range(len(docs))]

    def decode(self, docs: list[Doc]) -> list[list[Entity]] | None:
        if not any(len(d) for d in docs):
            return [[] for _ in docs]
        flags = [d.to_array([ENT_IOB, SENT_START, IS_SPACE]).reshape(-1, 3) for d in docs]
        if any(f[:, 0].any() or (f[1:, 1] == 1).any() for f in flags if len(f)):
            return None  # preset entities or sentence starts: spaCy's parser handles those
        tokvecs = self.tok2vec.predict(docs)
        cached = self.lower.predict(tokvecs)  # (tokens + 1, nF, nO, nP); row 0 is the padding
        pad = cached[0]
        # outside an entity: features (token, padding, padding), summed in the parser's order, then the bias
        unmaxed = np.zeros(cached.shape[:1] + cached.shape[2:], dtype="f")[1:]
        unmaxed += cached[1:, 0]
        unmaxed += pad[1]
        unmaxed += pad[2]
        unmaxed += self.bias
        scores = self._scores(unmaxed)
        if scores is None:
            return None
        space = np.concatenate([f[:, 2] for f in flags if len(f)]).astype(bool)
        ends = np.zeros(len(space), dtype=bool)
        offsets, pos = [], 0
        for d in docs:
            offsets.append(pos)
            pos += len(d)
            if len(d):
                ends[pos - 1] = True
        valid = np.zeros(scores.shape, dtype=bool)
        valid[:, self.begin] = (~space & ~ends)[:, None]  # B: not on a space, not the last token
        valid[:, self.unit] = (~space)[:, None]
        valid[:, self.out] = True
        best = np.where(valid, scores, -np.inf).argmax(axis=1)
        out_class = self.out[0]
        result: list[list[Entity]] = []
        for d, offset in zip(docs, offsets, strict=True):
            n, ents, i = len(d), [], 0
            for c in np.flatnonzero(best[offset : offset + n] != out_class).tolist():
                if c < i:
                    continue  # inside the entity just read
                move = int(best[offset + c])
                label = self.labels[move]
                if move in self.unit:
                    ents.append((c, c + 1, label))
                    i = c + 1
                    continue
                end = self._entity_end(cached, offset, n, c, label)
                if end is None:
                    return None
                ents.append((c, end, label))
                i = end
            result.append(ents)
        return result

    def _scores(self, unmaxed: np.ndarray) -> np.ndarray | None:
        hidden = unmaxed[..., 0].copy()  # the maxout: np.max over a short last axis is slow, pairwise is exact
        for piece in range(1, unmaxed.shape[-1]):
            np.maximum(hidden, unmaxed[..., piece], out=hidden)
        scores: np.ndarray = self.upper.predict(hidden)
        return scores if np.isfinite(scores).all() else None

    def _entity_end(self, cached: np.ndarray, offset: int, n: int, start: int, label: str) -> int | None:
        """Where the entity begun at token `start` ends: after the first token where L beats I (I is not
        allowed on the doc's last token)."""
        inside, last = self.inside[label], self.last[label]
        j, chunk = start + 1, _FIRST_CHUNK
        entity_start = cached[offset + start + 1, 1]
        while j < n:
            js = np.arange(j, min(n, j + chunk))
            unmaxed = np.zeros((len(js),) + cached.shape[2:], dtype="f")
            unmaxed += cached[offset + js + 1, 0]
            unmaxed += entity_start
            unmaxed += cached[offset + js, 2]  # token j - 1 is row j
            unmaxed += self.bias
            scores = self._scores(unmaxed)
            if scores is None:
                return None
            # the parser takes the first best valid move in class order
            beats = scores[:, last] > scores[:, inside] if last > inside else scores[:, last] >= scores[:, inside]
            stop = (js == n - 1) | beats
            hit = np.flatnonzero(stop)
            if len(hit):
                return int(js[hit[0]]) + 1
            j, chunk = j + chunk, chunk * 2
        return None  # unreachable: the last token always closes


def supported(model: Language | None) -> GreedyNer | None:
    """The decoder for `model` (a pipeline of tok2vec then ner), or None when spaCy's parser must run."""
    if model is None or model.pipe_names != ["tok2vec", "ner"]:
        return None
    decoder = GreedyNer(model)
    return decoder if decoder.ok else None


def entities(model: Language, decoder: GreedyNer | None, docs: Iterable[Doc], batch_size: int) -> list[list[Span]]:
    """The model's entities of each doc: its tok2vec, then this decoder (else spaCy's parser)."""
    docs = list(docs)
    if decoder is not None:
        tok2vec: Any = model.get_pipe("tok2vec")
        docs = list(tok2vec.pipe(docs, batch_size=batch_size))
        found = decoder.pipe(docs, batch_size)
        if found is not None:
            return found
        docs = list(decoder.ner.pipe(docs, batch_size=batch_size))
        return [list(d.ents) for d in docs]
    return [list(d.ents) for d in model.pipe(docs, batch_size=batch_size)]
