"""The scaled-out deployment, run here as it would run: nginx (Debian's, with deploy/nginx/agenda.conf) in front of two
`agenda serve` replicas that share nothing on disk, one `chroma run` server and one PostgreSQL (Debian's) for
feedback. A bounded load goes through the proxy with feedback written through both replicas; a re-index made by a
separate `agenda index` job reaches both replicas during the load; then one replica is SIGKILLed mid-load.

What must hold: no failed request except operations in flight on the killed replica; every acknowledged rating is in
PostgreSQL; both replicas serve the new build within a bounded time, with no restart.

Traffic stays on loopback. Each simulated user has its own loopback source address (127.0.0.N), because the proxy's
sticky sessions hash the client address. Started by .ci/run (`-m deploy`); about 3-6 minutes on 2 cores.
"""

from __future__ import annotations

import json
import random
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from bench.cluster import SEED_CORPUS, Cluster, Nginx, cluster, run_index, sticky_sources, wait_until
from bench.load import questions

pytestmark = [pytest.mark.slow, pytest.mark.deploy]

USERS_PER_REPLICA = 3
REINDEX_BOUND_SECONDS = 120  # the job's own time is not counted: from the switch to both replicas serving it
HARBOUR = "# Harbour notice\n\nThe harbour ferry to Malmö leaves from Nyhavn every morning.\n"
HARBOUR_QUESTION = "Where does the harbour ferry to Malmö leave from?"


@dataclass
class Operation:
    """One user action through the proxy: an answer (asked, or streamed) and maybe a rating of it."""

    user: str
    kind: str
    started: float
    ended: float = 0.0
    error: str | None = None


@dataclass
class User:
    address: str
    replica: str
    operations: list[Operation] = field(default_factory=list)
    acknowledged: list[int] = field(default_factory=list)

    def client(self, url: str) -> httpx.Client:
        return httpx.Client(base_url=url, timeout=60, transport=httpx.HTTPTransport(local_address=self.address))


def _answer_id(response: httpx.Response) -> str:
    response.raise_for_status()
    return str(response.json()["answer_id"])


def _stream(client: httpx.Client, question: dict) -> str:
    """POST /api/ask/stream read to its end: the answer event's answer_id (an error event or a cut stream raises)."""
    event = None
    with client.stream("POST", "/api/ask/stream", json=question) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "answer":
                return str(json.loads(line[6:])["answer_id"])
            elif line.startswith("data: ") and event == "error":
                raise RuntimeError(f"error event: {line[6:]}")
    raise RuntimeError("the stream ended without an answer")


def assign_users(running: Cluster, proxy: Nginx, per_replica: int) -> list[User]:
    """Users whose source addresses the proxy sends to each replica (with the ratings stored finding them out)."""
    found, stored = sticky_sources(proxy.url, running.replicas, per_replica)
    users = [User(address, name) for name, addresses in found.items() for address in addresses]
    users[0].acknowledged.extend(stored)
    return users


def simulate(user: User, url: str, stop: threading.Event, seed: int) -> None:
    """Ask (one time in four as a stream) and rate every other answer, until told to stop."""
    rng = random.Random(seed)
    pool = questions()
    with user.client(url) as client:
        while not stop.is_set():
            kind = "stream" if rng.random() < 0.25 else "ask"
            rate = rng.random() < 0.5
            operation = Operation(user.address, kind + ("+rate" if rate else ""), time.monotonic())
            try:
                question = rng.choice(pool)
                if kind == "stream":
                    answer_id = _stream(client, question)
                else:
                    answer_id = _answer_id(client.post("/api/ask", json=question))
                if rate:
                    saved = client.post(
                        "/api/feedback", json={"answer_id": answer_id, "rating": rng.choice(["up", "down"])}
                    )
                    saved.raise_for_status()
                    user.acknowledged.append(int(saved.json()["id"]))
            except Exception as exc:  # recorded; the assertions decide whether it was allowed
                operation.error = f"{type(exc).__name__}: {exc}"
            operation.ended = time.monotonic()
            user.operations.append(operation)
            time.sleep(0.05)


def test_two_replicas_behind_nginx_survive_a_kill_and_follow_a_reindex(tmp_path: Path) -> None:
    settings = {"multilingual": "false", "index_poll_seconds": "1", "max_concurrent_answers": "4"}
    with cluster(tmp_path / "work", replicas=2, **settings) as running:
        proxy = running.proxy()
        proxy.start()
        try:
            _under_load(running, proxy, tmp_path)
        finally:
            proxy.cleanup()


def _under_load(running: Cluster, proxy: Nginx, tmp_path: Path) -> None:
    app1, app2 = running.replicas
    old_build = app1.health()["build"]
    assert app2.health()["build"] == old_build
    users = assign_users(running, proxy, USERS_PER_REPLICA)
    stop = threading.Event()
    threads = [
        threading.Thread(target=simulate, args=(user, proxy.url, stop, n), name=f"user-{user.address}")
        for n, user in enumerate(users)
    ]
    for thread in threads:
        thread.start()
    try:
        time.sleep(5)
        # the re-index: one job elsewhere, with one more document in its corpus
        corpus = tmp_path / "corpus-v2"
        shutil.copytree(SEED_CORPUS, corpus)
        (corpus / "harbour.md").write_text(HARBOUR, encoding="utf-8")
        run_index(running.index_env(corpus, multilingual="false"), tmp_path / "reindex.log")
        switched = time.monotonic()
        new_build = _served_build(running)
        assert new_build != old_build
        wait_until(
            lambda: all(r.health()["build"] == new_build for r in running.replicas),
            REINDEX_BOUND_SECONDS,
            "the new build on both replicas",
        )
        reached = time.monotonic() - switched
        for user in (next(u for u in users if u.replica == r.name) for r in running.replicas):
            with user.client(proxy.url) as client:  # each replica, through the proxy, answers from the new document
                answer = client.post("/api/ask", json={"question": HARBOUR_QUESTION}).json()
            assert any(c["source"] == "harbour" and "Nyhavn" in c["quote"] for c in answer["citations"]), answer
        # the chat through the proxy: the page, then Gradio's queue (join, then its event stream, on one replica)
        page = httpx.get(f"{proxy.url}/", timeout=30)
        assert page.status_code == 200 and "Agenda Assistant" in page.text
        chat = Client(proxy.url, verbose=False).predict("Where was the summit held?", [], api_name="/ask")
        assert not chat["refused"] and chat["citations"] and chat["answer_id"]
        time.sleep(3)
        killed_at = time.monotonic()
        app1.kill()
        time.sleep(10)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    done = time.monotonic()

    operations = [op for user in users for op in user.operations]
    on_app1 = {user.address for user in users if user.replica == app1.name}
    failed = [op for op in operations if op.error]
    in_flight = [op for op in failed if op.user in on_app1 and op.started <= killed_at <= op.ended]
    assert [op for op in failed if op not in in_flight] == []  # nothing else failed: the proxy retried what it could
    assert len(in_flight) <= len(on_app1)  # at most one operation per user of the killed replica
    after = [op for op in operations if op.user in on_app1 and op.started > killed_at + 1 and not op.error]
    assert after, "the killed replica's users were not served by the other one"
    assert len(operations) >= 50 and done - killed_at >= 10

    acknowledged = [row for user in users for row in user.acknowledged]
    stored = {row[0]: row[1] for row in running.postgres.query("SELECT id, config->>'port' FROM feedback")}
    assert set(acknowledged) <= set(stored)  # every acknowledged rating is in PostgreSQL
    ports = {stored[row] for row in acknowledged}
    assert {str(app1.port), str(app2.port)} <= ports  # ratings were written through both replicas
    assert app2.health()["build"] == new_build and app2.process is not None and app2.process.poll() is None
    assert "[emerg]" not in proxy.error_log()
    print(
        f"\ndeploy: {len(operations)} operations, {len(failed)} failed (in flight on the killed replica), "
        f"{len(acknowledged)} ratings acknowledged and stored; re-index reached both replicas in {reached:.1f} s"
    )


def _served_build(running: Cluster) -> str:
    """The build the Chroma server's pointer names now (what `agenda index` switched to)."""
    from assistant.config import Config
    from assistant.index import VectorIndex, build_id

    index = VectorIndex(Config(chroma_url=running.chroma.url, index_dir=running.work / "probe"))
    return build_id(index.active()["collection"])


def test_one_model_server_serves_generated_answers_to_the_replicas(config, embedder, tmp_path: Path) -> None:
    """`agenda serve-model` serves the packaged model (llama.cpp's OpenAI-compatible server); a replica's `openai`
    answerer points at it. (The 0.5B, to keep it light; the 1.5B is the same command with --model 1.5b.)"""
    import subprocess
    import sys

    from assistant import Assistant
    from bench.cluster import free_port
    from bench.stats import stop_process

    port = free_port()
    with (tmp_path / "model-server.log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "serve-model", "--model", "0.5b", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        wait_until(lambda: httpx.get(f"{url}/models", timeout=2).status_code == 200, 300, "the model server", server)
        assert [m["id"] for m in httpx.get(f"{url}/models").json()["data"]] == ["agenda-0.5b"]
        replica = Assistant(
            config.model_copy(update={"answerer": "openai", "openai_base_url": url, "openai_model": "agenda-0.5b"}),
            embedder=embedder,
        )
        answer = replica.ask("Which agencies does the statement mention?")
        assert answer.answerer == "openai:agenda-0.5b" and not answer.refused and "UNHCR" in answer.text
    finally:
        stop_process(server)
