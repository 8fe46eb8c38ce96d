"""Input validation: a question and a history as text to answer, or QuestionError saying why not."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from assistant.errors import QuestionError
from assistant.tokens import count_tokens

_MARKUP = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)|<!--.*?(?:-->|$)|<[^>]{0,200}>", re.DOTALL | re.IGNORECASE)


def strip_markup(text: str) -> str:
    """The words of a question without HTML tags or comments (which are data, never read as part of it)."""
    return " ".join(_MARKUP.sub(" ", text).split())


def corpus_vocabulary(texts: Iterable[str]) -> frozenset[str]:
    return frozenset(w.lower() for text in texts for w in re.findall(r"[^\W_]+", text))


NOT_UNICODE = "the text is not valid Unicode (it holds a lone surrogate); send UTF-8 text"


def is_unicode_text(text: str) -> bool:
    """Whether the text can be encoded at all: a Python str may hold lone surrogates ("\\udcff"), which no encoder,
    tokenizer or page can take."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_question(question: object, max_tokens: int) -> str:
    """The question as text to answer, or QuestionError saying why it cannot be."""
    if not isinstance(question, str):
        raise QuestionError(f"the question must be text, not {type(question).__name__}")
    if not is_unicode_text(question):
        raise QuestionError(NOT_UNICODE)
    if "\x00" in question:
        raise QuestionError("the question contains NUL bytes; send plain text")
    text = "".join(ch for ch in question if unicodedata.category(ch) != "Cc" or ch in "\n\t")
    text = " ".join(text.split())
    if not text:
        raise QuestionError("the question is empty; ask something about the statement")
    if len(text) > max_tokens * 8 or count_tokens(text) > max_tokens:
        raise QuestionError(f"the question is too long (the limit is {max_tokens} tokens); shorten it")
    if not any(ch.isalnum() for ch in text):
        raise QuestionError("the question has no words; ask something about the statement")
    return text


def clean_history(history: object, max_turns: int, max_tokens: int) -> list[tuple[str, str]]:
    """History as (question, answer) pairs, or QuestionError naming the bad turn."""
    if history is None:
        return []
    if not isinstance(history, list | tuple):
        raise QuestionError("history must be a list of [question, answer] pairs")
    if len(history) > max_turns:
        raise QuestionError(f"the history has {len(history)} turns; the limit is {max_turns}")
    turns = []
    for n, turn in enumerate(history):
        if not isinstance(turn, list | tuple) or len(turn) != 2 or not all(isinstance(t, str) for t in turn):
            raise QuestionError(f"history[{n}] must be a [question, answer] pair of strings")
        if not all(is_unicode_text(t) for t in turn):
            raise QuestionError(f"history[{n}]: {NOT_UNICODE}")
        if count_tokens(turn[0]) > max_tokens:
            raise QuestionError(f"history[{n}] question is too long (the limit is {max_tokens} tokens)")
        turns.append((turn[0], turn[1][:4000]))
    return turns
