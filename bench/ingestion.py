"""Ingestion: a full index build against the raw throughput of SentenceTransformer.encode on the same texts.

The full build is what `agenda index --rebuild` does to the data: read the corpus folder, chunk it, embed every chunk,
write the Chroma collection and the BM25 index. The raw figure is `SentenceTransformer.encode` alone on the same
chunk texts with the same batch size, timed before and after the build (their mean is the physical limit, so load
from other processes during the run weighs on both sides alike).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from assistant import Config
from assistant.chunking import chunk_corpus
from assistant.corpus import load_corpus
from assistant.embeddings import Embedder
from assistant.index import VectorIndex
from bench.synthetic import ensure_corpus


def _raw_encode_seconds(embedder: Embedder, texts: list[str]) -> float:
    started = time.perf_counter()
    embedder.model.encode(texts, batch_size=embedder.batch_size, convert_to_numpy=True, show_progress_bar=False)
    return time.perf_counter() - started


def _index_pass(config: Config, embedder: Embedder, rebuild: bool) -> tuple[float, Any, int]:
    """Read, chunk and (re)build; also load the BM25 index as a serving process would. (seconds, stats, chunks)."""
    started = time.perf_counter()
    chunks = chunk_corpus(load_corpus(config.corpus_dir).documents, config.chunk_max_tokens)
    index = VectorIndex(config)
    stats = index.build(chunks, embedder, rebuild=rebuild)
    index.ensure_lexical(chunks)
    return time.perf_counter() - started, stats, len(chunks)


def run(cache: Path, embedder: Embedder, target_chunks: int, seed: int, statement_dir: Path) -> dict[str, Any]:
    corpus = ensure_corpus(cache / f"ingest-corpus-{target_chunks}-{seed}", target_chunks, seed, statement_dir)
    work = cache / "ingest-work"
    shutil.rmtree(work, ignore_errors=True)
    corpus_dir = work / "corpus"
    shutil.copytree(corpus.directory, corpus_dir)
    config = Config(corpus_dir=corpus_dir, index_dir=work / "index", show_progress=False)
    chunks = chunk_corpus(load_corpus(corpus_dir).documents, config.chunk_max_tokens)
    texts = [c.embedding_text for c in chunks]
    embedder.model.encode(texts[:16], batch_size=embedder.batch_size)  # warm the model's kernels

    raw_before = _raw_encode_seconds(embedder, texts)
    full_seconds, full, n = _index_pass(config, embedder, rebuild=True)
    raw_after = _raw_encode_seconds(embedder, texts)
    raw = (raw_before + raw_after) / 2

    unchanged_seconds, unchanged, _ = _index_pass(config, embedder, rebuild=False)

    # One document edited: only its new chunks are embedded.
    edited = sorted(p for p in corpus_dir.glob("report-*.txt"))[:1]
    changed: dict[str, Any] = {}
    if edited:
        with edited[0].open("a", encoding="utf-8") as handle:
            handle.write("\nA paragraph added by the benchmark to one document, to time an incremental update.\n")
        seconds, stats, _ = _index_pass(config, embedder, rebuild=False)
        changed = {"seconds": seconds, "embedded": stats.embedded, "reused": stats.reused}
    shutil.rmtree(work, ignore_errors=True)

    full_rate = n / full_seconds
    raw_rate = len(texts) / raw
    return {
        "chunks": n,
        "documents": corpus.documents + 1,
        "batch_size": embedder.batch_size,
        "raw_encode": {"seconds_before": raw_before, "seconds_after": raw_after, "chunks_per_s": raw_rate},
        "full_build": {
            "seconds": full_seconds,
            "index_build_seconds": full.seconds,
            "chunks_per_s": full_rate,
            "embedded": full.embedded,
        },
        "share_of_raw": full_rate / raw_rate,
        "reindex_unchanged": {
            "seconds": unchanged_seconds,
            "embedded": unchanged.embedded,
            "share_of_full_build": unchanged_seconds / full_seconds,
        },
        "reindex_one_document_changed": changed,
    }
