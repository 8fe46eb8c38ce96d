"""Agenda Assistant: answers questions about "Migration: our shared agenda" with exact, verifiable citations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.lazy import lazy_exports
from assistant.offline import go_offline

go_offline()

# The public names load on first use (PEP 562), so `import assistant.cli` or `assistant.config` does not pull in
# torch, sentence-transformers or chromadb: `agenda --help` and a bad setting answer in well under a second.
_EXPORTS = {
    "Assistant": "assistant.assistant",
    "Config": "assistant.config",
    "AssistantError": "assistant.errors",
    "ConfigError": "assistant.errors",
    "DocumentError": "assistant.errors",
    "QuestionError": "assistant.errors",
    "StoreUnavailable": "assistant.errors",
    "Answer": "assistant.models",
    "Chunk": "assistant.models",
    "Citation": "assistant.models",
    "Document": "assistant.models",
    "Evidence": "assistant.models",
    "Progress": "assistant.models",
    "Quotes": "assistant.models",
    "QuoteTranslation": "assistant.models",
    "Translations": "assistant.models",
}

if TYPE_CHECKING:
    from assistant.assistant import Assistant
    from assistant.config import Config
    from assistant.errors import AssistantError, ConfigError, DocumentError, QuestionError, StoreUnavailable
    from assistant.models import (
        Answer,
        Chunk,
        Citation,
        Document,
        Evidence,
        Progress,
        Quotes,
        QuoteTranslation,
        Translations,
    )


__getattr__, __dir__ = lazy_exports("assistant", _EXPORTS, globals())


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
    "Progress",
    "QuestionError",
    "QuoteTranslation",
    "Quotes",
    "StoreUnavailable",
    "Translations",
]
