"""The `agenda` command line: a thin layer over the Assistant API.

Each command loads only what it needs, when it needs it: `agenda --help`, a bad setting or a wrong path answer at once,
without torch, sentence-transformers, chromadb or gradio. Paths typed on the command line are relative to the current
folder; the defaults come from the configuration, whose own defaults are in the project folder.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from assistant.config import AnswererName, Config, load_config
from assistant.errors import AssistantError

if TYPE_CHECKING:
    from assistant.assistant import Assistant
    from assistant.models import Answer

app = typer.Typer(
    help="Agenda Assistant: answers about 'Migration: our shared agenda' with exact citations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
feedback_app = typer.Typer(help="Public feedback (thumbs up/down with a reason).", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")

AnswererOption = Annotated[
    AnswererName | None,
    typer.Option(help="extractive, local or openai (default: ASSISTANT_ANSWERER or the config); loads only that one"),
]
EXIT_WORDS = frozenset({"exit", "quit"})
RESET_WORDS = frozenset({"!reset", "!new"})


def _fail(error: Exception) -> NoReturn:
    typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=2)


def _config(**overrides: object) -> Config:
    """The settings (defaults, ASSISTANT_* variables, then the options given); a bad one exits 2 in one line."""
    try:
        return load_config(**{name: value for name, value in overrides.items() if value is not None})
    except AssistantError as error:
        _fail(error)


def _assistant(config: Config, *, warm: bool = True, questions: bool = False) -> Assistant:
    """The Assistant on these settings; `questions`: also ready the language detector for the first question."""
    from assistant.assistant import Assistant

    if questions:  # lingua loads its models beside torch's import (it releases the GIL): ~5 s off the first answer
        from assistant.answer.question import warm_language_detector

        threading.Thread(target=warm_language_detector, name="lingua", daemon=True).start()
    try:
        return Assistant(config, warm=warm)
    except AssistantError as error:
        _fail(error)


def print_answer(answer: Answer) -> None:
    """The answer's text, then each citation numbered as in the text, with its document and offsets."""
    typer.echo(answer.text)
    print_citations(answer)


def print_citations(answer: Answer) -> None:
    """Each citation, and beneath it its machine translation when it has one (labelled as such)."""
    for citation in answer.citations:
        typer.echo(
            f"  [{citation.marker}] “{citation.prose}” ({citation.title}, chars {citation.start}-{citation.end})"
        )
        translation = answer.translation_of(citation)
        if translation is not None:
            typer.echo(f"      machine translation ({translation.language}, unreviewed): {translation.text}")


@app.command()
def index(rebuild: Annotated[bool, typer.Option(help="Re-embed everything")] = False) -> None:
    """Build or update the index from the corpus folder (incremental: unchanged chunks are not re-embedded)."""
    from assistant.assistant import index_corpus

    try:
        stats, corpus = index_corpus(_config(), rebuild)
    except AssistantError as error:
        _fail(error)
    for skipped in corpus.errors:
        typer.secho(f"skipped {skipped}", fg=typer.colors.YELLOW, err=True)
    state = "updated" if stats.changed else "already up to date"
    typer.echo(
        f"index {state}: {stats.chunks} chunks from {len(corpus.documents)} documents; embedded {stats.embedded}, "
        f"reused {stats.reused}, removed {stats.removed} in {stats.seconds:.1f}s"
    )


@app.command()
def add(files: Annotated[list[Path], typer.Argument(help="Text, Markdown, HTML or PDF files")]) -> None:
    """Copy documents into the corpus folder and index them (all are checked first: if one cannot be, none is)."""
    from assistant.corpus import check_new_document

    config = _config()
    problems = []
    for path in files:
        try:
            check_new_document(path, config.corpus_dir)
        except AssistantError as error:
            problems.append(error)
    for problem in problems:
        typer.secho(f"error: {problem}", fg=typer.colors.RED, err=True)
    if problems:
        raise typer.Exit(code=2)
    bot = _assistant(config, warm=False)
    failed = False
    for path in files:
        try:
            document = bot.add_document(path)
            typer.echo(f"added {document.id}: {document.title}")
        except AssistantError as error:  # changed on disk since the check
            typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
            failed = True
    raise typer.Exit(code=1 if failed else 0)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in quotes")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the Answer as JSON")] = False,
    answerer: AnswererOption = None,
) -> None:
    """Answer one question with citations."""
    bot = _assistant(_config(answerer=answerer), warm=False, questions=True)
    try:
        answer = bot.ask(question)
    except AssistantError as error:
        _fail(error)
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
        return
    print_answer(answer)


@app.command()
def chat(answerer: AnswererOption = None) -> None:
    """Ask several questions in one session: follow-ups use the conversation so far ('exit' or Ctrl-D to end)."""
    config = _config(answerer=answerer)
    typer.secho("Loading the models ...", err=True, dim=True)
    bot = _assistant(config, warm=False, questions=True)
    typer.echo(f"Chatting about {len(bot.documents)} document(s) with the {bot.answerer.name} answerer.")
    typer.echo("Type 'exit' or 'quit' (or press Ctrl-D) to end, '!reset' to start a new conversation.")
    run_chat(bot, lambda: typer.prompt("", prompt_suffix="> ", default="", show_default=False))


def run_chat(bot: Assistant, read: Callable[[], str]) -> None:
    """The prompt loop: read a line, answer it with the history so far, print it; until exit, quit or end of input."""
    history: list[tuple[str, str]] = []
    while True:
        try:
            line = read().strip()
        except (typer.Abort, EOFError, KeyboardInterrupt):
            typer.echo("")
            return
        if line.lower() in EXIT_WORDS:
            return
        if line.lower() in RESET_WORDS:
            history.clear()
            typer.echo("(new conversation: earlier questions are forgotten)")
            continue
        if not line:
            continue
        try:
            answer = stream_answer(bot, line, history)
        except KeyboardInterrupt:  # Ctrl-C while an answer is written ends the session, as at the prompt
            typer.echo("")
            return
        if answer is not None:  # the oldest turns drop off beyond max_history_turns, as in the web chat
            keep = bot.config.max_history_turns
            history = [*history, (line, answer.text)][-keep:] if keep else []


def stream_answer(bot: Assistant, question: str, history: list[tuple[str, str]]) -> Answer | None:
    """Print the answer as it comes, then its citations; a question that cannot be answered (or an answer that
    fails, e.g. an unreachable server) prints why in one line and returns None: the session goes on."""
    from assistant.models import Answer, Quotes, Translations

    shown: list[str] = []
    try:
        for piece in bot.stream(question, history):
            if isinstance(piece, Quotes | Translations):  # printed after the answer, with their markers
                continue
            if isinstance(piece, Answer):
                if "".join(shown).strip() != piece.text.strip():  # the final answer is the authority
                    typer.echo(("\n" if shown else "") + piece.text, nl=False)
                typer.echo("")
                if piece.standalone_question != piece.question:
                    typer.secho(f"  (read as: {piece.standalone_question})", dim=True)
                print_citations(piece)
                return piece
            typer.echo(piece, nl=False)
            shown.append(piece)
    except AssistantError as error:
        typer.secho(("\n" if shown else "") + f"error: {error}", fg=typer.colors.RED, err=True)
    return None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
) -> None:
    """Serve the chat in the browser (and the HTTP API) at http://HOST:PORT."""
    config = _config(host=host, port=port)
    from concurrent.futures import ThreadPoolExecutor

    from assistant.assistant import Assistant

    try:
        with ThreadPoolExecutor(1, thread_name_prefix="load") as pool:
            loading = pool.submit(Assistant, config)  # the models load while the web stack imports (~1-2 s saved)
            from assistant.server import serve as run_server

            bot = loading.result()
        run_server(config, bot)
    except AssistantError as error:
        _fail(error)


@app.command("eval")
def eval_command(
    dataset: Annotated[
        Path | None, typer.Option(help="JSON Lines question set [default: ASSISTANT_EVAL_DATASET]")
    ] = None,
    k: Annotated[int, typer.Option(min=1, help="Retrieval depth scored")] = 5,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for results.jsonl, report.md, report.html [default: ASSISTANT_EVAL_REPORT_DIR]"),
    ] = None,
    baseline: Annotated[Path | None, typer.Option(help="Fail (exit 1) when a quality metric regresses vs this")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON instead of tables")] = False,
    write_baseline: Annotated[Path | None, typer.Option(help="Save this run's summary as the baseline")] = None,
    languages: Annotated[bool, typer.Option("--languages", help="Also print the per-language table")] = False,
    language_table: Annotated[
        bool, typer.Option("--language-table", help="Print the per-language table as Markdown (README's) instead")
    ] = False,
) -> None:
    """Score the assistant on a question set, write a report, and gate on a baseline's quality metrics."""
    import json

    from rich.console import Console

    from assistant.evals import baseline as gate
    from assistant.evals import language_table as languages_of
    from assistant.evals.report import print_summary, summary_json, write_reports
    from assistant.evals.runner import run_eval

    config = _config()
    dataset, out = dataset or config.eval_dataset, out or config.eval_report_dir
    try:
        saved = gate.load_baseline(baseline) if baseline else None
        result = run_eval(config, dataset, k=k, progress=config.show_progress)
    except AssistantError as error:
        _fail(error)
    regressions = gate.check(result, saved) if saved else None
    paths = write_reports(result, out, regressions, saved)
    if write_baseline:
        gate.write_baseline(result, write_baseline)
    if as_json:
        typer.echo(json.dumps(summary_json(result, regressions, saved), indent=2))
    elif language_table:
        typer.echo(languages_of.markdown_table(languages_of.language_table(result)), nl=False)
    else:
        print_summary(result, Console(), saved, regressions, languages=languages)
        typer.echo(f"report: {paths[-1]}" + (f"; baseline written to {write_baseline}" if write_baseline else ""))
    raise typer.Exit(code=1 if regressions else 0)


@feedback_app.command("export")
def feedback_export(
    db: Annotated[
        str | None,
        typer.Option(help="Feedback database: an SQLite file or a URL [default: ASSISTANT_FEEDBACK_URL or _DB]"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Where to write the draft cases [default: ASSISTANT_EVAL_DRAFTS]")
    ] = None,
) -> None:
    """Turn stored feedback into draft eval cases (thumbs-down first) for staff to complete."""
    from assistant.evals.feedback_export import export_feedback
    from assistant.feedback import configured_location

    config = _config()
    target = out or config.eval_drafts
    try:
        drafts = export_feedback(db or configured_location(config), target)
    except FileNotFoundError as error:
        _fail(error)
    down = sum(1 for d in drafts if "feedback-down" in d.tags)
    typer.echo(f"wrote {len(drafts)} draft cases ({down} from thumbs-down) to {target}")


@app.command("serve-model")
def serve_model(
    model: Annotated[
        str | None, typer.Option(help="1.5b, 0.5b or a .gguf path (default: ASSISTANT_LOCAL_MODEL)")
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8001,
    alias: Annotated[
        str | None,
        typer.Option(
            help="The model's name in the API (default: agenda-<model>); the replicas' ASSISTANT_OPENAI_MODEL"
        ),
    ] = None,
) -> None:
    """Serve the packaged model once for every replica: llama.cpp's OpenAI-compatible server (llama_cpp.server)."""
    import os

    from assistant.generation.llama_server import model_server_command
    from assistant.packaged_gguf import PACKAGED_MODELS, model_file

    config = _config(local_model=model)
    try:
        path = model_file(config.local_model, config.model_cache_dir)
    except AssistantError as error:
        _fail(error)
    packaged = config.local_model in PACKAGED_MODELS
    name = alias or f"agenda-{config.local_model if packaged else Path(config.local_model).stem}"
    command = model_server_command(path, name, host, port, config.llm_threads, config.llm_context_tokens)
    typer.echo(
        f"model server for {path.name} on http://{host}:{port}/v1; point the replicas at it with "
        f"ASSISTANT_ANSWERER=openai ASSISTANT_OPENAI_BASE_URL=http://{host}:{port}/v1 ASSISTANT_OPENAI_MODEL={name}"
    )
    sys.stdout.flush()
    os.execv(command[0], command)  # the server is this process: signals and exit codes are its own


def main() -> None:  # the console script
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except AssistantError as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
