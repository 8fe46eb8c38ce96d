"""The corpus folder: the seed as stored, its manifest, and what each unreadable file gets."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT
from assistant.corpus import load_corpus, read_document

SEED_ORIGINAL = PROJECT_ROOT.parent / "shared" / "seed" / "migration-our-shared-agenda.txt"


def test_seed_is_stored_byte_for_byte() -> None:
    stored = (PROJECT_ROOT / "corpus" / "migration-our-shared-agenda.txt").read_bytes()
    if SEED_ORIGINAL.exists():
        assert stored == SEED_ORIGINAL.read_bytes()
    assert stored.startswith(b"Migration: our shared agenda\n")


def test_manifest_gives_the_statement_its_metadata() -> None:
    corpus = load_corpus(PROJECT_ROOT / "corpus")
    assert corpus.errors == []
    (doc,) = corpus.documents
    assert doc.id == "migration-our-shared-agenda"
    assert doc.title == "Migration: our shared agenda"
    assert doc.metadata["event"] == "European Political Community Summit"
    assert doc.metadata["place"] == "Copenhagen"
    assert doc.metadata["date"] == "2025-10-02"
    assert len(doc.metadata["signatories"]) == 15
    assert doc.text == (PROJECT_ROOT / "corpus" / doc.path).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "is empty"),
        ("blank.md", b"   \n\n  \n", "is empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("latin1.txt", "Déclaration commune sur la migration".encode("latin-1"), "not valid UTF-8"),
        ("sheet.xlsx", b"PK\x03\x04", "unsupported file type"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "cannot read this PDF"),
    ],
)
def test_an_unreadable_file_is_reported_by_name_and_the_rest_still_loads(
    corpus_dir: Path, name: str, content: bytes, reason: str
) -> None:
    (corpus_dir / name).write_bytes(content)
    corpus = load_corpus(corpus_dir)
    assert [d.id for d in corpus.documents] == ["migration-our-shared-agenda"]
    (error,) = corpus.errors
    assert error.path == name
    assert reason in str(error)


def test_utf16_with_bom_markdown_front_matter_and_html_are_read(corpus_dir: Path) -> None:
    (corpus_dir / "note.txt").write_bytes(codecs.BOM_UTF16_LE + "Ein Vermerk über Rückführungen.".encode("utf-16-le"))
    (corpus_dir / "brief.md").write_text("---\ntitle: Briefing\nauthor: Staff\n---\n# Briefing\n\nReturns matter.\n")
    (corpus_dir / "page.html").write_text(
        "<html><head><title>T</title><script>alert(1)</script></head><body><h1>Page</h1><p>Hello there.</p></body>"
    )
    corpus = load_corpus(corpus_dir)
    assert corpus.errors == []
    docs = {d.id: d for d in corpus.documents}
    assert docs["note"].text == "Ein Vermerk über Rückführungen."
    assert docs["brief"].title == "Briefing" and docs["brief"].metadata["author"] == "Staff"
    assert "alert" not in docs["page"].text and "Hello there." in docs["page"].text


def test_exact_duplicates_are_skipped_with_a_note(corpus_dir: Path) -> None:
    (corpus_dir / "copy.txt").write_bytes((corpus_dir / "migration-our-shared-agenda.txt").read_bytes())
    corpus = load_corpus(corpus_dir)
    assert len(corpus.documents) == 1
    assert "duplicate of" in str(corpus.errors[0])


def test_a_file_that_disappears_while_reading_is_an_error_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="disappeared"):
        read_document(tmp_path / "gone.txt", tmp_path)
