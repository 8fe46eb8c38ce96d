"""Agenda Assistant: answers questions about "Migration: our shared agenda" with exact, verifiable citations."""

from assistant.offline import go_offline

go_offline()

from assistant.assistant import Assistant  # noqa: E402
from assistant.config import Config  # noqa: E402
from assistant.errors import (  # noqa: E402
    AssistantError,
    ConfigError,
    DocumentError,
    QuestionError,
    StoreUnavailable,
)
from assistant.models import Answer, Chunk, Citation, Document, Evidence  # noqa: E402

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "Chunk",
    "Citation",
    "Config",
    "ConfigError",
    "Document",
    "DocumentError",
    "Evidence",
    "QuestionError",
    "StoreUnavailable",
]
