"""Cross-lingual retrieval's e5 vectors: computed at index time, stored in the index build, used by the next process."""

from __future__ import annotations

from pathlib import Path

from assistant import Assistant
from assistant.multilingual import MultilingualEncoder


class CountingEncoder(MultilingualEncoder):
    """The real e5 encoder, counting the passages it is asked to encode."""

    def __init__(self, encoder: MultilingualEncoder) -> None:
        self.__dict__.update(encoder.__dict__)
        self.encoded: list[str] = []

    def passages(self, texts):
        self.encoded += list(texts)
        return super().passages(texts)


def test_indexing_stores_the_vectors_for_the_next_process(private_config, embedder) -> None:
    bot = Assistant(private_config, embedder=embedder)
    build = bot.served.build
    assert build.multilingual
    stored = bot.index.client.get_collection(build.record["e5_collection"])
    assert stored.count() == len(bot.chunks)
    next_process = Assistant(private_config, embedder=embedder, build_index=False)
    counting = CountingEncoder(next_process.multilingual)  # type: ignore[arg-type]
    retriever = next_process.retriever
    retriever.multilingual = counting
    evidence = retriever.retrieve("Welche Organisationen werden genannt?", 5, language="de").evidence
    assert counting.encoded == []  # no chunk was embedded again: the build's e5 vectors answered
    assert any("UNHCR" in e.chunk.text for e in evidence)
    answer = next_process.ask("Welche Organisationen werden genannt?")
    assert not answer.refused and any("UNHCR" in c.quote for c in answer.citations), answer.text


def test_a_changed_chunk_is_the_only_one_encoded_again(private_config, embedder, corpus_dir: Path) -> None:
    first = Assistant(private_config, embedder=embedder)
    counting = CountingEncoder(first.multilingual)  # type: ignore[arg-type]
    (corpus_dir / "extra.md").write_text("# Fähre\n\nThe ferry timetable changes in winter.\n")
    from assistant.chunking import chunk_corpus
    from assistant.corpus import load_corpus

    corpus = load_corpus(corpus_dir)
    chunks = chunk_corpus(corpus.documents, private_config.chunk_max_tokens)
    first.index.build(chunks, embedder, multilingual=counting, documents=corpus.documents)
    assert sorted(counting.encoded) == sorted(c.embedding_text for c in chunks if c.document_id == "extra")
