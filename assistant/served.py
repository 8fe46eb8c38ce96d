"""The answers this server gave, kept for a while under an id, so feedback names an answer instead of quoting it.

Bounded by size (bytes, roughly) and age; an id it no longer keeps, or never gave, is unknown. Kept in memory: each
replica knows its own answers (send feedback to the replica that answered, e.g. with sticky sessions).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from cachetools import TTLCache

from assistant.models import Answer

DEFAULT_MAX_BYTES = 64 * 2**20
DEFAULT_TTL_SECONDS = 24 * 3600.0


@dataclass(frozen=True)
class ServedAnswer:
    """An answer as the server gave it, with the history it was asked in (what a feedback record stores)."""

    answer: Answer
    history: list[tuple[str, str]]

    @property
    def size(self) -> int:
        """Roughly the bytes it holds: the texts it carries and a fixed overhead."""
        texts = [self.answer.text, self.answer.question, *(c.quote for c in self.answer.citations)]
        texts += [part for turn in self.history for part in turn]
        return 1024 + sum(len(text) for text in texts) * 2


class ServedAnswers:
    """answer id -> ServedAnswer, the oldest dropped first when full; thread-safe."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> None:
        self.ttl_seconds = ttl_seconds
        self._kept: TTLCache[str, ServedAnswer] = TTLCache(
            maxsize=max_bytes, ttl=ttl_seconds, getsizeof=lambda served: served.size
        )
        self._lock = threading.Lock()

    def remember(self, answer: Answer, history: list[tuple[str, str]] | None = None) -> str:
        """Keep an answer the server gives; returns its id (unguessable: 128 random bits)."""
        # what feedback needs, without the analysis and timings
        kept = answer.model_copy(update={"analysis": None, "retrieved": [], "timings_ms": {}})
        answer_id = secrets.token_hex(16)
        with self._lock:
            self._kept[answer_id] = ServedAnswer(kept, [tuple(turn) for turn in history or []])  # type: ignore[misc]
        return answer_id

    def get(self, answer_id: str) -> ServedAnswer | None:
        with self._lock:
            return self._kept.get(answer_id)

    def count(self) -> int:
        with self._lock:
            return len(self._kept)
