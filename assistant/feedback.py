"""Public feedback (thumbs up/down with a reason) for staff to turn into eval cases, stored durably through
SQLAlchemy: an SQLite file (WAL) by default, or a shared database such as PostgreSQL (ASSISTANT_FEEDBACK_URL) when
several replicas serve the app.

Every write is its own committed transaction, acknowledged only after the commit: a replica killed at any moment
loses no acknowledged row. A database that cannot be reached is a FeedbackUnavailable (one line) on that call only;
the store connects again by itself on the next one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from assistant.errors import ConfigError, FeedbackUnavailable
from assistant.models import Answer

if TYPE_CHECKING:
    from assistant.config import Config

log = logging.getLogger(__name__)
REASONS = ("wrong", "not supported by the quote", "missing something", "other")
MAX_TEXT = 4000
CONNECT_TIMEOUT_SECONDS = 5  # a database that does not answer fails the rating quickly, not the page
_SCHEMA_LOCK = 0x61676E64  # the PostgreSQL advisory lock held while the schema is created ("agnd")

_JSON = JSON().with_variant(JSONB(), "postgresql")
metadata = MetaData()
feedback_table = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", String(40), nullable=False),
    Column("rating", String(8), nullable=False),
    Column("reason", Text),
    Column("comment", Text),
    Column("question", Text, nullable=False),
    Column("history", _JSON, nullable=False),
    Column("answer", Text, nullable=False),
    Column("refused", Boolean, nullable=False),
    Column("citations", _JSON, nullable=False),
    Column("config", _JSON, nullable=False),
    CheckConstraint("rating IN ('up', 'down')", name="feedback_rating"),
    Index("feedback_created", "created_at"),
    sqlite_autoincrement=True,
)


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


def feedback_url(location: str | Path) -> URL:
    """The SQLAlchemy URL of a store: a URL as given (postgresql+psycopg://..., sqlite:///...), or an SQLite file path.
    A URL SQLAlchemy cannot read is a one-line ConfigError (without the password)."""
    if isinstance(location, Path) or "://" not in location:
        return URL.create("sqlite", database=str(Path(location)))
    try:
        url = make_url(location)
    except ArgumentError:
        shown = location.split("@")[-1]
        raise ConfigError(
            f"not a database URL: ...@{shown}; use e.g. postgresql+psycopg://user:password@host:5432/agenda"
        ) from None
    if url.get_backend_name() == "postgresql" and url.get_driver_name() != "psycopg":
        url = url.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver this project installs
    return url


def configured_location(config: Config) -> str | Path:
    """Where the configured store is: ASSISTANT_FEEDBACK_URL, else the SQLite file ASSISTANT_FEEDBACK_DB."""
    return config.feedback_url or config.feedback_db


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, json_serializer=_dumps, connect_args={"timeout": 10})

        @event.listens_for(engine, "connect")
        def _durable(connection: Any, _: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")  # a commit is on disk before it is acknowledged
            cursor.close()

        return engine
    return create_engine(
        url,
        json_serializer=_dumps,
        pool_pre_ping=True,  # a connection the database dropped (restart, failover) is replaced, not used
        pool_size=4,
        max_overflow=4,
        pool_timeout=CONNECT_TIMEOUT_SECONDS,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )


class FeedbackStore:
    """Feedback records in one database table, created by one idempotent schema step (safe for replicas that start
    together: on PostgreSQL it runs under an advisory lock)."""

    def __init__(self, location: str | Path) -> None:
        self.url = feedback_url(location)
        sqlite = self.url.get_backend_name() == "sqlite"
        self.path: Path | None = Path(str(self.url.database)) if sqlite else None  # the SQLite file, if it is one
        self.location = str(self.path) if self.path else self.url.render_as_string(hide_password=True)
        self.engine = _engine(self.url)
        self._schema_ready = False
        try:
            self._ensure_schema()
        except FeedbackUnavailable as error:  # answers go on; the next write tries again
            log.warning("%s", error)

    @classmethod
    def existing(cls, location: str | Path) -> FeedbackStore:
        """A store that must already hold feedback (for export): a missing SQLite file is a FileNotFoundError."""
        url = feedback_url(location)
        if url.get_backend_name() == "sqlite" and not Path(str(url.database)).is_file():
            raise FileNotFoundError(f"no feedback database at {url.database}")
        return cls(location)

    @contextmanager
    def _reach(self, doing: str) -> Iterator[None]:
        """Database errors that mean 'cannot reach it now' as one FeedbackUnavailable line."""
        try:
            yield
        except (DBAPIError, PoolTimeout) as exc:
            if isinstance(exc, DBAPIError) and not _unreachable(exc):
                raise
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            raise FeedbackUnavailable(
                f"feedback could not be {doing}: the feedback database ({self.location}) is unavailable "
                f"({type(exc).__name__}: {reason[0] if reason else 'no reply'})"
            ) from exc

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        with self._reach("stored"), self.engine.begin() as connection:
            if self.engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
            metadata.create_all(connection, checkfirst=True)
        self._schema_ready = True

    def add(
        self,
        rating: Literal["up", "down"],
        answer: Answer,
        history: list[tuple[str, str]] | None = None,
        reason: str | None = None,
        comment: str | None = None,
        config: dict[str, Any] | None = None,
    ) -> int:
        """Store one rating of an answer; returns its id once it is committed (FeedbackUnavailable if it is not)."""
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
        self._ensure_schema()
        row = record.model_dump(mode="json", exclude={"id"})
        with self._reach("saved"), self.engine.begin() as connection:
            result = connection.execute(insert(feedback_table).values(**row).returning(feedback_table.c.id))
            return int(result.scalar_one())

    def list(self, rating: str | None = None, limit: int = 200) -> list[FeedbackRecord]:
        """Most recent first, optionally only 'up' or 'down'."""
        self._ensure_schema()
        query = select(feedback_table).order_by(feedback_table.c.id.desc()).limit(limit)
        if rating:
            query = query.where(feedback_table.c.rating == rating)
        with self._reach("read"), self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [FeedbackRecord.model_validate(dict(row)) for row in rows]

    def count(self) -> int:
        self._ensure_schema()
        with self._reach("read"), self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(feedback_table)).scalar_one())

    def close(self) -> None:
        self.engine.dispose()


def _unreachable(error: DBAPIError) -> bool:
    """Whether a database error means the database cannot be reached (rather than a bad statement)."""
    return error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)
