"""Typed errors: each says what went wrong and what to do, in one line."""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error Agenda Assistant raises on purpose."""


class ConfigError(AssistantError):
    """A setting points at something that cannot be used (missing model, bad URL, ...)."""


class DocumentError(AssistantError):
    """One corpus file cannot be read; the others still index."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class QuestionError(AssistantError, ValueError):
    """The question or history cannot be answered as given (empty, too long, malformed)."""


class StoreUnavailable(AssistantError):
    """The vector store (e.g. a Chroma server) cannot be reached right now."""


class FeedbackUnavailable(AssistantError):
    """The feedback database cannot be reached right now: the rating is not saved (answers go on)."""
