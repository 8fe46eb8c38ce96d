"""The contract every answerer meets: question and evidence in (plain data); quotes, text pieces, then a Draft out."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from assistant.answer.outline import Outline
from assistant.answer.question import Question
from assistant.models import Chunk, Citation, Evidence, Translations

if TYPE_CHECKING:
    from assistant.deadline import Deadline


@dataclass(frozen=True)
class Frame:
    """How an answer reads in another language (answer/framing.py): the catalog message that leads it (an English
    msgid, with its plural form when it counts), the values it takes, and what a refusal covers nearby."""

    lead: str
    plural: str | None = None
    n: int | None = None
    subject: str | None = None
    topics: tuple[str, ...] = ()
    by_document: bool = False  # each quote says which document it is from


@dataclass
class Draft:
    """An answerer's output before citation verification.

    `refused` answers say what the documents do not give; they may still cite what the documents say nearby."""

    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    best_similarity: float = 0.0
    reason: str | None = None  # why it was refused (a rule name from answer/refusals.py)
    frame: Frame | None = None  # how it reads in another language (None: as written)
    by: str = "extractive"  # whose text it is: the model answerer's name when the model's answer was kept


@dataclass
class Found:
    """The extractive stage's quotes, before verification: an answerer's first item, before any text.

    `refused` when the documents do not answer the question (the citations are then what they say nearby)."""

    citations: list[Citation]
    refused: bool


class Answerer(Protocol):
    """An answering strategy: the extractive one (quotes only) or a model-backed one."""

    name: str
    uses_model: bool  # whether `write` runs a model (it then takes seconds: the page says what it waits for)

    def prepare(self, chunks: list[Chunk], outlines: Mapping[str, Outline], warm: bool = True) -> None:
        """Get ready for a corpus (embed candidate quotes, evaluate a prompt); called after each (re)index."""
        ...

    def translate(self, question: str, deadline: Deadline | None = None) -> str | None:
        """The question in English when it is in another language and the answerer can translate, else None."""
        ...

    def translate_quotes(
        self, citations: Sequence[Citation], language: str, deadline: Deadline | None = None
    ) -> Translations | None:
        """Machine translations of verified quotes into `language`, each checked (a quote may get none); None when
        the answerer has no model to translate with. Called after the answer is written, never before the quotes."""
        ...

    def find(self, question: Question, evidence: list[Evidence]) -> Draft:
        """The extractive stage, no model: the answer whose quotes are shown first (a refusal here is the answer)."""
        ...

    def write(
        self, question: Question, evidence: list[Evidence], found: Draft, deadline: Deadline | None = None
    ) -> Iterator[str | Draft]:
        """Text pieces of the answer beneath the quotes of `found` (find's answer, already shown), then the Draft
        (the authority on text and citations). `question` may carry a translation made after `found`, and `evidence`
        be the retrieval with it. A model-backed answerer stops its model at the `deadline` and answers without it."""
        ...

    def stream(
        self, question: Question, evidence: list[Evidence], deadline: Deadline | None = None
    ) -> Iterator[Found | str | Draft]:
        """The extractive stage's quotes (Found) first, then text pieces of the answer as they are ready, then the
        Draft (the authority on text and citations): `find`, then `write`."""
        ...


def answer_of(answerer: Answerer, question: Question, evidence: list[Evidence]) -> Draft:
    """The Draft an answerer's stream ends with."""
    draft: Draft | None = None
    for piece in answerer.stream(question, evidence):
        if isinstance(piece, Draft):
            draft = piece
    if draft is None:
        raise RuntimeError(f"answerer {answerer.name} ended without a Draft")
    return draft
