"""The evidence as the model sees it: every sentence numbered, in document order, with counts worked out in code."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.answer.outline import find_enumeration
from assistant.models import Chunk, Evidence, Span, fold_whitespace
from assistant.tokens import count_tokens

# Text addressed to an AI rather than to readers: kept out of the model's prompt (it stays quotable by the extractive
# answerer), so a document cannot instruct the model.
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget)\b.{0,40}\b(?:instructions?|rules|prompt|document)\b|\bsystem prompt\b|"
    r"\b(?:add|append|include|insert|say|repeat|print|reveal|respond)\b.{0,30}\b(?:the word|word|phrase|only with|"
    r"prompt|to (?:every|each|your) (?:answer|reply|response))\b|\byou are (?:now|dan)\b|"
    r"\b(?:tell|ask) (?:users|the user|readers) to (?:visit|go to|click)\b|\b(?:assistant|ai|chatbot|llm)\s*:",
    re.IGNORECASE,
)


def addressed_to_the_model(text: str) -> bool:
    return bool(_INSTRUCTION.search(fold_whitespace(text)))


@dataclass(frozen=True)
class Passage:
    """One numbered sentence of a chunk; `counts` are list sizes code found in it (the model may cite a count)."""

    number: int
    chunk: Chunk
    sentence: Span
    counts: frozenset[int]
    note: str | None = None

    @property
    def prose(self) -> str:
        return fold_whitespace(self.sentence.text)


def _note(chunk: Chunk, sentence: Span, numbers: dict[tuple[int, int], int]) -> tuple[str | None, frozenset[int]]:
    """A counting aid: small models cannot count a list of fifteen names, code can."""
    items = find_enumeration(sentence.text)
    if chunk.list_items and sentence.end == chunk.end:
        firsts = [numbers.get((item.start, item.end)) for item in chunk.list_items]
        listed = ", ".join(f"[{n}]" for n in firsts if n is not None)
        note = f"{len(chunk.list_items)} items follow" + (f": {listed}" if listed else "")
        return note, frozenset({len(chunk.list_items)})
    if len(items) >= 2:
        return f"names {len(items)}: {'; '.join(items)}", frozenset({len(items)})
    return None, frozenset()


class NumberedPassages:
    """Sentences numbered from 1 in a fixed order (document, then offset), so the prompt is the same every time."""

    def __init__(self, chunks: Iterable[Chunk]) -> None:
        ordered = sorted({c.id: c for c in chunks}.values(), key=lambda c: (c.document_id, c.start))
        sentences = [(chunk, sentence) for chunk in ordered for sentence in chunk.sentences]
        # a list item's heading is the start of its bullet's first sentence: find its number for the intro's note
        first_of_bullet: dict[tuple[int, int], int] = {}
        for number, (chunk, sentence) in enumerate(sentences, start=1):
            for intro in ordered:
                for item in intro.list_items:
                    if intro.document_id == chunk.document_id and sentence.start <= item.start < sentence.end:
                        first_of_bullet.setdefault((item.start, item.end), number)
        self.passages: list[Passage] = []
        for number, (chunk, sentence) in enumerate(sentences, start=1):
            note, counts = _note(chunk, sentence, first_of_bullet)
            self.passages.append(Passage(number, chunk, sentence, counts, note))
        self.withheld = [p for p in self.passages if addressed_to_the_model(p.sentence.text)]
        withheld = {p.number for p in self.withheld}
        self._by_number = {p.number: p for p in self.passages if p.number not in withheld}
        self._by_span = {(p.chunk.document_id, p.sentence.start): p for p in self.passages}

    @classmethod
    def from_evidence(cls, evidence: list[Evidence]) -> NumberedPassages:
        return cls(e.chunk for e in evidence)

    def __len__(self) -> int:
        return len(self.passages)

    def get(self, number: int) -> Passage | None:
        return self._by_number.get(number)

    def number_at(self, document_id: str, offset: int) -> int | None:
        """The number of the (quotable) sentence of a document that holds this character offset."""
        for p in self.passages:
            if p.chunk.document_id == document_id and p.sentence.start <= offset < p.sentence.end:
                return p.number if p.number in self._by_number else None
        return None

    def numbers_of(self, chunk: Chunk) -> list[int]:
        return [
            p.number
            for s in chunk.sentences
            if (p := self._by_span.get((chunk.document_id, s.start))) is not None and p.chunk.id == chunk.id
        ]

    def render(self) -> str:
        """One line per sentence: `[n] text`, bullets marked, each document under its title."""
        lines: list[str] = []
        document = None
        for p in self.passages:
            if p.number not in self._by_number:
                continue
            if p.chunk.document_id != document:
                document = p.chunk.document_id
                lines.append(f"Document: {p.chunk.title}")
            bullet = "- " if p.chunk.kind == "bullet" and p.sentence.start == p.chunk.start else ""
            note = f" ({p.note})" if p.note else ""
            lines.append(f"[{p.number}] {bullet}{p.prose}{note}")
        return "\n".join(lines)

    def tokens(self) -> int:
        return count_tokens(self.render())
