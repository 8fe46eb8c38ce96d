"""The Assistant as a LangChain Runnable: invoke, batch, stream and astream with callbacks, events and tracing.

`invoke`/`batch`/`ainvoke` return an `Answer`; `stream`/`astream` yield the answer's text pieces as they are written,
then the `Answer` (the chunks' running sum, as LangChain adds them up, is that `Answer`). Every call is a run of its
own: callbacks fire, `astream_events(version="v2")` sees it, and inside `pre | chain | post` it is a step of the
sequence. Custom events mark the stages: `retrieval` (the evidence found), `quotes` (the extractive stage's
verified quotes, a `Quotes` as JSON, sent before the first text piece), `citations` (the quotes kept) and, when a model
answerer answered a question not in English, `translations` (the quotes' machine translations, a `Translations` as
JSON, after the text; the `Answer` carries them too).
`chain | answer_text` gives the plain text (a string, or its pieces when streamed).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Generator, Iterator
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import adispatch_custom_event, dispatch_custom_event
from langchain_core.runnables import Runnable, RunnableConfig, RunnableGenerator
from pydantic import BaseModel, Field

from assistant.errors import QuestionError
from assistant.models import Answer, Quotes, Translations

if TYPE_CHECKING:
    from assistant.assistant import Assistant

Piece = str | Answer
_DONE = object()


class ChainInput(BaseModel):
    """Input of the chain: a question and the earlier turns (a plain string is accepted too)."""

    question: str = Field(description="The question about the corpus")
    history: list[tuple[str, str]] = Field(default_factory=list, description="Earlier (question, answer) turns")


def parse_input(value: Any) -> tuple[Any, Any]:
    """(question, history) from a chain input; the Assistant checks both and raises QuestionError saying why.

    A dict may carry other keys (as one built by `RunnablePassthrough.assign` does); they are ignored.
    """
    if isinstance(value, ChainInput):
        return value.question, value.history
    if isinstance(value, str):
        return value, []
    if isinstance(value, dict):
        if "question" not in value:
            keys = ", ".join(repr(key) for key in value) or "none"
            raise QuestionError(f"the chain input needs a 'question' key (it has {keys}); pass {{'question': ...}}")
        return value["question"], value.get("history") or []
    raise QuestionError(
        f"the chain input must be a question string or a dict with 'question', not {type(value).__name__}"
    )


def _last(chunks: Iterator[Any]) -> Any:
    """The input a step receives, from its upstream chunks: added up where they add (dict parts), else the last."""
    final: Any = None
    for chunk in chunks:
        try:
            final = chunk if final is None else final + chunk
        except TypeError:
            final = chunk
    return final


async def _alast(chunks: AsyncIterator[Any]) -> Any:
    final: Any = None
    async for chunk in chunks:
        try:
            final = chunk if final is None else final + chunk
        except TypeError:
            final = chunk
    return final


class AssistantChain(Runnable[ChainInput | dict | str, Answer]):
    """A Runnable over one Assistant (see the module docstring)."""

    name = "agenda_assistant"

    def __init__(self, bot: Assistant) -> None:
        self.bot = bot

    @property
    def InputType(self) -> type[ChainInput]:
        return ChainInput

    @property
    def OutputType(self) -> type[Answer]:
        return Answer

    # --- invoke ---
    def invoke(self, input: ChainInput | dict | str, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        return self._call_with_config(self._answer, input, config)  # type: ignore[arg-type]

    def _answer(self, value: Any, config: RunnableConfig) -> Answer:
        question, history = parse_input(value)
        return self.bot.ask(question, history, on_stage=lambda name, data: _dispatch(name, data, config))

    async def ainvoke(
        self, input: ChainInput | dict | str, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Answer:
        return await self._acall_with_config(self._aanswer, input, config)  # type: ignore[arg-type]

    async def _aanswer(self, value: Any, config: RunnableConfig) -> Answer:
        final: Any = None
        async for piece in self._apieces(_single(value), config):
            final = piece
        assert isinstance(final, Answer), "Assistant.stream ends with the Answer"
        return final

    # --- streaming: each piece as it is written, through LangChain's run machinery ---
    def transform(  # type: ignore[override]
        self, input: Iterator[ChainInput | dict | str], config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Piece]:
        yield from self._transform_stream_with_config(input, self._pieces, config)  # type: ignore[arg-type]

    def stream(  # type: ignore[override]
        self, input: ChainInput | dict | str, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Piece]:
        yield from self.transform(iter([input]), config, **kwargs)

    def _pieces(self, inputs: Iterator[Any], config: RunnableConfig) -> Iterator[Piece]:
        question, history = parse_input(_last(inputs))
        pieces = self.bot.stream(question, history, on_stage=lambda name, data: _dispatch(name, data, config))
        yield from (piece for piece in pieces if not isinstance(piece, Quotes | Translations))  # they go as events

    async def atransform(  # type: ignore[override]
        self, input: AsyncIterator[ChainInput | dict | str], config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Piece]:
        async for piece in self._atransform_stream_with_config(input, self._apieces, config):  # type: ignore[arg-type]
            yield piece

    async def astream(  # type: ignore[override]
        self, input: ChainInput | dict | str, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Piece]:
        async for piece in self.atransform(_single(input), config, **kwargs):
            yield piece

    async def _apieces(self, inputs: AsyncIterator[Any], config: RunnableConfig) -> AsyncIterator[Piece]:
        """The answering runs in a worker thread, one piece at a time; stage events are sent from the event loop."""
        question, history = parse_input(await _alast(inputs))
        stages: deque[tuple[str, dict[str, Any]]] = deque()
        pieces = self.bot.stream(question, history, on_stage=lambda name, data: stages.append((name, data)))
        try:
            while True:
                piece = await asyncio.to_thread(next, pieces, _DONE)
                while stages:
                    name, data = stages.popleft()
                    await adispatch_custom_event(name, data, config=config)
                if piece is _DONE:
                    return
                if not isinstance(piece, Quotes | Translations):  # they went as their events
                    yield piece  # type: ignore[misc]
        finally:
            if isinstance(pieces, Generator):
                with suppress(ValueError):  # cancelled while a worker thread still runs it: it ends by itself
                    pieces.close()


async def _single(value: Any) -> AsyncIterator[Any]:
    yield value


def _dispatch(name: str, data: dict[str, Any], config: RunnableConfig) -> None:
    dispatch_custom_event(name, data, config=config)


def _text(pieces: Iterator[Piece]) -> Iterator[str]:
    streamed = False
    for piece in pieces:
        if isinstance(piece, Answer):
            if not streamed:  # invoked, not streamed: the Answer alone
                yield piece.text
            continue
        streamed = streamed or bool(piece)
        yield piece


async def _atext(pieces: AsyncIterator[Piece]) -> AsyncIterator[str]:
    streamed = False
    async for piece in pieces:
        if isinstance(piece, Answer):
            if not streamed:
                yield piece.text
            continue
        streamed = streamed or bool(piece)
        yield piece


answer_text: Runnable[Any, str] = RunnableGenerator(_text, _atext, name="answer_text")
"""`chain | answer_text`: the answer's text, streamed piece by piece (StrOutputParser expects messages or strings,
and the chain's output is an `Answer`)."""


def build_chain(bot: Assistant) -> AssistantChain:
    return AssistantChain(bot)
