"""The scaled-out topology on one machine, all on loopback: PostgreSQL and nginx from Debian, a `chroma run` server,
the `agenda index` job and N `agenda serve` replicas that share nothing on disk.

Used by tests/test_deploy.py and `python -m bench.load --cluster`. Every process is started here and stopped here;
nothing listens beyond 127.0.0.1. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user (made
if missing), in a temporary folder of its own.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.stats import stop_process

ROOT = Path(__file__).resolve().parent.parent
NGINX_SITE = ROOT / "deploy" / "nginx" / "agenda.conf"
SEED_CORPUS = ROOT / "corpus"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Any, timeout: float, what: str, process: subprocess.Popen[Any] | None = None) -> None:
    """Poll `check()` until it is true; a dead `process` or the timeout is a RuntimeError naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            if check():
                return
        except (OSError, httpx.HTTPError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{what} was not ready within {timeout:.0f} s")


def _private_dir(prefix: str) -> Path:
    """A fresh folder under /tmp that service users can reach (pytest's own temp folders are root-only)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


# --- PostgreSQL ---
def postgres_bin() -> Path:
    """Debian's PostgreSQL binaries (the newest installed version)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql")
    return found[-1].parent


def _service_user() -> str | None:
    """Who runs PostgreSQL: this user, or `postgres` when this is root (created if missing)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"], check=True
        )
    return "postgres"


class Postgres:
    """A PostgreSQL server of its own (initdb into a temp folder, pg_ctl), with a password-protected database."""

    def __init__(self) -> None:
        self.port = free_port()
        self.password = secrets.token_hex(12)
        self.dir = _private_dir("agenda-pg-")
        self.data = self.dir / "data"
        self.user = _service_user()
        self.bin = postgres_bin()
        self.url = f"postgresql+psycopg://agenda:{self.password}@127.0.0.1:{self.port}/agenda"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.dir)
        if result.returncode:
            raise RuntimeError(f"{args[0]} failed: {result.stderr.strip() or result.stdout.strip()}")

    def start(self) -> None:
        if not self.data.exists():
            secret = self.dir / "password"
            secret.write_text(self.password)
            if self.user:
                shutil.chown(self.dir, self.user)
                shutil.chown(secret, self.user)
            self._run(
                "initdb", "-D", str(self.data), "-U", "agenda", f"--pwfile={secret}", "--auth-local=trust",
                "--auth-host=scram-sha-256", "-E", "UTF8", "--no-instructions",
            )  # fmt: skip
            secret.unlink()
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir}"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "postgres.log"), "-w", "-t", "60", "-o",
                  options, "start")  # fmt: skip
        self._create_database()

    def _connect(self, dbname: str) -> Any:
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="agenda", password=self.password, dbname=dbname, autocommit=True
        )

    def _create_database(self, name: str = "agenda") -> None:
        with self._connect("postgres") as connection:
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                connection.execute(f'CREATE DATABASE "{name}"')

    def new_database(self) -> str:
        """A fresh, empty database on this server: its URL."""
        name = f"agenda_{secrets.token_hex(4)}"
        self._create_database(name)
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def stop(self, mode: str = "fast") -> None:
        """Stop the server ('immediate' is a crash: no checkpoint, as a killed machine would)."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def query(self, sql: str, url: str | None = None) -> list[tuple[Any, ...]]:
        """Rows of one statement, in the database of `url` (default: agenda)."""
        with self._connect((url or self.url).rsplit("/", 1)[1]) as connection:
            return list(connection.execute(sql).fetchall())  # type: ignore[arg-type]

    def cleanup(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


# --- Chroma server ---
class ChromaServer:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[Any] | None = None

    def start(self) -> None:
        chroma = Path(sys.executable).parent / "chroma"
        log = open(self.path.parent / f"chroma-{self.port}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_until(
            lambda: httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200,
            60,
            "chroma server",
            self.process,
        )

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None


# --- nginx ---
def render_site(upstreams: list[str], port: int, site: Path = NGINX_SITE) -> str:
    """deploy/nginx/agenda.conf with its replicas' addresses and its listening port swapped for loopback ones; every
    other line as shipped."""
    text = site.read_text()
    servers = re.findall(r"^ *server app\d+:\d+( [^;]*)?;\n", text, flags=re.MULTILINE)
    if not servers:
        raise RuntimeError(f"no 'server appN:port ...;' lines in {site}")
    params = servers[0]
    block = "".join(f"    server {address}{params};\n" for address in upstreams)
    text = re.sub(r"(^ *server app\d+:\d+[^;]*;\n)+", block, text, count=1, flags=re.MULTILINE)
    text, listens = re.subn(r"^( *)listen 80;", rf"\1listen 127.0.0.1:{port};", text, flags=re.MULTILINE)
    if listens != 1:
        raise RuntimeError(f"expected one 'listen 80;' in {site}")
    return text


class Nginx:
    """Debian's nginx in the foreground with deploy/nginx/agenda.conf, in a folder of its own."""

    def __init__(self, upstreams: list[str]) -> None:
        self.binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(self.binary).exists():
            raise RuntimeError("nginx is not installed: apt-get install -y nginx")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.dir = _private_dir("agenda-nginx-")
        self.upstreams = upstreams
        self.process: subprocess.Popen[Any] | None = None

    def _write_config(self) -> Path:
        (self.dir / "agenda.conf").write_text(render_site(self.upstreams, self.port))
        temp = "\n".join(
            f"    {kind}_temp_path {self.dir / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        main = self.dir / "nginx.conf"
        main.write_text(
            f"worker_processes 1;\npid {self.dir / 'nginx.pid'};\nerror_log {self.dir / 'error.log'} warn;\n"
            f"events {{ worker_connections 1024; }}\nhttp {{\n{temp}\n    include {self.dir / 'agenda.conf'};\n}}\n"
        )
        return main

    def start(self) -> None:
        main = self._write_config()
        log = open(self.dir / "stderr.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [self.binary, "-p", str(self.dir), "-e", str(self.dir / "error.log"), "-c", str(main), "-g", "daemon off;"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )

        def listening() -> bool:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True

        wait_until(listening, 30, "nginx", self.process)

    def error_log(self) -> str:
        path = self.dir / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# --- the app ---
def app_env(chroma_url: str, feedback_url: str, index_dir: Path, corpus_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of an app process: the Chroma and database URLs, a local cache folder and a corpus folder."""
    return os.environ | {
        "ASSISTANT_CHROMA_URL": chroma_url,
        "ASSISTANT_FEEDBACK_URL": feedback_url,
        "ASSISTANT_INDEX_DIR": str(index_dir),
        "ASSISTANT_CORPUS_DIR": str(corpus_dir),
        "ASSISTANT_SHOW_PROGRESS": "false",
        "PYTHONPATH": str(ROOT),
        **{f"ASSISTANT_{name.upper()}": value for name, value in settings.items()},
    }


def run_index(env: dict[str, str], log: Path, timeout: float = 900) -> float:
    """`agenda index` as a one-off job; returns how long it took."""
    started = time.perf_counter()
    with open(log, "ab") as out:
        subprocess.run(
            [sys.executable, "-m", "assistant.cli", "index"], env=env, stdout=out, stderr=subprocess.STDOUT,
            check=True, timeout=timeout,
        )  # fmt: skip
    return time.perf_counter() - started


@dataclass
class Replica:
    """One `agenda serve` process. Its index folder is a local cache only (BM25); its corpus folder is empty."""

    name: str
    env: dict[str, str]
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[Any] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        out = open(self.log, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def wait(self, timeout: float = 300) -> None:
        wait_until(lambda: self.health()["status"] == "ok", timeout, f"replica {self.name}", self.process)

    def health(self) -> dict[str, Any]:
        return dict(httpx.get(f"{self.url}/api/health", timeout=5).json())

    def kill(self) -> None:
        """SIGKILL: no shutdown of any kind, as when a machine dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop_process(self.process)


@dataclass
class Cluster:
    postgres: Postgres
    chroma: ChromaServer
    replicas: list[Replica]
    work: Path

    def index_env(self, corpus_dir: Path, **settings: str) -> dict[str, str]:
        """The indexer job's environment: the same servers, its own scratch folder."""
        return app_env(self.chroma.url, self.postgres.url, self.work / "indexer", corpus_dir, **settings)

    def proxy(self, replicas: list[Replica] | None = None) -> Nginx:
        return Nginx([r.address for r in (replicas or self.replicas)])


@contextmanager
def cluster(work: Path, replicas: int = 2, corpus_dir: Path = SEED_CORPUS, **settings: str) -> Iterator[Cluster]:
    """PostgreSQL, a Chroma server, the index built by the `agenda index` job from `corpus_dir`, then `replicas`
    app processes (started together), each with nothing but the two URLs, an empty corpus folder and a cache folder.
    `settings`: more ASSISTANT_* settings for every app process. Stops everything on exit."""
    work.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        postgres = Postgres()
        stack.callback(postgres.cleanup)
        postgres.start()
        chroma = ChromaServer(work / "chroma")
        stack.callback(chroma.stop)
        chroma.start()
        running = Cluster(postgres, chroma, [], work)
        run_index(running.index_env(corpus_dir, **settings), work / "index-job.log")
        empty = work / "no-corpus"
        empty.mkdir(exist_ok=True)
        for n in range(1, replicas + 1):
            env = app_env(chroma.url, postgres.url, work / f"app{n}-cache", empty, **settings)
            replica = Replica(f"app{n}", env, work / f"app{n}.log")
            stack.callback(replica.stop)
            replica.start()
            running.replicas.append(replica)
        for replica in running.replicas:
            replica.wait()
        yield running


def sticky_sources(proxy_url: str, replicas: list[Replica], per_replica: int) -> tuple[dict[str, list[str]], list[int]]:
    """Loopback source addresses (127.0.0.N) that the proxy's sticky hashing sends to each replica, `per_replica` of
    each, found as a client would: ask through the proxy from that address, then rate the answer at the first replica
    directly (201: it gave that answer; 404: another one did). Returns {replica name: addresses} and the ids of the
    ratings stored while finding out."""
    found: dict[str, list[str]] = {r.name: [] for r in replicas}
    stored: list[int] = []
    first = replicas[0]
    for n in range(2, 250):
        if all(len(addresses) >= per_replica for addresses in found.values()):
            break
        address = f"127.0.0.{n}"
        transport = httpx.HTTPTransport(local_address=address)
        with httpx.Client(base_url=proxy_url, timeout=60, transport=transport) as client:
            asked = client.post("/api/ask", json={"question": "Where was the summit held?"})
        asked.raise_for_status()
        rated = httpx.post(
            f"{first.url}/api/feedback", json={"answer_id": asked.json()["answer_id"], "rating": "up"}, timeout=30
        )
        if rated.status_code == 201:
            stored.append(int(rated.json()["id"]))
            name = first.name
        elif len(replicas) == 2:
            name = replicas[1].name
        else:
            continue  # with more replicas, only the first one's clients are told apart this way
        if len(found[name]) < per_replica:
            found[name].append(address)
    if any(len(addresses) < per_replica for addresses in found.values()):
        raise RuntimeError(f"could not find {per_replica} client addresses for each replica: {found}")
    return found, stored
