"""Benchmarks of Agenda Assistant against the LangChain tutorial recipe: quality, latency, ingestion, scale, start.

Run `python -m bench --help`; results go to bench/out/results.json and bench/out/results.md (both git-ignored).
"""
