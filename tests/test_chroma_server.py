"""Chroma as a server: index and answer through HttpClient; the server going away and coming back."""

from __future__ import annotations

import pytest

from assistant import Assistant, Config, ConfigError
from assistant.embeddings import Embedder

pytestmark = pytest.mark.server


def test_index_and_answer_through_a_chroma_server(chroma_server, private_config: Config, embedder: Embedder) -> None:
    config = private_config.model_copy(update={"chroma_url": chroma_server.url})
    bot = Assistant(config, embedder=embedder)
    assert bot.last_index_stats is not None and bot.last_index_stats.embedded == 8
    assert not (config.index_dir / "chroma").exists()  # nothing embedded locally: the vectors live in the server
    answer = bot.ask("Which agencies does the statement mention?")
    assert "UNHCR" in answer.text and not answer.degraded
    again = Assistant(config, embedder=embedder)  # a second replica finds the index built
    assert again.last_index_stats is None


def test_server_down_answers_from_bm25_and_recovers_without_reindexing(
    chroma_server,
    private_config: Config,
    embedder: Embedder,
) -> None:
    config = private_config.model_copy(update={"chroma_url": chroma_server.url})
    bot = Assistant(config, embedder=embedder)
    served = bot.served.build.name
    chroma_server.stop()
    down = bot.ask("Which agencies does the statement mention?")
    assert down.degraded  # the dense half is unavailable; the lexical half still answers
    assert "UNHCR" in down.text
    assert bot.health()["status"] == "degraded"
    chroma_server.start()
    up = bot.ask("Which agencies does the statement mention?")
    assert not up.degraded
    assert bot.served.build.name == served  # the same build: nothing was re-indexed
    assert bot.health()["status"] == "ok"


def test_an_unreachable_server_is_a_one_line_error_at_start(private_config: Config, embedder: Embedder) -> None:
    from conftest import free_port

    config = private_config.model_copy(update={"chroma_url": f"http://127.0.0.1:{free_port()}"})
    with pytest.raises(ConfigError, match="cannot reach the Chroma server") as error:
        Assistant(config, embedder=embedder)
    assert "\n" not in str(error.value)


HARBOUR = "# Harbour notice\n\nThe harbour ferry to Malmö leaves from {place} every morning.\n"
HARBOUR_QUESTION = "Where does the harbour ferry to Malmö leave from?"


def _harbour_quotes(answer) -> set[str]:
    """Which version of the harbour notice an answer quotes ('Nyhavn', 'Helsingør' or both)."""
    return {place for place in ("Nyhavn", "Helsingør") for c in answer.citations if place in c.quote}


@pytest.fixture
def shared(chroma_server, private_config: Config, tmp_path):
    """An indexer's config (with the corpus folder) and a replica's (an empty corpus folder, its own cache)."""
    indexer = private_config.model_copy(update={"chroma_url": chroma_server.url, "multilingual": False})
    empty = tmp_path / "replica-corpus"
    empty.mkdir()
    replica = indexer.model_copy(update={"corpus_dir": empty, "index_dir": tmp_path / "replica-cache"})
    return indexer, replica


def test_a_replica_serves_from_the_chroma_url_alone(shared, embedder: Embedder) -> None:
    indexer_config, replica_config = shared
    indexer = Assistant(indexer_config, embedder=embedder)
    replica = Assistant(replica_config, embedder=embedder)  # no corpus, no index of its own: all from the server
    assert replica.last_index_stats is None and replica.errors == []
    assert replica.documents == indexer.documents and [c.id for c in replica.chunks] == [c.id for c in indexer.chunks]
    answer = replica.ask("Which agencies does the statement mention?")
    assert "UNHCR" in answer.text and not answer.degraded
    citation = answer.citations[0]
    assert replica.documents[citation.source].text[citation.start : citation.end] == citation.quote


def test_a_reindex_elsewhere_is_served_whole_without_a_restart(shared, embedder: Embedder, corpus_dir) -> None:
    """The indexer switches the build while a replica answers: each answer quotes one build, never a mix; sync()
    and then follow_index() move the replica to the new build."""
    import threading
    import time

    indexer_config, replica_config = shared
    (corpus_dir / "harbour.md").write_text(HARBOUR.format(place="Nyhavn"), encoding="utf-8")
    indexer = Assistant(indexer_config, embedder=embedder)
    replica = Assistant(replica_config, embedder=embedder)
    assert _harbour_quotes(replica.ask(HARBOUR_QUESTION)) == {"Nyhavn"}
    answers = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            answers.append(replica.ask(HARBOUR_QUESTION))

    asking = threading.Thread(target=keep_asking)
    asking.start()
    try:
        (corpus_dir / "harbour.md").write_text(HARBOUR.format(place="Helsingør"), encoding="utf-8")
        new = indexer.reindex()
        assert replica.served.build.name != new.collection  # still the old build: nothing switched it yet
        assert replica.sync()
        time.sleep(0.5)
    finally:
        stop.set()
        asking.join()
    assert replica.served.build.name == new.collection
    seen = [_harbour_quotes(answer) for answer in answers]
    assert all(quotes in ({"Nyhavn"}, {"Helsingør"}) for quotes in seen), seen  # one build per answer
    assert seen[-1] == {"Helsingør"}
    assert _harbour_quotes(replica.ask(HARBOUR_QUESTION)) == {"Helsingør"}

    replica.follow_index(0.2)
    try:
        (corpus_dir / "harbour.md").unlink()
        latest = indexer.reindex()
        deadline = time.monotonic() + 60
        while replica.served.build.name != latest.collection and time.monotonic() < deadline:
            time.sleep(0.1)
        assert replica.health()["build"] == latest.collection.rsplit("-", 1)[-1]
        assert "harbour" not in replica.documents
    finally:
        replica.stop_following()


def test_agenda_index_replaces_a_build_that_cannot_be_served(shared, embedder: Embedder, corpus_dir) -> None:
    """A build without its documents (as made before builds held them) and another corpus: the index job does not
    need to serve the old build to replace it, and replicas then serve the new one."""
    from assistant.assistant import index_corpus
    from assistant.chunking import chunk_corpus
    from assistant.corpus import load_corpus
    from assistant.index import VectorIndex

    indexer_config, replica_config = shared
    VectorIndex(indexer_config).build(chunk_corpus(load_corpus(corpus_dir).documents, 160), embedder)
    (corpus_dir / "harbour.md").write_text(HARBOUR.format(place="Nyhavn"), encoding="utf-8")
    with pytest.raises(ConfigError, match="does not match"):
        Assistant(replica_config, embedder=embedder)  # no documents in the build, no corpus here: a clear error
    stats, corpus = index_corpus(indexer_config, embedder=embedder)
    assert stats.changed and len(corpus.documents) == 2
    replica = Assistant(replica_config, embedder=embedder)
    assert _harbour_quotes(replica.ask(HARBOUR_QUESTION)) == {"Nyhavn"}
