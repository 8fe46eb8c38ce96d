"""The Assistant facade: corpus -> chunks -> index -> hybrid retrieval -> answerer -> verified citations.

Every other layer (CLI, web app, HTTP API, eval harness) calls this and nothing below it.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from assistant.answer import framing
from assistant.answer.base import Answerer, Draft, Found, Frame
from assistant.answer.extractive import ExtractiveAnswerer, word_pieces
from assistant.answer.followup import conversation_language, said_before, standalone_question
from assistant.answer.lexicon import country_gloss, country_names_english, lexicon_gloss, verbs_in
from assistant.answer.outline import Outline, build_outline
from assistant.answer.question import (
    Question,
    analyse,
    document_keys,
    membership_spelled_out,
    named_documents,
    respell,
    without_document_names,
)
from assistant.chunking import chunk_corpus
from assistant.citations import verify_citations
from assistant.config import Config
from assistant.corpus import SUPPORTED_SUFFIXES, Corpus, check_new_document, load_corpus
from assistant.deadline import Deadline
from assistant.embeddings import Embedder
from assistant.errors import ConfigError, DocumentError, StoreUnavailable
from assistant.gate import clean_history, clean_question, strip_markup
from assistant.index import IndexStats, ServedBuild, VectorIndex, build_id, fingerprint
from assistant.models import Answer, Chunk, Document, Evidence, Progress, Quotes, Translations
from assistant.multilingual import Glossary, MultilingualEncoder
from assistant.offline import go_offline
from assistant.retrieval import HybridRetriever, Retrieval
from assistant.text import corpus_words, name_acronyms, stem_word
from assistant.text import words as word_list

History = list[tuple[str, str]]
StageListener = Callable[[str, dict[str, Any]], None]
if TYPE_CHECKING:
    from assistant.chain import AssistantChain

log = logging.getLogger(__name__)
WARM_WINDOWS_UP_TO_CHUNKS = 200  # ~30 windows a chunk: beyond this, embed them lazily per question


@dataclass(frozen=True)
class Served:
    """Everything an answer reads, of one build of the index. Swapped whole when another build is served, and each
    answer holds one from start to end, so no answer mixes two builds."""

    build: ServedBuild
    corpus: Corpus
    documents: dict[str, Document]
    chunks: list[Chunk]
    outlines: dict[str, Outline]
    glossary: Glossary | None
    vocabulary: frozenset[str]
    acronyms: dict[str, str]
    document_keys: dict[str, Any]
    retriever: HybridRetriever
    answerer: Answerer


@dataclass
class _Search:
    """The question as analysed and the evidence found for it: as asked first (the quotes are found from it), then,
    for a model answerer, with the model's English translation when it makes one (the model writes from it)."""

    asked: Question
    retrieval: Retrieval
    translated_ms: float | None = None  # the model's translation (and the search with it) of a question not in English


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

        With a Chroma server (config.chroma_url) the index is shared: this process serves the build the server holds
        (its documents come from there) and builds only when the server holds none; `agenda index` updates it.
        Pass `embedder` to share one loaded model between several assistants in a process.
        `warm=False` embeds the candidate quotes and the multilingual glossary when a question first needs them rather
        than now: a quicker start for one-shot use (`agenda ask`), the same answers.
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
        self.last_index_stats: IndexStats | None = None
        self._follower: threading.Thread | None = None
        self._stop_following = threading.Event()
        self._served: Served = self._start(build_index)
        self.init_seconds = time.perf_counter() - started

    # --- what is served ---
    @property
    def served(self) -> Served:
        """The build being served now, whole (hold on to it to read several parts of one build)."""
        return self._served

    @property
    def corpus(self) -> Corpus:
        return self._served.corpus

    @property
    def documents(self) -> dict[str, Document]:
        return self._served.documents

    @property
    def chunks(self) -> list[Chunk]:
        return self._served.chunks

    @property
    def outlines(self) -> dict[str, Outline]:
        return self._served.outlines

    @property
    def retriever(self) -> HybridRetriever:
        return self._served.retriever

    @property
    def answerer(self) -> Answerer:
        return self._served.answerer

    # --- corpus and index ---
    def _start(self, build_index: bool) -> Served:
        shared = self.config.chroma_url is not None
        record = self.index.refresh()
        if build_index and not (shared and record):
            corpus = load_corpus(self.config.corpus_dir)
            for error in corpus.errors:
                log.warning("skipped %s", error)
            served, stats = self._build(corpus)
            self.last_index_stats = stats if stats.changed else None
            return served
        return self._serve(record)

    def _build(self, corpus: Corpus, rebuild: bool = False) -> tuple[Served, IndexStats]:
        """Index the corpus (incremental unless rebuild) and load what answers read from it."""
        chunks = chunk_corpus(corpus.documents, self.config.chunk_max_tokens)
        stats = self.index.build(
            chunks, self.embedder, rebuild, multilingual=self.multilingual, documents=corpus.documents
        )
        return self._load(self.index.served, corpus, chunks), stats

    def _serve(self, record: dict[str, Any]) -> Served:
        """Load a build someone else made: its documents from the store (else the corpus folder, when it matches)."""
        build = self.index.build_of(record)
        documents = build.documents()
        corpus = Corpus(documents=documents) if documents else load_corpus(self.config.corpus_dir)
        chunks = chunk_corpus(corpus.documents, self.config.chunk_max_tokens)
        if fingerprint(chunks, self.embedder.name) != record.get("fingerprint"):
            where = "its stored documents" if documents else f"the corpus folder {self.config.corpus_dir}"
            raise ConfigError(
                f"the served index {record['collection']} does not match {where} as chunked here (another chunker "
                "version, chunk_max_tokens or embedding model?): run `agenda index` with these settings"
            )
        return self._load(record, corpus, chunks)

    def _load(self, record: dict[str, Any], corpus: Corpus, chunks: list[Chunk]) -> Served:
        """What answers read from one build: documents, chunks, outlines, BM25, retriever and a prepared answerer."""
        build = self.index.build_of(record)
        lexical = self.index.ensure_lexical(chunks, build.name)
        outlines = {d.id: build_outline(d) for d in corpus.documents}
        vocabulary = frozenset(w.lower() for w in corpus_words(chunks))
        answerer = self._new_answerer()
        answerer.prepare(chunks, outlines, warm=self._warm and len(chunks) <= WARM_WINDOWS_UP_TO_CHUNKS)
        glossary = Glossary(self.multilingual, corpus_words(chunks), stem_word) if self.multilingual else None
        if self._warm and glossary is not None:
            glossary.prepare()
        return Served(
            build=build,
            corpus=corpus,
            documents={d.id: d for d in corpus.documents},
            chunks=chunks,
            outlines=outlines,
            glossary=glossary,
            vocabulary=vocabulary,
            acronyms={k: v for k, v in name_acronyms(c.text for c in chunks).items() if k not in vocabulary},
            document_keys={d.id: document_keys(d.id, d.title, d.metadata.get("kind")) for d in corpus.documents},
            retriever=HybridRetriever(chunks, build, lexical, self.embedder, self.config.rrf_k, self.multilingual),
            answerer=answerer,
        )

    def _new_answerer(self) -> Answerer:
        """A fresh answerer for one build (the models it uses are loaded once per process and shared)."""
        extractive = ExtractiveAnswerer(
            self.embedder,
            self.config.min_relevance,
            self.config.max_citations,
            multilingual=self.multilingual,
            min_relevance_multilingual=self.config.min_relevance_multilingual,
        )
        if self.config.answerer == "extractive":
            return extractive
        from assistant.generation import generating_answerer

        return generating_answerer(self.config, extractive)

    def reindex(self, rebuild: bool = False) -> IndexStats:
        """Bring the index in line with the corpus folder (incremental unless rebuild) and serve it."""
        with self._lock:
            self._served, stats = self._build(load_corpus(self.config.corpus_dir), rebuild)
        self.last_index_stats = stats
        return stats

    def sync(self) -> bool:
        """Serve the build the index points at, if another process switched it (`agenda index`). The new build is
        loaded aside and swapped in whole; answers under way finish on the old one. True when it switched."""
        try:
            record = self.index.refresh()
        except StoreUnavailable as exc:
            log.warning("cannot check which build is served: %s", exc)
            return False
        if not record or record.get("collection") == self._served.build.name:
            return False
        with self._lock:
            if record.get("collection") == self._served.build.name:
                return False
            started = time.perf_counter()
            self._served = self._serve(record)
        log.warning("now serving %s (loaded in %.1fs)", record["collection"], time.perf_counter() - started)
        return True

    def follow_index(self, every_seconds: float) -> None:
        """Check every few seconds which build is served, and switch to a new one (see sync). A daemon thread."""
        if self._follower is not None or every_seconds <= 0:
            return

        def follow() -> None:
            while not self._stop_following.wait(every_seconds):
                try:
                    self.sync()
                except Exception:  # a bad build must not stop the checking: keep serving the current one
                    log.exception("could not switch to the newly served build")

        self._follower = threading.Thread(target=follow, name="follow-index", daemon=True)
        self._follower.start()

    def stop_following(self) -> None:
        """Stop the checking that follow_index started."""
        self._stop_following.set()
        if self._follower is not None:
            self._follower.join(timeout=30)

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
        quotes kept after verification), "translations" (see stream). The Answer carries the quotes' machine
        translations, if any (`Answer.translations`)."""
        answer = None
        for piece in self._answer(question, history, streaming=False, on_stage=on_stage):
            if isinstance(piece, Answer):
                answer = piece
        assert answer is not None
        return answer

    @overload
    def stream(
        self,
        question: str,
        history: History | None = None,
        on_stage: StageListener | None = None,
        *,
        progress: Literal[False] = False,
    ) -> Iterator[Quotes | str | Translations | Answer]: ...

    @overload
    def stream(
        self,
        question: str,
        history: History | None = None,
        on_stage: StageListener | None = None,
        *,
        progress: Literal[True],
    ) -> Iterator[Quotes | Progress | str | Translations | Answer]: ...

    def stream(
        self,
        question: str,
        history: History | None = None,
        on_stage: StageListener | None = None,
        *,
        progress: bool = False,
    ) -> Iterator[Quotes | Progress | str | Translations | Answer]:
        """The verified quotes (Quotes) first, then text deltas of the answer, then (a model answerer, a question not
        in English) the quotes' machine translations (Translations), then the final Answer.

        The quotes come from the fast extractive stage, before any model runs: a model answerer translates a
        question not in English only after them (then retrieves again with the English, to point the model to the
        sentences that answer it). A generating answerer's deltas are its checked claims as the model writes them;
        the final Answer is the authority (its text is what was streamed, or the extractive fallback: then
        `answered_by` is "extractive" and its citations are the quotes).
        With `progress`, a model answerer's steps after the quotes are yielded too, each as it starts (Progress:
        "translating", then "writing"), for a page to say what the asker waits for.
        `on_stage` is told "quotes" too (the Quotes as JSON), between "retrieval" and "citations", "translation" (a
        model answerer's English for a question not in English, and the evidence found with it) after "quotes", and
        "translations" (the Translations as JSON) after "citations"."""
        for piece in self._answer(question, history, streaming=True, on_stage=on_stage):
            if progress or not isinstance(piece, Progress):
                yield piece

    def _answer(
        self, question: str, history: History | None, streaming: bool, on_stage: StageListener | None = None
    ) -> Iterator[Quotes | Progress | str | Translations | Answer]:
        """Question analysis -> retrieval -> quotes -> (a model answerer: the question's translation -> retrieval
        with it) -> answer -> verified citations, the model stopped at the deadline."""
        t0 = time.perf_counter()
        deadline = Deadline(self.config.answer_deadline_seconds)
        served = self._served  # one build for the whole answer, whatever is switched meanwhile
        text = clean_question(question, self.config.max_question_tokens)
        turns = clean_history(history, self.config.max_history_turns, self.config.max_question_tokens)
        standalone, followup = standalone_question(text, turns)
        language = conversation_language(text, turns)
        if language == "en":
            standalone = respell(standalone, served.vocabulary, served.acronyms)
            standalone = membership_spelled_out(standalone) or standalone  # "france in it?"
        named = named_documents(standalone, served.document_keys)
        document = named[0] if len(named) == 1 else None
        gloss: dict[str, str] = {}
        question_words = word_list(strip_markup(standalone))
        if language != "en":  # the question's words mapped onto the documents': the lexicon's checked words first
            gloss = served.glossary.gloss(question_words, language) if served.glossary is not None else {}
            # a country is named by CLDR's names below, never by e5's guess ("balkanska" is not "Bulgaria")
            gloss = {word: english for word, english in gloss.items() if english not in country_names_english()}
        # English: everyday words onto the documents' ("deport")
        checked = lexicon_gloss(question_words, language, verbs_in(standalone))
        gloss |= checked
        if language != "en":  # "frança" -> "France", "Magyarország" -> "Hungary" (not the lexicon's "ország")
            countries = country_gloss(question_words, language)
            checked |= countries  # CLDR's names are checked words too
            gloss |= countries
        asked = analyse(
            strip_markup(text),  # markup is data: a question of markup alone asks nothing
            strip_markup(standalone),
            followup=followup,
            document=document,
            gloss=gloss,
            language=language,
            topic=without_document_names(strip_markup(standalone), served.document_keys, named),
            said_before=said_before(text, turns),
        )
        glossed = list(dict.fromkeys(gloss.values()))
        # one word of the glossary's is too thin to search with; one of the lexicon's checked words will do
        searched = asked.reworded or (" ".join(glossed) if len(glossed) >= 2 or checked else None)
        retrieval = served.retriever.retrieve(
            standalone, self.config.top_k, searched, language=asked.language, documents=named
        )
        t1 = time.perf_counter()
        if on_stage:
            on_stage("retrieval", retrieval_stage(standalone, None, asked.language, retrieval.evidence, t1 - t0))
        search = _Search(asked, retrieval)
        first: float | None = None
        streamed = False
        draft = Draft("", True)
        quotes = Quotes(refused=True, elapsed_ms=0.0)
        for piece in self._pieces(served, search, standalone, named, deadline, on_stage):
            if isinstance(piece, Draft):
                draft = piece
            elif isinstance(piece, Found):
                quotes = verified_quotes(piece, served.documents, t0)
                if on_stage:
                    on_stage("quotes", quotes.model_dump(mode="json"))
                yield quotes
            elif isinstance(piece, Progress):
                yield piece
            elif streaming and piece:
                first = first or time.perf_counter()
                streamed = True
                yield piece
        degraded = retrieval.degraded or search.retrieval.degraded
        asked, retrieval = search.asked, search.retrieval  # with the model's English, when it translated
        answer_text, citations = verify_citations(draft.text, draft.citations, served.documents)
        refused = draft.refused or not citations
        if refused and not draft.refused:  # every citation was dropped: nothing left to stand on
            answer_text = framing.message(Frame(framing.NOT_SAID), asked.language)
        t2 = time.perf_counter()
        timings = {"retrieve": (t1 - t0) * 1000, "answer": (t2 - t1) * 1000, "total": (t2 - t0) * 1000}
        timings["quotes"] = quotes.elapsed_ms
        if first is not None:
            timings["first_delta"] = (first - t0) * 1000
        if search.translated_ms is not None:
            timings["translate"] = search.translated_ms
        answer = Answer(
            text=answer_text,
            refused=refused,
            refusal_reason=(draft.reason or "no_citation") if refused else None,
            citations=citations if draft.refused or not refused else [],
            question=text,
            standalone_question=standalone,
            english_question=asked.translation,
            analysis=asked,
            retrieved=[e.chunk.id for e in retrieval.evidence],
            answerer=served.answerer.name,
            answered_by=draft.by,
            quotes=quotes.citations,
            timings_ms=timings,
            degraded=degraded,
            deadline_exceeded=deadline.reached,
        )
        if on_stage:
            kept = [c.marker for c in answer.citations]
            on_stage("citations", {"drafted": len(draft.citations), "kept": kept, "refused": answer.refused})
        if streaming and not streamed:
            yield from word_pieces(answer.text)
        translations = self._translations(served.answerer, answer)  # after the text: never delays the quotes
        if translations is not None:
            if on_stage:
                on_stage("translations", translations.model_dump(mode="json"))
            yield translations
            timings = {**answer.timings_ms, "translations": translations.elapsed_ms}
            answer = answer.model_copy(update={"translations": translations.translations, "timings_ms": timings})
        yield answer

    def _pieces(
        self,
        served: Served,
        search: _Search,
        standalone: str,
        named: list[str],
        deadline: Deadline,
        on_stage: StageListener | None,
    ) -> Iterator[Found | Progress | str | Draft]:
        """The answerer's quotes (Found) first, then its text and Draft. A model answerer's model runs only after the
        quotes, and only when they are no refusal: a question not in English is first translated by the model and
        searched again in English (`search` is updated), as the sentences the model is pointed to are picked
        better in English; then the model writes."""
        answerer = served.answerer
        found = answerer.find(search.asked, search.retrieval.evidence)
        yield Found(found.citations, found.refused)
        if answerer.uses_model and not found.refused:
            if search.asked.language != "en":
                yield Progress(step="translating")
            self._translate(served, answerer, search, standalone, named, deadline, on_stage)
            yield Progress(step="writing")
        yield from answerer.write(search.asked, search.retrieval.evidence, found, deadline)

    def _translate(
        self,
        served: Served,
        answerer: Answerer,
        search: _Search,
        standalone: str,
        named: list[str],
        deadline: Deadline,
        on_stage: StageListener | None,
    ) -> None:
        """The model's English for a question not in English (checked: translation.py), and the search with it:
        `search` then holds both (and the time they took); unchanged when there is none."""
        started = time.perf_counter()
        english = answerer.translate(standalone, deadline)
        if english:
            search.asked = search.asked.model_copy(update={"translation": english})
            search.retrieval = served.retriever.retrieve(
                standalone, self.config.top_k, english, language=search.asked.language, documents=named
            )
        seconds = time.perf_counter() - started
        if english or search.asked.language != "en":
            search.translated_ms = seconds * 1000
        if english and on_stage:
            evidence = search.retrieval.evidence
            on_stage("translation", retrieval_stage(standalone, english, search.asked.language, evidence, seconds))

    def _translations(self, answerer: Answerer, answer: Answer) -> Translations | None:
        """Machine translations of the answer's quotes (those its [n] cite first, then the quotes shown first) into
        the question's language, by a model answerer; None for an English question, a refusal (the model never runs
        for one), an answer the model was too late for, or an answerer without a model (or without a name for the
        language to ask its model for)."""
        language = answer.analysis.language if answer.analysis else "en"
        seconds = self.config.quote_translation_seconds
        if language == "en" or answer.refused or answer.deadline_exceeded or seconds <= 0:
            return None
        return answerer.translate_quotes([*answer.citations, *answer.quotes], language, Deadline(seconds))

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
        """Whether the store answers, and what this process serves (`build`: the id of the served index build)."""
        served = self._served
        try:
            store = "ok" if self.index.refresh() else "empty"
        except Exception as exc:  # a server that went away
            store = f"unavailable: {type(exc).__name__}"
        return {
            "status": "ok" if store == "ok" else "degraded",
            "store": store,
            "build": build_id(served.build.name),
            "documents": len(served.documents),
            "chunks": len(served.chunks),
            "answerer": served.answerer.name,
            "embedding_model": self.embedder.label,
        }


def verified_quotes(found: Found, documents: dict[str, Document], started: float) -> Quotes:
    """The extractive stage's quotes as shown first: only those that are verbatim text of their document."""
    _, citations = verify_citations("", found.citations, documents)
    return Quotes(citations=citations, refused=found.refused, elapsed_ms=(time.perf_counter() - started) * 1000)


def index_corpus(config: Config, rebuild: bool = False, embedder: Embedder | None = None) -> tuple[IndexStats, Corpus]:
    """The index job (`agenda index`): make the served build match the corpus folder (incremental unless rebuild),
    without loading it to answer. With a Chroma server, run it anywhere: every replica switches to the new build."""
    go_offline()
    corpus = load_corpus(config.corpus_dir)
    chunks = chunk_corpus(corpus.documents, config.chunk_max_tokens)
    embedder = embedder or Embedder(config.embedding_model, config.embedding_batch_size, config.query_cache_size)
    multilingual = MultilingualEncoder() if config.multilingual else None
    stats = VectorIndex(config).build(chunks, embedder, rebuild, multilingual=multilingual, documents=corpus.documents)
    return stats, corpus


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
