"""The vector index in Chroma: built aside and switched atomically, incremental by content hash.

Each build writes a new collection `<prefix>-chunks-<id>`, reusing the stored embeddings of unchanged chunks, then
points `<prefix>-active` at it. A crash before the switch leaves the old collection serving; leftovers are removed by
the next build. The BM25 index of each collection is saved under index_dir/lexical/<collection>.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from tqdm import tqdm

from assistant.chunking import CHUNKER_VERSION
from assistant.config import Config
from assistant.embeddings import Embedder
from assistant.errors import ConfigError, StoreUnavailable
from assistant.lexical import LexicalIndex
from assistant.models import Chunk
from assistant.offline import go_offline

BATCH = 4000  # below Chroma's maximum batch of 5461
HNSW = {"space": "cosine", "ef_search": 200, "ef_construction": 200}


@dataclass
class IndexStats:
    collection: str
    chunks: int
    embedded: int
    reused: int
    removed: int
    seconds: float
    changed: bool


def fingerprint(chunks: list[Chunk], model_name: str) -> str:
    digest = hashlib.sha256(f"{CHUNKER_VERSION}|{model_name}".encode())
    for chunk in chunks:
        digest.update(f"|{chunk.id}:{chunk.content_hash}".encode())
    return digest.hexdigest()[:32]


def connect(config: Config) -> Any:
    """A Chroma client: embedded under index_dir, or a server at chroma_url. Telemetry off."""
    go_offline()
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False, allow_reset=False)
    if config.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(config.chroma_url)
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=settings,
            )
            client.heartbeat()
        except Exception as exc:
            raise ConfigError(
                f"cannot reach the Chroma server at {config.chroma_url} ({type(exc).__name__}): start it "
                "(`chroma run --path index/server --port 8000`) or unset ASSISTANT_CHROMA_URL"
            ) from exc
        return client
    path = config.index_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class VectorIndex:
    """The served chunk collection in Chroma and the matching BM25 index."""

    def __init__(self, config: Config, client: Any | None = None) -> None:
        self.config = config
        self.client = client if client is not None else connect(config)
        self.prefix = config.collection_prefix
        self.lexical_dir = config.index_dir / "lexical"
        self._collection: Any | None = None
        self._collection_name: str | None = None
        self.served: dict[str, Any] = {}

    # --- the pointer to the served collection ---
    def _pointer(self) -> Any:
        return self.client.get_or_create_collection(f"{self.prefix}-active", embedding_function=None)

    def active(self) -> dict[str, Any]:
        """Metadata of the served build ({} when none): collection, fingerprint, chunks, model."""
        metadata = dict(self._pointer().metadata or {})
        if not metadata.get("collection"):
            return {}
        return metadata

    def refresh(self) -> dict[str, Any]:
        """Re-read which build is served (another process may have switched it)."""
        try:
            self.served = self.active()
        except Exception as exc:
            self.served = {}
            raise StoreUnavailable(f"the vector store is unavailable ({type(exc).__name__}: {exc})") from exc
        return self.served

    def collection(self) -> Any:
        name = (self.served or self.refresh()).get("collection")
        if not name:
            raise StoreUnavailable("the index is empty: run `agenda index`")
        if name != self._collection_name:
            self._collection = self.client.get_collection(name, embedding_function=None)
            self._collection_name = name
        return self._collection

    # --- building ---
    @contextlib.contextmanager
    def _build_lock(self) -> Iterator[None]:
        self.config.index_dir.mkdir(parents=True, exist_ok=True)
        with open(self.config.index_dir / ".build.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _stored_embeddings(self, name: str) -> dict[str, np.ndarray]:
        """content_hash -> embedding of every chunk in a collection."""
        try:
            collection = self.client.get_collection(name, embedding_function=None)
        except Exception:
            return {}
        found: dict[str, np.ndarray] = {}
        offset = 0
        while True:
            page = collection.get(include=["embeddings", "metadatas"], limit=BATCH, offset=offset)
            if not page["ids"]:
                break
            for meta, vector in zip(page["metadatas"], page["embeddings"], strict=True):
                found[str(meta["content_hash"])] = np.asarray(vector, dtype=np.float32)
            offset += len(page["ids"])
        return found

    def is_current(self, chunks: list[Chunk], embedder: Embedder) -> bool:
        active = self.active()
        return bool(active) and active.get("fingerprint") == fingerprint(chunks, embedder.name)

    def build(self, chunks: list[Chunk], embedder: Embedder, rebuild: bool = False) -> IndexStats:
        """Make the served index match `chunks`. Embeds only chunks whose content hash is new."""
        started = time.perf_counter()
        with self._build_lock():
            active = self.active()
            wanted = fingerprint(chunks, embedder.name)
            if active.get("fingerprint") == wanted and not rebuild:
                self.refresh()
                return IndexStats(active["collection"], len(chunks), 0, len(chunks), 0, 0.0, False)
            old = {} if rebuild or not active else self._stored_embeddings(active["collection"])
            missing = [c for c in chunks if c.content_hash not in old]
            new_vectors = self._embed(missing, embedder)
            vectors = {**old, **dict(zip((c.content_hash for c in missing), new_vectors, strict=True))}
            name = f"{self.prefix}-chunks-{uuid.uuid4().hex[:12]}"
            collection = self.client.create_collection(
                name, configuration={"hnsw": HNSW}, embedding_function=None, metadata={"fingerprint": wanted}
            )
            for i in range(0, len(chunks), BATCH):
                batch = chunks[i : i + BATCH]
                collection.add(
                    ids=[c.id for c in batch],
                    embeddings=np.stack([vectors[c.content_hash] for c in batch]),
                    documents=[c.text for c in batch],
                    metadatas=[chunk_metadata(c) for c in batch],
                )
            self._save_lexical(name, chunks)
            # The switch: one metadata update makes the new build the served one.
            self._pointer().modify(
                metadata={"collection": name, "fingerprint": wanted, "chunks": len(chunks), "model": embedder.name}
            )
            self.refresh()
            kept = {c.content_hash for c in chunks}
            removed = len([h for h in old if h not in kept])
            self._drop_unserved(name)
            return IndexStats(
                name,
                len(chunks),
                len(missing),
                len(chunks) - len(missing),
                removed,
                time.perf_counter() - started,
                True,
            )

    def _embed(self, chunks: list[Chunk], embedder: Embedder) -> list[np.ndarray]:
        texts = [c.embedding_text for c in chunks]
        out: list[np.ndarray] = []
        step = max(embedder.batch_size * 8, 256)
        with tqdm(
            total=len(texts),
            desc="Embedding chunks",
            unit="chunk",
            disable=not self.config.show_progress or len(texts) < 200,
        ) as bar:
            for i in range(0, len(texts), step):
                out.extend(embedder.encode(texts[i : i + step]))
                bar.update(min(step, len(texts) - i))
        return out

    def _drop_unserved(self, keep: str) -> None:
        prefix = f"{self.prefix}-chunks-"
        for collection in self.client.list_collections():
            name = collection if isinstance(collection, str) else collection.name
            if name.startswith(prefix) and name != keep:
                self.client.delete_collection(name)
        if self.lexical_dir.is_dir():
            for path in self.lexical_dir.iterdir():
                if path.name != keep:
                    shutil.rmtree(path, ignore_errors=True)

    # --- lexical side ---
    def _save_lexical(self, name: str, chunks: list[Chunk]) -> LexicalIndex:
        lexical = LexicalIndex.build([c.id for c in chunks], [c.embedding_text for c in chunks])
        tmp = self.lexical_dir / f".{name}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        lexical.save(tmp)
        tmp.replace(self.lexical_dir / name)
        return lexical

    def ensure_lexical(self, chunks: list[Chunk]) -> LexicalIndex:
        """The BM25 index of the served collection: loaded from disk, or rebuilt if this machine lacks it."""
        name = (self.served or self.refresh()).get("collection")
        if not name:
            raise StoreUnavailable("the index is empty: run `agenda index`")
        directory = self.lexical_dir / name
        if (directory / "ids.json").exists():
            lexical = LexicalIndex.load(directory)
            if lexical.ids == [c.id for c in chunks]:
                return lexical
        return self._save_lexical(name, chunks)

    # --- querying ---
    def search(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """Nearest chunks as (chunk id, cosine similarity), best first."""
        try:
            collection = self.collection()
            count = int(self.served.get("chunks", n))
            result = collection.query(
                query_embeddings=[vector.tolist()], n_results=max(1, min(n, count)), include=["distances"]
            )
        except StoreUnavailable:
            raise
        except Exception as exc:
            self._collection_name = None
            self.served = {}
            raise StoreUnavailable(f"the vector store is unavailable ({type(exc).__name__}: {exc})") from exc
        return [(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]


def chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    return {
        "document_id": chunk.document_id,
        "title": chunk.title,
        "path": " > ".join(chunk.path),
        "start": chunk.start,
        "end": chunk.end,
        "content_hash": chunk.content_hash,
    }
