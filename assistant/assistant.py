"""The Assistant facade: corpus -> chunks -> index -> hybrid retrieval -> answerer -> verified citations.

Every other layer (CLI, web app, HTTP API, eval harness) calls this and nothing below it.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answer.base import Answerer, Draft
from assistant.answer.extractive import ExtractiveAnswerer, word_pieces
from assistant.answer.followup import standalone_question
from assistant.answer.outline import Outline, build_outline
from assistant.answer.question import analyse, detect_language, document_keys, named_documents, respell
from assistant.chunking import chunk_corpus
from assistant.citations import verify_citations
from assistant.config import Config
from assistant.corpus import SUPPORTED_SUFFIXES, Corpus, check_new_document, load_corpus
from assistant.deadline import Deadline
from assistant.embeddings import Embedder
from assistant.errors import DocumentError, StoreUnavailable
from assistant.gate import clean_history, clean_question, strip_markup
from assistant.index import IndexStats, VectorIndex
from assistant.models import Answer, Chunk, Document, Evidence
from assistant.multilingual import Glossary, MultilingualEncoder
from assistant.offline import go_offline
from assistant.retrieval import HybridRetriever
from assistant.text import corpus_words, name_acronyms, stem_word
from assistant.text import words as word_list

History = list[tuple[str, str]]
StageListener = Callable[[str, dict[str, Any]], None]
if TYPE_CHECKING:
    from assistant.chain import AssistantChain

log = logging.getLogger(__name__)
WARM_WINDOWS_UP_TO_CHUNKS = 200  # ~30 windows a chunk: beyond this, embed them lazily per question


class Assistant:
    """Answers questions about the corpus with exact citations.

    >>> bot = Assistant()
    >>> bot.ask("Which agencies does the statement mention?").citations[0].quote
    """

    def __init__(
        self,
        config: Config | None = None,
        *,
        build_index: bool = True,
        embedder: Embedder | None = None,
        warm: bool = True,
    ) -> None:
        """Load the corpus and the model; build the index when it is missing or stale (unless build_index=False).

        Pass `embedder` to share one loaded model between several assistants in a process. `warm=False` embeds the
        candidate quotes and the multilingual glossary when a question first needs them rather than now: a quicker
        start for one-shot use (`agenda ask`), the same answers.
        """
        go_offline()
        self.config = config or Config()
        self._warm = warm
        started = time.perf_counter()
        self._lock = threading.RLock()
        self.embedder = embedder or Embedder(
            self.config.embedding_model, self.config.embedding_batch_size, self.config.query_cache_size
        )
        self.index = VectorIndex(self.config)
        self.multilingual = MultilingualEncoder() if self.config.multilingual else None
        extractive = ExtractiveAnswerer(
            self.embedder,
            self.config.min_relevance,
            self.config.max_citations,
            multilingual=self.multilingual,
            min_relevance_multilingual=self.config.min_relevance_multilingual,
        )
        self.answerer: Answerer = extractive
        if self.config.answerer != "extractive":
            from assistant.generation import generating_answerer

            self.answerer = generating_answerer(self.config, extractive)
        self.last_index_stats: IndexStats | None = None
        self._load(build_index)
        self.init_seconds = time.perf_counter() - started

    # --- corpus and index ---
    def _load(self, build_index: bool, prepare_multilingual: bool = False) -> None:
        corpus = load_corpus(self.config.corpus_dir)
        for error in corpus.errors:
            log.warning("skipped %s", error)
        chunks = chunk_corpus(corpus.documents, self.config.chunk_max_tokens)
        built = False
        if build_index and not self.index.is_current(chunks, self.embedder):
            self.last_index_stats = self.index.build(chunks, self.embedder)
            built = True
        else:
            self.index.refresh()
        lexical = self.index.ensure_lexical(chunks)
        with self._lock:
            self.corpus: Corpus = corpus
            self.documents: dict[str, Document] = {d.id: d for d in corpus.documents}
            self.chunks: list[Chunk] = chunks
            self.outlines: dict[str, Outline] = {d.id: build_outline(d) for d in corpus.documents}
            self.glossary = (
                Glossary(self.multilingual, corpus_words(chunks), stem_word) if self.multilingual is not None else None
            )
            self._vocabulary = frozenset(w.lower() for w in corpus_words(chunks))
            self._acronyms = {
                k: v for k, v in name_acronyms(c.text for c in chunks).items() if k not in self._vocabulary
            }
            self._document_keys = {d.id: document_keys(d.id, d.title, d.metadata.get("kind")) for d in corpus.documents}
            self.retriever = HybridRetriever(
                chunks,
                self.index,
                lexical,
                self.embedder,
                self.config.rrf_k,
                self.multilingual,
                self.config.index_dir / "multilingual" / f"{self.config.collection_prefix}-e5.npz",
            )
        if built or prepare_multilingual:
            self.retriever.prepare_multilingual()  # index time, so no question waits for it
        if self._warm and self.glossary is not None:
            self.glossary.prepare()
        self.answerer.prepare(chunks, self.outlines, warm=self._warm and len(chunks) <= WARM_WINDOWS_UP_TO_CHUNKS)

    def reindex(self, rebuild: bool = False) -> IndexStats:
        """Bring the index in line with the corpus folder (incremental unless rebuild) and serve it."""
        corpus = load_corpus(self.config.corpus_dir)
        chunks = chunk_corpus(corpus.documents, self.config.chunk_max_tokens)
        stats = self.index.build(chunks, self.embedder, rebuild=rebuild)
        self.last_index_stats = stats
        self._load(build_index=False, prepare_multilingual=True)
        return stats

    def add_document(self, path: str | Path) -> Document:
        """Copy a file into the corpus folder after checking it can be read, then re-index."""
        source = Path(path)
        document = check_new_document(source, self.config.corpus_dir)  # raises DocumentError with the reason
        shutil.copyfile(source, self.config.corpus_dir / source.name)
        self.reindex()
        return self.documents.get(document.id, document)

    @property
    def errors(self) -> list[DocumentError]:
        """Corpus files that could not be read (each names the file and the reason)."""
        return list(self.corpus.errors)

    # --- answering ---
    def ask(self, question: str, history: History | None = None, on_stage: StageListener | None = None) -> Answer:
        """Answer one question, optionally resolving it against earlier (question, answer) turns.

        `on_stage(name, data)` is told each stage as it ends: "retrieval" (the evidence found), "citations" (the
        quotes kept after verification)."""
        answer = None
        for piece in self._answer(question, history, streaming=False, on_stage=on_stage):
            if isinstance(piece, Answer):
                answer = piece
        assert answer is not None
        return answer

    def stream(
        self, question: str, history: History | None = None, on_stage: StageListener | None = None
    ) -> Iterator[str | Answer]:
        """Text deltas of the answer, then the final Answer (with its citations).

        A generating answerer's deltas are its checked claims as the model writes them; the final Answer is the
        authority (its text is what was streamed, or the extractive fallback)."""
        yield from self._answer(question, history, streaming=True, on_stage=on_stage)

    def _answer(
        self, question: str, history: History | None, streaming: bool, on_stage: StageListener | None = None
    ) -> Iterator[str | Answer]:
        """Question analysis -> retrieval -> answer -> verified citations, the model stopped at the deadline."""
        t0 = time.perf_counter()
        deadline = Deadline(self.config.answer_deadline_seconds)
        text = clean_question(question, self.config.max_question_tokens)
        turns = clean_history(history, self.config.max_history_turns, self.config.max_question_tokens)
        standalone, followup = standalone_question(text, turns)
        if detect_language(text) == "en":
            standalone = respell(standalone, self._vocabulary, self._acronyms)
        english = self.answerer.translate(standalone, deadline)
        named = named_documents(standalone, self._document_keys)
        document = named[0] if len(named) == 1 else None
        gloss = {}
        if self.glossary is not None and detect_language(text) != "en":
            gloss = self.glossary.gloss(word_list(strip_markup(standalone)))
        asked = analyse(
            strip_markup(text),  # markup is data: a question of markup alone asks nothing
            strip_markup(standalone),
            followup=followup,
            document=document,
            translation=english,
            gloss=gloss,
        )
        glossed = list(dict.fromkeys(gloss.values()))
        searched = english or (" ".join(glossed) if len(glossed) >= 2 else None)  # one mapped word is too thin
        retrieval = self.retriever.retrieve(
            standalone, self.config.top_k, searched, language=asked.language, documents=named
        )
        t1 = time.perf_counter()
        if on_stage:
            on_stage("retrieval", retrieval_stage(standalone, english, asked.language, retrieval.evidence, t1 - t0))
        first: float | None = None
        streamed = False
        draft = Draft("", True)
        for piece in self.answerer.stream(asked, retrieval.evidence, deadline):
            if isinstance(piece, Draft):
                draft = piece
            elif streaming and piece:
                first = first or time.perf_counter()
                streamed = True
                yield piece
        answer_text, citations = verify_citations(draft.text, draft.citations, self.documents)
        refused = draft.refused or not citations
        if refused and not draft.refused:  # every citation was dropped: nothing left to stand on
            answer_text = "The statement doesn't say."
        t2 = time.perf_counter()
        timings = {"retrieve": (t1 - t0) * 1000, "answer": (t2 - t1) * 1000, "total": (t2 - t0) * 1000}
        if first is not None:
            timings["first_delta"] = (first - t0) * 1000
        answer = Answer(
            text=answer_text,
            refused=refused,
            refusal_reason=(draft.reason or "no_citation") if refused else None,
            citations=citations if draft.refused or not refused else [],
            question=text,
            standalone_question=standalone,
            english_question=english,
            analysis=asked,
            retrieved=[e.chunk.id for e in retrieval.evidence],
            answerer=self.answerer.name,
            timings_ms=timings,
            degraded=retrieval.degraded,
            deadline_exceeded=deadline.reached,
        )
        if on_stage:
            kept = [c.marker for c in answer.citations]
            on_stage("citations", {"drafted": len(draft.citations), "kept": kept, "refused": answer.refused})
        if streaming and not streamed:
            yield from word_pieces(answer.text)
        yield answer

    def evidence(self, question: str, k: int | None = None) -> list[Evidence]:
        """The retrieved evidence for a question, best first (for debugging and the eval harness)."""
        return self.retriever.retrieve(
            clean_question(question, self.config.max_question_tokens), k or self.config.top_k
        ).evidence

    @property
    def chain(self) -> AssistantChain:
        """A LangChain Runnable: invoke({"question": ..., "history": [...]}) -> Answer."""
        from assistant.chain import build_chain

        return build_chain(self)

    def health(self) -> dict[str, Any]:
        try:
            served = self.index.refresh()
            store = "ok" if served else "empty"
        except Exception as exc:  # a server that went away
            store = f"unavailable: {type(exc).__name__}"
        return {
            "status": "ok" if store == "ok" else "degraded",
            "store": store,
            "documents": len(self.documents),
            "chunks": len(self.chunks),
            "answerer": self.answerer.name,
            "embedding_model": self.embedder.label,
        }


def retrieval_stage(
    standalone: str, english: str | None, language: str, evidence: list[Evidence], seconds: float
) -> dict[str, Any]:
    """What the "retrieval" stage reports: the question searched with and the evidence found, best first."""
    return {
        "standalone_question": standalone,
        "english_question": english,
        "language": language,
        "evidence": [
            {"chunk_id": e.chunk.id, "title": e.chunk.title, "section": e.chunk.path[1:], "score": e.score}
            for e in evidence
        ],
        "ms": seconds * 1000,
    }


__all__ = ["SUPPORTED_SUFFIXES", "Assistant", "StoreUnavailable"]
