"""The public page: a header saying what this is, the chat beside the document view, the privacy note, and a
`/ask` endpoint for gradio_client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from assistant.assistant import Assistant
from assistant.config import Config
from assistant.errors import QuestionError
from assistant.feedback import FeedbackStore, configured_location
from assistant.limits import AnswerSlots, Busy, check_limits
from assistant.models import Document
from assistant.served import ServedAnswers
from assistant.web import safe_html
from assistant.web.chat import EXAMPLES, ChatView, Suggestions, section_questions
from assistant.web.document import long_date

CSS = (Path(__file__).parent / "style.css").read_text(encoding="utf-8")
TITLE = "Agenda Assistant"
PRIVACY = (
    "Privacy: you don't sign in and we don't record who you are. When you rate an answer we store the rating, "
    "the reason and comment you give, the questions and answers of this conversation, and the time; nothing else. "
    "Please don't type personal details."
)


def build_app(
    bot: Assistant,
    config: Config,
    slots: AnswerSlots | None = None,
    store: FeedbackStore | None = None,
    served: ServedAnswers | None = None,
) -> gr.Blocks:
    """The chat app on one Assistant. Mount it with assistant.server (which passes CSS) or call .launch()."""
    slots = slots or AnswerSlots(config.max_concurrent_answers, config.answer_wait_seconds)
    store = store or FeedbackStore(configured_location(config))
    served = served if served is not None else ServedAnswers()
    suggestions = Suggestions.from_retrieval(bot, [*EXAMPLES, *section_questions(bot)])
    primary = _primary(bot)
    with gr.Blocks(title=f"{TITLE}: {primary.title}" if primary else TITLE, fill_width=False) as app:
        gr.HTML(header_html(bot), elem_id="intro", padding=False)
        ChatView(bot, config, slots, store, suggestions).build()
        gr.HTML(f'<p class="privacy">{safe_html.text(PRIVACY)}</p>', elem_id="privacy")

        def ask(question: str, history: list[list[str]] | None = None) -> dict[str, Any]:
            """Answer a question from the statement: {text, refused, citations: [{marker, quote, source, start, end}],
            answer_id} (answer_id names the answer in POST /api/feedback).

            history: earlier turns as [question, answer] pairs, oldest first.
            """
            try:
                check_limits(question, history, config)
                with slots.hold():
                    answer = bot.ask(question, history)  # type: ignore[arg-type]
                turns = [(str(q), str(a)) for q, a in history or []]
                return {**answer.model_dump(mode="json"), "answer_id": served.remember(answer, turns)}
            except (QuestionError, Busy) as error:
                raise gr.Error(str(error)) from None

        gr.api(ask, api_name="ask", concurrency_limit=config.max_concurrent_answers, concurrency_id="answer")
    app.queue(max_size=config.queue_max_size, default_concurrency_limit=None)
    return app


def _primary(bot: Assistant) -> Document | None:
    """The document the page is about: the one with summit metadata, else the first."""
    documents = list(bot.documents.values())
    with_event = [d for d in documents if d.metadata.get("event")]
    return next(iter(with_event or documents), None)


def header_html(bot: Assistant) -> str:
    document = _primary(bot)
    if document is None:
        return f'<header class="intro"><h1>{TITLE}</h1><p class="lede">No document is indexed yet.</p></header>'
    meta = document.metadata
    about = f"the {meta.get('kind') or 'document'}"
    if meta.get("signatories"):
        about += f" of the leaders of {len(meta['signatories'])} countries"
    if meta.get("event"):
        about += f" at the {meta['event']}"
    if meta.get("place"):
        about += f" in {meta['place']}"
    if meta.get("date"):
        about += f" on {long_date(str(meta['date']))}"
    others = len(bot.documents) - 1
    extra = f" (and {others} more document{'s' if others != 1 else ''})" if others > 0 else ""
    return (
        '<header class="intro">'
        f"<h1>{safe_html.text(TITLE)}</h1>"
        f'<p class="lede">Ask about <strong>“{safe_html.text(document.title)}”</strong>{extra}, '
        f"{safe_html.text(about)}.</p>"
        '<p class="rule">Answers come only from the statement, quoted word for word. Every [n] in an answer links to '
        "its quote, highlighted in the text of the statement. When the statement does not say, the assistant says so."
        "</p></header>"
    )
