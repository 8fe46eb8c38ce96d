"""The running app over real HTTP on loopback: Gradio's own API through gradio_client, and the JSON API beside it."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from assistant import Assistant


@pytest.fixture(scope="module")
def gradio(live_server: str) -> Client:
    return Client(live_server, verbose=False)


def test_gradio_client_asks_through_the_documented_endpoint(gradio: Client, bot: Assistant) -> None:
    answer = gradio.predict("Which agencies does the statement mention?", [], api_name="/ask")
    assert not answer["refused"]
    for citation in answer["citations"]:
        assert bot.documents[citation["source"]].text[citation["start"] : citation["end"]] == citation["quote"]
        assert f"[{citation['marker']}]" in answer["text"]


def test_gradio_client_follow_up_and_refusal(gradio: Client) -> None:
    first = gradio.predict("Where was the summit held?", [], api_name="/ask")
    follow_up = gradio.predict("What about returns?", [["Where was the summit held?", first["text"]]], api_name="/ask")
    assert "returns" in follow_up["standalone_question"].lower()
    refusal = gradio.predict("Who won the 2022 World Cup?", [], api_name="/ask")
    assert refusal["refused"] and refusal["citations"] == []


def test_a_gradio_client_answer_can_be_rated_by_its_id(gradio: Client, live_server: str) -> None:
    answer = gradio.predict("Where was the summit held?", [], api_name="/ask")
    with httpx.Client(base_url=live_server, timeout=30) as http:
        rated = http.post("/api/feedback", json={"answer_id": answer["answer_id"], "rating": "up"})
    assert rated.status_code == 201, rated.text


def test_gradio_client_gets_the_reason_for_a_bad_question(gradio: Client) -> None:
    with pytest.raises(AppError, match="empty"):
        gradio.predict("   ", [], api_name="/ask")


def test_only_the_ask_endpoint_is_public(gradio: Client) -> None:
    endpoints = gradio.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(endpoints) == {"/ask"}


def test_json_api_streams_over_the_network(live_server: str) -> None:
    """Server-sent events arrive as a stream; the first delta's latency is printed for the report (pytest -s)."""
    started = time.perf_counter()
    first_delta = None
    events = []
    with (
        httpx.Client(base_url=live_server, timeout=30) as http,
        http.stream("POST", "/api/ask/stream", json={"question": "What does it say about returns?"}) as response,
    ):
        assert response.status_code == 200
        event = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: "):
                if first_delta is None and event == "delta":
                    first_delta = time.perf_counter() - started
                events.append((event, json.loads(line.removeprefix("data: "))))
    total = time.perf_counter() - started
    print(f"\nSSE over loopback: first delta {first_delta * 1000:.0f} ms, whole answer {total * 1000:.0f} ms")
    assert events[-1][0] == "answer" and events[-1][1]["citations"]
    assert first_delta is not None and first_delta < 5


def test_json_api_and_chat_page_share_the_process(live_server: str) -> None:
    with httpx.Client(base_url=live_server, timeout=30) as http:
        assert http.get("/api/health").json()["status"] == "ok"
        page = http.get("/")
        assert page.status_code == 200 and "<html" in page.text.lower()
        assert http.get("/openapi.json").json()["info"]["title"] == "Agenda Assistant API"
