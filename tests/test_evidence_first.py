"""Evidence first: every surface gets the verified quotes of the fast extractive stage before any text, and a model's
answer streams beneath them; a rejected model answer gives way to the extractive one, the quotes kept.

Uses the real extractive answerer, the real local 0.5B model (its pip package), the real app and Debian's Chromium.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import sync_playwright

from assistant import Answer, Assistant, Config, Quotes
from assistant.deadline import Deadline
from assistant.feedback import FeedbackStore
from assistant.generation.answerer import TRANSLATE
from assistant.generation.entailment import ModelJudge
from assistant.generation.translation import check_translation
from assistant.limits import AnswerSlots
from assistant.models import Progress
from assistant.server import create_app
from assistant.web.chat import QUOTES_FOUND, QUOTES_FOUND_TRANSLATING, ChatView, Suggestions
from assistant.web.conversation import TRANSLATING, WRITING
from assistant.web.texts import tr
from tests.browser_support import ANSWER_DONE, CHROMIUM, LAUNCH_ARGS, open_page, require_chromium, shot
from tests.conftest import serve_in_thread
from tests.test_generation import CountingBackend, Scripted

AGENCIES = "Which agencies does the statement mention?"
QUESTIONS = (AGENCIES, "What does the statement say about returns?", "What is the capital of France?")
GERMAN = "Welche Organisationen nennt die Erklärung?"
IN_ENGLISH = "Which organisations does the statement name?"


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


class Watching:
    """The real backend, noting each call to the model (translating the question, writing, or another) with what the
    asker had been given by then: the kinds of the items streamed so far, a Progress by its step."""

    def __init__(self, backend: Any, seen: list[Any]) -> None:
        self.backend, self.seen, self.name = backend, seen, backend.name
        self.calls: list[tuple[str, list[str]]] = []

    def given(self) -> list[str]:
        return [p.step if isinstance(p, Progress) else type(p).__name__ for p in self.seen]

    def warm(self, system: str) -> None:
        self.backend.warm(system)

    def stream(
        self, system: str, user: str, grammar: str | None, max_tokens: int, deadline: Deadline | None = None
    ) -> Iterator[str]:
        self.calls.append(("write", self.given()))
        yield from self.backend.stream(system, user, grammar, max_tokens, deadline)

    def complete(self, system: str, user: str, max_tokens: int, deadline: Deadline | None = None) -> str:
        self.calls.append(("translate" if system == TRANSLATE else "other", self.given()))
        return self.backend.complete(system, user, max_tokens, deadline)


class Prompted(Scripted):
    """A scripted model that keeps the user prompts it is given to write from."""

    def __init__(self, reply: str, translation: str = "") -> None:
        super().__init__(reply, translation)
        self.prompts: list[str] = []

    def stream(
        self, system: str, user: str, grammar: str | None, max_tokens: int, deadline: Deadline | None = None
    ) -> Iterator[str]:
        self.prompts.append(user)
        yield from super().stream(system, user, grammar, max_tokens, deadline)


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


def test_a_german_question_gets_its_quotes_before_the_model_translates_it(local_bot: Assistant) -> None:
    """The real model, whatever it writes on this CPU: the verified quotes come first, found from the question as
    asked (e5 and the glossary, as the extractive answerer finds them); the model is first called after them, to
    translate the question, and writes only after that."""
    seen: list[Any] = []
    local_bot.answerer._translations.clear()  # type: ignore[attr-defined]  # the model is asked, not its cache
    with backend(local_bot, Watching(local_bot.answerer.backend, seen)) as watching:  # type: ignore[attr-defined]
        for piece in local_bot.stream(GERMAN, progress=True):
            seen.append(piece)
    quotes, answer = seen[0], seen[-1]
    assert isinstance(quotes, Quotes) and quotes.citations and not quotes.refused
    assert_verbatim(local_bot, quotes)
    kinds = [kind for kind, _ in watching.calls]
    assert kinds[:1] == ["translate"] or answer.deadline_exceeded  # the model's first call, unless it came too late
    assert all(given == ["Quotes", "translating"] for kind, given in watching.calls if kind == "translate")
    writes = [given for kind, given in watching.calls if kind == "write"]
    assert all(given == ["Quotes", "translating", "writing"] for given in writes)  # it writes after translating,
    assert writes or answer.deadline_exceeded  # unless the deadline came first (a slow or busy CPU)
    assert [p.step for p in seen if isinstance(p, Progress)] == ["translating", "writing"]
    assert isinstance(seen[1], Progress) and isinstance(seen[2], Progress)  # announced before any text
    assert isinstance(answer, Answer) and answer.quotes == quotes.citations
    assert answer.analysis is not None and answer.analysis.language == "de" and "translate" in answer.timings_ms
    if answer.english_question is not None:  # kept only when it is a plain English question
        assert check_translation(GERMAN, answer.english_question, local_bot.answerer._vocabulary).reason == "ok"  # type: ignore[attr-defined]


def test_the_model_writes_from_the_evidence_found_with_its_english(local_bot: Assistant, bot: Assistant) -> None:
    """After the quotes, the question is searched again with the model's English, and the model is pointed to the
    sentence that answers it from that evidence, as when the translation came first; the quotes are the extractive
    answerer's, found before."""
    agencies = sentence_number(local_bot, "IOM and UNHCR")
    stages: list[tuple[str, dict[str, Any]]] = []
    model = Prompted(f"Die Erklärung nennt die IOM und den UNHCR [{agencies}].", IN_ENGLISH)
    local_bot.answerer._translations.clear()  # type: ignore[attr-defined]
    with backend(local_bot, model):
        pieces = list(local_bot.stream(GERMAN, on_stage=lambda name, data: stages.append((name, data))))
    local_bot.answerer._translations.clear()  # type: ignore[attr-defined]  # not the scripted English later
    quotes, answer = pieces[0], pieces[-1]
    assert isinstance(quotes, Quotes) and isinstance(answer, Answer)
    assert not any(isinstance(p, Progress) for p in pieces)  # only when asked for
    assert quotes.citations == bot.ask(GERMAN).quotes  # the extractive answerer's quotes
    names = [name for name, _ in stages]
    assert names.index("retrieval") < names.index("quotes") < names.index("translation") < names.index("citations")
    found, translated = dict(stages)["retrieval"], dict(stages)["translation"]
    assert found["english_question"] is None and translated["english_question"] == IN_ENGLISH
    assert [e["chunk_id"] for e in translated["evidence"]] == answer.retrieved
    assert answer.english_question == IN_ENGLISH and answer.analysis and answer.analysis.translation == IN_ENGLISH
    [prompt] = model.prompts
    assert f"(In English: {IN_ENGLISH})" in prompt and f"Relevant: [{agencies}]" in prompt
    assert answer.answered_by == "local:0.5b" and answer.text == "Die Erklärung nennt die IOM und den UNHCR [1]."
    assert answer.quotes == quotes.citations


def test_a_rejected_model_answer_to_a_german_question_gives_the_quotes_shown(
    local_bot: Assistant, bot: Assistant
) -> None:
    wall = sentence_number(local_bot, "IOM")
    local_bot.answerer._translations.clear()  # type: ignore[attr-defined]
    with backend(local_bot, Scripted(f"Die Staats- und Regierungschefs bauen eine Mauer [{wall}].", IN_ENGLISH)):
        quotes, *pieces, answer = list(local_bot.stream(GERMAN))
    local_bot.answerer._translations.clear()  # type: ignore[attr-defined]
    assert isinstance(quotes, Quotes) and isinstance(answer, Answer)
    assert answer.english_question == IN_ENGLISH and answer.answered_by == "extractive"
    assert answer.citations == quotes.citations == answer.quotes  # the extractive answer on the quotes shown
    text = "".join(p for p in pieces if isinstance(p, str))  # then the quotes' translations (none kept here)
    assert answer.text == bot.ask(GERMAN).text == text and "Mauer" not in answer.text


def test_a_german_refusal_never_reaches_the_model(local_bot: Assistant, bot: Assistant) -> None:
    question = "Was ist die Hauptstadt von Australien?"
    with backend(local_bot, CountingBackend(local_bot.answerer.backend)) as counting:  # type: ignore[attr-defined]
        pieces = list(local_bot.stream(question, progress=True))
    quotes, answer = pieces[0], pieces[-1]
    assert isinstance(quotes, Quotes) and quotes.refused and isinstance(answer, Answer) and answer.refused
    assert counting.calls == 0 and not any(isinstance(p, Progress) for p in pieces)  # nothing to translate or write
    assert answer.text == bot.ask(question).text and answer.english_question is None


def statuses(view: ChatView, question: str, lang: str) -> list[tuple[str, str, bool]]:
    """Each state of the chat while it answers: its status line, the text beneath the live quotes, whether busy."""
    states = []
    for output in view.respond(question, [], None, lang):
        chat = str(output[0])
        status = re.search(r'<p class="chat-status[^"]*" role="status">(.*?)</p>', chat, re.S)
        live = re.search(r'<div class="answer-body" aria-busy="true"><p class="thinking">(.*?)</p>', chat, re.S)
        states.append(
            (
                html.unescape(status.group(1)) if status else "",
                html.unescape(live.group(1)) if live else "",
                'aria-busy="true"' in chat,
            )
        )
    return states


def test_the_chat_says_what_the_model_does_beneath_the_quotes_in_the_page_language(
    local_bot: Assistant, bot: Assistant, web_config: Config, tmp_path: Any
) -> None:
    agencies = sentence_number(local_bot, "IOM and UNHCR")
    store = FeedbackStore(tmp_path / "f.sqlite3")
    view = ChatView(local_bot, web_config, AnswerSlots(2, 5), store, Suggestions())
    local_bot.answerer._translations.clear()  # type: ignore[attr-defined]
    with backend(local_bot, Scripted(f"Die Erklärung nennt die IOM und den UNHCR [{agencies}].", IN_ENGLISH)):
        states = statuses(view, GERMAN, "de")
        english_page = statuses(view, AGENCIES, "en")
    local_bot.answerer._translations.clear()  # type: ignore[attr-defined]
    count = len(bot.ask(GERMAN).quotes)
    translating = (tr("de", QUOTES_FOUND_TRANSLATING, count=count), tr("de", TRANSLATING), True)
    writing = (tr("de", WRITING), tr("de", WRITING), True)
    assert translating[0] == f"Zitate gefunden: {count}. Die Frage wird übersetzt…"
    assert writing[0] == "Die Antwort wird geschrieben…"
    said = [s for s in states if s[0]]
    assert said[:2] == [translating, writing] and states.index(translating) < states.index(writing)
    assert states[-1] == ("", "", False)  # answered: nothing left to say
    english = [s for s in english_page if s[0]]
    assert english[0][:2] == (tr("en", QUOTES_FOUND, count=len(bot.ask(AGENCIES).quotes)), "Writing the answer…")
    assert not any(s[1] == TRANSLATING for s in english_page)  # an English question is not translated

    extractive = ChatView(bot, web_config, AnswerSlots(2, 5), store, Suggestions())
    assert all(s[:2] == ("", "") for s in statuses(extractive, GERMAN, "de"))  # immediate: nothing to wait for


def test_the_extractive_answerer_has_no_step_to_wait_for(bot: Assistant) -> None:
    pieces = list(bot.stream("Wo fand der Gipfel statt?", progress=True))
    assert isinstance(pieces[0], Quotes) and isinstance(pieces[-1], Answer)
    assert not any(isinstance(p, Progress) for p in pieces)  # no model: nothing to say "translating" about


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
window.states = [];
new MutationObserver(() => {
  const chat = document.querySelector('#chat');
  if (!chat) return;
  const answer = [...chat.querySelectorAll('.msg.bot')].pop();
  const quotes = answer && answer.querySelector('.quotes');
  const prose = answer && answer.querySelector('.answer-body');
  window.states.push({
    busy: chat.querySelector('.log')?.getAttribute('aria-busy'),
    quotes: quotes ? quotes.querySelectorAll('li').length : 0,
    top: quotes ? quotes.getBoundingClientRect().top : null,
    proseBusy: prose ? prose.getAttribute('aria-busy') : null,
    prose: prose ? prose.innerText : '',
    marks: document.querySelectorAll('#doc-view mark').length,
  });
}).observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
"""


def watched_answer(
    web_config: Config, bot: Assistant, question: str, recorder: str, shot_name: str, locale: str | None = None
) -> tuple[list[dict[str, Any]], str]:
    """Ask `question` on the chat in real Chromium (in the browser language `locale`), with `recorder` noting the
    page's state at each change (into `window.states`); the states and the final answer's text."""
    require_chromium()
    servers = serve_in_thread(web_config, bot)
    url = next(servers)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            try:
                with open_page(browser, url, locale=locale) as page:
                    page.add_init_script(recorder)
                    page.reload()
                    if locale is not None:
                        lang = locale.split("-")[0]
                        page.wait_for_function("lang => document.documentElement.lang === lang", arg=lang)
                    page.wait_for_selector("#question textarea")
                    page.focus("#question textarea")
                    page.keyboard.insert_text(question)
                    page.keyboard.press("Enter")
                    page.wait_for_function(ANSWER_DONE, arg=0, timeout=120_000)
                    states: list[dict[str, Any]] = page.evaluate("window.states")
                    final = page.locator("#chat .msg.bot .answer-body").last.inner_text()
                    shot(page, shot_name)
            finally:
                browser.close()
    finally:
        next(servers, None)
    return states, final


@pytest.mark.browser
def test_the_chat_shows_the_quotes_before_the_prose_and_they_stay_put(web_config: Config, local_bot: Assistant) -> None:
    states, final = watched_answer(web_config, local_bot, AGENCIES, RECORD_CHAT, "evidence-first")
    early = [s for s in states if s["busy"] == "true" and s["quotes"]]
    assert early, "the quotes were never on the page while the answer was being written"
    assert all(s["proseBusy"] == "true" for s in early)  # the prose region says it is still being written
    assert any(s["prose"] != final for s in early)  # the quotes were there before the prose was complete
    assert any(s["marks"] for s in early)  # and highlighted in the document view while the answer was written
    tops = [s["top"] for s in states[states.index(early[0]) :] if s["top"] is not None]
    assert max(tops) - min(tops) <= 1, tops  # the prose streamed in beneath the quotes without moving them


# Each change of what the chat says while the last answer is written: its status line (and that it is a live region
# read out), the text beneath the live quotes, and where both sit (their room is kept: nothing moves)
RECORD_STATUS = """
window.states = [];
new MutationObserver(() => {
  const chat = document.querySelector('#chat');
  if (!chat) return;
  const status = chat.querySelector('.chat-status');
  const live = chat.querySelector('.msg.bot.live');
  const body = live && live.querySelector('.answer-body');
  const doing = body && body.querySelector('p.thinking');
  const quotes = live && live.querySelector('.quotes');
  const state = {
    busy: chat.querySelector('.log')?.getAttribute('aria-busy'),
    role: status ? status.getAttribute('role') : null,
    status: status ? status.textContent : '',
    statusHeight: status ? status.getBoundingClientRect().height : null,
    doing: doing ? doing.textContent : '',
    doingVisible: doing ? doing.getBoundingClientRect().height > 0 : false,
    bodyHeight: body ? body.getBoundingClientRect().height : null,
    quotes: quotes ? quotes.querySelectorAll('li').length : 0,
    quotesTop: quotes ? quotes.getBoundingClientRect().top : null,
  };
  const last = window.states[window.states.length - 1];
  if (!last || JSON.stringify(last) !== JSON.stringify(state)) window.states.push(state);
}).observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
"""


@pytest.mark.browser
def test_a_german_page_says_the_model_translates_then_writes_beneath_the_quotes(
    web_config: Config, local_bot: Assistant
) -> None:
    """The real model on a German page: once the quotes are shown, the status line (a live region, read out) and the
    room kept for the answer say in German that the question is being translated, then that the answer is written;
    the quotes and the status line do not move meanwhile."""
    local_bot.answerer._translations.clear()  # type: ignore[attr-defined]  # the model translates it now
    states, _ = watched_answer(web_config, local_bot, GERMAN, RECORD_STATUS, "evidence-first-de", locale="de-DE")
    translating, writing = tr("de", TRANSLATING), tr("de", WRITING)
    said = [s for s in states if s["busy"] == "true" and s["quotes"] and s["doing"]]
    steps = list(dict.fromkeys(s["doing"] for s in said))
    assert steps == [translating, writing], steps  # in German, in that order, beneath the quotes
    first = next(s for s in said if s["doing"] == translating)
    assert first["status"].startswith("Zitate gefunden: ") and first["status"].endswith(translating)
    assert first["role"] == "status" and first["doingVisible"]  # read out, and shown
    assert any(s["status"] == writing for s in said)
    since = states[states.index(said[0]) :]
    heights = {s["statusHeight"] for s in since}
    assert len(heights) == 1, heights  # the status line's room is kept: it changes, nothing below it moves
    tops = [s["quotesTop"] for s in since if s["quotesTop"] is not None]
    assert max(tops) - min(tops) <= 1, tops
    bodies = {s["bodyHeight"] for s in said}
    assert len(bodies) == 1, bodies  # "translating" and "writing" sit in the room kept for the answer
