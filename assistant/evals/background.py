"""Run `agenda eval` in the background for the staff view: one run at a time, in its own low-priority process (the
chat keeps the CPU first), with a status a page can poll. The run writes its report where the staff view reads it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from assistant.config import Config

LOG_NAME = "staff-run.log"
_EXIT_STATES = {0: "passed", 1: "gate failed"}  # any other code: "error" (2: the dataset or a setting is unusable)


def config_env(config: Config) -> dict[str, str]:
    """The settings as ASSISTANT_* variables, so a child process runs with exactly this configuration."""
    env = {}
    for name in Config.model_fields:
        value = getattr(config, name)
        if value is None or name in ("staff_user", "staff_password"):
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        env[f"ASSISTANT_{name.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


def report_folder(config: Config, dataset: Path) -> Path:
    """Where a run of `dataset` writes: the report folder itself for the configured dataset, else a subfolder named
    after the file (eval-out/holdout for evals/holdout.jsonl, as `make eval` does)."""
    same = dataset.resolve() == config.eval_dataset.resolve()
    return config.eval_report_dir if same else config.eval_report_dir / dataset.stem


def eval_command(config: Config, dataset: Path) -> list[str]:
    """The `agenda eval` command line for a dataset, gated on the configured baseline when it is the configured set."""
    command = [sys.executable, "-m", "assistant.cli", "eval", "--dataset", str(dataset)]
    command += ["--out", str(report_folder(config, dataset))]
    if dataset.resolve() == config.eval_dataset.resolve() and config.eval_baseline.is_file():
        command += ["--baseline", str(config.eval_baseline)]
    nice = shutil.which("nice")
    return [nice, "-n", "10", *command] if nice else command


@dataclass(frozen=True)
class RunStatus:
    """What the staff view shows about the latest run."""

    state: str  # "idle", "running", "passed", "gate failed" or "error"
    dataset: str | None = None
    started: float | None = None
    seconds: float | None = None
    exit_code: int | None = None
    log_tail: str = ""

    @property
    def running(self) -> bool:
        return self.state == "running"


class EvalRunner:
    """Starts `agenda eval` as a background process and reports on it; at most one run at a time."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._dataset: Path | None = None
        self._started = 0.0
        self._finished: float | None = None
        self._log: Path | None = None

    def datasets(self) -> list[Path]:
        """The question sets staff may run: the .jsonl files beside the configured one, except the drafts file."""
        folder = self.config.eval_dataset.parent
        found = sorted(p for p in folder.glob("*.jsonl") if p.resolve() != self.config.eval_drafts.resolve())
        return sorted(found, key=lambda p: p.resolve() != self.config.eval_dataset.resolve())  # the configured first

    def start(self, dataset: Path) -> bool:
        """Start a run of `dataset`; False when one is already running."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                return False
            out = report_folder(self.config, dataset)
            out.mkdir(parents=True, exist_ok=True)
            self._log = out / LOG_NAME
            with self._log.open("wb") as log:
                self._process = subprocess.Popen(
                    eval_command(self.config, dataset),
                    env=os.environ | config_env(self.config),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            self._dataset, self._started, self._finished = dataset, time.time(), None
            return True

    def status(self) -> RunStatus:
        with self._lock:
            if self._process is None:
                return RunStatus("idle")
            code = self._process.poll()
            if code is not None and self._finished is None:
                self._finished = time.time()
            end = self._finished or time.time()
            state = "running" if code is None else _EXIT_STATES.get(code, "error")
            return RunStatus(
                state,
                str(self._dataset),
                self._started,
                end - self._started,
                code,
                log_tail(self._log) if self._log else "",
            )

    def wait(self, timeout: float | None = None) -> RunStatus:
        """Wait for the current run to end (for tests and scripts)."""
        process = self._process
        if process is not None:
            process.wait(timeout)
        return self.status()


def log_tail(path: Path, lines: int = 12) -> str:
    """The last lines of a run's output, showing only the latest state of a progress bar (it redraws after "\r")."""
    try:
        text = path.read_bytes()[-20_000:].decode("utf-8", errors="replace")
    except OSError:
        return ""
    shown = [line.rstrip("\r").rsplit("\r", 1)[-1] for line in text.split("\n")]
    return "\n".join([line for line in shown if line.strip()][-lines:])
