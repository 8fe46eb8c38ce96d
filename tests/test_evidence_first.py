"""Evidence first: every surface gets the verified quotes of the fast extractive stage before any text, and a model's
answer streams beneath them; a rejected model answer gives way to the extractive one, the quotes kept.

Uses the real extractive answerer, the real local 0.5B model (its pip package), the real app and Debian's Chromium.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import sync_playwright

from assistant import Answer, Assistant, Config, Quotes
from assistant.generation.entailment import ModelJudge
from assistant.server import create_app
from tests.browser_support import ANSWER_DONE, CHROMIUM, LAUNCH_ARGS, open_page, require_chromium, shot
from tests.conftest import serve_in_thread
from tests.test_generation import CountingBackend, Scripted

AGENCIES = "Which agencies does the statement mention?"
QUESTIONS = (AGENCIES, "What does the statement say about returns?", "What is the capital of France?")


@pytest.fixture(scope="module")
def local_bot(config: Config, embedder: Any) -> Assistant:
    return Assistant(config.model_copy(update={"answerer": "local", "local_model": "0.5b"}), embedder=embedder)


def assert_verbatim(bot: Assistant, quotes: Quotes) -> None:
    for citation in quotes.citations:
        assert bot.documents[citation.source].text[citation.start : citation.end] == citation.quote


@contextmanager
def backend(bot: Assistant, replacement: Any) -> Iterator[Any]:
    """The answerer writes with the replacement (and a Scripted one is its entailment judge too)."""
    answerer: Any = bot.answerer
    original, judge = answerer.backend, answerer.judge
    answerer.backend = replacement
    if isinstance(replacement, Scripted):
        answerer.judge = ModelJudge(replacement)
    try:
        yield replacement
    finally:
        answerer.backend, answerer.judge = original, judge


def sentence_number(bot: Assistant, words: str) -> int:
    """The prompt's number of the (first) corpus sentence holding these words."""
    return next(p.number for p in bot.answerer._corpus.passages if words in p.prose)  # type: ignore[attr-defined]


def first_and_last(bot: Assistant, question: str) -> tuple[Quotes, list[str], Answer]:
    first, *pieces, last = list(bot.stream(question))
    assert isinstance(first, Quotes), f"the stream began with {first!r}"
    assert isinstance(last, Answer) and all(isinstance(p, str) for p in pieces)
    return first, pieces, last  # type: ignore[return-value]


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_extractive_stream_starts_with_the_verified_quotes(bot: Assistant, question: str) -> None:
    quotes, pieces, answer = first_and_last(bot, question)
    assert_verbatim(bot, quotes)
    assert quotes.refused == answer.refused and quotes.elapsed_ms <= answer.timings_ms["total"]
    assert answer.quotes == quotes.citations and answer.answered_by == "extractive"
    assert "".join(pieces) == answer.text
    if not answer.refused:
        assert quotes.citations and answer.citations == quotes.citations  # the answer is built on these quotes


def test_ask_is_unchanged_and_keeps_the_quotes_on_the_answer(bot: Assistant) -> None:
    answer = bot.ask(AGENCIES)
    assert isinstance(answer, Answer) and answer.quotes == answer.citations and "IOM" in answer.citations[0].quote
    assert answer.timings_ms["quotes"] <= answer.timings_ms["total"]


def test_the_local_model_streams_beneath_quotes_found_before_it_runs(local_bot: Assistant) -> None:
    with backend(local_bot, CountingBackend(local_bot.answerer.backend)) as counting:  # type: ignore[attr-defined]
        pieces = local_bot.stream(AGENCIES)
        first = next(pieces)
        calls_before_quotes = counting.calls
        rest = list(pieces)
    assert isinstance(first, Quotes) and first.citations and not first.refused
    assert calls_before_quotes == 0 and counting.calls == 1  # the quotes came before the model was asked
    assert_verbatim(local_bot, first)
    *text, answer = rest
    assert isinstance(answer, Answer) and all(isinstance(p, str) for p in text)
    assert answer.answerer == "local:0.5b" and answer.answered_by in ("local:0.5b", "extractive")
    assert answer.quotes == first.citations  # the quotes stay, whichever text won


def test_a_rejected_model_answer_gives_way_to_the_extractive_one_on_the_same_quotes(
    local_bot: Assistant, bot: Assistant
) -> None:
    wall = sentence_number(local_bot, "IOM")
    with backend(local_bot, Scripted(f"The leaders agreed to build a wall along the coast [{wall}].")):
        quotes, pieces, answer = first_and_last(local_bot, AGENCIES)
    assert quotes.citations and not answer.refused
    assert answer.answered_by == "extractive" and answer.answerer == "local:0.5b"  # consumers can tell
    assert answer.citations == quotes.citations == answer.quotes  # the evidence stays
    assert answer.text == bot.ask(AGENCIES).text == "".join(pieces) and "wall" not in answer.text


def test_a_kept_model_answer_says_so_and_keeps_the_quotes(local_bot: Assistant) -> None:
    number = sentence_number(local_bot, "IOM")
    with backend(local_bot, Scripted(f"The statement names the IOM and UNHCR [{number}].")):
        quotes, pieces, answer = first_and_last(local_bot, AGENCIES)
    assert answer.answered_by == local_bot.answerer.name == "local:0.5b" and "IOM and UNHCR [1]" in answer.text
    assert answer.quotes == quotes.citations and "".join(pieces) == answer.text


def test_the_sse_stream_sends_the_quotes_first(web_config: Config, bot: Assistant) -> None:
    client = TestClient(create_app(web_config, bot))
    response = client.post("/api/ask/stream", json={"question": AGENCIES})
    assert response.status_code == 200
    events = []
    for block in response.text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        events.append((fields["event"], json.loads(fields["data"])))
    (first, quotes), *_, (last, answer) = events
    assert first == "quotes" and last == "answer" and [name for name, _ in events].count("quotes") == 1
    assert_verbatim(bot, Quotes.model_validate(quotes))
    assert quotes["citations"] and quotes["citations"] == answer["quotes"]
    assert "quotes" in client.get("/openapi.json").text  # the event is documented


def test_the_chain_keeps_its_output_and_sends_the_quotes_as_an_event(bot: Assistant) -> None:
    chain = bot.chain
    streamed = list(chain.stream({"question": AGENCIES}))
    assert not any(isinstance(p, Quotes) for p in streamed) and isinstance(streamed[-1], Answer)

    async def collect() -> list[dict[str, Any]]:
        return [event async for event in chain.astream_events({"question": AGENCIES}, version="v2")]

    events = asyncio.run(collect())
    names = [e["name"] if e["event"] == "on_custom_event" else e["event"] for e in events]
    assert "quotes" in names and names.index("quotes") < names.index("on_chain_stream")
    data = next(e["data"] for e in events if e["event"] == "on_custom_event" and e["name"] == "quotes")
    assert data["citations"] and data["citations"] == [c.model_dump(mode="json") for c in streamed[-1].quotes]


# Every change of the conversation, as a reader would see it: whether it was busy, its last answer's quotes and prose
RECORD_CHAT = """
window.chatStates = [];
new MutationObserver(() => {
  const chat = document.querySelector('#chat');
  if (!chat) return;
  const answer = [...chat.querySelectorAll('.msg.bot')].pop();
  const quotes = answer && answer.querySelector('.quotes');
  const prose = answer && answer.querySelector('.answer-body');
  window.chatStates.push({
    busy: chat.querySelector('.log')?.getAttribute('aria-busy'),
    quotes: quotes ? quotes.querySelectorAll('li').length : 0,
    top: quotes ? quotes.getBoundingClientRect().top : null,
    proseBusy: prose ? prose.getAttribute('aria-busy') : null,
    prose: prose ? prose.innerText : '',
    marks: document.querySelectorAll('#doc-view mark').length,
  });
}).observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
"""


@pytest.mark.browser
def test_the_chat_shows_the_quotes_before_the_prose_and_they_stay_put(web_config: Config, local_bot: Assistant) -> None:
    require_chromium()
    servers = serve_in_thread(web_config, local_bot)
    url = next(servers)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            try:
                with open_page(browser, url) as page:
                    page.add_init_script(RECORD_CHAT)
                    page.reload()
                    page.wait_for_selector("#question textarea")
                    page.focus("#question textarea")
                    page.keyboard.insert_text(AGENCIES)
                    page.keyboard.press("Enter")
                    page.wait_for_function(ANSWER_DONE, arg=0, timeout=120_000)
                    states: list[dict[str, Any]] = page.evaluate("window.chatStates")
                    final = page.locator("#chat .msg.bot .answer-body").last.inner_text()
                    shot(page, "evidence-first")
            finally:
                browser.close()
    finally:
        next(servers, None)
    early = [s for s in states if s["busy"] == "true" and s["quotes"]]
    assert early, "the quotes were never on the page while the answer was being written"
    assert all(s["proseBusy"] == "true" for s in early)  # the prose region says it is still being written
    assert any(s["prose"] != final for s in early)  # the quotes were there before the prose was complete
    assert any(s["marks"] for s in early)  # and highlighted in the document view while the answer was written
    tops = [s["top"] for s in states[states.index(early[0]) :] if s["top"] is not None]
    assert max(tops) - min(tops) <= 1, tops  # the prose streamed in beneath the quotes without moving them
