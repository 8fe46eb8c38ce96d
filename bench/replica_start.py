"""How long a replica takes to start with nothing but a Chroma server's URL, at 1k / 10k / 100k chunks.

A replica reads the served build's documents from the server, chunks them, and builds its BM25 index (or loads it
from its own cache folder on a later start); the MiniLM and multilingual-e5 vectors stay in the server. This
measures each step in a fresh process (as a replica starts), the whole `Assistant` start, and, for the choice the
README explains, what computing the chunks' e5 vectors at every start would cost instead (e5's passages/s on this
machine times the chunks).

The indexed vectors here are random unit vectors: a replica never reads them at start, and embedding 100k chunks
for real takes ~20 min of both cores and measures the indexer, not the replica. Everything else is real: the
synthetic corpus of bench/synthetic.py (cached under bench/cache/), a `chroma run` server, the replica's code.

    python -m bench.replica_start --sizes 1000,10000,100000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.cluster import SEED_CORPUS, ChromaServer

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / "cache"


class RandomVectors:
    """Stands in for the embedder when indexing (see the module docstring): the real model's name, random vectors."""

    def __init__(self, name: str, seed: int = 7) -> None:
        self.name = name
        self.batch_size = 256
        self._rng = np.random.default_rng(seed)

    def encode(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        vectors = self._rng.standard_normal((len(texts), 384)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def index_size(size: int, chroma_url: str, work: Path, seed: int) -> dict[str, Any]:
    """The synthetic corpus of `size` chunks, indexed into the Chroma server with its documents (once: the server's
    data is cached under bench/cache/ with the corpus)."""
    from assistant.chunking import chunk_corpus
    from assistant.config import Config
    from assistant.corpus import load_corpus
    from assistant.index import VectorIndex
    from bench.synthetic import ensure_corpus

    corpus = ensure_corpus(CACHE / f"start-corpus-{size}-{seed}", size, seed, SEED_CORPUS)
    documents = load_corpus(corpus.directory).documents
    config = Config(corpus_dir=corpus.directory, chroma_url=chroma_url, index_dir=work / "indexer")
    chunks = chunk_corpus(documents, config.chunk_max_tokens)
    started = time.perf_counter()
    index = VectorIndex(config)
    embedder = RandomVectors(Path(config.embedding_model).name)
    if not index.is_current(chunks, embedder, documents=documents):  # type: ignore[arg-type]
        index.build(chunks, embedder, documents=documents)  # type: ignore[arg-type]
    return {"chunks": len(chunks), "documents": len(documents), "index_seconds": time.perf_counter() - started}


def probe(chroma_url: str, cache: Path) -> dict[str, Any]:
    """In a fresh process, as a replica starts: each start-up step, then the whole start of an Assistant with the
    replica's cache folder `cache` (empty the first time: BM25 built; the next time: loaded)."""
    started = time.perf_counter()
    from assistant import Assistant
    from assistant.chunking import chunk_corpus
    from assistant.config import Config
    from assistant.index import VectorIndex
    from assistant.lexical import LexicalIndex

    imports = time.perf_counter() - started
    empty = cache.parent / "no-corpus"
    empty.mkdir(parents=True, exist_ok=True)
    config = Config(chroma_url=chroma_url, corpus_dir=empty, index_dir=cache, multilingual=False)
    steps: dict[str, float] = {"import the app": imports}
    t = time.perf_counter()
    index = VectorIndex(config)
    documents = index.build_of(index.refresh()).documents()
    steps["fetch the documents"] = time.perf_counter() - t
    t = time.perf_counter()
    chunks = chunk_corpus(documents, config.chunk_max_tokens)
    steps["chunk"] = time.perf_counter() - t
    t = time.perf_counter()
    LexicalIndex.build([c.id for c in chunks], [c.embedding_text for c in chunks])
    steps["build BM25"] = time.perf_counter() - t
    t = time.perf_counter()
    bot = Assistant(config)
    steps["Assistant start (all of the above, models, BM25 built or loaded)"] = time.perf_counter() - t
    assert len(bot.chunks) == len(chunks)
    return {"steps_s": steps, "bm25_cached": (cache / "lexical").is_dir()}


def e5_passages_per_second(sample: int = 64) -> float:
    from assistant.chunking import chunk_corpus
    from assistant.corpus import load_corpus
    from assistant.multilingual import MultilingualEncoder

    corpus = sorted(CACHE.glob("start-corpus-*"))
    texts = [c.embedding_text for c in chunk_corpus(load_corpus(corpus[0]).documents, 160)][:sample]
    encoder = MultilingualEncoder()
    encoder.passages(texts[:4])  # load the engine
    started = time.perf_counter()
    encoder.passages(texts[4:])
    return (len(texts) - 4) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--probe", nargs=2, metavar=("CHROMA_URL", "CACHE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(probe(args.probe[0], Path(args.probe[1]))))
        return
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="agenda-start-") as tmp:
        work = Path(tmp)
        for size in (int(s) for s in args.sizes.split(",")):
            server = ChromaServer(CACHE / f"start-chroma-{size}-{args.seed}")
            server.start()
            try:
                figures = index_size(size, server.url, work, args.seed)
                cache = work / f"replica-{size}"
                for start in ("first start (empty cache)", "restart (BM25 cached)"):
                    run = subprocess.run(
                        [sys.executable, "-m", "bench.replica_start", "--probe", server.url, str(cache)],
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    figures[start] = json.loads(run.stdout.strip().splitlines()[-1])
                results[str(size)] = figures
            finally:
                server.stop()
            print(json.dumps({size: results[str(size)]}), file=sys.stderr, flush=True)
    rate = e5_passages_per_second()
    for figures in results.values():
        figures["e5_at_start_estimate_s"] = figures["chunks"] / rate
    print(json.dumps({"e5_passages_per_s": rate, "sizes": results}, indent=2))


if __name__ == "__main__":
    main()
