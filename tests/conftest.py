"""Shared fixtures: real model, real Chroma, every index and database in a temp dir (no test touches real state)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from assistant import Assistant, Config
from assistant.config import PROJECT_ROOT
from bench.stats import stop_process  # the benchmark's; the tests stop their servers the same way

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SEED = PROJECT_ROOT / "corpus" / "migration-our-shared-agenda.txt"


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("agenda")


@pytest.fixture(scope="session")
def config(session_dir: Path) -> Config:
    """The default corpus, indexed into a temp dir."""
    return Config(index_dir=session_dir / "index", feedback_db=session_dir / "feedback.sqlite3", show_progress=False)


@pytest.fixture(scope="session")
def bot(config: Config) -> Assistant:
    """One Assistant for the session: the model loads once (~6 s)."""
    return Assistant(config)


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A private corpus folder holding a copy of the seed statement and its manifest."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    shutil.copy(SEED.parent / "manifest.toml", folder / "manifest.toml")
    return folder


@pytest.fixture
def private_config(tmp_path: Path, corpus_dir: Path) -> Config:
    return Config(corpus_dir=corpus_dir, index_dir=tmp_path / "index", show_progress=False)


@pytest.fixture(scope="session")
def embedder(bot: Assistant):
    return bot.embedder


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ChromaServer:
    """A real `chroma run` server on loopback, which a test may stop and start again (same data, same port)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: object | None = None

    def start(self) -> None:
        import subprocess
        import sys
        import time
        import urllib.request

        chroma = Path(sys.executable).parent / "chroma"
        log = open(self.path.parent / f"chroma-{self.port}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"chroma server did not start on port {self.port}")

    def stop(self) -> None:
        if isinstance(self.process, subprocess.Popen):
            stop_process(self.process)
        self.process = None


@pytest.fixture
def chroma_server(tmp_path: Path):
    server = ChromaServer(tmp_path / "chroma-server")
    server.start()
    yield server
    server.stop()


STAFF_LOGIN = ("staff", "test-staff-password")


@pytest.fixture(scope="session")
def web_config(config: Config, session_dir: Path) -> Config:
    """The session config with the staff view on and its own (empty) eval report folder."""
    return config.model_copy(
        update={
            "staff_user": STAFF_LOGIN[0],
            "staff_password": STAFF_LOGIN[1],
            "eval_report_dir": session_dir / "eval-out",
        }
    )


def serve_in_thread(config: Config, bot: Assistant):
    """The whole app (chat, staff view, HTTP API) served by uvicorn in a thread on a free loopback port: yields its
    URL, then stops it."""
    import threading
    import time

    import uvicorn

    from assistant.server import create_app

    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config, bot),
            host="127.0.0.1",
            port=free_port(),
            log_level="warning",
            timeout_graceful_shutdown=2,  # open event streams would otherwise hold the shutdown
        )
    )
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    yield f"http://{host}:{port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="session")
def live_server(web_config: Config, bot: Assistant):
    """The app on the session's configuration, served on a free loopback port: its URL."""
    yield from serve_in_thread(web_config, bot)


# --- a real Chromium and the pinned axe-core, for the browser and accessibility tests ---


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHROMIUM, LAUNCH_ARGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def axe_source() -> str:
    import json

    from tests.test_accessibility import AXE, AXE_PIN

    if not AXE.exists():  # a missing checker is a failure, never a skip
        pytest.fail(f"{AXE} is missing: run `make browser` (npm ci installs axe-core {AXE_PIN})", pytrace=False)
    installed = json.loads((AXE.parent / "package.json").read_text(encoding="utf-8"))["version"]
    assert installed == AXE_PIN, f"axe-core {installed} is installed, package.json pins {AXE_PIN}: run `make browser`"
    return AXE.read_text(encoding="utf-8")
