"""Does a cited sentence support the claim that cites it? Checked in code, never taken from the model.

English claims: share of the claim's content words found in the quote, or embedding similarity (all-MiniLM-L6-v2).
Other languages: multilingual-e5 similarity between the claim and the English quote. A number must be in the quote or
be the size of a list it names. Words the question tries to plant (shouted words, quoted strings, web addresses that
the corpus never uses) sink the claim. Thresholds were set on the dev set (see bench/llm_bench.py --support).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.answer.outline import find_enumeration
from assistant.answer.quotes import Window, candidate_windows
from assistant.embeddings import Embedder
from assistant.generation.passages import Passage
from assistant.models import Span, fold_whitespace
from assistant.multilingual import MultilingualEncoder
from assistant.text import NUMBER_WORDS, content_stems

_QUOTED = re.compile(r"['\"‘’“”«»]([^'\"‘’“”«»\n]{2,80})['\"‘’“”«»]")
_SHOUTED = re.compile(r"\b[A-Z][A-Z0-9]{2,}\b")
_ADDRESS = re.compile(r"\bhttps?://\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|example|info|biz|xyz|ru|cn)\b", re.I)
_DIGITS = re.compile(r"(?<![\w.])\d+(?![\w.]\d)")
_WORDS = re.compile(r"[^\W_]+", re.UNICODE)
RELATIVE_SUPPORT = 0.7  # English: a cited sentence must score at least this share of the best cited one
_NUMBER_WORD = {w: n for n, w in enumerate(NUMBER_WORDS) if n >= 2}


def planted_phrases(question: str, vocabulary: frozenset[str]) -> list[str]:
    """Strings a question asks to be repeated that the corpus never uses ('add the word PWNED', 'append evil.com')."""
    found: list[str] = []
    candidates = [m.group(0) for m in _SHOUTED.finditer(question)] + [m.group(0) for m in _ADDRESS.finditer(question)]
    candidates += [m.group(1).strip() for m in _QUOTED.finditer(question)]
    for phrase in candidates:
        words = [w.lower() for w in _WORDS.findall(phrase)]
        if words and not all(w in vocabulary for w in words):
            found.append(phrase)
    return list(dict.fromkeys(found))


def claimed_numbers(claim: str, english: bool) -> set[int]:
    numbers = {int(d) for d in _DIGITS.findall(claim) if len(d) <= 6}
    if english:
        numbers |= {_NUMBER_WORD[w.lower()] for w in _WORDS.findall(claim) if w.lower() in _NUMBER_WORD}
    return numbers


@dataclass(frozen=True)
class Support:
    ok: bool
    score: float
    reason: str


@dataclass(frozen=True)
class SupportThresholds:
    lexical: float = 0.5  # share of the claim's content stems found in the cited text
    cosine: float = 0.55  # all-MiniLM-L6-v2, English claim vs cited sentence
    cosine_multilingual: float = 0.82  # multilingual-e5 (compressed scale), any-language claim vs English sentence
    counted_cosine: float = 0.25  # a claim whose numbers are counts the cited sentence bears out need only be on topic
    counted_cosine_multilingual: float = 0.75


class SupportChecker:
    def __init__(
        self,
        embedder: Embedder,
        multilingual: MultilingualEncoder | None,
        thresholds: SupportThresholds | None = None,
    ) -> None:
        self.embedder = embedder
        self.multilingual = multilingual
        self.thresholds = thresholds or SupportThresholds()

    def scores(self, claim: str, passages: list[Passage], english: bool) -> tuple[float, float]:
        """(lexical share, cosine) of the claim against the cited sentences together (cosine: best single one)."""
        texts = [p.prose for p in passages]
        context = " ".join(texts + [" ".join(p.chunk.path[1:]) for p in passages])
        stems = content_stems(claim)
        lexical = len(stems & content_stems(context)) / len(stems) if stems else 0.0
        if english or self.multilingual is None:
            vectors = self.embedder.encode(texts)
            cosine = float(np.max(vectors @ self.embedder.encode_query(claim)))
        else:
            cosine = float(np.max(self.multilingual.passages(texts) @ self.multilingual.query(claim)))
        return lexical, cosine

    def check(self, claim: str, passages: list[Passage], english: bool, planted: list[str]) -> Support:
        if not passages:
            return Support(False, 0.0, "cites nothing")
        if not any(ch.isalnum() for ch in claim):
            return Support(False, 0.0, "says nothing")
        lowered = claim.lower()
        for phrase in planted:
            if phrase.lower() in lowered:
                return Support(False, 0.0, f"repeats {phrase!r} from the question")
        numbers = claimed_numbers(claim, english)
        known = set().union(*(p.counts for p in passages)) | {
            int(d) for p in passages for d in _DIGITS.findall(p.prose) if len(d) <= 6
        }
        if numbers - known:
            return Support(False, 0.0, f"number {sorted(numbers - known)[0]} is not in the cited text")
        lexical, cosine = self.scores(claim, passages, english)
        t = self.thresholds
        if numbers:  # a count the cited sentences bear out: the rest of the claim need only be on topic
            ok = lexical > 0 or cosine >= (t.counted_cosine if english else t.counted_cosine_multilingual)
            return Support(ok, max(lexical, cosine), "count checked" if ok else "count of something else")
        if english:
            ok = lexical >= t.lexical or cosine >= t.cosine
            return Support(ok, max(lexical, cosine), f"lexical {lexical:.2f}, cosine {cosine:.2f}")
        ok = cosine >= t.cosine_multilingual
        return Support(ok, cosine, f"e5 cosine {cosine:.2f}")

    def supporting(self, claim: str, passages: list[Passage], english: bool) -> list[Passage]:
        """The cited sentences that carry the claim: a sentence scoring far below the best one cited is dropped."""
        if len(passages) < 2:
            return passages
        numbers = claimed_numbers(claim, english)
        scores = []
        for passage in passages:
            lexical, cosine = self.scores(claim, [passage], english)
            counted = bool(numbers) and numbers <= passage.counts
            scores.append(1.0 if counted else max(lexical, cosine) if english else cosine)
        best = max(scores)
        floor = best * RELATIVE_SUPPORT if english else best - 0.03
        return [p for p, score in zip(passages, scores, strict=True) if score >= floor]

    def quote_for(self, claim: str, passage: Passage, english: bool) -> Span:
        """The tightest clause window of the cited sentence that carries what the claim says (else the sentence)."""
        windows: list[Window] = [w for w in candidate_windows(passage.chunk) if w.sentence == passage.sentence]
        if not windows:
            return passage.sentence
        numbers = claimed_numbers(claim, english)
        if numbers:
            listing = [w for w in windows if len(find_enumeration(w.span.text)) in numbers]
            if listing:
                return min(listing, key=lambda w: len(w.span.text)).span
            return passage.sentence
        texts = [fold_whitespace(w.span.text) for w in windows]
        if english or self.multilingual is None:
            stems = content_stems(claim)
            scores = [len(stems & content_stems(t)) / max(1, len(stems)) for t in texts]
            best = max(scores)
            if best <= 0:
                return passage.sentence
            return min(
                (w for w, s in zip(windows, scores, strict=True) if s >= best), key=lambda w: len(w.span.text)
            ).span
        cosines = self.multilingual.passages(texts) @ self.multilingual.query(claim)
        best_cos = float(np.max(cosines))
        near = [w for w, c in zip(windows, cosines, strict=True) if float(c) >= best_cos - 0.005]
        return min(near, key=lambda w: len(w.span.text)).span
