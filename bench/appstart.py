"""App start: from launching `agenda serve` to the first answer it serves over HTTP, with the index already built.

The clock starts just before the process is spawned and stops when POST /api/ask returns an answer; the server is
polled every 100 ms in between. The server's peak RSS is read from /proc before it is stopped.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bench.stats import peak_rss_mb, stop_process

PROJECT_ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Where was the summit held?"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ask(url: str) -> dict[str, Any] | None:
    request = urllib.request.Request(
        f"{url}/api/ask",
        data=json.dumps({"question": QUESTION}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return dict(json.loads(response.read()))
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def run(
    index_dir: Path,
    work: Path,
    timeout: float = 300.0,
    multilingual: bool = True,
    answerer: str = "extractive",
) -> dict[str, Any]:
    """Time one cold start of the whole app (chat, API) on the default corpus and a built index.

    `answerer`: as bench's --answerers names it ("extractive", "local:1.5b")."""
    from bench.cli import answerer_settings

    work.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "ASSISTANT_INDEX_DIR": str(index_dir),
        "ASSISTANT_FEEDBACK_DB": str(work / "feedback.sqlite3"),
        "ASSISTANT_HOST": "127.0.0.1",
        "ASSISTANT_PORT": str(port),
        "ASSISTANT_MULTILINGUAL": "true" if multilingual else "false",
        "ASSISTANT_SHOW_PROGRESS": "false",
        **{f"ASSISTANT_{key.upper()}": str(value) for key, value in answerer_settings(answerer).items()},
    }
    log = (work / "serve.log").open("wb")
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    answer: dict[str, Any] | None = None
    try:
        while time.perf_counter() - started < timeout:
            if process.poll() is not None:
                raise RuntimeError(f"`agenda serve` exited with {process.returncode}; see {work / 'serve.log'}")
            answer = _ask(url)
            if answer is not None:
                break
            time.sleep(0.1)
        first_answer = time.perf_counter() - started
        if answer is None:
            raise RuntimeError(f"no answer from `agenda serve` within {timeout:.0f} s; see {work / 'serve.log'}")
        rss = peak_rss_mb(process.pid)
        t0 = time.perf_counter()
        _ask(url)
        second = (time.perf_counter() - t0) * 1000
    finally:
        stop_process(process, timeout=30)
        log.close()
    return {
        "command": "agenda serve (python -m assistant.cli serve)",
        "answerer": answerer,
        "question": QUESTION,
        "seconds_to_first_answer": first_answer,
        "first_answer_refused": bool(answer.get("refused")),
        "second_answer_ms_over_http": second,
        "server_peak_rss_mb": rss,
    }
