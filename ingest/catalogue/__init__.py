"""Catalogue PDFs (the Dual-Use Items Export Control List, the Licence Management Catalogue) → rows.

    rows = parse_catalogue("catalogue.pdf")          # list[CatalogueRow], each with its start page
    batch = parse_catalogues(paths)                   # .tables by file, .failures (typed errors)
    doc = catalogue_document(data, url=..., sha256=...)  # a Document (doc_type "catalogue")
"""

from ingest.catalogue.document import catalogue_document
from ingest.catalogue.errors import (
    CatalogueError,
    CorruptPdfError,
    EmptyPdfError,
    EncryptedPdfError,
    NoCatalogueTableError,
    NotPdfError,
    TruncatedPdfError,
)
from ingest.catalogue.reader import CatalogueBatch, parse_catalogue, parse_catalogues, read_catalogue
from ingest.catalogue.table import CatalogueTable, Heading

__all__ = [
    "CatalogueBatch",
    "CatalogueError",
    "CatalogueTable",
    "CorruptPdfError",
    "EmptyPdfError",
    "EncryptedPdfError",
    "Heading",
    "catalogue_document",
    "NoCatalogueTableError",
    "NotPdfError",
    "TruncatedPdfError",
    "parse_catalogue",
    "parse_catalogues",
    "read_catalogue",
]
