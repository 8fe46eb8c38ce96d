"""Scale: the synthetic corpus at each size, indexed once and cached, served by a fresh process and measured.

Cache layout (git-ignored): <cache>/scale-<chunks>-seed<seed>/{corpus,index,build.json}. The corpus is regenerated
only when the generator version, seed or size changes; the index is rebuilt only when its fingerprint (chunker
version, model, every chunk's content hash) no longer matches the corpus.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant import Config
from assistant.chunking import chunk_corpus
from assistant.corpus import load_corpus
from assistant.embeddings import Embedder
from assistant.index import VectorIndex
from bench.probe import locate_quotes, timed_retrieval
from bench.stats import clear_query_cache, disk_mb, distribution
from bench.synthetic import ensure_corpus

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def prepare(
    folder: Path, size: int, seed: int, statement_dir: Path, embedder: Embedder, progress: bool
) -> dict[str, Any]:
    """Generate and index the corpus unless the cache already holds it; returns what the build cost and when."""
    corpus = ensure_corpus(folder / "corpus", size, seed, statement_dir)
    config = Config(corpus_dir=corpus.directory, index_dir=folder / "index", show_progress=progress)
    started = time.perf_counter()
    documents = load_corpus(corpus.directory).documents
    chunks = chunk_corpus(documents, config.chunk_max_tokens)
    chunk_seconds = time.perf_counter() - started
    index = VectorIndex(config)
    record = folder / "build.json"
    if index.is_current(chunks, embedder, documents=documents) and record.exists():
        index.ensure_lexical(chunks)
        return {**json.loads(record.read_text()), "cached": True}
    stats = index.build(chunks, embedder, documents=documents)
    index.ensure_lexical(chunks)
    built = {
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "chunks": len(chunks),
        "documents": corpus.documents + 1,
        "chunking_seconds": chunk_seconds,
        "build_seconds": stats.seconds,
        "embedded": stats.embedded,
        "chunks_per_s": len(chunks) / (chunk_seconds + stats.seconds),
    }
    record.write_text(json.dumps(built, indent=2))
    return {**built, "cached": False}


def serve_and_measure(folder: Path, dataset: Path, multilingual: bool, exact_check: bool) -> dict[str, Any]:
    """Start a fresh serving process on the cached index and collect its measurements."""
    documents = {d.id: d for d in load_corpus(folder / "corpus").documents}
    args = {
        "located": locate_quotes(dataset, documents),
        "corpus_dir": str(folder / "corpus"),
        "index_dir": str(folder / "index"),
        "dataset": str(dataset),
        "multilingual": multilingual,
        "exact_check": exact_check,
    }
    (folder / "probe-args.json").write_text(json.dumps(args))
    out = folder / "probe-out.json"
    out.unlink(missing_ok=True)
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "bench.probe", str(folder / "probe-args.json"), str(out)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0 or not out.exists():
        raise RuntimeError(f"the serving probe failed ({completed.returncode}): {completed.stderr[-3000:]}")
    return {**json.loads(out.read_text()), "process_seconds": time.perf_counter() - started}


def run(
    cache: Path,
    sizes: list[int],
    seed: int,
    statement_dir: Path,
    dataset: Path,
    embedder: Embedder,
    multilingual: bool = True,
    exact_check: bool = True,
    progress: bool = True,
    statement_bot: Any = None,
) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    baseline: dict[str, Any] = {}
    if statement_bot is not None:  # the same questions on the statement alone: what the distractors cost
        clear_query_cache(statement_bot.embedder)
        timings, recalls, _ = timed_retrieval(statement_bot, dataset)
        baseline = {
            "chunks": len(statement_bot.chunks),
            "recall_at_5": sum(recalls) / len(recalls) if recalls else None,
            "retrieval": distribution(timings),
        }
    for size in sizes:
        folder = cache / f"scale-{size}-seed{seed}"
        folder.mkdir(parents=True, exist_ok=True)
        build = prepare(folder, size, seed, statement_dir, embedder, progress)
        served = serve_and_measure(folder, dataset, multilingual, exact_check)
        results.append(
            {
                "target_chunks": size,
                "build": build,
                "index_disk_mb": disk_mb(folder / "index"),
                "index_disk_mb_chroma": disk_mb(folder / "index" / "chroma"),
                "index_disk_mb_lexical": disk_mb(folder / "index" / "lexical"),
                "corpus_disk_mb": disk_mb(folder / "corpus"),
                **served,
            }
        )
    return {"seed": seed, "multilingual": multilingual, "statement_only": baseline, "sizes": results}
