"""Catalogue dataset files (the control list's codes as JSON Lines, a licence catalogue's HS numbers as
JSON), archived by `mofcom-kb import` under `dataset:<file name>` and parsed into the same catalogue
Document a catalogue PDF gives (ingest.catalogue.document.table_document): one loader, the file named
as the provenance of every row."""

from __future__ import annotations

from ingest.archive import Record
from ingest.catalogue.datasets import parse_dataset
from ingest.catalogue.document import table_document
from ingest.document import Document

NAME = "catalogue_data"
CONTENT_TYPE = "application/x-mofcom-catalogue-dataset+json"
URL_SCHEME = "dataset:"


def dataset_url(file_name: str) -> str:
    return URL_SCHEME + file_name


def parse(content: bytes, record: Record) -> Document:
    dataset = parse_dataset(content, record.url)
    edition = {"kind": dataset.kind, "provenance": record.url.removeprefix(URL_SCHEME), "shape": dataset.shape,
               "effective_date": dataset.effective_date, "notice": dataset.notice, "notice_url": dataset.notice_url}
    return table_document(dataset.table, url=record.url, sha256=record.sha256, source=NAME, title=dataset.title,
                          edition=edition)
