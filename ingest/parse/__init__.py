"""Parsing MOFCOM publications into the Document contract (ingest/document.py).

numerals.py    二〇二五 / 五十八 / ２０２５ → int
numbers.py     document numbers (文号) as printed → canonical form (numbers.yml)
dates.py       dates in every printed form, with spans
text.py        normalisation with an offset map back to the original; simplified search copy
structure.py   header block, numbered parts, annex list, signature, promulgated text, annexes
part_labels.py the numbered-part grammar (structure.yml part_labels), shared with extraction and publishing
document_builder.py  title + text + page metadata → Document (number, type, issuers, dates, parts)
html_bytes.py  decoding page bytes (UTF-8, declared charset, GB18030)
article.py     article pages in the cms / portal / old layouts (article_layouts.yml)
batch.py       a batch of saved files (pages, Office files, PDFs) → results and typed failures
errors.py      ParseError and its subclasses; every error names its input
"""
