"""Faults: the indexer and the feedback writer killed at random points lose nothing and serve no half-built index."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import Assistant, Config
from assistant.chunking import chunk_corpus
from assistant.corpus import load_corpus
from assistant.embeddings import Embedder
from assistant.index import VectorIndex, fingerprint

pytestmark = pytest.mark.slow


def _env(config: Config) -> dict[str, str]:
    return os.environ | {
        "ASSISTANT_CORPUS_DIR": str(config.corpus_dir),
        "ASSISTANT_INDEX_DIR": str(config.index_dir),
        "ASSISTANT_SHOW_PROGRESS": "false",
        "ASSISTANT_MULTILINGUAL": "false",
    }


def test_sigkill_during_indexing_serves_the_old_or_the_new_index_never_a_mix(
    private_config: Config, embedder: Embedder, corpus_dir: Path
) -> None:
    old = Assistant(private_config, embedder=embedder)
    old_fingerprint = old.index.served["fingerprint"]
    for n in range(400):
        (corpus_dir / f"note{n:03}.txt").write_text(f"Harbour note {n}: the ferry from pier {n} leaves at dawn.\n")
    chunks = chunk_corpus(load_corpus(corpus_dir).documents, private_config.chunk_max_tokens)
    new_fingerprint = fingerprint(chunks, embedder.name)
    rng = random.Random(20251002)
    kills = 0
    for _ in range(3):
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "index"],
            env=_env(private_config),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(3.0, 9.0))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        index = VectorIndex(private_config)
        served = index.refresh()
        assert served["fingerprint"] in {old_fingerprint, new_fingerprint}
        expected = 8 if served["fingerprint"] == old_fingerprint else len(chunks)
        assert index.collection().count() == expected == served["chunks"]
        ids = {c.id for c in chunks[:8]}
        hit = index.search(embedder.encode_query("agencies like the IOM and UNHCR"), 1)[0][0]
        assert hit in ids
    assert kills >= 1  # at least one run was really interrupted
    finished = Assistant(private_config, embedder=embedder)  # the next start completes the build
    assert finished.index.served["fingerprint"] == new_fingerprint
    assert finished.index.collection().count() == len(chunks)


WRITER = """
import sys
from pathlib import Path
from assistant.feedback import FeedbackStore
from assistant.models import Answer
store = FeedbackStore(Path(sys.argv[1]))
n = 0
while True:
    answer = Answer(text=f"answer {n}", refused=False, question=f"question {n}", standalone_question=f"question {n}")
    row = store.add("down" if n % 2 else "up", answer, reason="wrong", comment="x" * 500)
    print(row, flush=True)
    n += 1
"""


def test_sigkill_during_feedback_writes_loses_no_committed_row(tmp_path: Path) -> None:
    db = tmp_path / "feedback.sqlite3"
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    acknowledged = []
    deadline = time.monotonic() + 60
    while len(acknowledged) < 200 and time.monotonic() < deadline:
        acknowledged.append(int(process.stdout.readline()))
    process.send_signal(signal.SIGKILL)
    process.wait()
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in con.execute("SELECT id FROM feedback")}
        bad = con.execute("SELECT COUNT(*) FROM feedback WHERE question NOT LIKE 'question %'").fetchone()[0]
    assert set(acknowledged) <= stored  # every write acknowledged before the kill is there
    assert bad == 0
