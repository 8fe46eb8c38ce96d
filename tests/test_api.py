"""The HTTP API in-process (FastAPI TestClient) on the real Assistant: answers, refusals, SSE, limits, feedback."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant import Assistant, Config
from assistant.api import build_router, install
from assistant.feedback import REASONS, FeedbackStore
from assistant.limits import AnswerSlots, Busy
from assistant.server import create_app
from tests.conftest import STAFF_LOGIN

AGENCIES = "Which agencies does the statement mention?"


@pytest.fixture(scope="module")
def client(web_config: Config, bot: Assistant) -> TestClient:
    return TestClient(create_app(web_config, bot))


def ask(client: TestClient, question: str, history: list[Any] | None = None) -> dict[str, Any]:
    response = client.post("/api/ask", json={"question": question, "history": history or []})
    assert response.status_code == 200, response.text
    return dict(response.json())


def sse_events(body: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in body.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def test_ask_answers_with_exact_quotes_for_its_markers(client: TestClient, bot: Assistant) -> None:
    answer = ask(client, AGENCIES)
    assert not answer["refused"]
    assert answer["citations"]
    for citation in answer["citations"]:
        assert f"[{citation['marker']}]" in answer["text"]
        assert bot.documents[citation["source"]].text[citation["start"] : citation["end"]] == citation["quote"]
    assert "IOM" in " ".join(c["quote"] for c in answer["citations"])


def test_ask_refuses_what_the_statement_does_not_say(client: TestClient) -> None:
    answer = ask(client, "What is the capital of France?")
    assert answer["refused"]
    assert answer["citations"] == []


def test_follow_up_is_resolved_against_the_history(client: TestClient) -> None:
    first = ask(client, "Where was the summit held?")
    follow_up = ask(client, "What about returns?", [["Where was the summit held?", first["text"]]])
    assert "returns" in follow_up["standalone_question"].lower()
    assert not follow_up["refused"]


def test_stream_sends_text_deltas_then_the_whole_answer(client: TestClient) -> None:
    started = time.perf_counter()
    response = client.post("/api/ask/stream", json={"question": AGENCIES})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    names = [name for name, _ in events]
    assert names[-1] == "answer" and set(names[:-1]) == {"delta"} and len(names) > 2
    final = events[-1][1]
    assert "".join(data["text"] for _, data in events[:-1]) == final["text"]
    assert final["citations"] and not final["refused"]
    assert elapsed < 10


def test_stream_rejects_a_bad_question_with_a_status_not_an_event(client: TestClient) -> None:
    response = client.post("/api/ask/stream", json={"question": "   "})
    assert response.status_code == 422
    assert "empty" in response.json()["detail"]
    assert client.get("/api/health").json()["answers_running"] == 0


def test_health_reports_the_index_and_the_answer_slots(client: TestClient, web_config: Config) -> None:
    health = client.get("/api/health").json()
    assert health["status"] == "ok"
    assert health["documents"] >= 1 and health["chunks"] > 0
    assert health["max_concurrent_answers"] == web_config.max_concurrent_answers


def long_question(config: Config) -> str:
    return "migration " * (config.max_question_tokens + 10)


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"question": ""}, 422, "empty"),
        ({"question": " \n\t "}, 422, "empty"),
        ({"question": "a\u0000b"}, 422, "NUL"),
        ({"question": "?!?"}, 422, "no words"),
        ({"question": 5}, 422, "string"),
        ({}, 422, "required"),
        ({"question": "hi", "extra": 1}, 422, "not permitted"),
        ({"question": "hi", "history": [["only a question"]]}, 422, "required"),
        ({"question": "hi", "history": "not a list"}, 422, "list"),
        ({"question": "LONG"}, 413, "too long"),
        ({"question": "hi", "history": "MANY"}, 413, "turns"),
    ],
)
def test_bad_input_gets_a_4xx_that_says_why(
    client: TestClient, web_config: Config, body: dict[str, Any], status: int, says: str
) -> None:
    if body.get("question") == "LONG":
        body = {"question": long_question(web_config)}
    if body.get("history") == "MANY":
        body = {**body, "history": [["q", "a"]] * (web_config.max_history_turns + 1)}
    response = client.post("/api/ask", json=body)
    assert response.status_code == status, response.text
    assert says.lower() in json.dumps(response.json()).lower()


def test_a_body_that_is_not_utf8_gets_400(client: TestClient) -> None:
    response = client.post(
        "/api/ask", content=b'{"question": "caf\xe9 \xff\xfe"}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "UTF-8" in response.json()["detail"]


def test_a_lone_surrogate_escape_gets_422(client: TestClient) -> None:
    body = b'{"question": "\\ud800 lone surrogate"}'  # valid JSON and UTF-8, but not a Unicode string
    response = client.post("/api/ask", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert "Unicode" in response.json()["detail"]


def test_a_body_that_is_not_json_gets_422(client: TestClient) -> None:
    response = client.post("/api/ask", content=b"question=hi", headers={"Content-Type": "application/json"})
    assert response.status_code == 422


def test_a_body_over_the_limit_gets_413_before_parsing(client: TestClient, web_config: Config) -> None:
    huge = json.dumps({"question": "x" * (web_config.max_request_bytes + 1)})
    response = client.post("/api/ask", content=huge, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert str(web_config.max_request_bytes) in response.json()["detail"]


def test_feedback_is_stored_with_question_history_answer_and_config(client: TestClient, web_config: Config) -> None:
    history = [["Where was the summit held?", "In Copenhagen [1]."]]
    answer = ask(client, AGENCIES, history)
    body = {
        "rating": "down",
        "reason": "missing something",
        "comment": "api-feedback-test <b>not html</b>",
        "question": AGENCIES,
        "history": history,
        "answer": answer,
    }
    response = client.post("/api/feedback", json=body)  # the answer exactly as /api/ask returned it
    assert response.status_code == 201, response.text
    saved = {r.id: r for r in FeedbackStore(web_config.feedback_db).list(limit=1000)}[response.json()["id"]]
    assert (saved.rating, saved.reason, saved.comment) == ("down", "missing something", body["comment"])
    assert saved.question == AGENCIES and saved.answer == answer["text"]
    assert saved.history == [tuple(turn) for turn in history]
    assert saved.citations and saved.citations[0]["quote"] == answer["citations"][0]["quote"]
    assert saved.config["max_question_tokens"] == web_config.max_question_tokens
    assert "staff_password" not in saved.config and STAFF_LOGIN[1] not in json.dumps(saved.config)


def test_feedback_with_a_forged_quote_or_unknown_reason_is_refused(client: TestClient) -> None:
    answer = ask(client, AGENCIES)
    forged = {**answer, "citations": [{**answer["citations"][0], "quote": "The leaders agreed to abolish borders."}]}
    body = {"rating": "up", "question": AGENCIES, "answer": forged}
    assert client.post("/api/feedback", json=body).status_code == 422
    body = {"rating": "down", "reason": "boring", "question": AGENCIES, "answer": answer}
    assert client.post("/api/feedback", json=body).status_code == 422


def test_feedback_reasons_match_the_store() -> None:
    from assistant.api import FeedbackRequest

    schema = FeedbackRequest.model_json_schema()
    allowed = next(option["enum"] for option in schema["properties"]["reason"]["anyOf"] if "enum" in option)
    assert set(allowed) == set(REASONS)


def test_openapi_documents_every_endpoint(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/api/ask", "/api/ask/stream", "/api/health", "/api/feedback"} <= set(schema["paths"])
    ask_op = schema["paths"]["/api/ask"]["post"]
    assert {"200", "413", "422", "503"} <= set(ask_op["responses"])
    assert "text/event-stream" in schema["paths"]["/api/ask/stream"]["post"]["responses"]["200"]["content"]
    assert client.get("/docs").status_code == 200


def test_the_chat_is_served_at_the_root(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and "<html" in response.text.lower()


def test_the_staff_view_needs_its_login(client: TestClient) -> None:
    assert client.get("/staff/config").status_code in (401, 403)
    login = client.post("/staff/login", data={"username": STAFF_LOGIN[0], "password": "wrong"})
    assert login.status_code >= 400
    login = client.post("/staff/login", data={"username": STAFF_LOGIN[0], "password": STAFF_LOGIN[1]})
    assert login.status_code == 200, login.text
    assert client.get("/staff/config").status_code == 200


def test_the_staff_view_is_off_without_credentials(config: Config, bot: Assistant) -> None:
    app = create_app(config.model_copy(update={"staff_user": None, "staff_password": None}), bot)
    assert "/staff" not in {getattr(route, "path", "") for route in app.routes}


def test_a_full_house_gets_503_with_retry_after(web_config: Config, bot: Assistant) -> None:
    slots = AnswerSlots(1, wait_seconds=0.05)
    app = FastAPI()
    install(app, web_config)
    app.include_router(build_router(bot, web_config, slots, FeedbackStore(web_config.feedback_db)))
    slots.acquire()
    try:
        response = TestClient(app).post("/api/ask", json={"question": AGENCIES})
    finally:
        slots.release()
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert TestClient(app).post("/api/ask", json={"question": AGENCIES}).status_code == 200


def test_answer_slots_never_run_more_answers_than_their_size() -> None:
    slots = AnswerSlots(2, wait_seconds=5)
    peak, lock = [0], threading.Lock()

    def work() -> None:
        with slots.hold():
            with lock:
                peak[0] = max(peak[0], slots.in_use)
            time.sleep(0.02)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == 2 and slots.in_use == 0
    quick = AnswerSlots(1, wait_seconds=0.01)
    with quick.hold(), pytest.raises(Busy):
        quick.acquire()
