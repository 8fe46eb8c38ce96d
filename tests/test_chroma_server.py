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
