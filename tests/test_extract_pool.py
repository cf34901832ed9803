"""kb.extract_pool: the fork pool returns exactly the in-process facts, in input order."""

from __future__ import annotations

import os
from collections.abc import Iterator

from ingest.document import Document
from kb.extract_pool import MIN_PARALLEL, extract_all
from kb.facts import Facts


def _facts_with_worker_pid(doc: Document) -> Facts:
    return Facts(doc_id=f"{doc.doc_id}|{os.getpid()}")


def _docs(n: int) -> list[Document]:
    return [Document(doc_id=f"d{i:03d}", doc_type="announcement", title=f"t{i}", text="商务部" * (i + 1),
                     source="snapshot") for i in range(n)]


def test_pool_runs_in_other_processes_and_keeps_order() -> None:
    docs = _docs(MIN_PARALLEL * 2)
    facts = list(extract_all(docs, _facts_with_worker_pid, processes=2))
    assert [f.doc_id.split("|")[0] for f in facts] == [d.doc_id for d in docs]
    pids = {int(f.doc_id.split("|")[1]) for f in facts}
    assert os.getpid() not in pids and len(pids) >= 1


def test_few_documents_stay_in_process() -> None:
    facts = list(extract_all(_docs(3), _facts_with_worker_pid, processes=2))
    assert {int(f.doc_id.split("|")[1]) for f in facts} == {os.getpid()}


def test_pool_facts_equal_in_process_facts(corpus_notices: list[dict]) -> None:
    from ingest.sources.snapshot import parse_data
    from kb.extract import extract

    docs = [parse_data(n) for n in corpus_notices][: MIN_PARALLEL + 2]
    assert list(extract_all(docs, extract, processes=2)) == [extract(d) for d in docs]


def _square_with_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def test_map_chunks_keeps_chunks_and_order_over_one_pool() -> None:
    from kb.extract_pool import map_chunks

    chunks = [list(range(start, start + size)) for start, size in ((0, 7), (7, 30), (37, 1), (38, 19), (57, 12))]
    consumed: list[int] = []

    def stream() -> Iterator[list[int]]:
        for i, chunk in enumerate(chunks):
            # at most two chunks ahead of the one the caller has: never the whole input read ahead
            assert i <= len(consumed) + 2
            yield chunk

    out = []
    for chunk, results in map_chunks(_square_with_pid, stream(), processes=2):
        consumed.append(len(chunk))
        out.append((chunk, results))
    assert [c for c, _r in out] == chunks
    assert [[x for x, _pid in r] for _c, r in out] == [[i * i for i in c] for c in chunks]
    pids = {pid for _c, r in out for _x, pid in r}
    assert os.getpid() not in pids and len(pids) >= 1


def test_map_chunks_of_few_items_stay_in_process() -> None:
    from kb.extract_pool import map_chunks

    out = list(map_chunks(_square_with_pid, [[1, 2], [3]], processes=2))
    assert [c for c, _r in out] == [[1, 2], [3]]
    assert {pid for _c, r in out for _x, pid in r} == {os.getpid()}
    assert list(map_chunks(_square_with_pid, [], processes=2)) == []
