"""Chunks of the hard-wrapped seed: offsets round-trip, bullets intact, sizes in tokens."""

from __future__ import annotations

import pytest

from assistant.chunking import chunk_document, split_sentences
from assistant.config import PROJECT_ROOT
from assistant.corpus import load_corpus
from assistant.models import Document
from assistant.tokens import count_tokens

HEADINGS = [
    "Take the strongest action against smugglers and secure our borders",
    "Ensure our legislative frameworks and asylum systems are robust",
    "Take an unequivocal approach to returns",
    "Strengthen migration management at the earliest opportunity",
    "Put innovation at the heart of migration reform",
]


@pytest.fixture(scope="module")
def seed() -> Document:
    return load_corpus(PROJECT_ROOT / "corpus").documents[0]


def test_every_chunk_and_sentence_maps_back_to_the_file(seed: Document) -> None:
    for chunk in chunk_document(seed):
        assert seed.text[chunk.start : chunk.end] == chunk.text
        for sentence in chunk.sentences:
            assert seed.text[sentence.start : sentence.end] == sentence.text
            assert chunk.start <= sentence.start < sentence.end <= chunk.end


def test_each_bullet_is_one_chunk_with_its_heading(seed: Document) -> None:
    bullets = [c for c in chunk_document(seed) if c.kind == "bullet"]
    assert [c.path[-1] for c in bullets] == HEADINGS
    for chunk, heading in zip(bullets, HEADINGS, strict=True):
        assert chunk.text.startswith(heading + ":")
        assert "\n-" not in chunk.text  # never spans two bullets
    returns = bullets[2]
    assert returns.prose.endswith("alleviate domestic pressures.")
    assert "\n " in returns.text  # the hard wrap is kept in the stored text ...
    assert "\n" not in returns.prose  # ... and folded away for reading


def test_the_title_and_the_list_introduction_are_recognised(seed: Document) -> None:
    chunks = chunk_document(seed)
    assert chunks[0].kind == "title" and chunks[0].text == "Migration: our shared agenda"
    intro = next(c for c in chunks if c.list_items)
    assert intro.text.endswith("along the following key themes:")
    assert [i.text for i in intro.list_items] == HEADINGS


def test_small_token_budgets_split_bullets_by_sentence_but_keep_the_heading(seed: Document) -> None:
    chunks = chunk_document(seed, max_tokens=40)
    smugglers = [c for c in chunks if c.path[-1] == HEADINGS[0]]
    assert len(smugglers) == 2
    assert smugglers[1].text.startswith("And work together")
    assert smugglers[1].embedding_text.startswith(HEADINGS[0])
    for chunk in chunks:
        assert count_tokens(chunk.text) <= 40 or len(chunk.sentences) == 1


def test_sentences_do_not_split_on_abbreviations() -> None:
    text = "Agencies, e.g. the IOM, help. Returns matter! Do they?"
    assert [s.text for s in split_sentences(text, 0, len(text))] == [
        "Agencies, e.g. the IOM, help.",
        "Returns matter!",
        "Do they?",
    ]


def test_content_hash_changes_only_with_content(seed: Document) -> None:
    first = chunk_document(seed)
    edited = seed.model_copy(update={"text": seed.text.replace("IOM", "I.O.M.")})
    second = chunk_document(edited)
    changed = [a.id for a, b in zip(first, second, strict=True) if a.content_hash != b.content_hash]
    assert changed == ["migration-our-shared-agenda#6"]
