"""The Assistant as a LangChain Runnable with a typed input schema: invoke, stream, batch, ainvoke, astream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from langchain_core.runnables import Runnable, RunnableConfig
from pydantic import BaseModel, Field

from assistant.models import Answer

if TYPE_CHECKING:
    from assistant.assistant import Assistant


class Question(BaseModel):
    """Input of the chain (a plain string is accepted too)."""

    question: str = Field(description="The question about the corpus")
    history: list[tuple[str, str]] = Field(default_factory=list, description="Earlier (question, answer) turns")


def parse_input(value: Any) -> Question:
    if isinstance(value, Question):
        return value
    if isinstance(value, str):
        return Question(question=value)
    if isinstance(value, dict):
        return Question.model_validate(value)
    raise TypeError(f"chain input must be a str, a dict with 'question', or Question, not {type(value).__name__}")


class AssistantChain(Runnable[Question | dict | str, Answer]):
    """invoke/batch/ainvoke return an Answer; stream/astream yield text deltas and end with the Answer."""

    name = "agenda_assistant"

    def __init__(self, bot: Assistant) -> None:
        self.bot = bot

    @property
    def InputType(self) -> type[Question]:
        return Question

    @property
    def OutputType(self) -> type[Answer]:
        return Answer

    def invoke(self, input: Question | dict | str, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        return self._call_with_config(self._answer, input, config)

    def _answer(self, value: Any) -> Answer:
        q = parse_input(value)
        return self.bot.ask(q.question, q.history)

    async def ainvoke(
        self, input: Question | dict | str, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Answer:
        return await asyncio.to_thread(self.invoke, input, config)

    def stream(  # type: ignore[override]
        self, input: Question | dict | str, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[str | Answer]:
        q = parse_input(input)
        yield from self.bot.stream(q.question, q.history)

    async def astream(  # type: ignore[override]
        self, input: Question | dict | str, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[str | Answer]:
        q = parse_input(input)
        pieces = iter(self.bot.stream(q.question, q.history))
        done = object()
        while True:  # each piece as soon as it is ready (the answering runs in a worker thread)
            piece = await asyncio.to_thread(next, pieces, done)
            if piece is done:
                return
            yield piece  # type: ignore[misc]


def build_chain(bot: Assistant) -> AssistantChain:
    return AssistantChain(bot)
