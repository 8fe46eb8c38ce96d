"""The `agenda` command line, as the README shows it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import Config


def agenda(*args: str, config: Config) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "ASSISTANT_CORPUS_DIR": str(config.corpus_dir),
        "ASSISTANT_INDEX_DIR": str(config.index_dir),
        "ASSISTANT_SHOW_PROGRESS": "false",
    }
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args], env=env, capture_output=True, text=True, timeout=180
    )


@pytest.mark.slow
def test_index_ask_and_add(private_config: Config, tmp_path: Path) -> None:
    built = agenda("index", config=private_config)
    assert built.returncode == 0, built.stderr
    assert "embedded 8" in built.stdout
    again = agenda("index", config=private_config)
    assert "already up to date" in again.stdout and "embedded 0" in again.stdout

    answer = agenda("ask", "Which agencies does the statement mention?", config=private_config)
    assert answer.returncode == 0
    assert "IOM" in answer.stdout and "UNHCR" in answer.stdout
    assert "[1] “supporting the work and mandate of agencies like the IOM and UNHCR”" in answer.stdout

    refused = json.loads(agenda("ask", "What is the capital of Australia?", "--json", config=private_config).stdout)
    assert refused["refused"] is True and refused["citations"] == []

    note = tmp_path / "ferries.md"
    note.write_text("# Ferries\n\nThe ferry timetable changes in winter.\n")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9 au lait")
    added = agenda("add", str(note), str(bad), config=private_config)
    assert added.returncode == 1  # one file failed ...
    assert "added ferries: Ferries" in added.stdout  # ... the other was added
    assert "bad.txt: not valid UTF-8" in added.stderr
    assert (private_config.corpus_dir / "ferries.md").exists()
    assert not (private_config.corpus_dir / "bad.txt").exists()


def test_an_empty_question_is_a_clear_error(private_config: Config) -> None:
    result = agenda("ask", "   ", config=private_config)
    assert result.returncode == 2
    assert "error: the question is empty" in result.stderr
    assert "Traceback" not in result.stderr
