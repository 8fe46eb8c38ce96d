"""The feedback store through SQLAlchemy: SQLite by default, PostgreSQL (a real server from Debian's packages) with
ASSISTANT_FEEDBACK_URL; one idempotent schema step; no acknowledged row lost when the writer is killed; a database
that is down costs the rating, never the answer."""

from __future__ import annotations

import html
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant import Assistant, Config
from assistant.errors import FeedbackUnavailable
from assistant.feedback import FeedbackStore, feedback_url
from assistant.limits import AnswerSlots
from assistant.models import Answer, Citation
from bench.cluster import Postgres

pytestmark = pytest.mark.server

ANSWER = Answer(
    text="Agencies like the IOM and UNHCR [1].",
    refused=False,
    question="Welche Agenturen – und warum?",
    standalone_question="Welche Agenturen – und warum?",
    citations=[Citation(marker=1, quote="the IOM and UNHCR", source="s", title="Migration", start=5, end=22)],
)


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    server = Postgres()
    server.start()
    yield server
    server.cleanup()


@pytest.fixture
def database(postgres: Postgres) -> str:
    """A fresh, empty database on the server, for one test: its URL."""
    return postgres.new_database()


def test_ratings_land_in_postgresql_and_read_back_the_same(database: str, postgres: Postgres) -> None:
    store = FeedbackStore(database)
    first = store.add("down", ANSWER, [("Wo?", "In Kopenhagen [1].")], "wrong", "Es fehlt Frontex.", {"top_k": 5})
    second = store.add("up", ANSWER)
    rows = postgres.query("SELECT id, rating, question, history::text, refused FROM feedback ORDER BY id", database)
    assert [(r[0], r[1], r[2], r[4]) for r in rows] == [
        (first, "down", ANSWER.question, False),
        (second, "up", ANSWER.question, False),
    ]
    assert "Kopenhagen" in rows[0][3]  # JSON (jsonb) keeps other scripts as they are
    records = store.list()
    assert [r.id for r in records] == [second, first] and store.count() == 2
    assert records[1].history == [("Wo?", "In Kopenhagen [1].")] and records[1].config == {"top_k": 5}
    assert records[1].citations[0]["quote"] == "the IOM and UNHCR"
    assert [r.id for r in store.list(rating="down")] == [first]
    assert "password" not in store.location and postgres.password not in store.location


def test_the_schema_step_is_idempotent_when_replicas_start_together(database: str, postgres: Postgres) -> None:
    errors: list[BaseException] = []

    def start() -> None:
        try:
            FeedbackStore(database).add("up", ANSWER)
        except BaseException as exc:  # collected: the assertion below names it
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert postgres.query("SELECT count(*) FROM feedback", database) == [(6,)]
    assert postgres.query("SELECT count(*) FROM pg_tables WHERE tablename = 'feedback'", database) == [(1,)]


WRITER = """
import sys
from assistant.feedback import FeedbackStore
from assistant.models import Answer
store = FeedbackStore(sys.argv[1])
n = 0
while True:
    answer = Answer(text=f"answer {n}", refused=False, question=f"question {n}", standalone_question=f"question {n}")
    print(store.add("down" if n % 2 else "up", answer, reason="wrong", comment="x" * 500), flush=True)
    n += 1
"""


def test_sigkill_during_writes_loses_no_acknowledged_row(database: str, postgres: Postgres) -> None:
    FeedbackStore(database)  # the schema, so the writer starts writing at once
    writer = subprocess.Popen([sys.executable, "-c", WRITER, database], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    acknowledged = []
    deadline = time.monotonic() + 120
    while len(acknowledged) < 150 and time.monotonic() < deadline:
        acknowledged.append(int(writer.stdout.readline()))
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    stored = {row[0] for row in postgres.query("SELECT id FROM feedback", database)}
    assert len(acknowledged) == 150 and set(acknowledged) <= stored
    assert postgres.query("SELECT count(*) FROM feedback WHERE question NOT LIKE 'question %'", database) == [(0,)]


def test_a_database_that_is_down_is_a_one_line_error_and_the_store_recovers(database: str, postgres: Postgres) -> None:
    store = FeedbackStore(database)
    store.add("up", ANSWER)
    postgres.stop("immediate")
    try:
        started = time.monotonic()
        with pytest.raises(FeedbackUnavailable, match="could not be saved") as error:
            store.add("down", ANSWER)
        assert time.monotonic() - started < 15  # fails fast: connect timeout, not a hang
        assert "\n" not in str(error.value) and postgres.password not in str(error.value)
        with pytest.raises(FeedbackUnavailable, match="could not be read"):
            store.list()
        late = FeedbackStore(database)  # a replica starting while the database is down still starts
    finally:
        postgres.start()
    again = store.add("down", ANSWER)  # the same store, new connections: no restart needed
    assert late.add("up", ANSWER) > again
    assert postgres.query("SELECT count(*) FROM feedback", database) == [(3,)]


def test_an_existing_sqlite_file_is_read_and_extended(tmp_path: Path) -> None:
    """A feedback file written before the store moved to SQLAlchemy (same table, raw sqlite3) keeps working."""
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, rating TEXT NOT "
            "NULL CHECK (rating IN ('up', 'down')), reason TEXT, comment TEXT, question TEXT NOT NULL, history TEXT "
            "NOT NULL, answer TEXT NOT NULL, refused INTEGER NOT NULL, citations TEXT NOT NULL, config TEXT NOT NULL);"
            "CREATE INDEX feedback_created ON feedback (created_at);"
            "INSERT INTO feedback VALUES (1, '2025-10-02T10:00:00+00:00', 'down', 'wrong', NULL, 'Wer?', "
            "'[[\"Wo?\", \"Hier.\"]]', 'Niemand.', 1, '[]', '{\"top_k\": 5}');"
        )
    store = FeedbackStore(path)
    assert store.add("up", ANSWER) == 2
    old = store.list()[-1]
    assert (old.question, old.history, old.refused, old.config) == ("Wer?", [("Wo?", "Hier.")], True, {"top_k": 5})
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_database_urls_are_checked_in_one_line() -> None:
    from assistant.config import load_config
    from assistant.errors import ConfigError

    assert feedback_url("postgresql://u:p@h/agenda").get_driver_name() == "psycopg"  # psycopg 3, installed
    assert feedback_url(Path("feedback.sqlite3")).get_backend_name() == "sqlite"
    with pytest.raises(ConfigError, match="ASSISTANT_FEEDBACK_URL") as error:
        load_config(feedback_url="mysql://u:secret@h/agenda")
    assert "secret" not in str(error.value) and "\n" not in str(error.value)


def test_export_reads_the_configured_database(database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.cli import app

    FeedbackStore(database).add("down", ANSWER, reason="wrong", comment="Frontex fehlt.")
    monkeypatch.setenv("ASSISTANT_FEEDBACK_URL", database)
    out = tmp_path / "drafts.jsonl"
    result = CliRunner().invoke(app, ["feedback", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 1 draft cases (1 from thumbs-down)" in result.output
    assert ANSWER.question in out.read_text(encoding="utf-8")


@pytest.fixture
def api_app(bot: Assistant, web_config: Config, database: str):
    """The HTTP API on a store in PostgreSQL (the session's Assistant)."""
    from fastapi import FastAPI

    from assistant.api import build_router, install
    from assistant.served import ServedAnswers

    store = FeedbackStore(database)
    app = FastAPI()
    install(app, web_config)
    app.include_router(build_router(bot, web_config, AnswerSlots(2, 5), store, ServedAnswers()))
    return app, store


def test_answers_go_on_when_the_database_is_down_and_the_rating_says_it_was_not_saved(
    api_app, postgres: Postgres, database: str, bot: Assistant, web_config: Config
) -> None:
    from assistant.web.chat import FEEDBACK_NOT_SAVED, ChatView, Suggestions, Turn

    app, store = api_app
    client = TestClient(app)
    asked = client.post("/api/ask", json={"question": "Which agencies does the statement mention?"})
    rated = client.post("/api/feedback", json={"answer_id": asked.json()["answer_id"], "rating": "up"})
    assert rated.status_code == 201
    postgres.stop("immediate")
    try:
        down = client.post("/api/ask", json={"question": "Which agencies does the statement mention?"})
        assert down.status_code == 200 and "UNHCR" in down.json()["text"]  # answers go on
        rating = client.post("/api/feedback", json={"answer_id": down.json()["answer_id"], "rating": "down"})
        assert rating.status_code == 503 and rating.headers["content-type"] == "application/problem+json"
        assert rating.json()["type"] == "urn:agenda-assistant:problem:feedback-unavailable"
        assert "Retry-After" in rating.headers and "could not be saved" in rating.json()["detail"]

        view = ChatView(bot, web_config, AnswerSlots(2, 5), store, Suggestions())
        answer = bot.ask("Which agencies does the statement mention?")
        like = gr.LikeData(None, {"index": 0, "value": answer.text, "liked": True})  # type: ignore[arg-type]
        shown, _turns, _pending = view.rate([Turn(answer.question, [], answer)], None, "en", like)
        assert FEEDBACK_NOT_SAVED in html.unescape(str(shown))  # the thumbs' status line says so
    finally:
        postgres.start()
    again = client.post("/api/feedback", json={"answer_id": down.json()["answer_id"], "rating": "down"})
    assert again.status_code == 201  # the same answer can be rated once the database is back
    assert postgres.query("SELECT count(*) FROM feedback", database) == [(2,)]
