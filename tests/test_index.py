"""The Chroma index: incremental and idempotent by content hash, built aside and switched, never half-built."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cachetools import LRUCache

from assistant import Assistant, Config
from assistant.chunking import chunk_corpus
from assistant.corpus import load_corpus
from assistant.embeddings import Embedder
from assistant.index import VectorIndex


def chunks_of(config: Config):
    return chunk_corpus(load_corpus(config.corpus_dir).documents, config.chunk_max_tokens)


def test_a_second_run_embeds_nothing(private_config: Config, embedder: Embedder) -> None:
    index = VectorIndex(private_config)
    first = index.build(chunks_of(private_config), embedder)
    assert first.changed and first.embedded == first.chunks == 8
    second = index.build(chunks_of(private_config), embedder)
    assert not second.changed and second.embedded == 0
    assert second.collection == first.collection
    rebuilt = index.build(chunks_of(private_config), embedder, rebuild=True)
    assert rebuilt.embedded == 8 and rebuilt.collection != first.collection


def test_only_new_chunks_are_embedded_and_removed_documents_vanish(
    private_config: Config, embedder: Embedder, corpus_dir: Path
) -> None:
    index = VectorIndex(private_config)
    first = index.build(chunks_of(private_config), embedder)
    (corpus_dir / "extra.md").write_text("# Extra\n\nThe ferry timetable changes in winter.\n")
    added = index.build(chunks_of(private_config), embedder)
    assert (added.embedded, added.reused) == (2, 8)
    vector = embedder.encode_query("ferry timetable")
    assert index.search(vector, 1)[0][0].startswith("extra#")
    (corpus_dir / "extra.md").unlink()
    removed = index.build(chunks_of(private_config), embedder)
    assert (removed.embedded, removed.removed) == (0, 2)
    assert all(not cid.startswith("extra#") for cid, _ in index.search(vector, 20))
    assert index.collection().count() == 8
    names = [c.name for c in index.client.list_collections()]
    # older builds are dropped; the one just replaced stays for replicas still answering from it
    assert sorted(n for n in names if "-chunks-" in n) == sorted([added.collection, removed.collection])
    assert first.collection not in names


class CrashingEmbedder(Embedder):
    """The real model, failing after the first batch: a crash in the middle of indexing (fault injection)."""

    def __init__(self, real: Embedder) -> None:
        self.__dict__.update(real.__dict__)
        self.batch_size = 1  # small batches: the indexer calls encode several times
        self.calls = 0

    def encode(self, texts, show_progress=False):
        self.calls += 1
        if self.calls > 1:
            raise RuntimeError("power cut")
        return super().encode(texts, show_progress)


class WiderEmbedder(Embedder):
    """Another model as far as the index can tell: its own name and 768 dimensions (the real MiniLM vector twice,
    so its searches still find the right chunks)."""

    def __init__(self, real: Embedder) -> None:
        self.__dict__.update(real.__dict__)
        self.name = "wider-model"
        self.dimension = 2 * real.dimension
        self._cache = LRUCache(maxsize=16)  # not the real model's cached 384-dimension queries

    def encode(self, texts, show_progress=False):
        vectors = super().encode(texts, show_progress)
        return np.hstack([vectors, vectors]) / np.sqrt(2)


def test_another_embedding_model_embeds_every_chunk_again(private_config: Config, embedder: Embedder) -> None:
    """Vectors are reused by content hash only from a build of the same model: another model's are of no use (here
    not even of its size, which made every dense search fail and answers fall back to BM25)."""
    index = VectorIndex(private_config)
    index.build(chunks_of(private_config), embedder)
    wider = WiderEmbedder(embedder)
    switched = index.build(chunks_of(private_config), wider)
    assert switched.changed and (switched.embedded, switched.reused) == (8, 0)
    hit = index.search(wider.encode_query("agencies like the IOM and UNHCR"), 1)[0]
    assert hit[0] == "migration-our-shared-agenda#6"
    back = index.build(chunks_of(private_config), embedder)  # and back again: MiniLM's vectors, not the wider ones
    assert (back.embedded, back.reused) == (8, 0)
    assert index.search(embedder.encode_query("agencies like the IOM and UNHCR"), 1)[0][0] == hit[0]


def test_a_crash_mid_build_leaves_the_old_index_serving(
    private_config: Config, embedder: Embedder, corpus_dir: Path
) -> None:
    config = private_config
    index = VectorIndex(config)
    before = index.build(chunks_of(config), embedder)
    for n in range(300):  # enough new chunks for several embedding batches
        (corpus_dir / f"note{n}.txt").write_text(f"Note {n} about harbour logistics number {n}.")
    with pytest.raises(RuntimeError, match="power cut"):
        index.build(chunks_of(config), CrashingEmbedder(embedder))
    assert index.refresh()["collection"] == before.collection
    assert index.collection().count() == 8
    hit = index.search(embedder.encode_query("agencies like the IOM and UNHCR"), 1)[0]
    assert hit[0] == "migration-our-shared-agenda#6"
    after = index.build(chunks_of(config), embedder)  # the next run completes and reuses what it can
    assert after.chunks == 308 and after.reused == 8


def test_assistant_builds_a_missing_or_stale_index_on_first_use(
    private_config: Config, embedder: Embedder, corpus_dir: Path
) -> None:
    first = Assistant(private_config, embedder=embedder)
    assert first.last_index_stats is not None and first.last_index_stats.embedded == 8
    assert Assistant(private_config, embedder=embedder).last_index_stats is None  # current: nothing to do
    (corpus_dir / "ferries.txt").write_text("Ferries\n\nThe ferry timetable changes in winter.\n")
    stale = Assistant(private_config, embedder=embedder)
    assert stale.last_index_stats is not None and stale.last_index_stats.embedded == 2
    answer = stale.ask("When does the ferry timetable change?")
    assert not answer.refused and answer.citations[0].source == "ferries"


def test_search_returns_cosine_similarities(private_config: Config, embedder: Embedder) -> None:
    index = VectorIndex(private_config)
    index.build(chunks_of(private_config), embedder)
    hits = index.search(embedder.encode_query("returns of migrants"), 3)
    sims = [s for _, s in hits]
    assert sims == sorted(sims, reverse=True) and all(-1 <= s <= 1 for s in sims)
    chunks = {c.id: c for c in chunks_of(private_config)}
    query = embedder.encode_query("returns of migrants")
    for chunk_id, similarity in hits:  # the store's distances are exact cosines of the stored vectors
        exact = float(query @ embedder.encode([chunks[chunk_id].embedding_text])[0])
        assert np.isclose(similarity, exact, atol=1e-3)


def test_a_build_holds_its_documents_whole(
    private_config: Config, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Documents are stored in parts (Chroma's request limits) and read back whole, in corpus order."""
    import assistant.index

    monkeypatch.setattr(assistant.index, "DOCUMENT_PART_CHARS", 300)  # the statement in many parts
    documents = load_corpus(private_config.corpus_dir).documents
    index = VectorIndex(private_config)
    index.build(chunks_of(private_config), embedder, documents=documents)
    stored = index.build_of(index.refresh()).documents()
    assert stored == documents and len(documents[0].model_dump_json()) > 300 * 10
