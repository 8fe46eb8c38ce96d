"""The index in Chroma: built aside and switched atomically, incremental by content hash, shared by replicas.

A build is three collections with one id: `<prefix>-chunks-<id>` (the chunks' MiniLM vectors, texts and offsets),
`<prefix>-e5-<id>` (their multilingual-e5 vectors) and `<prefix>-docs-<id>` (the documents themselves), reusing the
vectors of unchanged chunks. Then one metadata update of `<prefix>-active` makes it the served build. A crash before
the switch leaves the old build serving; the next build removes leftovers, keeping the build it replaced for replicas
still answering from it. With a Chroma server a replica needs nothing else: it reads the documents of the served
build, chunks them (deterministic) and builds its BM25 index in memory, caching it under index_dir/lexical.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
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
from assistant.models import Chunk, Document
from assistant.multilingual import MultilingualEncoder
from assistant.offline import go_offline

log = logging.getLogger(__name__)

BATCH = 4000  # below Chroma's maximum batch of 5461
HNSW = {"space": "cosine", "ef_search": 200, "ef_construction": 200}
MULTILINGUAL_MAX_CHUNKS = 20_000  # e5 on 2 cores is slow to embed: beyond this, no cross-lingual ranking
DOCUMENT_PART_CHARS = 500_000  # documents are stored in parts of this many characters (Chroma's request limits)
_KINDS = ("chunks", "e5", "docs")


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


def build_id(collection: str) -> str:
    """The id shared by a build's collections: '<prefix>-chunks-<id>' -> '<id>'."""
    return collection.rsplit("-", 1)[-1]


class ServedBuild:
    """One build's collections, for answering: dense and e5 search bound to that build, whatever is served later."""

    def __init__(self, client: Any, record: dict[str, Any]) -> None:
        self.client = client
        self.record = dict(record)
        self.name: str = record["collection"]
        self.chunk_count = int(record.get("chunks", 0))
        self._handles: dict[str, Any] = {}

    @property
    def multilingual(self) -> bool:
        """Whether the build holds the chunks' e5 vectors."""
        return bool(self.record.get("e5_collection"))

    def _collection(self, name: str) -> Any:
        if name not in self._handles:
            self._handles[name] = self.client.get_collection(name, embedding_function=None)
        return self._handles[name]

    def _nearest(self, name: str, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        result = self._collection(name).query(
            query_embeddings=[vector.tolist()], n_results=max(1, min(n, self.chunk_count or n)), include=["distances"]
        )
        return [(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]

    def _query(self, name: str, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """Nearest ids with cosine similarity; once more with a fresh handle (a restarted server), then
        StoreUnavailable."""
        try:
            return self._nearest(name, vector, n)
        except Exception:
            self._handles.pop(name, None)
        try:
            return self._nearest(name, vector, n)
        except Exception as exc:
            self._handles.pop(name, None)
            raise StoreUnavailable(f"the vector store is unavailable ({type(exc).__name__}: {exc})") from exc

    def search(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """Nearest chunks by MiniLM vector as (chunk id, cosine similarity), best first."""
        return self._query(self.name, vector, n)

    def search_multilingual(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """Nearest chunks by e5 vector (a question in any language); [] when the build holds no e5 vectors."""
        if not self.multilingual:
            return []
        return self._query(self.record["e5_collection"], vector, n)

    def documents(self) -> list[Document]:
        """The documents this build was made from, in corpus order ([] for a build that did not store them)."""
        name = self.record.get("documents_collection")
        if not name:
            return []
        parts: dict[str, dict[int, str]] = {}
        order: dict[str, int] = {}
        for ids, texts, metadatas in _pages(self._collection(name), ["documents", "metadatas"]):
            for _, text, meta in zip(ids, texts, metadatas, strict=True):
                key = str(meta["document_id"])
                parts.setdefault(key, {})[int(meta["part"])] = text
                order[key] = int(meta["position"])
        return [
            Document.model_validate_json("".join(parts[key][i] for i in sorted(parts[key])))
            for key in sorted(parts, key=order.__getitem__)
        ]


def _pages(collection: Any, include: list[str]) -> Iterator[tuple[list[str], list[Any], list[Any]]]:
    """A collection's records in pages: (ids, first included field, second included field)."""
    offset = 0
    while True:
        page = collection.get(include=include, limit=BATCH, offset=offset)
        if not page["ids"]:
            return
        yield page["ids"], page[include[0]], page[include[1]]
        offset += len(page["ids"])


class VectorIndex:
    """The builds in Chroma and the pointer to the served one."""

    def __init__(self, config: Config, client: Any | None = None) -> None:
        self.config = config
        self.client = client if client is not None else connect(config)
        self.prefix = config.collection_prefix
        self.lexical_dir = config.index_dir / "lexical"
        self._served_build: ServedBuild | None = None
        self.served: dict[str, Any] = {}

    # --- the pointer to the served build ---
    def _pointer(self) -> Any:
        return self.client.get_or_create_collection(f"{self.prefix}-active", embedding_function=None)

    def active(self) -> dict[str, Any]:
        """Metadata of the served build ({} when none): collection, fingerprint, chunks, model, e5_collection,
        documents_collection, previous."""
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

    def build_of(self, record: dict[str, Any]) -> ServedBuild:
        """The collections of one build (a pointer record), for answering from it."""
        if not record.get("collection"):
            raise StoreUnavailable("the index is empty: run `agenda index`")
        return ServedBuild(self.client, record)

    def served_build(self) -> ServedBuild:
        """The build the pointer named when last read."""
        record = self.served or self.refresh()
        if self._served_build is None or self._served_build.name != record.get("collection"):
            self._served_build = self.build_of(record)
        return self._served_build

    def collection(self) -> Any:
        return self.served_build()._collection(self.served_build().name)

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

    def _stored_embeddings(self, name: str | None) -> dict[str, np.ndarray]:
        """content_hash -> embedding of every chunk in a collection ({} when there is none)."""
        if not name:
            return {}
        try:
            collection = self.client.get_collection(name, embedding_function=None)
        except Exception:
            return {}
        found: dict[str, np.ndarray] = {}
        for _, metadatas, vectors in _pages(collection, ["metadatas", "embeddings"]):
            for meta, vector in zip(metadatas, vectors, strict=True):
                found[str(meta["content_hash"])] = np.asarray(vector, dtype=np.float32)
        return found

    def is_current(
        self,
        chunks: list[Chunk],
        embedder: Embedder,
        multilingual: MultilingualEncoder | None = None,
        documents: list[Document] | None = None,
    ) -> bool:
        return self._satisfies(self.active(), chunks, embedder, multilingual, documents)

    @staticmethod
    def _satisfies(
        active: dict[str, Any],
        chunks: list[Chunk],
        embedder: Embedder,
        multilingual: MultilingualEncoder | None,
        documents: list[Document] | None,
    ) -> bool:
        """Whether the served build already holds these chunks, and the e5 vectors and documents asked for."""
        if not active or active.get("fingerprint") != fingerprint(chunks, embedder.name):
            return False
        wants_e5 = multilingual is not None and len(chunks) <= MULTILINGUAL_MAX_CHUNKS
        if wants_e5 and not active.get("e5_collection"):
            return False
        return not (documents is not None and not active.get("documents_collection"))

    def build(
        self,
        chunks: list[Chunk],
        embedder: Embedder,
        rebuild: bool = False,
        *,
        multilingual: MultilingualEncoder | None = None,
        documents: list[Document] | None = None,
    ) -> IndexStats:
        """Make the served build match `chunks`. Embeds only chunks whose content hash is new. With `multilingual`,
        the build also holds the chunks' e5 vectors (up to MULTILINGUAL_MAX_CHUNKS); with `documents`, the documents
        themselves, so a replica can serve the build without the corpus folder."""
        started = time.perf_counter()
        with self._build_lock():
            active = self.active()
            wanted = fingerprint(chunks, embedder.name)
            if not rebuild and self._satisfies(active, chunks, embedder, multilingual, documents):
                self.refresh()
                return IndexStats(active["collection"], len(chunks), 0, len(chunks), 0, 0.0, False)
            # another model's vectors are no use to this one (and may not even have its size)
            same_model = bool(active) and active.get("model") == embedder.name
            old = self._stored_embeddings(active["collection"]) if same_model and not rebuild else {}
            missing = [c for c in chunks if c.content_hash not in old]
            new_vectors = self._embed(missing, embedder)
            vectors = {**old, **dict(zip((c.content_hash for c in missing), new_vectors, strict=True))}
            build = uuid.uuid4().hex[:12]
            record: dict[str, Any] = {
                "collection": self._add_vectors("chunks", build, chunks, vectors, wanted),
                "fingerprint": wanted,
                "chunks": len(chunks),
                "model": embedder.name,
            }
            if multilingual is not None and len(chunks) <= MULTILINGUAL_MAX_CHUNKS:
                reused = {} if rebuild else self._stored_embeddings(active.get("e5_collection"))
                e5 = self._embed_multilingual(chunks, multilingual, reused)
                record["e5_collection"] = self._add_vectors("e5", build, chunks, e5, wanted)
            if documents is not None:
                record["documents_collection"] = self._add_documents(build, documents)
            if active:
                record["previous"] = active["collection"]
            self._save_lexical(record["collection"], chunks)
            # The switch: one metadata update makes the new build the served one.
            self._pointer().modify(metadata=record)
            self.refresh()
            kept = {c.content_hash for c in chunks}
            removed = len([h for h in old if h not in kept])
            self._drop_unserved({build, build_id(active["collection"])} if active else {build})
            return IndexStats(
                record["collection"],
                len(chunks),
                len(missing),
                len(chunks) - len(missing),
                removed,
                time.perf_counter() - started,
                True,
            )

    def _add_vectors(
        self, kind: str, build: str, chunks: list[Chunk], vectors: dict[str, np.ndarray], wanted: str
    ) -> str:
        """A new collection of the chunks with their vectors (by content hash); returns its name."""
        name = f"{self.prefix}-{kind}-{build}"
        collection = self.client.create_collection(
            name, configuration={"hnsw": HNSW}, embedding_function=None, metadata={"fingerprint": wanted}
        )
        for i in range(0, len(chunks), BATCH):
            batch = chunks[i : i + BATCH]
            collection.add(
                ids=[c.id for c in batch],
                embeddings=np.stack([vectors[c.content_hash] for c in batch]),
                documents=[c.text for c in batch] if kind == "chunks" else None,
                metadatas=[chunk_metadata(c) for c in batch],
            )
        return name

    def _add_documents(self, build: str, documents: list[Document]) -> str:
        """A new collection holding the documents (as JSON, in parts); returns its name. Never searched: each record
        carries a constant one-number vector because Chroma wants one."""
        name = f"{self.prefix}-docs-{build}"
        collection = self.client.create_collection(
            name, configuration={"hnsw": {"space": "l2"}}, embedding_function=None
        )
        ids: list[str] = []
        texts: list[str] = []
        metadatas: list[dict[str, Any]] = []
        for position, document in enumerate(documents):
            data = document.model_dump_json()
            for part, begin in enumerate(range(0, len(data), DOCUMENT_PART_CHARS)):
                ids.append(f"{document.id}#{part}")
                texts.append(data[begin : begin + DOCUMENT_PART_CHARS])
                metadatas.append({"document_id": document.id, "part": part, "position": position})
        for i in range(0, len(ids), 64):
            collection.add(
                ids=ids[i : i + 64],
                embeddings=np.ones((len(ids[i : i + 64]), 1), dtype=np.float32),
                documents=texts[i : i + 64],
                metadatas=metadatas[i : i + 64],
            )
        return name

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

    def _embed_multilingual(
        self, chunks: list[Chunk], encoder: MultilingualEncoder, reused: dict[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        """content_hash -> e5 vector of every chunk, encoding only those not in `reused`."""
        missing = list({c.content_hash: c for c in chunks if c.content_hash not in reused}.values())
        vectors = dict(reused)
        with tqdm(
            total=len(missing),
            desc="Embedding chunks (multilingual-e5)",
            unit="chunk",
            disable=not self.config.show_progress or len(missing) < 200,
        ) as bar:
            for i in range(0, len(missing), 64):
                batch = missing[i : i + 64]
                vectors.update(
                    zip(
                        (c.content_hash for c in batch),
                        encoder.passages([c.embedding_text for c in batch]),
                        strict=True,
                    )
                )
                bar.update(len(batch))
        return vectors

    def _drop_unserved(self, keep: set[str]) -> None:
        """Remove every build but those in `keep` (by build id), and their BM25 caches."""
        prefixes = tuple(f"{self.prefix}-{kind}-" for kind in _KINDS)
        for collection in self.client.list_collections():
            name = collection if isinstance(collection, str) else collection.name
            if name.startswith(prefixes) and build_id(name) not in keep:
                with contextlib.suppress(Exception):  # another indexer may have removed it already
                    self.client.delete_collection(name)
        if self.lexical_dir.is_dir():
            for path in self.lexical_dir.iterdir():
                if build_id(path.name) not in keep:
                    shutil.rmtree(path, ignore_errors=True)

    # --- lexical side ---
    def _save_lexical(self, name: str, chunks: list[Chunk]) -> LexicalIndex:
        lexical = LexicalIndex.build([c.id for c in chunks], [c.embedding_text for c in chunks])
        tmp = self.lexical_dir / f".{name}.{uuid.uuid4().hex[:8]}.tmp"
        lexical.save(tmp)
        target = self.lexical_dir / name
        shutil.rmtree(target, ignore_errors=True)  # a torn or stale cache of this build
        try:
            tmp.replace(target)
        except OSError:  # another process of this machine saved it in between: keep theirs
            shutil.rmtree(tmp, ignore_errors=True)
        return lexical

    def ensure_lexical(self, chunks: list[Chunk], name: str | None = None) -> LexicalIndex:
        """The BM25 index of a build (default: the served one): loaded from this machine's cache, or built from the
        chunks (and cached) when this machine lacks it."""
        name = name or (self.served or self.refresh()).get("collection")
        if not name:
            raise StoreUnavailable("the index is empty: run `agenda index`")
        directory = self.lexical_dir / name
        if (directory / "ids.json").exists():
            try:
                lexical = LexicalIndex.load(directory)
            except (OSError, ValueError) as exc:  # a torn cache: build it again
                log.warning("ignoring the BM25 cache %s: %s", directory, exc)
            else:
                if lexical.ids == [c.id for c in chunks]:
                    return lexical
        return self._save_lexical(name, chunks)

    # --- querying the served build ---
    def search(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """Nearest chunks of the served build as (chunk id, cosine similarity), best first."""
        try:
            return self.served_build().search(vector, n)
        except StoreUnavailable:
            self.served = {}
            raise


def chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    return {
        "document_id": chunk.document_id,
        "title": chunk.title,
        "path": " > ".join(chunk.path),
        "start": chunk.start,
        "end": chunk.end,
        "content_hash": chunk.content_hash,
    }
