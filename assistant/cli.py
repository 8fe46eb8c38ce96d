"""The `agenda` command line: a thin layer over the Assistant API."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.config import Config
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
    bot = _assistant(Config(), build_index=False)
    stats = bot.reindex(rebuild=rebuild)
    for error in bot.errors:
        typer.secho(f"skipped {error}", fg=typer.colors.YELLOW, err=True)
    state = "updated" if stats.changed else "already up to date"
    typer.echo(
        f"index {state}: {stats.chunks} chunks from {len(bot.documents)} documents; embedded {stats.embedded}, "
        f"reused {stats.reused}, removed {stats.removed} in {stats.seconds:.1f}s"
    )


@app.command()
def add(files: Annotated[list[Path], typer.Argument(help="Text, Markdown, HTML or PDF files")]) -> None:
    """Copy documents into the corpus folder and index them."""
    bot = _assistant(Config())
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
) -> None:
    """Answer one question with citations."""
    bot = _assistant(Config())
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
    config = Config(**overrides)
    from assistant.server import serve as run_server

    try:
        run_server(config)
    except AssistantError as error:
        _fail(error)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except AssistantError as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        sys.exit(2)
