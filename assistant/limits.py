"""Serving limits shared by the chat and the HTTP API: question and history size, and how many answers run at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from assistant.config import Config
from assistant.errors import AssistantError, QuestionError
from assistant.gate import NOT_UNICODE, is_unicode_text
from assistant.tokens import count_tokens


class LimitExceeded(QuestionError):
    """The question or the history is larger than this server accepts (HTTP 413)."""


class Busy(AssistantError):
    """Every answer slot stayed taken for longer than the configured wait (HTTP 503)."""


def check_limits(question: object, history: Sequence[object] | None, config: Config) -> None:
    """Raise LimitExceeded for an over-long question or history, QuestionError for text that is not valid Unicode.

    The Assistant checks the same limits again; this gives the HTTP API its distinct 413 and stops a huge
    input before it waits for an answer slot.
    """
    if not isinstance(question, str):
        return  # the Assistant names the type error
    if len(history or []) > config.max_history_turns:
        raise LimitExceeded(f"the history has {len(history or [])} turns; the limit is {config.max_history_turns}")
    texts = [question] + [part for turn in history or [] if isinstance(turn, list | tuple) for part in turn]
    for text in texts:
        if isinstance(text, str) and not is_unicode_text(text):
            raise QuestionError(NOT_UNICODE)
    limit = config.max_question_tokens
    if len(question) > limit * 8 or count_tokens(question) > limit:
        raise LimitExceeded(f"the question is too long (the limit is {limit} tokens); shorten it")


class AnswerSlots:
    """A fixed number of answers computed at once, whoever asks (chat or HTTP API): the model is never overrun."""

    def __init__(self, size: int, wait_seconds: float) -> None:
        self.size = size
        self.wait_seconds = wait_seconds
        self._free = threading.BoundedSemaphore(size)
        self._count_lock = threading.Lock()
        self._in_use = 0

    @property
    def in_use(self) -> int:
        return self._in_use

    def acquire(self) -> None:
        if not self._free.acquire(timeout=self.wait_seconds):
            raise Busy(f"all {self.size} answer slots stayed busy for {self.wait_seconds:g} s; try again shortly")
        with self._count_lock:
            self._in_use += 1

    def release(self) -> None:
        with self._count_lock:
            self._in_use -= 1
        self._free.release()

    @contextmanager
    def hold(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()
