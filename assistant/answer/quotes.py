"""Candidate quotes: clause-level windows of a chunk's sentences, the spans answers cite."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from assistant.models import Chunk, Span

# Where a quotable clause may start: after a colon, semicolon or dash, or after a comma that opens a clause
# (a gerund, "including", a preposition, "and" + one of those) rather than continuing a list of nouns.
_OPENER = r"(?:[a-z]+ing\b|including\b|such as\b|to\b|in\b|at\b|on\b|for\b|so\b|which\b|while\b|where\b)"
_CLAUSE_BREAK = re.compile(rf"[;:](?=\s)|\s[—–]\s|,(?=\s+(?:and\s+|but\s+)?{_OPENER})")
_LEADING = re.compile(r"^(?:and|but|or|including)\s+", re.IGNORECASE)
MIN_WINDOW_WORDS = 5
OVERLAP_WEIGHT = 0.3  # share of the question's content words found in a window
CHOICE_MARGIN = 0.08  # further quotes must score within this of the best


@dataclass(frozen=True)
class Window:
    """A run of clauses inside one sentence of a chunk: a candidate quote."""

    chunk: Chunk
    span: Span
    sentence: Span

    @property
    def short(self) -> bool:
        """A sentence too short to say much alone ("20 November 2025"): quoted only for a typed detail."""
        return len(self.span.text.split()) < MIN_WINDOW_WORDS


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
            if len(local[s:e].split()) < MIN_WINDOW_WORDS and (i, j) != (0, len(clauses)):
                continue  # a short clause says too little alone; a short sentence ("20 November 2025") stays
            if chunk.kind == "bullet" and i == 0 and local[e:].lstrip().startswith(":"):
                continue  # a bullet's heading phrase alone says too little; it stays as the lead of longer windows
            start = sentence.start + s
            end = sentence.start + e
            text = chunk.text[start - base : end - base]
            windows[(start, end)] = Window(chunk, Span(start=start, end=end, text=text), sentence)
    return list(windows.values())


# A clause that only completes the one before it: what it includes, an example, its purpose ("to accelerate ...")
_DEPENDENT = re.compile(r"^\s*(?:including\b|such as\b|like\b|to\s+(?!the\b|a\b|an\b|our\b|their\b)[a-z]+\b)")


def with_dependents(window: Window) -> Window:
    """The window carried on through the clauses right after it that only complete it ("forge new partnerships" +
    ", including with third countries, to accelerate processing ..."): a quote should not stop before what it
    includes or what it is for."""
    sentence = window.sentence
    local = sentence.text
    cuts = [m.end() for m in _CLAUSE_BREAK.finditer(local)] + [len(local)]
    end = window.span.end - sentence.start
    extended = end
    for cut, nxt in pairwise(cuts):
        if cut < extended:
            continue
        if local[extended:cut].strip(" ,;:\n") or not _DEPENDENT.match(local[cut:]):
            break
        extended = _trim_span(local, cut, nxt)[1]
    if extended == end:
        return window
    start = window.span.start
    text = local[start - sentence.start : extended]
    return Window(window.chunk, Span(start=start, end=start + len(text), text=text), sentence)


def with_head(window: Window) -> Window:
    """The window carried back to the clause it completes, when it is only a purpose, an example or what something
    includes ("to accelerate processing ..." <- "forge new and innovative partnerships, including with third
    countries,"): "how?" is answered by what is done, not only by what it is for."""
    sentence = window.sentence
    local = sentence.text
    start = window.span.start - sentence.start
    if not _DEPENDENT.match(local[start:]):
        return window
    starts = [0, *(m.end() for m in _CLAUSE_BREAK.finditer(local))]
    for cut in sorted((c for c in starts if c < start), reverse=True):
        piece = _LEADING.sub("", local[cut:start].strip(" ,;:\n"))
        if not piece or local[cut:start].rstrip(" ,\n").endswith((":", ";")):
            continue
        start = _trim_span(local, cut, start)[0]
        dependent = _DEPENDENT.match(local[start:])  # "including with third countries" completes one before it
        lead = _LEADING.match(local[start:])
        start += lead.end() if lead else 0
        if local[cut - 1 : cut] == ":" or not dependent:
            break
    if start == window.span.start - sentence.start:
        return window
    begin = sentence.start + start
    text = local[start : window.span.end - sentence.start]
    return Window(window.chunk, Span(start=begin, end=begin + len(text), text=text), sentence)
