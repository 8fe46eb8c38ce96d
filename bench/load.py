"""Load test of the running app's HTTP API on loopback: N simulated users asking dev-set questions.

Bounded in time and in count; traffic goes only to 127.0.0.1. Starts `agenda serve` itself on a free port (with a
temp index) unless --url is given. Prints JSON: requests, errors by status, latency p50/p95/max, throughput, and the
server's RSS before and after.

    python -m bench.load --users 20 --seconds 60
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

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


def run_load(url: str, users: int, seconds: float, max_requests: int, seed: int = 1) -> dict:
    """Each user asks questions back to back until the time or the request budget runs out."""
    pool = questions()
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    budget = iter(range(max_requests))
    deadline = time.monotonic() + seconds

    def user(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        with httpx.Client(base_url=url, timeout=30) as client:
            while time.monotonic() < deadline:
                with lock:
                    if next(budget, None) is None:
                        return
                body = rng.choice(pool)
                started = time.perf_counter()
                try:
                    status = str(client.post("/api/ask", json=body).status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                elapsed = time.perf_counter() - started
                with lock:
                    statuses[status] += 1
                    latencies.append(elapsed)

    started = time.perf_counter()
    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "users": users,
        "seconds": round(wall, 1),
        "requests": len(latencies),
        "statuses": dict(statuses),
        "errors": sum(v for k, v in statuses.items() if k != "200"),
        "throughput_rps": round(len(latencies) / wall, 1) if wall else 0.0,
        "p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1) if ordered else None,
        "max_ms": round(ordered[-1] * 1000, 1) if ordered else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="an already running app (loopback only)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=100_000)
    args = parser.parse_args()
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
