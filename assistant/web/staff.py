"""The staff view (its own route, behind a login): public feedback with filters, turning a rating into an eval case,
the eval reports as their HTML pages, and a button that reruns the evals in the background."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.config import Config
from assistant.corpus import load_corpus
from assistant.errors import FeedbackUnavailable
from assistant.evals.background import EvalRunner, RunStatus
from assistant.evals.dataset import DatasetError, Problem
from assistant.evals.feedback_export import append_draft, draft_for
from assistant.evals.runner import corpus_folder
from assistant.feedback import REASONS, FeedbackRecord, FeedbackStore
from assistant.web import safe_html

COLUMNS = ["id", "time (UTC)", "rating", "reason", "comment", "question", "answer", "refused", "quotes", "turns"]
# Shares of the page's width, so the table wraps its text inside the page instead of running off it.
COLUMN_WIDTHS: list[str | int] = ["4%", "8%", "7%", "8%", "14%", "16%", "19%", "8%", "8%", "8%"]
REPORT_NAME = "report.html"
MAX_REPORT_BYTES = 5_000_000
POLL_SECONDS = 2.0
STAFF_CSS = """
#feedback-table { max-width: 100%; overflow-x: auto; }
#feedback-table table { table-layout: fixed; width: 100%; }
#feedback-table td { overflow-wrap: anywhere; }
#eval-report iframe { width: 100%; height: 80vh; border: 1px solid #ccc; border-radius: 4px; background: #fff; }
#eval-run-status pre, #draft-status pre { white-space: pre-wrap; overflow-wrap: anywhere; max-height: 16rem; }
"""


def filter_feedback(records: Sequence[FeedbackRecord], reason: str = "any", search: str = "") -> list[FeedbackRecord]:
    """Records with the given reason ('any', 'none' or one of REASONS) whose texts contain `search` (any case)."""
    needle = search.strip().casefold()
    kept = []
    for record in records:
        if reason == "none" and record.reason:
            continue
        if reason not in ("any", "none") and record.reason != reason:
            continue
        texts = (record.question, record.answer, record.comment or "", *(q for pair in record.history for q in pair))
        if needle and not any(needle in text.casefold() for text in texts):
            continue
        kept.append(record)
    return kept


def feedback_table(records: Sequence[FeedbackRecord]) -> list[list[Any]]:
    rows = [
        [
            r.id,
            r.created_at.replace("T", " ").removesuffix("+00:00"),
            "👍 up" if r.rating == "up" else "👎 down",
            r.reason or "",
            r.comment or "",
            r.question,
            _clip(r.answer, 400),
            "yes" if r.refused else "",
            len(r.citations),
            len(r.history),
        ]
        for r in records
    ]
    return rows


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- eval reports ---
def report_files(folder: Path) -> list[Path]:
    """Every report.html under `folder` (the dev set's and, in subfolders, the others'), newest first."""
    if not folder.is_dir():
        return []
    return sorted(folder.rglob(REPORT_NAME), key=lambda p: p.stat().st_mtime, reverse=True)


def latest_report(folder: Path) -> Path | None:
    """The most recently written report.html under `folder`."""
    return next(iter(report_files(folder)), None)


def report_label(path: Path, folder: Path) -> str:
    written = datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{path.relative_to(folder).as_posix()} ({written})"


def report_frame(path: Path) -> str:
    """The report page in a sandboxed frame: its own styles stay inside, and no script may run in it."""
    if path.stat().st_size > MAX_REPORT_BYTES:
        return f"<p>{safe_html.text(f'{path} is too large to show here; open it in a browser.')}</p>"
    page = path.read_text(encoding="utf-8", errors="replace")
    return f'<iframe title="Eval report" sandbox="" srcdoc="{html.escape(page, quote=True)}"></iframe>'


def run_status_html(status: RunStatus) -> str:
    if status.state == "idle":
        return "<p>No run started from this page yet.</p>"
    started = datetime.fromtimestamp(status.started or 0, UTC).strftime("%H:%M:%S UTC")
    seconds = f"{status.seconds:.0f} s" if status.seconds is not None else ""
    head = f"{status.state}: {status.dataset} (started {started}, {seconds}"
    head += f", exit code {status.exit_code})" if status.exit_code is not None else ")"
    tail = f"<pre>{safe_html.text(status.log_tail)}</pre>" if status.log_tail else ""
    return f'<p class="run-{status.state.replace(" ", "-")}"><b>{safe_html.text(head)}</b></p>{tail}'


# --- feedback into eval cases ---
def draft_text(store: FeedbackStore, feedback_id: str | None) -> tuple[str, str]:
    """The draft case of a rating as editable JSON, and a line saying what to do with it."""
    chosen = (feedback_id or "").strip().removeprefix("fb-")
    if not chosen.isdigit():
        return "", "<p>Pick a rating: click its row in the table, or type its id.</p>"
    case = draft_for(store, int(chosen))
    if case is None:
        return "", f"<p>{safe_html.text(f'No rating with id {chosen}.')}</p>"
    advice = (
        "Confirm answerable, write the facts and the supporting quotes (copied from the statement), set the tags, "
        "then append it to the drafts file. The draft tag may stay until the case is moved into a question set."
    )
    return json.dumps(case.model_dump(), ensure_ascii=False, indent=2), f"<p>{safe_html.text(advice)}</p>"


def append_case(config: Config, text: str) -> str:
    """Append the edited case to the drafts file; what happened, as HTML."""
    if not text.strip():
        return "<p>Nothing to append: draft a case first.</p>"
    documents = {d.id: d for d in load_corpus(config.corpus_dir).documents}

    def corpora(name: str) -> dict[str, Any] | None:
        folder = corpus_folder(config.eval_dataset, name)
        return {d.id: d for d in load_corpus(folder).documents} if folder.is_dir() else None

    try:
        case, todo = append_draft(config.eval_drafts, text, documents, corpora)
    except DatasetError as error:
        return _problems_html("Not appended:", error.problems)
    done = f"Appended {case.id} to {config.eval_drafts}."
    if not todo:
        return f"<p>{safe_html.text(done + ' It is complete: move it into a question set to score it.')}</p>"
    return _problems_html(done + " Still to do before it can be scored:", todo)


def _problems_html(title: str, problems: Sequence[Problem]) -> str:
    items = "".join(f"<li>{safe_html.text(f'{p.field}: {p.message}' if p.field else p.message)}</li>" for p in problems)
    return f"<p>{safe_html.text(title)}</p><ul>{items}</ul>"


def build_staff_app(config: Config, store: FeedbackStore, runner: EvalRunner | None = None) -> gr.Blocks:
    runner = runner or EvalRunner(config)
    with gr.Blocks(title="Agenda Assistant: staff view") as staff:
        gr.HTML(
            '<header class="intro"><h1>Agenda Assistant: staff view</h1>'
            "<p>What the public said about the answers, turning it into eval cases, and how the evals went.</p>"
            "</header>"
        )
        with gr.Tab("Feedback"):
            with gr.Row():
                rating = gr.Radio([("All", "all"), ("👍 Up", "up"), ("👎 Down", "down")], value="all", label="Rating")
                reason = gr.Dropdown(
                    [("Any reason", "any"), ("No reason given", "none"), *((r.capitalize(), r) for r in REASONS)],
                    value="any",
                    label="Reason",
                )
                search = gr.Textbox(label="Search questions, answers and comments")
                limit = gr.Slider(10, 2000, value=200, step=10, label="Most recent")
            summary = gr.HTML()
            table = gr.Dataframe(
                headers=COLUMNS,
                interactive=False,
                wrap=True,
                column_widths=COLUMN_WIDTHS,
                label="Feedback, newest first (click a row to draft an eval case from it)",
                elem_id="feedback-table",
            )
            refresh = gr.Button("Refresh", size="sm")
            gr.Markdown("### Turn a rating into an eval case")
            with gr.Row():
                feedback_id = gr.Textbox(label="Rating id", placeholder="e.g. 12", elem_id="draft-id")
                draft = gr.Button("Draft the case", size="sm")
            editor = gr.Code(label="Eval case (JSON)", language="json", interactive=True, elem_id="draft-json")
            append = gr.Button("Append to the drafts file", variant="primary", elem_id="append-draft")
            draft_status = gr.HTML(elem_id="draft-status")
        with gr.Tab("Eval reports"):
            choice = gr.Dropdown(label="Report", choices=[], elem_id="report-choice")
            report = gr.HTML(elem_id="eval-report")
            reload_reports = gr.Button("Reload", size="sm")
            gr.Markdown("### Run the evals")
            with gr.Row():
                dataset = gr.Radio(
                    [(p.name, str(p)) for p in runner.datasets()],
                    value=str(config.eval_dataset),
                    label="Question set",
                )
                run = gr.Button("Run the evals", variant="primary", elem_id="run-evals")
            run_status = gr.HTML(elem_id="eval-run-status")
            poll = gr.Timer(POLL_SECONDS, active=False)

        def show_feedback(rating: str, reason: str, search: str, limit: float) -> tuple[str, Any]:
            try:
                records = store.list(None if rating == "all" else rating, int(limit))
                total = store.count()
            except FeedbackUnavailable as error:
                return f'<p class="summary">{safe_html.text(str(error))}</p>', gr.skip()
            shown = filter_feedback(records, reason, search or "")
            up = sum(r.rating == "up" for r in shown)
            text = f"{len(shown)} shown ({up} up, {len(shown) - up} down) of {total} ratings in {store.location}"
            rows = gr.Dataframe(feedback_table(shown), headers=COLUMNS)
            return f'<p class="summary">{safe_html.text(text)}</p>', rows

        def pick(event: gr.SelectData) -> tuple[str, str, str]:
            row = event.row_value or []
            chosen = str(row[0]) if row else ""
            code, advice = draft_text(store, chosen)
            return chosen, code, advice

        def list_reports(selected: str | None = None) -> tuple[Any, str]:
            files = report_files(config.eval_report_dir)
            if not files:
                info = f"No eval report yet in {config.eval_report_dir}: run the evals below or `make eval`."
                return gr.Dropdown(choices=[], value=None), f"<p>{safe_html.text(info)}</p>"
            choices = [(report_label(p, config.eval_report_dir), str(p)) for p in files]
            value = selected if selected in {str(p) for p in files} else str(files[0])
            return gr.Dropdown(choices=choices, value=value), report_frame(Path(value))

        def show_report(selected: str | None) -> str:
            return report_frame(Path(selected)) if selected and Path(selected).is_file() else ""

        def start_run(chosen: str) -> tuple[str, Any]:
            path = Path(chosen)
            if path not in runner.datasets():
                return "<p>Pick one of the question sets.</p>", gr.Timer(active=False)
            runner.start(path)  # False when a run is already going: then this shows that one
            return run_status_html(runner.status()), gr.Timer(active=True)

        def check_run() -> tuple[str, Any, Any, Any]:
            status = runner.status()
            if status.running:
                return run_status_html(status), gr.Timer(active=True), gr.skip(), gr.skip()
            listed, page = list_reports()  # the run's new report, on top
            return run_status_html(status), gr.Timer(active=False), listed, page

        filters = [rating, reason, search, limit]
        for control in (rating, reason, limit):
            control.change(show_feedback, filters, [summary, table], api_visibility="private")
        search.submit(show_feedback, filters, [summary, table], api_visibility="private")
        refresh.click(show_feedback, filters, [summary, table], api_visibility="private")
        table.select(pick, None, [feedback_id, editor, draft_status], api_visibility="private")
        for ask_draft in (draft.click, feedback_id.submit):
            ask_draft(lambda n: draft_text(store, n), feedback_id, [editor, draft_status], api_visibility="private")
        append.click(lambda text: append_case(config, text), editor, draft_status, api_visibility="private")
        reload_reports.click(list_reports, choice, [choice, report], api_visibility="private")
        choice.input(show_report, choice, report, api_visibility="private")
        run.click(start_run, dataset, [run_status, poll], api_visibility="private")
        poll.tick(check_run, None, [run_status, poll, choice, report], api_visibility="private")
        staff.load(show_feedback, filters, [summary, table], api_visibility="private")
        staff.load(list_reports, None, [choice, report], api_visibility="private")
        staff.load(lambda: run_status_html(runner.status()), None, run_status, api_visibility="private")
    return staff
