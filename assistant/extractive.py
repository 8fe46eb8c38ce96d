"""The extractive answerer: no LLM, the answer is built from the best clauses of the evidence, each cited.

It takes the question and the evidence (plain data) and returns a Draft; it never calls the retriever.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from assistant.embeddings import Embedder
from assistant.models import Chunk, Citation, Evidence, Span, fold_whitespace
from assistant.text import content_stems, number_in_words

# Where a quotable clause may start: after a colon, semicolon or dash, or after a comma that opens a clause
# (a gerund, "including", a preposition, "and" + one of those) rather than continuing a list of nouns.
_OPENER = r"(?:[a-z]+ing\b|including\b|such as\b|to\b|in\b|at\b|on\b|for\b|so\b|which\b|while\b|where\b)"
_CLAUSE_BREAK = re.compile(rf"[;:](?=\s)|\s[—–]\s|,(?=\s+(?:and\s+|but\s+)?{_OPENER})")
_LEADING = re.compile(r"^(?:and|but|or|including)\s+", re.IGNORECASE)
_COUNT = re.compile(
    r"\bhow many\b|\bnumber of\b|\bcombien\b|\bwie viele\b|\bquant[ieoa]\b|\bile\b|\bhoeveel\b|"
    r"\bhvor mange\b|\bhur många\b|πόσ",
    re.IGNORECASE,
)
_LIST_CUE = re.compile(
    r"\b(themes?|priorit|steps?|areas?|points?|commitments?|pillars?|list|summar|overview|main|key|agenda|"
    r"what (?:are|were)|outline)",
    re.IGNORECASE,
)
_ENUMERATION = re.compile(
    r"(?:(?:[Tt]he\s)?[A-Z][\w'-]*(?:\s[A-Z][\w'-]*)*,\s){2,}(?:(?:[Tt]he\s)?[A-Z][\w'-]*(?:\s[A-Z][\w'-]*)*,?\s)?"
    r"and\s(?:[Tt]he\s)?[A-Z][\w'-]*(?:\s[A-Z][\w'-]*)*"
)
MIN_WINDOW_WORDS = 5


@dataclass
class Draft:
    """An answerer's output before citation verification."""

    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    best_similarity: float = 0.0


@dataclass(frozen=True)
class Window:
    """A run of clauses inside one sentence of a chunk: a candidate quote."""

    chunk: Chunk
    span: Span
    sentence: Span


def _trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ",;:—–"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–"):
        end -= 1
    return start, end


def candidate_windows(chunk: Chunk, max_clauses: int = 3) -> list[Window]:
    """Every run of 1..max_clauses consecutive clauses of each sentence, plus each whole sentence."""
    windows: dict[tuple[int, int], Window] = {}
    base = chunk.start
    for sentence in chunk.sentences:
        local = sentence.text
        cuts = [0, *(m.end() for m in _CLAUSE_BREAK.finditer(local)), len(local)]
        clauses = [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1)]
        runs = [(0, len(clauses))] + [
            (i, j) for i in range(len(clauses)) for j in range(i + 1, min(i + max_clauses, len(clauses)) + 1)
        ]
        for i, j in runs:
            s, e = _trim_span(local, clauses[i][0], clauses[j - 1][1])
            lead = _LEADING.match(local[s:e])
            if lead:
                s += lead.end()
            if len(local[s:e].split()) < MIN_WINDOW_WORDS:
                continue
            start = sentence.start + s
            end = sentence.start + e
            text = chunk.text[start - base : end - base]
            windows[(start, end)] = Window(chunk, Span(start=start, end=end, text=text), sentence)
    return list(windows.values())


def find_enumeration(text: str) -> list[str]:
    """Items of the longest 'A, B, C and D' list of capitalised names in text ([] if none of 3+ items)."""
    best: list[str] = []
    for match in _ENUMERATION.finditer(fold_whitespace(text)):
        items = [i.strip() for i in re.split(r",\s(?:and\s)?|\sand\s", match.group(0)) if i.strip()]
        if len(items) > len(best):
            best = items
    return best if len(best) >= 3 else []


class ExtractiveAnswerer:
    """Scores clause windows of the evidence against the question and composes a cited answer."""

    name = "extractive"

    def __init__(
        self, embedder: Embedder, min_relevance: float = 0.34, max_citations: int = 3, cache_size: int = 50_000
    ) -> None:
        self.embedder = embedder
        self.min_relevance = min_relevance
        self.max_citations = max_citations
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    # --- embeddings of candidate windows, cached by text ---
    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            vectors = self.embedder.encode(missing)
            with self._lock:
                for text, vector in zip(missing, vectors, strict=True):
                    self._vectors[text] = vector
                while len(self._vectors) > self._cache_size:
                    self._vectors.popitem(last=False)
        with self._lock:
            found = [self._vectors.get(t) for t in texts]
        return np.stack(
            [v if v is not None else self.embedder.encode([t])[0] for t, v in zip(texts, found, strict=True)]
        )

    def warm(self, chunks: list[Chunk]) -> None:
        """Embed every candidate window ahead of the first question (worth it for small corpora)."""
        texts = [fold_whitespace(w.span.text) for c in chunks for w in candidate_windows(c)]
        for i in range(0, len(texts), 512):
            self._encode(texts[i : i + 512])

    # --- scoring ---
    def score(
        self, question: str, query_vector: np.ndarray, evidence: list[Evidence]
    ) -> list[tuple[float, float, Window]]:
        """(rank score, cosine, window) for every window of the evidence, best first."""
        windows = [w for e in evidence for w in candidate_windows(e.chunk)]
        if not windows:
            return []
        vectors = self._encode([fold_whitespace(w.span.text) for w in windows])
        cosines = vectors @ query_vector
        asked = content_stems(question)
        scored = []
        for window, cosine in zip(windows, cosines, strict=True):
            overlap = len(asked & content_stems(window.span.text)) / max(1, len(asked))
            length = len(window.span.text.split())
            rank_score = float(cosine) + 0.15 * overlap - 0.02 * math.log(length)
            scored.append((rank_score, float(cosine), window))
        scored.sort(key=lambda item: (-item[0], item[2].span.start))
        return scored

    def answer(self, question: str, query_vector: np.ndarray, evidence: list[Evidence]) -> Draft:
        scored = self.score(question, query_vector, evidence)
        best_cosine = max((c for _, c, _ in scored), default=0.0)
        if not scored or best_cosine < self.min_relevance:
            return Draft(refusal_text(evidence), True, [], best_cosine)
        if _COUNT.search(question) or _LIST_CUE.search(question):
            listed = self._list_answer(question, scored[:6], evidence)
            if listed:
                listed.best_similarity = best_cosine
                return listed
        chosen = self._choose(scored)
        citations = []
        parts = []
        for marker, window in enumerate(chosen, start=1):
            citations.append(_citation(marker, window.chunk, window.span))
            parts.append(f"{_phrase(window)} [{marker}]")
        return Draft(_join_sentences(parts), False, citations, best_cosine)

    def _choose(self, scored: list[tuple[float, float, Window]]) -> list[Window]:
        best_score = scored[0][0]
        chosen: list[Window] = []
        for rank_score, cosine, window in scored:
            if len(chosen) == self.max_citations or rank_score < best_score - 0.08:
                break
            if cosine < self.min_relevance:
                continue
            if any(w.sentence == window.sentence for w in chosen):  # one quote per sentence
                continue
            chosen.append(window)
        return sorted(chosen, key=lambda w: (w.chunk.document_id, w.span.start))

    def _list_answer(
        self, question: str, top: list[tuple[float, float, Window]], evidence: list[Evidence]
    ) -> Draft | None:
        counting = bool(_COUNT.search(question))
        # A list introduced by a colon ("... along the following key themes:") in a top window's chunk
        for _, _, window in top:
            items = window.chunk.list_items
            if items and (window.sentence.end == window.chunk.end):
                intro = window.sentence
                citations = [_citation(1, window.chunk, intro)]
                lines = []
                for n, item in enumerate(items, start=2):
                    citations.append(_citation(n, window.chunk, item))
                    lines.append(f"{fold_whitespace(item.text)} [{n}]")
                count = f"{number_in_words(len(items))} " if counting else ""
                head = f"The statement sets out {count}key themes [1]:"
                return Draft(head + "\n" + "\n".join(f"- {line}" for line in lines), False, citations)
        if not counting:
            return None
        for _, _, window in top:
            items = find_enumeration(window.sentence.text)
            if items:
                span = window.sentence
                text = f"{number_in_words(len(items))}: {', '.join(items[:-1])} and {items[-1]} [1]."
                return Draft(text, False, [_citation(1, window.chunk, span)])
        return None


def _citation(marker: int, chunk: Chunk, span: Span) -> Citation:
    return Citation(
        marker=marker,
        quote=span.text,
        source=chunk.document_id,
        title=chunk.title,
        start=span.start,
        end=span.end,
        chunk_id=chunk.id,
    )


def _phrase(window: Window) -> str:
    """The window as a readable clause, framed by its bullet heading when it does not start the bullet."""
    text = fold_whitespace(window.span.text)
    heading = window.chunk.path[-1] if window.chunk.kind == "bullet" and len(window.chunk.path) > 1 else None
    if heading and not text.startswith(heading):
        return f"Under “{heading}”: {text}"
    return text[0].upper() + text[1:]


def _join_sentences(parts: list[str]) -> str:
    out = []
    for part in parts:
        body, marker = part.rsplit(" [", 1)
        body = body.rstrip(".;:, ")
        out.append(f"{body} [{marker}.")
    return " ".join(out)


def refusal_text(evidence: list[Evidence], subject: str | None = None) -> str:
    """A refusal that says what the corpus does cover nearby, so the person can ask again."""
    lead = f"The statement doesn't mention {subject}." if subject else "The statement doesn't say."
    topics = list(dict.fromkeys(" > ".join(e.chunk.path[1:]) or e.chunk.title for e in evidence))[:3]
    if not topics:
        return lead
    return f"{lead} Nearby, it covers: " + "; ".join(f"“{t}”" for t in topics) + "."
