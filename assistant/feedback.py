"""Public feedback (thumbs up/down with a reason), stored durably in SQLite (WAL) for staff to turn into eval cases."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.models import Answer

REASONS = ("wrong", "not supported by the quote", "missing something", "other")
MAX_TEXT = 4000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    reason TEXT,
    comment TEXT,
    question TEXT NOT NULL,
    history TEXT NOT NULL,
    answer TEXT NOT NULL,
    refused INTEGER NOT NULL,
    citations TEXT NOT NULL,
    config TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_created ON feedback (created_at);
"""


class FeedbackRecord(BaseModel):
    id: int | None = None
    created_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    rating: Literal["up", "down"]
    reason: str | None = None
    comment: str | None = None
    question: str
    history: list[tuple[str, str]] = Field(default_factory=list)
    answer: str
    refused: bool
    citations: list[dict[str, Any]] = Field(default_factory=list)
    config: dict[str, Any] = Field(default_factory=dict)


class FeedbackStore:
    """One SQLite file in WAL mode; every write is its own committed transaction (nothing lost on a kill)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.execute("PRAGMA synchronous=FULL")
            yield db
            db.commit()
        finally:
            db.close()

    def add(
        self,
        rating: Literal["up", "down"],
        answer: Answer,
        history: list[tuple[str, str]] | None = None,
        reason: str | None = None,
        comment: str | None = None,
        config: dict[str, Any] | None = None,
    ) -> int:
        """Store one rating of an answer; returns its id."""
        record = FeedbackRecord(
            rating=rating,
            reason=(reason or None) and reason[:200],
            comment=(comment or None) and comment[:MAX_TEXT],
            question=answer.question,
            history=list(history or []),
            answer=answer.text,
            refused=answer.refused,
            citations=[c.model_dump() for c in answer.citations],
            config=config or {},
        )
        with self._lock, self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (created_at, rating, reason, comment, question, history, answer, refused,"
                " citations, config) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.created_at,
                    record.rating,
                    record.reason,
                    record.comment,
                    record.question,
                    json.dumps(record.history, ensure_ascii=False),
                    record.answer,
                    int(record.refused),
                    json.dumps(record.citations, ensure_ascii=False),
                    json.dumps(record.config, ensure_ascii=False, default=str),
                ),
            )
            return int(cursor.lastrowid or 0)

    def list(self, rating: str | None = None, limit: int = 200) -> list[FeedbackRecord]:
        """Most recent first, optionally only 'up' or 'down'."""
        query = "SELECT id, created_at, rating, reason, comment, question, history, answer, refused, citations, config"
        query += " FROM feedback"
        params: tuple[Any, ...] = ()
        if rating:
            query += " WHERE rating = ?"
            params = (rating,)
        query += " ORDER BY id DESC LIMIT ?"
        with self._connect() as db:
            rows = db.execute(query, (*params, limit)).fetchall()
        return [
            FeedbackRecord(
                id=row[0],
                created_at=row[1],
                rating=row[2],
                reason=row[3],
                comment=row[4],
                question=row[5],
                history=json.loads(row[6]),
                answer=row[7],
                refused=bool(row[8]),
                citations=json.loads(row[9]),
                config=json.loads(row[10]),
            )
            for row in rows
        ]

    def count(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])
