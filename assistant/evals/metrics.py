"""The eval metrics as small pure functions on plain data; evals/README.md gives each formula.

A span is (document id, start, end) with end exclusive; a quote may occur in several places, so a supporting quote is a
list of spans. Functions return None where a metric is undefined (e.g. precision of no citations).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

import numpy as np

_SPACE = re.compile(r"\s+")
Span = tuple[str, int, int]


# --- answers ---
def normalise(text: str) -> str:
    """Case- and whitespace-insensitive form used to look for facts and forbidden strings.

    Whitespace runs become one space but are not trimmed: a phrase's edge space is meant ('def ' is not 'define').
    """
    return _SPACE.sub(" ", text).casefold()


def mentions(answer: str, phrase: str) -> bool:
    """Whether the answer contains the phrase (case-insensitive, whitespace-folded).

    A phrase that starts or ends with a digit must not touch another digit there, so '5' does not match '15'.
    """
    needle = normalise(phrase)
    if not needle.strip():
        return False
    lead = r"(?<!\d)" if needle[0].isdigit() else ""
    tail = r"(?!\d)" if needle[-1].isdigit() else ""
    return re.search(lead + re.escape(needle) + tail, normalise(answer)) is not None


def missing_facts(answer: str, facts: Sequence[Sequence[str]]) -> list[list[str]]:
    """The facts none of whose phrasings the answer contains."""
    return [list(fact) for fact in facts if not any(mentions(answer, alt) for alt in fact)]


def fact_recall(answer: str, facts: Sequence[Sequence[str]]) -> float | None:
    """Share of facts with at least one phrasing in the answer."""
    if not facts:
        return None
    return 1 - len(missing_facts(answer, facts)) / len(facts)


def forbidden_found(answer: str, forbidden: Iterable[str]) -> list[str]:
    """The forbidden strings the answer contains."""
    return [text for text in forbidden if mentions(answer, text)]


# --- spans ---
def overlap(a: Span, b: Span) -> int:
    """Characters two spans share (0 across documents)."""
    if a[0] != b[0]:
        return 0
    return max(0, min(a[2], b[2]) - max(a[1], b[1]))


def union(spans: Iterable[Span]) -> list[Span]:
    """The same characters as disjoint, sorted spans."""
    merged: list[Span] = []
    for doc, start, end in sorted(s for s in spans if s[2] > s[1]):
        if merged and merged[-1][0] == doc and start <= merged[-1][2]:
            merged[-1] = (doc, merged[-1][1], max(merged[-1][2], end))
        else:
            merged.append((doc, start, end))
    return merged


def size(spans: Iterable[Span]) -> int:
    return sum(end - start for _, start, end in union(spans))


def shared(a: Iterable[Span], b: Iterable[Span]) -> int:
    """Characters covered by both sets of spans."""
    left, right = union(a), union(b)
    return sum(overlap(x, y) for x in left for y in right)


# --- retrieval ---
def supports(chunk: Span, quote: Sequence[Span]) -> bool:
    """Whether a retrieved chunk holds (some of) a supporting quote at any of its locations."""
    return any(overlap(chunk, place) > 0 for place in quote)


def quote_hits(retrieved: Sequence[Span], quotes: Sequence[Sequence[Span]]) -> list[set[int]]:
    """For each retrieved chunk, best first, the indices of the supporting quotes it holds."""
    return [{n for n, quote in enumerate(quotes) if supports(chunk, quote)} for chunk in retrieved]


def recall_at(hits: Sequence[set[int]], n_quotes: int, k: int) -> float | None:
    """Share of the supporting quotes held by the top k chunks."""
    if n_quotes == 0:
        return None
    found: set[int] = set().union(*hits[:k]) if hits[:k] else set()
    return len(found) / n_quotes


def reciprocal_rank(relevant: Sequence[bool]) -> float:
    """1 / rank of the first relevant chunk; 0 when none is retrieved."""
    return next((1 / rank for rank, good in enumerate(relevant, start=1) if good), 0.0)


def ndcg(relevant: Sequence[bool], n_relevant: int, k: int) -> float | None:
    """Binary-relevance nDCG@k: DCG = sum over ranks i <= k of rel_i / log2(i + 1), divided by the DCG of the ideal
    ranking (min(n_relevant, k) relevant chunks first); n_relevant counts the corpus chunks holding a quote."""
    if n_relevant == 0:
        return None
    dcg = sum(1 / math.log2(rank + 1) for rank, good in enumerate(relevant[:k], start=1) if good)
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(n_relevant, k) + 1))
    return dcg / ideal


# --- citations ---
def is_verbatim(document_text: str | None, quote: str, start: int, end: int) -> bool:
    """A citation is valid when its quote is exactly the document's text at its offsets."""
    return (
        document_text is not None
        and bool(quote.strip())
        and 0 <= start < end <= len(document_text)
        and document_text[start:end] == quote
    )


def share(flags: Sequence[bool]) -> float | None:
    """Share of True values (None for none): citation validity, pass rate."""
    return sum(flags) / len(flags) if flags else None


def citation_precision(cited: Sequence[Span | None], supporting: Sequence[Sequence[Span]]) -> float | None:
    """Share of citations that overlap a supporting quote; an invalid citation (None) counts as a miss."""
    if not cited:
        return None
    places = [place for quote in supporting for place in quote]
    return sum(1 for c in cited if c is not None and any(overlap(c, p) > 0 for p in places)) / len(cited)


def citation_recall(cited: Sequence[Span], supporting: Sequence[Sequence[Span]]) -> float | None:
    """Share of supporting quotes that some (valid) citation overlaps."""
    if not supporting:
        return None
    return sum(1 for quote in supporting if any(supports(c, quote) for c in cited)) / len(supporting)


def char_precision(cited: Sequence[Span], supporting: Sequence[Sequence[Span]]) -> float | None:
    """Share of cited characters that lie inside a supporting quote (citing a whole chunk scores low)."""
    total = size(cited)
    if total == 0:
        return None
    return shared(cited, [place for quote in supporting for place in quote]) / total


# --- refusals ---
def refusal_precision(refused: Sequence[bool], answerable: Sequence[bool]) -> float | None:
    """Of the refusals, the share on questions that should be refused."""
    refusals = [a for r, a in zip(refused, answerable, strict=True) if r]
    return sum(1 for a in refusals if not a) / len(refusals) if refusals else None


def refusal_recall(refused: Sequence[bool], answerable: Sequence[bool]) -> float | None:
    """Of the questions that should be refused, the share refused."""
    expected = [r for r, a in zip(refused, answerable, strict=True) if not a]
    return sum(expected) / len(expected) if expected else None


def false_refusal_rate(refused: Sequence[bool], answerable: Sequence[bool]) -> float | None:
    """Of the answerable questions, the share refused."""
    expected = [r for r, a in zip(refused, answerable, strict=True) if a]
    return sum(expected) / len(expected) if expected else None


# --- latency and aggregation ---
def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100), linear between ranks (numpy's default); None for no values. The one percentile
    of the project: the eval harness and the benchmark both use it."""
    if not values:
        return None
    return float(np.percentile(values, q))


def mean(values: Iterable[float | None]) -> float | None:
    """Mean over the defined values (None when there are none)."""
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None
