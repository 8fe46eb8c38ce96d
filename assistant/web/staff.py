"""The staff view (its own route, behind a login): public feedback with filters, turning a rating into an eval case,
the eval reports as their HTML pages, and a button that reruns the evals in the background.

Its fixed text is in the page language, chosen as on the public page: ?lang=, else the browser's Accept-Language, and
the same language menu (assistant/web/app.py); the messages are in the same "page" catalog."""

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
from assistant.feedback import FeedbackRecord, FeedbackStore
from assistant.i18n import SOURCE_LANGUAGE
from assistant.web import safe_html
from assistant.web.app import LANGUAGE_JS, TITLE, language_menu_html
from assistant.web.conversation import REASON_CHOICES
from assistant.web.texts import N_, picked_language, request_language, tr

# TRANSLATORS: the staff view's title (a page for the people who run the assistant); {product} is its name
STAFF_TITLE = N_("{product}: staff view")
STAFF_INTRO = N_("What the public said about the answers, turning it into eval cases, and how the evals went.")
COLUMNS = (
    # TRANSLATORS: the column headers of the staff view's table of ratings (one row per rated answer): "refused" says
    # whether the answer was a refusal, "quotes" counts its quotes, "turns" the earlier turns of its conversation
    N_("id"),
    N_("time (UTC)"),
    N_("rating"),
    N_("reason"),
    N_("comment"),
    N_("question"),
    N_("answer"),
    N_("refused"),
    N_("quotes"),
    N_("turns"),
)
# TRANSLATORS: "yes" in the staff table's column "refused" (the answer was a refusal)
REFUSED = N_("yes")
# TRANSLATORS: the staff view's rating filter: all ratings, the thumbs up ("Up", shown after 👍) and the thumbs down
# ("Down", after 👎) the public gave answers
RATINGS = (("", N_("All"), "all"), ("👍 ", N_("Up"), "up"), ("👎 ", N_("Down"), "down"))
ANY_REASON = N_("Any reason")
NO_REASON = N_("No reason given")
TABLE_LABEL = N_("Feedback, newest first (click a row to draft an eval case from it)")
# TRANSLATORS: the state of an eval run in the staff view ("gate failed": it ran, but scored below the baseline)
RUN_STATES = {"running": N_("running"), "passed": N_("passed"), "gate failed": N_("gate failed"), "error": N_("error")}
NO_RUN = N_("No run started from this page yet.")
PICK_RATING = N_("Pick a rating: click its row in the table, or type its id.")
# TRANSLATORS: answerable, facts, quotes, tags and draft are names in the case's JSON: keep them as they are
DRAFT_ADVICE = N_(
    "Check answerable, fill in facts and quotes (copied word for word from the statement), set the tags, then "
    "append the case to the drafts file. The draft tag may stay until the case is moved into a question set."
)
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


def columns(lang: str = SOURCE_LANGUAGE) -> list[str]:
    """The feedback table's column headers in the page language."""
    return [tr(lang, name) for name in COLUMNS]


def rating_choices(lang: str = SOURCE_LANGUAGE) -> list[tuple[str, str]]:
    """The rating filter's choices: (label in the page language, value)."""
    return [(icon + tr(lang, label), value) for icon, label, value in RATINGS]


def reason_choices(lang: str = SOURCE_LANGUAGE) -> list[tuple[str, str]]:
    """The reason filter's choices: any, none, and the reasons of the public page's feedback form, as it words them."""
    given = [(tr(lang, label), value) for label, value in REASON_CHOICES]
    return [(tr(lang, ANY_REASON), "any"), (tr(lang, NO_REASON), "none"), *given]


def feedback_table(records: Sequence[FeedbackRecord], lang: str = SOURCE_LANGUAGE) -> list[list[Any]]:
    ratings = {value: icon + tr(lang, label) for icon, label, value in RATINGS}
    reasons = dict((value, label) for label, value in reason_choices(lang))
    rows = [
        [
            r.id,
            r.created_at.replace("T", " ").removesuffix("+00:00"),
            ratings.get(r.rating, r.rating),
            reasons.get(r.reason, r.reason) if r.reason else "",
            r.comment or "",
            r.question,
            _clip(r.answer, 400),
            tr(lang, REFUSED) if r.refused else "",
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


def report_frame(path: Path, lang: str = SOURCE_LANGUAGE) -> str:
    """The report page in a sandboxed frame: its own styles stay inside, and no script may run in it."""
    if path.stat().st_size > MAX_REPORT_BYTES:
        too_large = tr(lang, "{path} is too large to show here; open it in a browser.", path=path)
        return f"<p>{safe_html.text(too_large)}</p>"
    page = path.read_text(encoding="utf-8", errors="replace")
    title = safe_html.text(tr(lang, "Eval report"))
    return f'<iframe title="{title}" sandbox="" srcdoc="{html.escape(page, quote=True)}"></iframe>'


def run_status_html(status: RunStatus, lang: str = SOURCE_LANGUAGE) -> str:
    if status.state == "idle":
        return f"<p>{safe_html.text(tr(lang, NO_RUN))}</p>"
    said: dict[str, object] = {
        "state": tr(lang, RUN_STATES[status.state]) if status.state in RUN_STATES else status.state,
        "dataset": status.dataset,
        "time": datetime.fromtimestamp(status.started or 0, UTC).strftime("%H:%M:%S UTC"),
        "seconds": f"{status.seconds or 0:.0f}",
    }
    if status.exit_code is None:
        head = tr(lang, "{state}: {dataset} (started {time}, {seconds} s)", **said)
    else:
        code = {"code": status.exit_code}
        head = tr(lang, "{state}: {dataset} (started {time}, {seconds} s, exit code {code})", **said, **code)
    tail = f"<pre>{safe_html.text(status.log_tail)}</pre>" if status.log_tail else ""
    return f'<p class="run-{status.state.replace(" ", "-")}"><b>{safe_html.text(head)}</b></p>{tail}'


# --- feedback into eval cases ---
def draft_text(store: FeedbackStore, feedback_id: str | None, lang: str = SOURCE_LANGUAGE) -> tuple[str, str]:
    """The draft case of a rating as editable JSON, and a line saying what to do with it."""
    chosen = (feedback_id or "").strip().removeprefix("fb-")
    if not chosen.isdigit():
        return "", _paragraph(tr(lang, PICK_RATING))
    case = draft_for(store, int(chosen))
    if case is None:
        return "", _paragraph(tr(lang, "No rating with id {id}.", id=chosen))
    return json.dumps(case.model_dump(), ensure_ascii=False, indent=2), _paragraph(tr(lang, DRAFT_ADVICE))


def _paragraph(text: str) -> str:
    return f"<p>{safe_html.text(text)}</p>"


def append_case(config: Config, text: str, lang: str = SOURCE_LANGUAGE) -> str:
    """Append the edited case to the drafts file; what happened, as HTML."""
    if not text.strip():
        return _paragraph(tr(lang, "Nothing to append: draft a case first."))
    documents = {d.id: d for d in load_corpus(config.corpus_dir).documents}

    def corpora(name: str) -> dict[str, Any] | None:
        folder = corpus_folder(config.eval_dataset, name)
        return {d.id: d for d in load_corpus(folder).documents} if folder.is_dir() else None

    try:
        case, todo = append_draft(config.eval_drafts, text, documents, corpora)
    except DatasetError as error:
        return _problems_html(tr(lang, "Not appended:"), error.problems)
    where = {"case": case.id, "path": config.eval_drafts}
    if not todo:
        return _paragraph(
            tr(lang, "Appended {case} to {path}. It is complete: move it into a question set to score it.", **where)
        )
    return _problems_html(tr(lang, "Appended {case} to {path}. Still to do before it can be scored:", **where), todo)


def _problems_html(title: str, problems: Sequence[Problem]) -> str:
    items = "".join(f"<li>{safe_html.text(f'{p.field}: {p.message}' if p.field else p.message)}</li>" for p in problems)
    return f"<p>{safe_html.text(title)}</p><ul>{items}</ul>"


def staff_title(lang: str = SOURCE_LANGUAGE) -> str:
    return tr(lang, STAFF_TITLE, product=tr(lang, TITLE))


def header_html(lang: str = SOURCE_LANGUAGE) -> str:
    """The staff view's header: the public page's language menu, its title and what it is for."""
    title = staff_title(lang)
    intro = safe_html.text(tr(lang, STAFF_INTRO))
    menu = language_menu_html(lang, title)
    return f'<header class="intro">{menu}<h1>{safe_html.text(title)}</h1><p>{intro}</p></header>'


def localized(lang: str) -> dict[str, Any]:
    """The fixed text of the staff view's components in `lang`, by component (build_staff_app's `fixed`); the feedback
    table, the report menu and the status lines get theirs from the events that fill them."""
    return {
        "intro": gr.HTML(header_html(lang)),
        "feedback_tab": gr.Tab(label=tr(lang, "Feedback")),
        "rating": gr.Radio(rating_choices(lang), label=tr(lang, "Rating")),
        "reason": gr.Dropdown(reason_choices(lang), label=tr(lang, "Reason")),
        "search": gr.Textbox(label=tr(lang, "Search questions, answers and comments")),
        # TRANSLATORS: the slider of how many of the latest ratings the staff view loads
        "limit": gr.Slider(label=tr(lang, "Most recent")),
        "refresh": gr.Button(tr(lang, "Refresh")),
        "draft_heading": gr.Markdown("### " + tr(lang, "Turn a rating into an eval case")),
        "feedback_id": gr.Textbox(label=tr(lang, "Rating id"), placeholder=tr(lang, "e.g. {example}", example=12)),
        "draft": gr.Button(tr(lang, "Draft the case")),
        "editor": gr.Code(label=tr(lang, "Eval case (JSON)")),
        "append": gr.Button(tr(lang, "Append to the drafts file")),
        "reports_tab": gr.Tab(label=tr(lang, "Eval reports")),
        "reload_reports": gr.Button(tr(lang, "Reload")),
        "run_heading": gr.Markdown("### " + tr(lang, "Run the evals")),
        "dataset": gr.Radio(label=tr(lang, "Question set")),
        "run": gr.Button(tr(lang, "Run the evals")),
    }


def build_staff_app(config: Config, store: FeedbackStore, runner: EvalRunner | None = None) -> gr.Blocks:
    runner = runner or EvalRunner(config)
    english = localized(SOURCE_LANGUAGE)
    with gr.Blocks(title=staff_title()) as staff:
        lang = gr.State(SOURCE_LANGUAGE)  # the page language: set when the page loads, changed by the language menu
        intro = gr.HTML(header_html(), elem_id="intro", padding=False, js_on_load=LANGUAGE_JS)
        with gr.Tab(english["feedback_tab"].label) as feedback_tab:
            with gr.Row():
                rating = gr.Radio(rating_choices(), value="all", label=english["rating"].label)
                reason = gr.Dropdown(reason_choices(), value="any", label=english["reason"].label)
                search = gr.Textbox(label=english["search"].label)
                limit = gr.Slider(10, 2000, value=200, step=10, label=english["limit"].label)
            summary = gr.HTML()
            table = gr.Dataframe(
                headers=columns(),
                interactive=False,
                wrap=True,
                column_widths=COLUMN_WIDTHS,
                label=tr(SOURCE_LANGUAGE, TABLE_LABEL),
                elem_id="feedback-table",
            )
            refresh = gr.Button(english["refresh"].value, size="sm")
            draft_heading = gr.Markdown(english["draft_heading"].value)
            with gr.Row():
                asked = english["feedback_id"]
                feedback_id = gr.Textbox(label=asked.label, placeholder=asked.placeholder, elem_id="draft-id")
                draft = gr.Button(english["draft"].value, size="sm")
            editor = gr.Code(label=english["editor"].label, language="json", interactive=True, elem_id="draft-json")
            append = gr.Button(english["append"].value, variant="primary", elem_id="append-draft")
            draft_status = gr.HTML(elem_id="draft-status")
        with gr.Tab(english["reports_tab"].label) as reports_tab:
            choice = gr.Dropdown(label=tr(SOURCE_LANGUAGE, "Report"), choices=[], elem_id="report-choice")
            report = gr.HTML(elem_id="eval-report")
            reload_reports = gr.Button(english["reload_reports"].value, size="sm")
            run_heading = gr.Markdown(english["run_heading"].value)
            with gr.Row():
                dataset = gr.Radio(
                    [(p.name, str(p)) for p in runner.datasets()],
                    value=str(config.eval_dataset),
                    label=english["dataset"].label,
                )
                run = gr.Button(english["run"].value, variant="primary", elem_id="run-evals")
            run_status = gr.HTML(elem_id="eval-run-status")
            poll = gr.Timer(POLL_SECONDS, active=False)
        fixed = {
            "intro": intro,
            "feedback_tab": feedback_tab,
            "rating": rating,
            "reason": reason,
            "search": search,
            "limit": limit,
            "refresh": refresh,
            "draft_heading": draft_heading,
            "feedback_id": feedback_id,
            "draft": draft,
            "editor": editor,
            "append": append,
            "reports_tab": reports_tab,
            "reload_reports": reload_reports,
            "run_heading": run_heading,
            "dataset": dataset,
            "run": run,
        }
        assert fixed.keys() == english.keys()

        def localize(chosen: str) -> tuple[Any, ...]:
            texts = localized(chosen)
            return chosen, *(texts[name] for name in fixed)

        def start(request: gr.Request) -> tuple[Any, ...]:
            """The staff view in the language of ?lang=, else of the browser's Accept-Language (as the public page)."""
            return localize(request_language(request))

        def switch(event: gr.EventData) -> tuple[Any, ...]:
            """The language menu: the view in the language picked (one of the menu's, else unchanged)."""
            chosen = picked_language(event)
            return localize(chosen) if chosen else tuple(gr.skip() for _ in languaged)

        def show_feedback(lang: str, rating: str, reason: str, search: str, limit: float) -> tuple[str, Any]:
            try:
                records = store.list(None if rating == "all" else rating, int(limit))
                total = store.count()
            except FeedbackUnavailable as error:
                return f'<p class="summary">{safe_html.text(str(error))}</p>', gr.skip()
            shown = filter_feedback(records, reason, search or "")
            up = sum(r.rating == "up" for r in shown)
            counts = {"shown": len(shown), "up": up, "down": len(shown) - up, "total": total}
            # TRANSLATORS: the line above the staff view's table of ratings; {location} is where they are stored
            text = tr(
                lang,
                "Ratings shown: {shown} ({up} 👍, {down} 👎) of {total}, stored in {location}",
                location=store.location,
                **counts,
            )
            rows = gr.Dataframe(feedback_table(shown, lang), headers=columns(lang), label=tr(lang, TABLE_LABEL))
            return f'<p class="summary">{safe_html.text(text)}</p>', rows

        def pick(lang: str, event: gr.SelectData) -> tuple[str, str, str]:
            row = event.row_value or []
            chosen = str(row[0]) if row else ""
            code, advice = draft_text(store, chosen, lang)
            return chosen, code, advice

        def list_reports(lang: str, selected: str | None = None) -> tuple[Any, str]:
            label = tr(lang, "Report")
            files = report_files(config.eval_report_dir)
            if not files:
                info = tr(
                    lang,
                    "No eval report yet in {folder}: run the evals below or `make eval`.",
                    folder=config.eval_report_dir,
                )
                return gr.Dropdown(choices=[], value=None, label=label), _paragraph(info)
            choices = [(report_label(p, config.eval_report_dir), str(p)) for p in files]
            value = selected if selected in {str(p) for p in files} else str(files[0])
            return gr.Dropdown(choices=choices, value=value, label=label), report_frame(Path(value), lang)

        def show_report(lang: str, selected: str | None) -> str:
            return report_frame(Path(selected), lang) if selected and Path(selected).is_file() else ""

        def start_run(chosen: str, lang: str) -> tuple[str, Any]:
            path = Path(chosen)
            if path not in runner.datasets():
                return _paragraph(tr(lang, "Pick one of the question sets.")), gr.Timer(active=False)
            runner.start(path)  # False when a run is already going: then this shows that one
            return run_status_html(runner.status(), lang), gr.Timer(active=True)

        def check_run(lang: str) -> tuple[str, Any, Any, Any]:
            status = runner.status()
            if status.running:
                return run_status_html(status, lang), gr.Timer(active=True), gr.skip(), gr.skip()
            listed, page = list_reports(lang)  # the run's new report, on top
            return run_status_html(status, lang), gr.Timer(active=False), listed, page

        private: dict[str, Any] = {"api_visibility": "private"}
        filters = [lang, rating, reason, search, limit]
        for control in (rating, reason, limit):
            control.change(show_feedback, filters, [summary, table], **private)
        search.submit(show_feedback, filters, [summary, table], **private)
        refresh.click(show_feedback, filters, [summary, table], **private)
        table.select(pick, lang, [feedback_id, editor, draft_status], **private)
        drafted = [editor, draft_status]
        for ask_draft in (draft.click, feedback_id.submit):
            ask_draft(lambda n, lang: draft_text(store, n, lang), [feedback_id, lang], drafted, **private)
        append.click(lambda text, lang: append_case(config, text, lang), [editor, lang], draft_status, **private)
        reload_reports.click(list_reports, [lang, choice], [choice, report], **private)
        choice.input(show_report, [lang, choice], report, **private)
        run.click(start_run, [dataset, lang], [run_status, poll], **private)
        poll.tick(check_run, lang, [run_status, poll, choice, report], **private)
        # The page language first (on load, and from the menu), then everything shown in it
        languaged = [lang, *fixed.values()]
        quiet = {**private, "show_progress": "hidden"}
        loaded, switched = staff.load(start, None, languaged, **quiet), intro.submit(switch, None, languaged, **quiet)
        for language_set in (loaded, switched):
            language_set.then(show_feedback, filters, [summary, table], **private).then(
                list_reports, [lang, choice], [choice, report], **private
            ).then(lambda lang: run_status_html(runner.status(), lang), lang, run_status, **private)
    return staff
