"""The staff view (its own route, behind a login): recent public feedback with filters, and the latest eval report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import gradio as gr

from assistant.config import Config
from assistant.errors import FeedbackUnavailable
from assistant.feedback import REASONS, FeedbackRecord, FeedbackStore
from assistant.web import safe_html

COLUMNS = ["id", "time (UTC)", "rating", "reason", "comment", "question", "answer", "refused", "quotes", "turns before"]
REPORT_SUFFIXES: dict[str, Literal["markdown", "json"] | None] = {
    ".md": "markdown",
    ".json": "json",
    ".jsonl": "json",
    ".txt": None,
}
MAX_REPORT_CHARS = 200_000


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


def latest_report(folder: Path) -> Path | None:
    """The most recently written report file under `folder` (Markdown preferred over JSON at the same time)."""
    if not folder.is_dir():
        return None
    files = [p for p in folder.rglob("*") if p.is_file() and p.suffix in REPORT_SUFFIXES]
    if not files:
        return None
    return max(files, key=lambda p: (round(p.stat().st_mtime), p.suffix == ".md"))


def build_staff_app(config: Config, store: FeedbackStore) -> gr.Blocks:
    with gr.Blocks(title="Agenda Assistant: staff view") as staff:
        gr.HTML(
            '<header class="intro"><h1>Agenda Assistant: staff view</h1>'
            "<p>What the public said about the answers, and how the latest evaluation went. "
            "Turn feedback into eval cases with <code>agenda feedback export</code>.</p></header>"
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
                headers=COLUMNS, interactive=False, wrap=True, label="Feedback, newest first", elem_id="feedback-table"
            )
            refresh = gr.Button("Refresh", size="sm")
        with gr.Tab("Latest eval report"):
            report_info = gr.HTML()
            report = gr.Code(label="Report", interactive=False, elem_id="eval-report")
            reload_report = gr.Button("Reload", size="sm")

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

        def show_report() -> tuple[str, Any]:
            path = latest_report(config.eval_report_dir)
            if path is None:
                info = f"No eval report yet in {config.eval_report_dir}: run `make eval`."
                return f"<p>{safe_html.text(info)}</p>", gr.Code(value="", language=None)
            written = datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")
            text = path.read_text(encoding="utf-8", errors="replace")[:MAX_REPORT_CHARS]
            info = f"{path} (written {written})"
            return f"<p>{safe_html.text(info)}</p>", gr.Code(value=text, language=REPORT_SUFFIXES[path.suffix])

        filters = [rating, reason, search, limit]
        for control in (rating, reason, limit):
            control.change(show_feedback, filters, [summary, table], api_visibility="private")
        search.submit(show_feedback, filters, [summary, table], api_visibility="private")
        refresh.click(show_feedback, filters, [summary, table], api_visibility="private")
        reload_report.click(show_report, None, [report_info, report], api_visibility="private")
        staff.load(show_feedback, filters, [summary, table], api_visibility="private")
        staff.load(show_report, None, [report_info, report], api_visibility="private")
    return staff
