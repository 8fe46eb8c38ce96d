"""Cross-lingual retrieval's e5 vectors: computed at index time, saved beside the index, reused by the next process."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant
from assistant.multilingual import MultilingualEncoder, passage_matrix


class CountingEncoder:
    """The real e5 encoder, counting the passages it is asked to encode."""

    def __init__(self, encoder: MultilingualEncoder) -> None:
        self.encoder = encoder
        self.encoded: list[str] = []

    def passages(self, texts: list[str]) -> np.ndarray:
        self.encoded += list(texts)
        return self.encoder.passages(texts)


@pytest.fixture(scope="module")
def e5() -> MultilingualEncoder:
    return MultilingualEncoder()


def test_vectors_are_saved_and_only_new_text_is_encoded(e5: MultilingualEncoder, tmp_path: Path) -> None:
    store = tmp_path / "e5.npz"
    texts = ["Take an unequivocal approach to returns.", "Supporting agencies like the IOM and UNHCR."]
    first = CountingEncoder(e5)
    matrix = passage_matrix(first, texts, store)  # type: ignore[arg-type]
    assert store.exists() and first.encoded == texts and matrix.shape == (2, 384)

    again = CountingEncoder(e5)
    changed = [texts[1], "Put innovation at the heart of migration reform."]
    reused = passage_matrix(again, changed, store)  # type: ignore[arg-type]
    assert again.encoded == [changed[1]]  # the unchanged sentence came from disk
    assert np.allclose(reused[0], matrix[1])


def test_a_torn_store_is_encoded_again(e5: MultilingualEncoder, tmp_path: Path) -> None:
    store = tmp_path / "e5.npz"
    store.write_bytes(b"not a numpy file")
    counting = CountingEncoder(e5)
    matrix = passage_matrix(counting, ["Copenhagen"], store)  # type: ignore[arg-type]
    assert counting.encoded == ["Copenhagen"] and matrix.shape == (1, 384)
    with np.load(store) as saved:
        assert saved["vectors"].shape == (1, 384)


def test_indexing_saves_the_vectors_for_the_next_process(private_config, embedder) -> None:
    bot = Assistant(private_config, embedder=embedder)
    store = bot.retriever.multilingual_store
    assert store is not None and store.exists()
    with np.load(store) as saved:
        assert len(saved["keys"]) == len(bot.chunks)
    next_process = Assistant(private_config, embedder=embedder, build_index=False)
    answer = next_process.ask("Welche Organisationen werden genannt?")
    assert not answer.refused and any("UNHCR" in c.quote for c in answer.citations), answer.text
