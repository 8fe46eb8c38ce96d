"""A serving process for the scale benchmark, run as `python -m bench.probe ARGS_JSON OUT_JSON`.

It starts an Assistant on a built index exactly as the app does, then times retrieval and whole answers on the English
dev questions, scores recall@5 of the real statement's passages, records its own peak RSS and whether the BM25 index
was loaded from disk rather than rebuilt, and finally (after the RSS reading) checks HNSW against exact search.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()


def _lexical_stamp(index_dir: Path) -> dict[str, float]:
    folder = index_dir / "lexical"
    if not folder.is_dir():
        return {}
    return {p.name: (p / "ids.json").stat().st_mtime for p in folder.iterdir() if (p / "ids.json").exists()}


# What Assistant() spends its start on, by step (wrapped here, in this process only; None if a name moved).
STEPS = (
    ("assistant.assistant", "Embedder", "__init__", "load embedding model"),
    ("assistant.assistant", "MultilingualEncoder", "__init__", "load multilingual model"),
    ("assistant.assistant", None, "load_corpus", "read corpus"),
    ("assistant.assistant", None, "chunk_corpus", "chunk corpus"),
    ("assistant.assistant", "VectorIndex", "is_current", "check index fingerprint"),
    ("assistant.assistant", "VectorIndex", "ensure_lexical", "load BM25"),
    ("assistant.assistant", None, "corpus_vocabulary", "corpus vocabulary"),
    ("assistant.assistant", "HybridRetriever", "__init__", "retriever"),
    ("assistant.assistant", "ExtractiveAnswerer", "warm", "warm answer windows (MiniLM + e5)"),
)


def instrument() -> dict[str, float]:
    """Time the steps of the Assistant's start by wrapping them; returns the (filled later) seconds per step."""
    import functools
    import importlib

    spent: dict[str, float] = {}

    def wrap(function: Any, label: str) -> Any:
        @functools.wraps(function)
        def timed(*a: Any, **k: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - t0

        return timed

    for module_name, owner_name, attribute, label in STEPS:
        try:
            module = importlib.import_module(module_name)
            owner = getattr(module, owner_name) if owner_name else module
            setattr(owner, attribute, wrap(getattr(owner, attribute), label))
        except (ImportError, AttributeError):
            continue
    return spent


def main(args: dict[str, Any]) -> dict[str, Any]:
    from assistant import Assistant, Config
    from bench.stats import clear_query_cache, distribution, peak_rss_mb

    imported = time.perf_counter()
    steps = instrument()
    index_dir = Path(args["index_dir"])
    before = _lexical_stamp(index_dir)
    config = Config(
        corpus_dir=Path(args["corpus_dir"]),
        index_dir=index_dir,
        show_progress=False,
        multilingual=bool(args.get("multilingual", True)),
    )
    bot = Assistant(config, build_index=False)  # the cached build as prepare() made it (no e5: English questions)
    ready = time.perf_counter()
    init_steps = dict(steps)
    memory = {"after_start": peak_rss_mb()}
    rebuilt = bot.last_index_stats is not None and bot.last_index_stats.embedded > 0
    lexical_reused = bool(before) and _lexical_stamp(index_dir) == before

    bot.ask("What is the statement about?")  # warm-up, untimed
    clear_query_cache(bot.embedder)
    located = args.get("located")  # quote places found by the parent: locating them here would inflate peak RSS
    retrieval_ms, recalls, cases = timed_retrieval(bot, Path(args["dataset"]), located=located)
    memory["after_retrieval"] = peak_rss_mb()
    clear_query_cache(bot.embedder)
    ask_ms: list[float] = []
    for case in cases:
        t0 = time.perf_counter()
        bot.ask(case.question)
        ask_ms.append((time.perf_counter() - t0) * 1000)
    rss = peak_rss_mb()

    result: dict[str, Any] = {
        "chunks": len(bot.chunks),
        "documents": len(bot.documents),
        "questions": len(cases),
        "recall_questions": len(recalls),
        "import_seconds": imported - STARTED,
        "init_seconds": bot.init_seconds,
        "init_steps_seconds": init_steps,
        "start_seconds": ready - STARTED,
        "index_rebuilt_at_start": rebuilt,
        "lexical_loaded_from_disk": lexical_reused,
        "retrieval": distribution(retrieval_ms),
        "ask": distribution(ask_ms),
        "recall_at_5": sum(recalls) / len(recalls) if recalls else None,
        "peak_rss_mb": rss,
        "peak_rss_mb_by_phase": memory,
    }
    if args.get("exact_check"):
        result["hnsw_vs_exact"] = _hnsw_vs_exact(bot, [c.question for c in cases], int(args.get("exact_k", 20)))
    return result


def locate_quotes(dataset_path: Path, documents: Any) -> dict[str, list[list[tuple[str, int, int]]]]:
    """Every case's supporting quotes as (document id, start, end) places in these documents."""
    from assistant.evals.dataset import load_dataset

    located = load_dataset(dataset_path).on_corpus().check_quotes(documents)
    return {
        case: [[(p.document_id, p.start, p.end) for p in places] for places in quotes]
        for case, quotes in located.items()
    }


def timed_retrieval(
    bot: Any, dataset_path: Path, k: int = 5, located: dict[str, Any] | None = None
) -> tuple[list[float], list[float], list[Any]]:
    """Retrieval of every English single-turn dev question, timed: (ms per question, recall@k per answerable question
    of the statement's supporting passages, the cases asked). `located`: locate_quotes' result, when known."""
    from assistant.evals import metrics
    from assistant.evals.dataset import load_dataset

    dataset = load_dataset(dataset_path).on_corpus()
    cases = [c for c in dataset.cases if c.lang == "en" and not c.history]
    if located is None:
        located = locate_quotes(dataset_path, bot.documents)
    timings: list[float] = []
    recalls: list[float] = []
    for case in cases:
        t0 = time.perf_counter()
        evidence = bot.evidence(case.question, k)
        timings.append((time.perf_counter() - t0) * 1000)
        quotes = [[(str(d), int(a), int(b)) for d, a, b in places] for places in located[case.id]]
        if case.answerable and quotes:
            spans = [(e.chunk.document_id, e.chunk.start, e.chunk.end) for e in evidence]
            recall = metrics.recall_at(metrics.quote_hits(spans, quotes), len(quotes), k)
            if recall is not None:
                recalls.append(recall)
    return timings, recalls, cases


def _hnsw_vs_exact(bot: Any, questions: list[str], k: int) -> dict[str, Any]:
    """Share of the exact (brute-force cosine) top-k that Chroma's HNSW search returns, over the questions."""
    import numpy as np

    collection = bot.index.collection()
    ids: list[str] = []
    vectors: list[Any] = []
    offset = 0
    while True:
        page = collection.get(include=["embeddings"], limit=4000, offset=offset)
        if not page["ids"]:
            break
        ids.extend(page["ids"])
        vectors.append(np.asarray(page["embeddings"], dtype=np.float32))
        offset += len(page["ids"])
    matrix = np.concatenate(vectors)
    found: list[float] = []
    exact_ms: list[float] = []
    for question in questions:
        query = bot.embedder.encode_query(question)
        t0 = time.perf_counter()
        exact = {ids[i] for i in np.argsort(-(matrix @ query))[:k]}
        exact_ms.append((time.perf_counter() - t0) * 1000)
        approximate = {chunk_id for chunk_id, _ in bot.index.search(query, k)}
        found.append(len(exact & approximate) / len(exact))
    return {
        "k": k,
        "recall_of_exact_top_k": sum(found) / len(found) if found else None,
        "worst_question": min(found) if found else None,
        "exact_search_p50_ms": sorted(exact_ms)[len(exact_ms) // 2] if exact_ms else None,
    }


if __name__ == "__main__":
    arguments = json.loads(Path(sys.argv[1]).read_text())
    Path(sys.argv[2]).write_text(json.dumps(main(arguments), indent=2))
