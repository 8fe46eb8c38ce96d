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
from assistant.multilingual import MultilingualEncoder
from assistant.text import content_stems, european_script, looks_english, number_in_words

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
_ITEM = r"(?:[Tt]he\s)?[A-Z][\w'-]*(?:\s(?:(?:on|of|for)\s)?[A-Z][\w'-]*)*"
_ENUMERATION = re.compile(rf"(?:{_ITEM},\s)*{_ITEM},?\sand\s{_ITEM}")
_COUNTED = re.compile(
    r"\bhow many\s+((?:[a-z-]+\s){0,2}?[a-z-]{2,}?s)\b|\bnumber of\s+((?:[a-z-]+\s){0,2}?[a-z-]{2,}?s)\b", re.IGNORECASE
)
MIN_WINDOW_WORDS = 5
OVERLAP_WEIGHT = 0.3  # share of the question's content words found in a window
LENGTH_PENALTY = 0.0  # per log-word: prefer the tightest quote that says it
CHOICE_MARGIN = 0.08  # further quotes must score within this of the best


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
            if chunk.kind == "bullet" and i == 0 and local[e:].lstrip().startswith(":"):
                continue  # a bullet's heading phrase alone says too little; it stays as the lead of longer windows
            start = sentence.start + s
            end = sentence.start + e
            text = chunk.text[start - base : end - base]
            windows[(start, end)] = Window(chunk, Span(start=start, end=end, text=text), sentence)
    return list(windows.values())


def find_enumeration(text: str) -> list[str]:
    """Items of the longest 'A, B, C and D' list of capitalised names in text ([] if none)."""
    best: list[str] = []
    for match in _ENUMERATION.finditer(fold_whitespace(text)):
        items = [i.strip() for i in re.split(r",\s(?:and\s)?|\sand\s", match.group(0)) if i.strip()]
        if len(items) > len(best):
            best = items
    return best if len(best) >= 2 else []


def counted_noun(question: str) -> str | None:
    """What an English counting question counts: 'How many international conventions ...' -> that noun phrase."""
    match = _COUNTED.search(question)
    return (match.group(1) or match.group(2)) if match else None


@dataclass(frozen=True)
class Scored:
    rank: float  # what orders candidates
    cosine: float  # what the relevance gate looks at
    window: Window


class ExtractiveAnswerer:
    """Scores clause windows of the evidence against the question and composes a cited answer."""

    name = "extractive"

    def __init__(
        self,
        embedder: Embedder,
        min_relevance: float = 0.30,
        max_citations: int = 3,
        multilingual: MultilingualEncoder | None = None,
        min_relevance_multilingual: float = 0.765,
        cache_size: int = 50_000,
    ) -> None:
        self.embedder = embedder
        self.multilingual = multilingual
        self.min_relevance = min_relevance
        self.min_relevance_multilingual = min_relevance_multilingual
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
        if self.multilingual is not None and texts:
            self.multilingual.passages(texts)

    # --- scoring ---
    def score(self, questions: list[str], evidence: list[Evidence]) -> tuple[list[Scored], bool]:
        """Every window of the evidence scored against the question(s), best first; and whether it was
        scored cross-lingually. Several questions (a follow-up and its rewrite): each window keeps its best."""
        windows = [w for e in evidence for w in candidate_windows(e.chunk)]
        if not windows:
            return [], False
        texts = [fold_whitespace(w.span.text) for w in windows]
        cross_lingual = self.multilingual is not None and not looks_english(questions[-1])
        if cross_lingual:
            assert self.multilingual is not None
            queries = np.stack([self.multilingual.query(q) for q in questions])
            cosines = (self.multilingual.passages(texts) @ queries.T).max(axis=1)
        else:
            queries = np.stack([self.embedder.encode_query(q) for q in questions])
            cosines = (self._encode(texts) @ queries.T).max(axis=1)
        asked = set().union(*(content_stems(q) for q in questions))
        scored = []
        for window, cosine in zip(windows, cosines, strict=True):
            overlap = 0.0 if cross_lingual else len(asked & content_stems(window.span.text)) / max(1, len(asked))
            length = len(window.span.text.split())
            scored.append(
                Scored(
                    float(cosine) + OVERLAP_WEIGHT * overlap - LENGTH_PENALTY * math.log(length), float(cosine), window
                )
            )
        scored.sort(key=lambda item: (-item.rank, item.window.span.start))
        return scored, cross_lingual

    def answer(self, question: str, evidence: list[Evidence], followup: str | None = None) -> Draft:
        """Answer `question` (standalone) from the evidence; `followup` is the raw follow-up it was rewritten from."""
        questions = [question] if not followup or followup == question else [question, followup]
        scored, cross_lingual = self.score(questions, evidence)
        threshold = self.min_relevance_multilingual if cross_lingual else self.min_relevance
        if not european_script(questions[-1]):
            threshold = math.inf  # the multilingual model cannot be trusted outside European languages
        best_cosine = max((s.cosine for s in scored), default=0.0)
        if not scored or best_cosine < threshold:
            return Draft(refusal_text(evidence), True, [], best_cosine)
        asked = followup or question
        if _COUNT.search(asked) or _LIST_CUE.search(asked):
            listed = self._list_answer(asked, scored[:6])
            if listed:
                listed.best_similarity = best_cosine
                return listed
        chosen = self._choose(scored, threshold)
        citations = []
        parts = []
        for marker, window in enumerate(chosen, start=1):
            citations.append(_citation(marker, window.chunk, window.span))
            parts.append(f"{_phrase(window)} [{marker}]")
        return Draft(_join_sentences(parts), False, citations, best_cosine)

    def _choose(self, scored: list[Scored], threshold: float) -> list[Window]:
        best = scored[0].rank
        chosen: list[Window] = []
        for item in scored:
            if len(chosen) == self.max_citations or item.rank < best - CHOICE_MARGIN:
                break
            if item.cosine < threshold or any(w.sentence == item.window.sentence for w in chosen):
                continue  # one quote per sentence
            chosen.append(item.window)
        return sorted(chosen, key=lambda w: (w.chunk.document_id, w.span.start))

    def _list_answer(self, question: str, top: list[Scored]) -> Draft | None:
        counting = bool(_COUNT.search(question))
        # A list introduced by a colon ("... along the following key themes:") in a top window's chunk
        for item in top:
            window = item.window
            if window.chunk.list_items and window.sentence.end == window.chunk.end:
                intro = window.sentence
                citations = [_citation(1, window.chunk, intro)]
                lines = []
                for n, entry in enumerate(window.chunk.list_items, start=2):
                    citations.append(_citation(n, window.chunk, entry))
                    lines.append(f"- {fold_whitespace(entry.text)} [{n}]")
                head = fold_whitespace(intro.text).rstrip(":")
                if counting:
                    head = f"{number_in_words(len(lines))}. {head}"
                return Draft(f"{head} [1]:\n" + "\n".join(lines), False, citations)
        if not counting:
            return None
        noun = counted_noun(question)
        for item in top:
            items = find_enumeration(item.window.span.text) or find_enumeration(item.window.sentence.text)
            if not items:
                continue
            if noun and looks_english(question):  # the list must be of the thing asked about
                context = self.embedder.encode([fold_whitespace(item.window.sentence.text)])[0]
                if float(self.embedder.encode_query(noun) @ context) < 0.2:
                    continue
            span = item.window.span if find_enumeration(item.window.span.text) else item.window.sentence
            text = f"{number_in_words(len(items))}: {', '.join(items[:-1])} and {items[-1]} [1]."
            return Draft(text, False, [_citation(1, item.window.chunk, span)])
        return None


_citation = Citation.of


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
