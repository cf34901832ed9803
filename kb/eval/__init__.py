"""Evaluation of the extraction against the team's gold annotations (`annotations/`).

gold.py loads and checks gold files; keys.py turns gold and extracted facts into comparable
keys per fact type; scoring.py counts and scores them; baseline.py is the naive regex
extractor peers use; gate.py pins floors; report.py prints.
"""
