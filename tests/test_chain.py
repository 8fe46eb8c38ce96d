"""The LangChain Runnable as LangChain users drive it: runs with callbacks, events, sequences, streaming, bad input."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from langchain_core.callbacks import AsyncCallbackHandler, BaseCallbackHandler
from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from assistant import Assistant
from assistant.chain import AssistantChain, answer_text
from assistant.errors import QuestionError
from assistant.models import Answer, Quotes

AGENCIES = "Which agencies does the statement mention?"
NAME = "agenda_assistant"


class Recorder(BaseCallbackHandler):
    """Every chain run and custom event, as a tracer or a logging handler sees them."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, UUID, UUID | None]] = []
        self.outputs: dict[UUID, Any] = {}
        self.custom: dict[str, Any] = {}

    def on_chain_start(self, serialized: Any, inputs: Any, *, run_id: UUID, parent_run_id: UUID | None = None,
                       **kwargs: Any) -> None:  # fmt: skip
        self.events.append(("start", str(kwargs.get("name")), run_id, parent_run_id))

    def on_chain_end(self, outputs: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any) -> None:
        self.events.append(("end", "", run_id, parent_run_id))
        self.outputs[run_id] = outputs

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self.events.append(("error", type(error).__name__, run_id, None))

    def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.events.append(("custom", name, run_id, None))
        self.custom[name] = data

    def run_of(self, name: str) -> tuple[UUID, UUID | None]:
        return next((run, parent) for kind, n, run, parent in self.events if kind == "start" and n == name)


def test_stream_fires_callbacks_and_stage_events(bot: Assistant) -> None:
    recorder = Recorder()
    pieces = list(bot.chain.with_config(callbacks=[recorder]).stream({"question": AGENCIES}))
    *text, answer = pieces
    assert isinstance(answer, Answer) and len(text) > 1 and "".join(text) == answer.text  # type: ignore[arg-type]
    run, _ = recorder.run_of(NAME)
    assert [kind for kind, *_ in recorder.events] == ["start", "custom", "custom", "custom", "end"]
    assert recorder.outputs[run] == answer  # the run's output is the Answer the stream ended with
    evidence = recorder.custom["retrieval"]["evidence"]
    assert [e["chunk_id"] for e in evidence] == answer.retrieved
    assert recorder.custom["citations"]["kept"] == [c.marker for c in answer.citations]


def test_invoke_fires_the_same_stage_events(bot: Assistant) -> None:
    recorder = Recorder()
    answer = bot.chain.invoke(AGENCIES, config={"callbacks": [recorder]})
    assert [name for kind, name, *_ in recorder.events if kind == "custom"] == ["retrieval", "quotes", "citations"]
    assert recorder.outputs[recorder.run_of(NAME)[0]] == answer


def test_the_step_is_visible_inside_a_sequence(bot: Assistant) -> None:
    recorder = Recorder()
    pre = RunnableLambda(lambda q: {"question": q, "history": []}).with_config(run_name="pre")
    post = RunnableLambda(lambda answer: answer.text.upper()).with_config(run_name="post")
    sequence = pre | bot.chain | post
    streamed = "".join(sequence.stream("Where was the summit held?", config={"callbacks": [recorder]}))
    sequence_run, _ = recorder.run_of("RunnableSequence")
    step, parent = recorder.run_of(NAME)
    assert parent == sequence_run
    assert "COPENHAGEN" in streamed
    assert isinstance(recorder.outputs[step], Answer)


def test_astream_events_v2_shows_the_run_its_pieces_and_its_stages(bot: Assistant) -> None:
    sequence = RunnablePassthrough() | bot.chain | RunnableLambda(lambda answer: answer.text)

    async def collect() -> list[dict[str, Any]]:
        return [event async for event in sequence.astream_events({"question": AGENCIES}, version="v2")]

    events = asyncio.run(collect())
    ours = [e for e in events if e["name"] == NAME]
    kinds = [e["event"] for e in ours]
    assert kinds[0] == "on_chain_start" and kinds[-1] == "on_chain_end" and "on_chain_stream" in kinds
    streamed = [e["data"]["chunk"] for e in ours if e["event"] == "on_chain_stream"]
    answer = ours[-1]["data"]["output"]
    assert isinstance(answer, Answer) and streamed[-1] == answer
    assert "".join(p for p in streamed if isinstance(p, str)) == answer.text
    custom = [e for e in events if e["event"] == "on_custom_event"]
    assert [e["name"] for e in custom] == ["retrieval", "quotes", "citations"]
    assert all(e["run_id"] == ours[0]["run_id"] for e in custom)  # attributed to the assistant's run
    assert custom[0]["data"]["evidence"] and events[-1]["data"]["output"] == answer.text


def test_ainvoke_sends_stage_events_to_async_handlers(bot: Assistant) -> None:
    seen: list[str] = []

    class AsyncRecorder(AsyncCallbackHandler):
        async def on_custom_event(self, name: str, data: Any, **kwargs: Any) -> None:
            seen.append(name)

    answer = asyncio.run(bot.chain.ainvoke(AGENCIES, config={"callbacks": [AsyncRecorder()]}))
    assert isinstance(answer, Answer) and seen == ["retrieval", "quotes", "citations"]


class WatchedAssistant:
    """The real Assistant, with a log of when each piece leaves its stream (to see when the chain passes it on)."""

    def __init__(self, bot: Assistant, log: list[str]) -> None:
        self.bot = bot
        self.log = log

    def stream(self, question: str, history: Any, on_stage: Any = None) -> Iterator[Quotes | str | Answer]:
        for piece in self.bot.stream(question, history, on_stage):
            self.log.append("quotes" if isinstance(piece, Quotes) else "made")
            yield piece


def test_astream_passes_each_piece_on_as_it_is_made(bot: Assistant) -> None:
    log: list[str] = []
    chain = AssistantChain(WatchedAssistant(bot, log))  # type: ignore[arg-type]

    async def consume() -> None:
        async for _ in (RunnablePassthrough() | chain).astream({"question": AGENCIES}):
            log.append("got")

    asyncio.run(consume())
    assert log.count("made") > 3
    # the quotes go as an event, then never two pieces made before the first is passed on
    assert log == ["quotes"] + ["made", "got"] * log.count("made")


def test_answer_text_gives_plain_text_invoked_or_streamed(bot: Assistant) -> None:
    text_chain = bot.chain | answer_text
    answer = bot.chain.invoke(AGENCIES)
    assert text_chain.invoke(AGENCIES) == answer.text
    pieces = list(text_chain.stream(AGENCIES))
    assert len(pieces) > 1 and all(isinstance(p, str) for p in pieces) and "".join(pieces) == answer.text

    async def collect() -> list[str]:
        return [piece async for piece in text_chain.astream(AGENCIES)]

    assert "".join(asyncio.run(collect())) == answer.text


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ({"q": "Where was the summit held?"}, "'question'"),
        ({"question": "Where?", "history": "not a list"}, "history must be a list"),
        ({"question": "Where?", "history": [["only a question"]]}, "history[0]"),
        ({"question": 42}, "must be text"),
        ({"question": "   "}, "empty"),
        (42, "must be a question string or a dict"),
    ],
)
def test_bad_input_raises_question_error_in_every_mode(bot: Assistant, value: Any, says: str) -> None:
    chain = bot.chain
    calls = [
        lambda: chain.invoke(value),
        lambda: list(chain.stream(value)),
        lambda: chain.batch([value]),
        lambda: asyncio.run(chain.ainvoke(value)),
        lambda: asyncio.run(_drain(chain.astream(value))),
    ]
    for call in calls:
        with pytest.raises(QuestionError) as raised:
            call()
        message = str(raised.value)
        assert says in message and "\n" not in message


def test_bad_input_ends_the_run_with_an_error(bot: Assistant) -> None:
    recorder = Recorder()
    with pytest.raises(QuestionError):
        bot.chain.invoke({"q": "hi"}, config={"callbacks": [recorder]})
    assert [kind for kind, *_ in recorder.events] == ["start", "error"]


async def _drain(stream: Any) -> None:
    async for _ in stream:
        pass
