"""Structure-aware chunking: title, paragraphs and bullet items (never two in one chunk), with sentence offsets.

Offsets always point into Document.text as stored, so a hard-wrapped file stays citable character for character.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from assistant.models import Chunk, Document, Span
from assistant.tokens import count_tokens

CHUNKER_VERSION = "1"
_BULLET = re.compile(r"[ \t]*(?:[-*•‣◦]|\d{1,3}[.)])[ \t]+")
_HEADING = re.compile(r"[ \t]{0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
# A sentence ends at . ! ? (optionally closed by a quote or bracket) before whitespace and a capital, digit or quote.
_SENTENCE_END = re.compile(r"""[.!?]['"’”)\]]*(?=\s+['"‘“(\[]?[A-Z0-9À-ÖØ-Þ])""")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "No.", "vs.", "Art.", "para.")


@dataclass(frozen=True)
class Block:
    """A structural unit of a document before size limits: kind is title, heading, paragraph or bullet."""

    kind: str
    start: int
    end: int


def _lines(text: str, start: int) -> list[tuple[int, int]]:
    """(start, end) of each line from `start`, end excluding the line break."""
    spans = []
    for match in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", text[start:]):
        if not match.group(0):
            break
        line = match.group(0).rstrip("\r\n")
        spans.append((start + match.start(), start + match.start() + len(line)))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_blocks(text: str, body_start: int = 0) -> list[Block]:
    """Blank lines separate blocks; a bullet line opens a bullet block that its continuation lines extend."""
    blocks: list[Block] = []
    current: list[int] | None = None  # [start, end] of the open block
    kind = "paragraph"

    def close() -> None:
        nonlocal current
        if current is not None:
            s, e = _trim(text, current[0], current[1])
            if e > s:
                blocks.append(Block(kind, s, e))
        current = None

    for line_start, line_end in _lines(text, body_start):
        line = text[line_start:line_end]
        if not line.strip():
            close()
            continue
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        if heading:
            close()
            kind = "heading"
            current = [line_start + heading.start(2), line_start + heading.end(2)]
            close()
        elif bullet:
            close()
            kind = "bullet"
            current = [line_start + bullet.end(), line_end]
        elif current is None:
            kind = "paragraph"
            current = [line_start, line_end]
        else:
            current[1] = line_end
    close()
    if blocks and blocks[0].kind == "paragraph" and "\n" not in text[blocks[0].start : blocks[0].end]:
        first = blocks[0]
        if count_tokens(text[first.start : first.end]) <= 24 and text[first.end - 1] not in ".!?":
            blocks[0] = Block("title", first.start, first.end)
    return blocks


def split_sentences(text: str, start: int, end: int) -> list[Span]:
    """Sentences of text[start:end] as spans with document offsets."""
    spans: list[Span] = []
    cursor = start
    segment = text[start:end]
    for match in _SENTENCE_END.finditer(segment):
        stop = start + match.end()
        if text[cursor:stop].endswith(_ABBREVIATIONS):
            continue
        s, e = _trim(text, cursor, stop)
        if e > s:
            spans.append(Span(start=s, end=e, text=text[s:e]))
        cursor = stop
    s, e = _trim(text, cursor, end)
    if e > s:
        spans.append(Span(start=s, end=e, text=text[s:e]))
    return spans


def bullet_heading(text: str) -> str | None:
    """The heading phrase of a bullet item: the words before its first colon ('Take ... to returns')."""
    head, colon, _ = text.partition(":")
    if colon and 1 <= len(head.split()) <= 16:
        return " ".join(head.split())
    return None


def _list_items(text: str, following: list[Block]) -> list[Span]:
    """The heading phrase (or first sentence) of each bullet right after a chunk that ends with a colon."""
    items: list[Span] = []
    for block in following:
        if block.kind != "bullet":
            break
        heading = bullet_heading(text[block.start : block.end])
        end = text.index(":", block.start) if heading else split_sentences(text, block.start, block.end)[0].end
        items.append(Span(start=block.start, end=end, text=text[block.start : end]))
    return items


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _pack(sentences: list[Span], max_tokens: int) -> list[list[Span]]:
    """Group consecutive sentences into parts of at most max_tokens (a longer sentence stands alone)."""
    groups: list[list[Span]] = []
    size = 0
    for sentence in sentences:
        tokens = count_tokens(sentence.text)
        if groups and size + tokens <= max_tokens:
            groups[-1].append(sentence)
            size += tokens
        else:
            groups.append([sentence])
            size = tokens
    return groups


def chunk_document(document: Document, max_tokens: int = 160) -> list[Chunk]:
    """Chunks of one document, in reading order, each within max_tokens unless one sentence is longer."""
    text = document.text
    body_start = int(document.metadata.get("body_start", 0))
    chunks: list[Chunk] = []
    section: list[str] = []
    blocks = split_blocks(text, body_start)
    for number, block in enumerate(blocks):
        block_text = text[block.start : block.end]
        if block.kind == "heading":
            section = [" ".join(block_text.split())]
        path = [document.title, *section]
        if block.kind == "bullet" and (heading := bullet_heading(block_text)):
            path = [*path, heading]
        sentences = split_sentences(text, block.start, block.end)
        for group in _pack(sentences, max_tokens):
            start, end = group[0].start, group[-1].end
            chunk_text = text[start:end]
            chunks.append(
                Chunk(
                    id=f"{document.id}#{len(chunks)}",
                    document_id=document.id,
                    title=document.title,
                    path=path,
                    start=start,
                    end=end,
                    text=chunk_text,
                    sentences=group,
                    content_hash=_hash(CHUNKER_VERSION, document.id, " > ".join(path), chunk_text),
                    kind=block.kind,
                    list_items=_list_items(text, blocks[number + 1 :]) if chunk_text.endswith(":") else [],
                )
            )
    return chunks


def chunk_corpus(documents: list[Document], max_tokens: int = 160) -> list[Chunk]:
    return [chunk for document in documents for chunk in chunk_document(document, max_tokens)]
