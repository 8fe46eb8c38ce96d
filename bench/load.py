"""Load test of the running app's HTTP API on loopback: N simulated users asking dev-set questions.

Bounded in time and in count; traffic goes only to 127.0.0.1. Starts `agenda serve` itself on a free port (with a
temp index) unless --url is given. Prints JSON: requests, errors by status, latency p50/p95/max, throughput, and the
server's RSS before and after.

    python -m bench.load --users 20 --seconds 60
    python -m bench.load --cluster --users 8 --seconds 20   # nginx, 1 vs 2 replicas, re-index, a killed replica
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.stats import stop_process

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def questions(path: Path = ROOT / "evals" / "questions.jsonl") -> list[dict]:
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{"question": c["question"], "history": c["history"]} for c in cases if not c.get("corpus")]


class Server:
    """`agenda serve` in a subprocess on loopback, with its own index directory."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tmp = tempfile.TemporaryDirectory()
        base = {
            "ASSISTANT_INDEX_DIR": str(Path(self.tmp.name) / "index"),
            "ASSISTANT_FEEDBACK_DB": str(Path(self.tmp.name) / "feedback.sqlite3"),
            "ASSISTANT_SHOW_PROGRESS": "false",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=os.environ | base | (env or {}),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise TimeoutError("server did not become healthy")

    def stop(self) -> None:
        stop_process(self.process)
        self.tmp.cleanup()


def run_load(
    url: str,
    users: int,
    seconds: float,
    max_requests: int,
    seed: int = 1,
    sources: list[str] | None = None,
    events: list[tuple[float, Callable[[], None]]] | None = None,
    each_once: bool = False,
) -> dict:
    """Each user asks questions back to back until the time or the request budget runs out. `sources`: each user's
    loopback source address (a proxy that hashes the client address spreads them); `events`: (second, action) run
    during the load, e.g. killing a replica; the figures are then also given before and after the first one.
    `each_once`: the users share out the distinct questions, each asked once (to warm every cache a question fills),
    instead of drawing at random."""
    pool = questions()
    if each_once:
        pool = list({json.dumps(body, sort_keys=True): body for body in pool}.values())
        max_requests = min(max_requests, len(pool))
    turn = iter(pool)
    done: list[tuple[float, float, str]] = []  # (start, end, status) of each request, in seconds from the start
    lock = threading.Lock()
    budget = iter(range(max_requests))
    origin = time.perf_counter()
    deadline = time.monotonic() + seconds

    def user(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        source = sources[n % len(sources)] if sources else None
        transport = httpx.HTTPTransport(local_address=source) if source else None
        with httpx.Client(base_url=url, timeout=30, transport=transport) as client:
            while time.monotonic() < deadline:
                with lock:
                    if next(budget, None) is None:
                        return
                    body = next(turn) if each_once else rng.choice(pool)
                started = time.perf_counter()
                try:
                    status = str(client.post("/api/ask", json=body).status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                with lock:
                    done.append((started - origin, time.perf_counter() - origin, status))

    def happen() -> None:
        for at, action in sorted(events or [], key=lambda event: event[0]):
            time.sleep(max(0.0, at - (time.perf_counter() - origin)))
            action()

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    side = threading.Thread(target=happen)
    for thread in [*threads, side]:
        thread.start()
    for thread in [*threads, side]:
        thread.join()
    wall = max((end for _, end, _ in done), default=time.perf_counter() - origin)  # not the events' tail
    result = {"users": users, **summarise(done, wall)}
    if events:
        cut = min(at for at, _ in events)
        result["before"] = summarise([d for d in done if d[1] < cut], cut)
        result["after"] = summarise([d for d in done if d[0] >= cut], wall - cut)
        result["in_flight_at_event"] = summarise([d for d in done if d[0] < cut <= d[1]], 0.0)
    return result


def summarise(done: list[tuple[float, float, str]], wall: float) -> dict:
    """Requests, errors by status, throughput and latency of (start, end, status) records."""
    statuses = Counter(status for _, _, status in done)
    ordered = sorted(end - start for start, end, _ in done)
    return {
        "seconds": round(wall, 1),
        "requests": len(done),
        "statuses": dict(statuses),
        "errors": sum(v for k, v in statuses.items() if k != "200"),
        "throughput_rps": round(len(done) / wall, 1) if wall else None,
        "p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1) if ordered else None,
        "max_ms": round(ordered[-1] * 1000, 1) if ordered else None,
    }


def cluster_figures(users: int, seconds: float, work: Path) -> dict:
    """The scaled-out topology (bench/cluster.py) through nginx: requests/s and p95 with one replica and with two
    (same users, same run), the time a re-index takes to reach every replica, and what killing one costs."""
    from bench.cluster import SEED_CORPUS, Nginx, cluster, run_index, sticky_sources

    figures: dict = {}
    with cluster(work, replicas=2, index_poll_seconds="1") as running:
        one, both = Nginx([running.replicas[0].address]), running.proxy()
        for proxy in (one, both):
            proxy.start()
        try:
            found, _ = sticky_sources(both.url, running.replicas, max(1, users // 2))
            sources = [address for pair in zip(*found.values(), strict=True) for address in pair]
            run_load(both.url, users, min(10.0, seconds), 1_000_000, sources=sources)  # warm both replicas' caches
            figures["one_replica"] = run_load(one.url, users, seconds, 1_000_000, sources=sources)
            figures["two_replicas"] = run_load(both.url, users, seconds, 1_000_000, sources=sources)

            corpus = work / "corpus-v2"
            shutil.copytree(SEED_CORPUS, corpus, dirs_exist_ok=True)
            (corpus / "harbour.md").write_text("# Harbour notice\n\nThe ferry leaves from Nyhavn.\n", encoding="utf-8")
            reached: dict[str, float] = {}

            def reindex() -> None:
                took = run_index(running.index_env(corpus), work / "reindex.log")
                switched = time.monotonic()
                build = _pointer_build(running)
                while len(reached) < len(running.replicas) and time.monotonic() - switched < 300:
                    for replica in running.replicas:
                        if replica.name not in reached and replica.health()["build"] == build:
                            reached[replica.name] = round(time.monotonic() - switched, 2)
                    time.sleep(0.1)
                figures["reindex"] = {"job_seconds": round(took, 1), "reached_after_switch_s": dict(reached)}

            figures["during_reindex"] = run_load(
                both.url, users, seconds, 1_000_000, sources=sources, events=[(1.0, reindex)]
            )
            figures["kill_one_replica"] = run_load(
                both.url, users, seconds, 1_000_000, sources=sources, events=[(seconds / 2, running.replicas[0].kill)]
            )
        finally:
            for proxy in (one, both):
                proxy.cleanup()
    return figures


def _pointer_build(running: Any) -> str:
    from assistant.config import Config
    from assistant.index import VectorIndex, build_id

    index = VectorIndex(Config(chroma_url=running.chroma.url, index_dir=running.work / "probe"))
    return build_id(index.active()["collection"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="an already running app (loopback only)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="the scaled-out topology through nginx: 1 vs 2 replicas, a re-index and a killed replica",
    )
    args = parser.parse_args()
    if args.cluster:
        with tempfile.TemporaryDirectory(prefix="agenda-cluster-") as work:
            print(json.dumps(cluster_figures(args.users, args.seconds, Path(work)), indent=2))
        return
    if args.url and not args.url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        parser.error("load tests only target loopback addresses")
    server = None if args.url else Server()
    try:
        if server:
            server.wait()
        url = args.url or server.url  # type: ignore[union-attr]
        before = rss_mb(server.process.pid) if server else None
        result = run_load(url, args.users, args.seconds, args.max_requests)
        result["rss_mb_before"] = round(before, 1) if before else None
        result["rss_mb_after"] = round(rss_mb(server.process.pid), 1) if server else None
        print(json.dumps(result, indent=2))
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    main()
