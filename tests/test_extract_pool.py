"""kb.extract_pool: the fork pool returns exactly the in-process facts, in input order."""

from __future__ import annotations

import os

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
