"""The `agenda` command line: a thin layer over the Assistant API."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.config import Config, load_config
from assistant.errors import AssistantError

app = typer.Typer(
    help="Agenda Assistant: answers about 'Migration: our shared agenda' with exact citations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _fail(error: Exception) -> None:
    typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=2)


def _assistant(config: Config, build_index: bool = True):
    from assistant.assistant import Assistant

    try:
        return Assistant(config, build_index=build_index)
    except AssistantError as error:
        _fail(error)


@app.command()
def index(rebuild: Annotated[bool, typer.Option(help="Re-embed everything")] = False) -> None:
    """Build or update the index from the corpus folder (incremental: unchanged chunks are not re-embedded)."""
    from assistant.assistant import index_corpus

    try:
        stats, corpus = index_corpus(load_config(), rebuild)
    except AssistantError as error:
        _fail(error)
    for error in corpus.errors:
        typer.secho(f"skipped {error}", fg=typer.colors.YELLOW, err=True)
    state = "updated" if stats.changed else "already up to date"
    typer.echo(
        f"index {state}: {stats.chunks} chunks from {len(corpus.documents)} documents; embedded {stats.embedded}, "
        f"reused {stats.reused}, removed {stats.removed} in {stats.seconds:.1f}s"
    )


@app.command()
def add(files: Annotated[list[Path], typer.Argument(help="Text, Markdown, HTML or PDF files")]) -> None:
    """Copy documents into the corpus folder and index them."""
    bot = _assistant(load_config())
    failed = False
    for path in files:
        try:
            document = bot.add_document(path)
            typer.echo(f"added {document.id}: {document.title}")
        except AssistantError as error:
            typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
            failed = True
    raise typer.Exit(code=1 if failed else 0)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in quotes")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the Answer as JSON")] = False,
    answerer: Annotated[
        str | None, typer.Option(help="extractive, local or openai (default: ASSISTANT_ANSWERER or the config)")
    ] = None,
) -> None:
    """Answer one question with citations."""
    bot = _assistant(load_config(**({"answerer": answerer} if answerer else {})))
    try:
        answer = bot.ask(question)
    except AssistantError as error:
        _fail(error)
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
        return
    typer.echo(answer.text)
    for citation in answer.citations:
        typer.echo(
            f"  [{citation.marker}] “{citation.prose}” ({citation.title}, chars {citation.start}-{citation.end})"
        )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
) -> None:
    """Serve the chat in the browser (and the HTTP API) at http://HOST:PORT."""
    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    config = load_config(**overrides)
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

    config = load_config(**({"local_model": model} if model else {}))
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


# --- eval harness: thin commands over assistant.evals ---
feedback_app = typer.Typer(help="Public feedback (thumbs up/down with a reason).", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@app.command("eval")
def eval_command(
    dataset: Annotated[Path, typer.Option(help="JSON Lines question set")] = Path("evals/questions.jsonl"),
    k: Annotated[int, typer.Option(min=1, help="Retrieval depth scored")] = 5,
    out: Annotated[Path, typer.Option(help="Folder for results.jsonl, report.md, report.html")] = Path("eval-out"),
    baseline: Annotated[Path | None, typer.Option(help="Fail (exit 1) when a metric regresses vs this")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON instead of tables")] = False,
    write_baseline: Annotated[Path | None, typer.Option(help="Save this run's summary as the baseline")] = None,
) -> None:
    """Score the assistant on a question set, write a report, and gate on a baseline."""
    import json

    from rich.console import Console

    from assistant.evals import baseline as gate
    from assistant.evals.report import print_summary, summary_json, write_reports
    from assistant.evals.runner import run_eval

    try:
        saved = gate.load_baseline(baseline) if baseline else None
        result = run_eval(Config(), dataset, k=k)
    except AssistantError as error:
        _fail(error)
    regressions = gate.check(result, saved) if saved else None
    paths = write_reports(result, out, regressions)
    if write_baseline:
        gate.write_baseline(result, write_baseline)
    if as_json:
        typer.echo(json.dumps(summary_json(result, regressions), indent=2))
    else:
        print_summary(result, Console(), saved, regressions)
        typer.echo(f"report: {paths[-1]}" + (f"; baseline written to {write_baseline}" if write_baseline else ""))
    raise typer.Exit(code=1 if regressions else 0)


@feedback_app.command("export")
def feedback_export(
    db: Annotated[
        str | None, typer.Option(help="Feedback database: an SQLite file or a URL (default: the configured one)")
    ] = None,
    out: Annotated[Path, typer.Option(help="Where to write the draft cases")] = Path("evals/drafts.jsonl"),
) -> None:
    """Turn stored feedback into draft eval cases (thumbs-down first) for staff to complete."""
    from assistant.evals.feedback_export import export_feedback
    from assistant.feedback import configured_location

    try:
        drafts = export_feedback(db or configured_location(load_config()), out)
    except FileNotFoundError as error:
        _fail(error)
    down = sum(1 for d in drafts if "feedback-down" in d.tags)
    typer.echo(f"wrote {len(drafts)} draft cases ({down} from thumbs-down) to {out}")


if __name__ == "__main__":
    main()
