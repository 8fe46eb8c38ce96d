"""Shared fixtures: real model, real Chroma, every index and database in a temp dir (no test touches real state)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant import Assistant, Config
from assistant.config import PROJECT_ROOT

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
