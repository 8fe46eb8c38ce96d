"""The LangChain tutorial recipe, kept as the benchmark's yardstick (not a product feature).

RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200) -> Chroma (langchain-chroma) with the same
embedding model -> top-4 similarity search -> the tutorial's "use the following pieces of retrieved context ... if you
don't know the answer, just say that you don't know" prompt -> a local LLM. Its citations are the retrieved chunks,
whole. Like the tutorial it is single-turn: the conversation history is not used.

Without a local LLM it runs retrieval only: the citations (the top-4 chunks) and the retrieval latency are measured,
and the answer-dependent figures are reported as not available.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.models import Answer, Chunk, Citation, Document
from bench.llm import Generation, Generator, generate

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4
# The tutorial's prompt (LangChain hub "rlm/rag-prompt").
PROMPT = (
    "You are an assistant for question-answering tasks. Use the following pieces of retrieved context to answer "
    "the question. If you don't know the answer, just say that you don't know. Use three sentences maximum and keep "
    "the answer concise.\nQuestion: {question} \nContext: {context} \nAnswer:"
)
_REFUSAL = re.compile(
    r"\b(?:(?:i|we)\s+(?:do\s*n[o']t|don’t|cannot|can't|can’t)\s+(?:know|say|tell|find|answer|determine)|"
    r"(?:do(?:es)?\s+not|doesn't|doesn’t)\s+(?:mention|say|specify|contain|provide|include|state)|"
    r"not\s+(?:mentioned|provided|specified|stated|included|available)\s+in|no\s+(?:information|mention)|"
    r"(?:context|statement|text)\s+does\s+not)\b",
    re.IGNORECASE,
)


def is_refusal(text: str) -> bool:
    """Whether a generated answer declines ("I don't know", "the context does not mention ...")."""
    return not text.strip() or _REFUSAL.search(text) is not None


class UncachedEmbeddings(Embeddings):
    """The same model as the Assistant's, without its query cache (the tutorial has none)."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in self.embedder.encode(texts)]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self.embedder.encode([text])[0]]


class ReferencePipeline:
    """The recipe over a list of Documents; `ask()` returns the project's Answer so both are scored alike."""

    name = "reference"

    def __init__(self, documents: list[Document], embeddings: Embeddings, generator: Generator | None = None) -> None:
        import chromadb
        from chromadb.config import Settings
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        started = time.perf_counter()
        self.generator = generator
        self.documents = {d.id: d for d in documents}
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
        )
        splits = splitter.create_documents(
            [d.text for d in documents], metadatas=[{"source": d.id, "title": d.title} for d in documents]
        )
        for n, split in enumerate(splits):
            split.id = f"{split.metadata['source']}@{n}"
        self.chunks: list[Chunk] = [_as_chunk(split.id or "", split.page_content, split.metadata) for split in splits]
        client = chromadb.EphemeralClient(Settings(anonymized_telemetry=False, allow_reset=False))
        self.store = Chroma(
            collection_name=f"reference-{uuid.uuid4().hex[:12]}", embedding_function=embeddings, client=client
        )
        self.store.add_documents(splits, ids=[s.id for s in splits])
        self.build_seconds = time.perf_counter() - started
        self.last_generation: Generation | None = None

    def retrieve(self, question: str, k: int = TOP_K) -> list[Any]:
        return self.store.similarity_search(question, k=k)

    def ask(self, question: str, history: Any = None) -> Answer:
        """The recipe's answer: retrieved chunks as citations; the LLM's text when a model is available."""
        t0 = time.perf_counter()
        found = self.retrieve(question)
        t1 = time.perf_counter()
        citations = [
            Citation(
                marker=n,
                quote=doc.page_content,
                source=doc.metadata["source"],
                title=doc.metadata.get("title", ""),
                start=int(doc.metadata["start_index"]),
                end=int(doc.metadata["start_index"]) + len(doc.page_content),
                chunk_id=doc.id,
            )
            for n, doc in enumerate(found, start=1)
        ]
        timings = {"retrieve": (t1 - t0) * 1000}
        if self.generator is None:
            text, refused = "", False  # retrieval only: nothing is asserted, the chunks are shown
        else:
            prompt = PROMPT.format(question=question, context="\n\n".join(doc.page_content for doc in found))
            generation = generate(self.generator, prompt)
            self.last_generation = generation
            text, refused = generation.text.strip(), is_refusal(generation.text)
            timings["first_token"] = timings["retrieve"] + (generation.first_token_ms or generation.total_ms)
            timings["answer"] = generation.total_ms
        timings["total"] = (time.perf_counter() - t0) * 1000
        return Answer(
            text=text,
            refused=refused,
            citations=[] if refused else citations,
            question=question,
            standalone_question=question,
            retrieved=[doc.id for doc in found],
            answerer=self.name,
            timings_ms=timings,
        )

    def evidence(self, question: str, k: int | None = None) -> list[Any]:
        """For the eval scorer: the retrieved chunks, best first, as objects with a `.chunk`."""
        by_id = {c.id: c for c in self.chunks}
        return [_Evidence(by_id[doc.id]) for doc in self.retrieve(question, k or TOP_K)]


class _Evidence:
    def __init__(self, chunk: Chunk) -> None:
        self.chunk = chunk


def _as_chunk(chunk_id: str, text: str, metadata: dict[str, Any]) -> Chunk:
    start = int(metadata["start_index"])
    return Chunk(
        id=chunk_id,
        document_id=str(metadata["source"]),
        title=str(metadata.get("title", "")),
        path=[str(metadata.get("title", ""))],
        start=start,
        end=start + len(text),
        text=text,
        sentences=[],
        content_hash=chunk_id,
        kind="paragraph",
    )
