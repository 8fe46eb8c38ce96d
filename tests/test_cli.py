"""The `agenda` command line, as the README shows it: in-process through Typer's CliRunner, plus one real process
that checks what a fresh `agenda` imports."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from assistant.cli import app
from assistant.config import PROJECT_ROOT, Config

HEAVY = ("torch", "sentence_transformers", "chromadb", "gradio", "transformers", "fastapi", "matplotlib")
NOT_FOR_EXTRACTIVE = ("gradio", "fastapi", "uvicorn", "llama_cpp", "langchain_openai", "matplotlib")


def settings(config: Config, **more: str) -> dict[str, str]:
    """The ASSISTANT_* variables that point `agenda` at a test's corpus and index."""
    return {
        "ASSISTANT_CORPUS_DIR": str(config.corpus_dir),
        "ASSISTANT_INDEX_DIR": str(config.index_dir),
        "ASSISTANT_SHOW_PROGRESS": "false",
        **more,
    }


def agenda(*args: str, config: Config, input: str | None = None, **env: str) -> Result:
    return CliRunner().invoke(app, list(args), env=settings(config, **env), input=input)


@pytest.mark.slow
def test_index_ask_and_add(private_config: Config, tmp_path: Path) -> None:
    built = agenda("index", config=private_config)
    assert built.exit_code == 0, built.output
    assert "embedded 8" in built.stdout
    again = agenda("index", config=private_config)
    assert "already up to date" in again.stdout and "embedded 0" in again.stdout

    answer = agenda("ask", "Which agencies does the statement mention?", config=private_config)
    assert answer.exit_code == 0
    assert "IOM" in answer.stdout and "UNHCR" in answer.stdout
    assert re.search(r"^  \[1\] “[^”]*agencies like the IOM and UNHCR”", answer.stdout, re.MULTILINE)

    refused = json.loads(agenda("ask", "What is the capital of Australia?", "--json", config=private_config).stdout)
    assert refused["refused"] is True and refused["citations"] == []

    note = tmp_path / "ferries.md"
    note.write_text("# Ferries\n\nThe ferry timetable changes in winter.\n")
    added = agenda("add", str(note), config=private_config)
    assert added.exit_code == 0, added.output
    assert "added ferries: Ferries" in added.stdout
    assert (private_config.corpus_dir / "ferries.md").exists()


def test_an_empty_question_is_a_clear_error(private_config: Config) -> None:
    result = agenda("ask", "   ", config=private_config)
    assert result.exit_code == 2
    assert "error: the question is empty" in result.stderr
    assert "Traceback" not in result.output


# --- agenda add checks every file before any model loads ---
def test_add_rejects_bad_files_at_once_and_adds_none(private_config: Config, tmp_path: Path) -> None:
    good = tmp_path / "ferries.md"
    good.write_text("# Ferries\n\nThe ferry timetable changes in winter.\n")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9 au lait")
    (tmp_path / "folder.md").mkdir()
    unsupported = tmp_path / "table.xlsx"
    unsupported.write_bytes(b"PK")
    never = tmp_path / "never-built"
    files = [str(good), str(tmp_path / "missing.md"), str(bad), str(tmp_path / "folder.md"), str(unsupported)]

    result = agenda("add", *files, config=private_config.model_copy(update={"index_dir": never}))

    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 4, lines  # one line per bad file, every one of them in this run
    assert lines[0] == f"error: {tmp_path / 'missing.md'}: no such file"
    assert "bad.txt: not valid UTF-8" in lines[1]
    assert "folder.md: not a file" in lines[2]
    assert "table.xlsx: unsupported file type .xlsx" in lines[3]
    assert not never.exists(), "no model or index was loaded to reject the files"
    assert not (private_config.corpus_dir / "ferries.md").exists(), "nothing is added when a file is bad"


# --- a bad setting: one line, exit 2, whatever the command ---
def _command_paths(command: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command of the app, e.g. ("ask",) and ("feedback", "export")."""
    commands = getattr(command, "commands", None)  # a group (Typer ships its own click)
    if commands:
        return [path for name, sub in commands.items() for path in _command_paths(sub, (*prefix, name))]
    return [prefix]


ARGUMENTS: dict[tuple[str, ...], list[str]] = {
    ("index",): [],
    ("add",): [str(PROJECT_ROOT / "README.md")],
    ("ask",): ["Which agencies does the statement mention?"],
    ("chat",): [],
    ("serve",): [],
    ("eval",): [],
    ("serve-model",): [],
    ("feedback", "export"): [],
}


@pytest.mark.parametrize("setting", [{"ASSISTANT_TOP_K": "abc"}, {"ASSISTANT_MULTILINGUAL": "maybe"}])
def test_every_command_reports_a_bad_setting_in_one_line_with_exit_2(
    private_config: Config, tmp_path: Path, setting: dict[str, str]
) -> None:
    commands = _command_paths(typer.main.get_command(app))
    assert sorted(commands) == sorted(ARGUMENTS), "a new command needs its arguments here"
    for command in commands:
        result = agenda(*command, *ARGUMENTS[command], config=private_config, input="exit\n", **setting)
        name = next(iter(setting))
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr.startswith(f"error: invalid configuration: {name}: "), (command, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, (command, result.stderr)
        assert result.stdout == "", (command, result.stdout)


# --- agenda chat ---
def turns(output: str) -> list[str]:
    """The session's output cut at each prompt: what was answered to each line typed."""
    return re.split(r"^> ", output, flags=re.MULTILINE)[1:]


@pytest.mark.slow
def test_chat_answers_follow_ups_from_the_conversation_until_exit(config: Config) -> None:
    session = [
        "Who issued the statement?",
        "Where was it held?",  # a follow-up: read with the first question
        "",  # blank lines are skipped
        "!reset",
        "Where was it held?",  # the same words, now without a conversation
        "???",  # not a question: says why and carries on
        "quit",
        "Which agencies does the statement mention?",  # after quit: never read
    ]
    result = agenda("chat", config=config, input="\n".join(session) + "\n")
    assert result.exit_code == 0, result.output
    said = turns(result.stdout)
    assert len(said) == 7  # one prompt per line up to and including `quit`
    first, follow_up, _, reset, alone, _, _ = said
    assert re.search(r"^  \[1\] “", first, re.MULTILINE)  # numbered quotes, as `agenda ask` prints them
    assert "(read as: " in follow_up and re.search(r"^  \[1\] “", follow_up, re.MULTILINE)
    assert "new conversation" in reset
    assert "(read as: " not in alone  # the history was cleared
    assert "error: the question has no words" in result.stderr
    assert "Which agencies" not in result.stdout


def test_chat_ends_at_the_end_of_input(config: Config) -> None:
    result = agenda("chat", config=config, input="Where was the summit held?\n")  # then Ctrl-D
    assert result.exit_code == 0, result.output
    assert len(turns(result.stdout)) == 2 and re.search(r"^  \[1\] “", result.stdout, re.MULTILINE)


# --- paths: typed ones are relative to the current folder, defaults come from the configuration ---
@pytest.mark.slow
def test_eval_runs_from_any_folder(config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = {
        "id": "agencies",
        "question": "Which agencies does the statement mention?",
        "answerable": True,
        "facts": [["IOM"]],
        "quotes": ["agencies like the IOM and UNHCR"],
    }
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "mine.jsonl").write_text(json.dumps(case) + "\n")
    monkeypatch.chdir(elsewhere)

    typed = agenda("eval", "--dataset", "mine.jsonl", "--out", "out", "--json", config=config)
    assert typed.exit_code == 0, typed.output
    assert json.loads(typed.stdout)["dataset"] == str(elsewhere / "mine.jsonl")
    assert (elsewhere / "out" / "report.html").is_file()

    reports = tmp_path / "reports"
    defaults = agenda(
        "eval",
        "--json",
        config=config,
        ASSISTANT_EVAL_DATASET=str(elsewhere / "mine.jsonl"),
        ASSISTANT_EVAL_REPORT_DIR=str(reports),
    )
    assert defaults.exit_code == 0, defaults.output
    assert (reports / "report.html").is_file()
    assert Config().eval_dataset == PROJECT_ROOT / "evals" / "questions.jsonl" and Config().eval_dataset.is_file()


# --- one real process: what a fresh `agenda` imports ---
def imported(stderr: str) -> set[str]:
    """The top-level packages a `python -X importtime` run imported."""
    return {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in stderr.splitlines() if "|" in line}


@pytest.mark.slow
def test_a_fresh_agenda_imports_only_what_the_command_needs(config: Config) -> None:
    env = os.environ | {"PYTHONPATH": str(PROJECT_ROOT)} | settings(config)
    run = [sys.executable, "-X", "importtime", "-m", "assistant.cli"]

    help_page = subprocess.run([*run, "--help"], env=env, capture_output=True, text=True, timeout=120)
    assert help_page.returncode == 0 and "chat" in help_page.stdout
    assert not imported(help_page.stderr) & set(HEAVY), "--help loads no model library"

    asked = [*run, "ask", "Which agencies does the statement mention?", "--answerer", "extractive"]
    answer = subprocess.run(asked, env=env, capture_output=True, text=True, timeout=600)
    assert answer.returncode == 0, answer.stderr[-2000:]
    assert re.search(r"^  \[1\] “", answer.stdout, re.MULTILINE)
    assert "torch" in imported(answer.stderr)  # it did load the embedding model ...
    assert not imported(answer.stderr) & set(NOT_FOR_EXTRACTIVE)  # ... and no web stack, LLM or plotting
