"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused by reciprocal rank fusion."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.embeddings import Embedder
from assistant.errors import StoreUnavailable
from assistant.index import ServedBuild
from assistant.lexical import LexicalIndex
from assistant.models import Chunk, Evidence
from assistant.multilingual import MultilingualEncoder

log = logging.getLogger(__name__)


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
        index: ServedBuild,
        lexical: LexicalIndex,
        embedder: Embedder,
        rrf_k: int = 60,
        multilingual: MultilingualEncoder | None = None,
    ) -> None:
        """`index`: the build these chunks are from (its MiniLM and e5 vectors); `lexical`: their BM25 index."""
        self.chunks = {c.id: c for c in chunks}
        self.multilingual = multilingual
        self.index = index
        self.lexical = lexical
        self.embedder = embedder
        self.rrf_k = rrf_k

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
            dense = self.index.search(vector, pool)
        except StoreUnavailable as exc:
            log.warning("dense retrieval unavailable, answering from BM25 only: %s", exc)
            dense, degraded = [], True
        lexical = self.lexical.search(searched, pool)
        dense = [(i, s) for i, s in dense if i in self.chunks]
        lexical = [(i, s) for i, s in lexical if i in self.chunks]
        rankings = [[i for i, _ in dense], [i for i, _ in lexical]]
        if self.multilingual is not None and language != "en" and self.index.multilingual:
            try:
                cross = self.index.search_multilingual(self.multilingual.query(question), pool)
                rankings = [[i for i, _ in cross if i in self.chunks], *rankings]  # first: it wins ties
            except StoreUnavailable as exc:
                log.warning("cross-lingual retrieval unavailable: %s", exc)
                degraded = True
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
