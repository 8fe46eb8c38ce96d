"""The data model shared by every layer: documents, chunks, evidence, citations and answers."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.answer.question import Question

_SPACE = re.compile(r"\s+")


def fold_whitespace(text: str) -> str:
    """Hard-wrapped source text as prose: every whitespace run becomes one space."""
    return _SPACE.sub(" ", text).strip()


class Span(BaseModel):
    """A stretch of a document's text: text == document.text[start:end]."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Document(BaseModel):
    """One corpus file as stored; offsets everywhere point into `text`."""

    id: str
    title: str
    text: str
    path: str
    sha256: str
    metadata: dict[str, Any] = Field(default_factory=dict)


class Chunk(BaseModel):
    """A retrievable unit: the title, a paragraph, or one bullet item (never two), with its sentences."""

    id: str
    document_id: str
    title: str
    path: list[str] = Field(description="Section / bullet path, e.g. ['Key themes', 'Take an unequivocal ...']")
    start: int
    end: int
    text: str = Field(description="document.text[start:end], verbatim")
    sentences: list[Span]
    content_hash: str
    kind: str = Field("paragraph", description="title, heading, paragraph or bullet")
    list_items: list[Span] = Field(
        default_factory=list, description="When this chunk introduces a list ('... key themes:'), each item's heading"
    )

    @property
    def prose(self) -> str:
        return fold_whitespace(self.text)

    @property
    def embedding_text(self) -> str:
        """What is embedded and indexed: the heading path gives a split bullet its context."""
        heading = " > ".join(self.path[1:])
        prose = self.prose
        if heading and not prose.startswith(heading[:40]):
            return f"{heading}: {prose}"
        return prose


class Evidence(BaseModel):
    """A retrieved chunk with how it was found."""

    chunk: Chunk
    score: float = Field(description="Fused (RRF) score")
    dense_similarity: float | None = None
    lexical_score: float | None = None
    rank: int


class Citation(BaseModel):
    """An exact quote of a document: document_text[start:end] == quote."""

    model_config = ConfigDict(frozen=True)

    marker: int = Field(description="The [n] marker in Answer.text that refers to this citation")
    quote: str = Field(description="Verbatim source text (may contain the source's line breaks)")
    source: str = Field(description="Document id")
    title: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    chunk_id: str | None = None

    @property
    def prose(self) -> str:
        return fold_whitespace(self.quote)

    @classmethod
    def of(cls, marker: int, chunk: Chunk, span: Span) -> Citation:
        """The citation of a span of a chunk's document."""
        return cls(
            marker=marker,
            quote=span.text,
            source=chunk.document_id,
            title=chunk.title,
            start=span.start,
            end=span.end,
            chunk_id=chunk.id,
        )


class Quotes(BaseModel):
    """The quotes the fast extractive stage found, verified: what `Assistant.stream()` yields first, before any text.

    A model-backed answer streams after them (they stay whatever the model writes); when the model's answer is
    rejected, the extractive answer built on these quotes replaces it (then `Answer.answered_by` is "extractive")."""

    citations: list[Citation] = Field(
        default_factory=list, description="Verbatim quotes of the documents (document text[start:end] == quote)"
    )
    refused: bool = Field(
        description="True when the documents do not answer the question: the quotes, if any, are what they say nearby"
    )
    elapsed_ms: float = Field(description="From the question to these verified quotes")


Step = Literal["translating", "writing"]


class Progress(BaseModel):
    """What a model answerer does after the quotes are shown, before its text: translating the question into English
    (a question in another language), then writing. `Assistant.stream(..., progress=True)` yields one as each step
    starts, for a page to say what the asker waits for; an extractive answer has no such step."""

    model_config = ConfigDict(frozen=True)

    step: Step


class QuoteTranslation(BaseModel):
    """A machine translation of one quote into the asker's language, by the answering model: unreviewed, and never
    the document's words. It names the quote it translates by that quote's source and offsets, which stay on the
    English original (so does its highlight); the translation has no offsets of its own."""

    model_config = ConfigDict(frozen=True)

    source: str = Field(description="Document id of the English quote translated")
    start: int = Field(ge=0, description="The English quote's start in its document (not a place in the translation)")
    end: int = Field(ge=0, description="The English quote's end in its document")
    language: str = Field(description="ISO 639-1 code of the translation's language (the question's)")
    text: str = Field(description="The machine translation: unreviewed, not the document's words")
    translated_by: str = Field(description="The model answerer that translated it")

    def translates(self, citation: Citation) -> bool:
        """Whether this is the translation of that quote (the same span of the same document)."""
        return (citation.source, citation.start, citation.end) == (self.source, self.start, self.end)


class Translations(BaseModel):
    """Machine translations of an answer's quotes into the asker's language: what `Assistant.stream()` yields after
    the answer's text and before the final Answer, when a model answerer answered a question not in English.

    Quotes whose translation failed the check in code (quote_translation.py) have none; the extractive answerer,
    having no model, gives no Translations at all."""

    language: str = Field(description="ISO 639-1 code of the question's language, which the quotes are translated to")
    translations: list[QuoteTranslation] = Field(default_factory=list)
    elapsed_ms: float = Field(description="Time spent translating, after the answer was written")


class Answer(BaseModel):
    """What the assistant says, with the evidence behind it."""

    text: str
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    refusal_reason: str | None = Field(
        None, description="When refused: the rule that refused (see assistant/answer/refusals.py)"
    )
    question: str
    standalone_question: str = Field(description="The question after resolving it against the history")
    english_question: str | None = Field(
        None,
        description="The standalone question translated by the model for retrieval (questions not in English); None "
        "when the model's reply was not a plain English question (then it is used nowhere)",
    )
    analysis: Question | None = Field(None, description="What the question asks for (language, kind, focus, ...)")
    retrieved: list[str] = Field(default_factory=list, description="Chunk ids, best first")
    answerer: str = Field("extractive", description="The answerer served (extractive, local, ...)")
    answered_by: str = Field(
        "extractive",
        description='Whose text and citations these are: the model answerer\'s name, or "extractive" (also when the '
        "model's answer was rejected or too late and the extractive answer, built on `quotes`, replaced it)",
    )
    quotes: list[Citation] = Field(
        default_factory=list, description="The extractive stage's verified quotes, streamed first (see Quotes)"
    )
    translations: list[QuoteTranslation] = Field(
        default_factory=list,
        description="Machine translations of `citations` and `quotes` into the question's language (a model answerer, "
        "a question not in English; see Translations): each names its English quote by source and offsets",
    )
    timings_ms: dict[str, float] = Field(default_factory=dict)
    degraded: bool = Field(False, description="True when the vector store was down and only BM25 was used")
    deadline_exceeded: bool = Field(
        False,
        description="True when the model was stopped at answer_deadline_seconds: the text is the extractive answer "
        "(or the checked claims the model had written by then)",
    )

    def translation_of(self, citation: Citation) -> QuoteTranslation | None:
        """The machine translation of a quote of this answer, if it has one."""
        return next((t for t in self.translations if t.translates(citation)), None)

    def __str__(self) -> str:
        return self.text
