"""A document's outline, built from the chunker's blocks: title, sections, lists in order, enumerations of names.

Structural questions (the third theme, how many countries, is X among them, the title) are answered from it.
Nothing here knows this corpus: a list is any run of bullets, an enumeration any "A, B, C and D" of capitalised names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.chunking import Block, bullet_heading, split_blocks, split_sentences
from assistant.models import Document, Span, fold_whitespace

_ITEM = r"(?:[Tt]he\s+)?[A-Z][\w'’.-]*(?:\s+(?:(?:on|of|for|and the)\s+)?[A-Z][\w'’-]*)*"
_ENUMERATION = re.compile(rf"(?:{_ITEM},\s+)+{_ITEM},?\s+and\s+{_ITEM}|{_ITEM}\s+and\s+{_ITEM}")
_SEPARATOR = re.compile(r",\s+(?:and\s+)?|\s+and\s+(?![Tt]he\s+[A-Z][\w'’-]*\s+(?:on|of)\b)")
_PLURAL = re.compile(r"\b([A-Za-z][a-z-]{2,}s)\b")


@dataclass(frozen=True)
class OutlineList:
    """A run of bullets: what introduces it, each item's heading phrase (or first sentence) and whole text."""

    intro: Span | None
    items: list[Span]
    bodies: list[Span]

    @property
    def noun(self) -> str | None:
        """The plural noun the introduction ends on ('... along the following key themes:' -> 'themes')."""
        if self.intro is None:
            return None
        nouns = _PLURAL.findall(self.intro.text)
        return nouns[-1].lower() if nouns else None


@dataclass(frozen=True)
class Enumeration:
    """'A, B, C and D' of capitalised names inside one sentence, each item with its offsets."""

    span: Span
    items: list[Span]
    sentence: Span
    context: str  # up to six words before it ("the leaders of", "agencies like the")


@dataclass(frozen=True)
class Outline:
    document_id: str
    name: str  # the document's title, as citations carry it
    title: Span | None
    sections: list[Span] = field(default_factory=list)
    lists: list[OutlineList] = field(default_factory=list)
    enumerations: list[Enumeration] = field(default_factory=list)
    paragraphs: list[Span] = field(default_factory=list)  # the body's paragraphs and bullets, in order


def _span(text: str, start: int, end: int) -> Span:
    return Span(start=start, end=end, text=text[start:end])


def _item_span(text: str, block: Block) -> Span:
    body = text[block.start : block.end]
    heading = bullet_heading(body)
    if heading:
        return _span(text, block.start, text.index(":", block.start))
    first = split_sentences(text, block.start, block.end)[0]
    return _span(text, first.start, first.end)


def _strip_article(text: str, start: int, end: int) -> tuple[int, int]:
    match = re.match(r"(?:[Tt]he)\s+", text[start:end])
    return (start + match.end(), end) if match and end - start - match.end() > 1 else (start, end)


def enumerations_in(text: str, sentence: Span) -> list[Enumeration]:
    """Every enumeration of capitalised names in one sentence (items keep their offsets into text)."""
    found = []
    local = sentence.text
    for match in _ENUMERATION.finditer(local):
        items: list[Span] = []
        cursor = match.start()
        pieces = [*_SEPARATOR.finditer(match.group(0)), None]
        for sep in pieces:
            stop = match.start() + sep.start() if sep is not None else match.end()
            s, e = _strip_article(local, cursor, stop)
            if e > s:
                items.append(_span(text, sentence.start + s, sentence.start + e))
            if sep is not None:
                cursor = match.start() + sep.end()
        if len(items) < 2:
            continue
        before = " ".join(local[: match.start()].split()[-6:])
        span = _span(text, sentence.start + match.start(), sentence.start + match.end())
        found.append(Enumeration(span, items, sentence, before))
    return found


def find_enumeration(text: str) -> list[str]:
    """The names of the longest enumeration in a text ([] if none)."""
    found = enumerations_in(text, Span(start=0, end=len(text), text=text))
    best = max(found, key=lambda e: len(e.items), default=None)
    return [fold_whitespace(i.text) for i in best.items] if best else []


def build_outline(document: Document) -> Outline:
    """The outline of one document, from the same blocks the chunker cuts."""
    text = document.text
    blocks = split_blocks(text, int(document.metadata.get("body_start", 0)))
    title = next((_span(text, b.start, b.end) for b in blocks if b.kind == "title"), None)
    if title is None and blocks and blocks[0].kind == "heading":
        title = _span(text, blocks[0].start, blocks[0].end)
    sections = [_span(text, b.start, b.end) for b in blocks if b.kind == "heading"]
    lists: list[OutlineList] = []
    run: list[Block] = []
    intro: Span | None = None
    previous: Block | None = None
    for block in [*blocks, None]:
        if block is not None and block.kind == "bullet":
            if not run and previous is not None:
                sentences = split_sentences(text, previous.start, previous.end)
                intro = sentences[-1] if sentences else None
            run.append(block)
        else:
            if len(run) >= 2:
                lists.append(
                    OutlineList(intro, [_item_span(text, b) for b in run], [_span(text, b.start, b.end) for b in run])
                )
            run, intro = [], None
        previous = block
    enumerations = [
        enumeration
        for block in blocks
        if block.kind != "title"
        for sentence in split_sentences(text, block.start, block.end)
        for enumeration in enumerations_in(text, sentence)
    ]
    paragraphs = [_span(text, b.start, b.end) for b in blocks if b.kind in ("paragraph", "bullet")]
    paragraphs = [p for p in paragraphs if title is None or p.start >= title.end]
    return Outline(document.id, document.title, title, sections, lists, enumerations, paragraphs)
