"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused by reciprocal rank fusion."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.embeddings import Embedder
from assistant.errors import StoreUnavailable
from assistant.index import VectorIndex
from assistant.lexical import LexicalIndex
from assistant.models import Chunk, Evidence
from assistant.multilingual import MultilingualEncoder, passage_matrix

log = logging.getLogger(__name__)
MULTILINGUAL_MAX_CHUNKS = 20_000
MULTILINGUAL_WARM_CHUNKS = 200


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = 60) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = sum over lists of 1 / (k + rank), rank from 1. Best first, ties by id."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(dict.fromkeys(ranking), start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def _alternate(fused: list[tuple[str, float]], owners: list[str], documents: Sequence[str]) -> list[tuple[str, float]]:
    """The fused ranking restricted to `documents`, taking each document's next best in turn."""
    queues = [[item for item, owner in zip(fused, owners, strict=True) if owner == d] for d in documents]
    merged: list[tuple[str, float]] = []
    while any(queues):
        for queue in queues:
            if queue:
                merged.append(queue.pop(0))
    return merged


@dataclass
class Retrieval:
    evidence: list[Evidence]
    query_vector: np.ndarray
    degraded: bool = False  # True when the vector store was unavailable and only BM25 answered


class HybridRetriever:
    """Finds the chunks that best match a question."""

    def __init__(
        self,
        chunks: list[Chunk],
        index: VectorIndex,
        lexical: LexicalIndex,
        embedder: Embedder,
        rrf_k: int = 60,
        multilingual: MultilingualEncoder | None = None,
        multilingual_store: Path | None = None,
    ) -> None:
        self.chunks = {c.id: c for c in chunks}
        self.multilingual = multilingual
        self.multilingual_store = multilingual_store
        self._chunk_ids = [c.id for c in chunks]
        self._multilingual_matrix: np.ndarray | None = None
        stored = multilingual_store is not None and multilingual_store.exists()
        if multilingual is not None and (len(chunks) <= MULTILINGUAL_WARM_CHUNKS or stored):
            self.prepare_multilingual()  # now (or from disk), not at the first non-English question
        self.index = index
        self.lexical = lexical
        self.embedder = embedder
        self.rrf_k = rrf_k

    def _dense(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        try:
            return self.index.search(vector, n)
        except StoreUnavailable:
            self.index.refresh()  # the served collection may have been switched by another process
            return self.index.search(vector, n)

    def retrieve(
        self,
        question: str,
        k: int = 5,
        english: str | None = None,
        language: str = "en",
        documents: Sequence[str] = (),
    ) -> Retrieval:
        """The k best chunks. `english` is the question translated (when it was asked in another `language`): dense
        and BM25 search with it, and multilingual-e5 with the question as asked. `documents`: only theirs, the best
        of each in turn when there are several (a question that names them to compare them)."""
        searched = english or question
        vector = self.embedder.encode_query(searched)
        pool = max(4 * k, 20) if not documents else max(4 * k, 60)
        degraded = False
        try:
            dense = self._dense(vector, pool)
        except StoreUnavailable as exc:
            log.warning("dense retrieval unavailable, answering from BM25 only: %s", exc)
            dense, degraded = [], True
        lexical = self.lexical.search(searched, pool)
        dense = [(i, s) for i, s in dense if i in self.chunks]
        lexical = [(i, s) for i, s in lexical if i in self.chunks]
        rankings = [[i for i, _ in dense], [i for i, _ in lexical]]
        if self.multilingual is not None and language != "en":
            rankings = [self._cross_lingual(question, pool), *rankings]  # first: it wins ties
        fused = reciprocal_rank_fusion(rankings, self.rrf_k)
        dense_sim, lexical_score = dict(dense), dict(lexical)
        evidence: list[Evidence] = []
        seen_text: set[str] = set()
        if documents:
            fused = _alternate(fused, [self.chunks[i].document_id for i, _ in fused], documents)
        for chunk_id, score in fused:
            chunk = self.chunks[chunk_id]
            key = chunk.prose.lower()
            if key in seen_text:  # the same passage in two documents: keep the better-ranked one
                continue
            seen_text.add(key)
            evidence.append(
                Evidence(
                    chunk=chunk,
                    score=score,
                    dense_similarity=dense_sim.get(chunk_id),
                    lexical_score=lexical_score.get(chunk_id),
                    rank=len(evidence) + 1,
                )
            )
            if len(evidence) == k:
                break
        return Retrieval(evidence, vector, degraded)

    def prepare_multilingual(self) -> None:
        """Load or compute the chunks' e5 vectors (saved in multilingual_store, so once per corpus change).

        `agenda index` calls this, so the first non-English question on a large corpus does not pay for it."""
        if self.multilingual is None or len(self._chunk_ids) > MULTILINGUAL_MAX_CHUNKS:
            return
        if self._multilingual_matrix is None:
            texts = [self.chunks[i].embedding_text for i in self._chunk_ids]
            self._multilingual_matrix = passage_matrix(self.multilingual, texts, self.multilingual_store)

    def _cross_lingual(self, question: str, n: int) -> list[str]:
        """Chunk ids ranked by multilingual-e5 similarity (kept in memory; for corpora up to ~20k chunks)."""
        assert self.multilingual is not None
        if len(self._chunk_ids) > MULTILINGUAL_MAX_CHUNKS:
            return []
        self.prepare_multilingual()
        assert self._multilingual_matrix is not None
        sims = self._multilingual_matrix @ self.multilingual.query(question)
        order = np.argsort(-sims)[:n]
        return [self._chunk_ids[i] for i in order]
