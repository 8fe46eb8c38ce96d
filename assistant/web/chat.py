"""The chat: streamed answers whose [n] markers link to their quotes, a collapsible "Sources" message, refusals that
point to questions the statement does answer, and thumbs up/down with an optional reason on every answer."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from assistant.api import feedback_config
from assistant.assistant import Assistant
from assistant.config import Config
from assistant.errors import FeedbackUnavailable, QuestionError
from assistant.feedback import MAX_TEXT, FeedbackStore
from assistant.limits import AnswerSlots, Busy, check_limits
from assistant.models import Answer
from assistant.web import safe_html
from assistant.web.document import SCROLL_JS, document_html, mark_id

log = logging.getLogger(__name__)

EXAMPLES = (
    "Where was the summit held?",
    "Which countries signed the statement?",
    "Which agencies does the statement mention?",
    "What does it say about returns?",
    "What are the key themes?",
)
REASON_CHOICES = [
    ("Wrong", "wrong"),
    ("Not supported by the quote", "not supported by the quote"),
    ("Missing something", "missing something"),
    ("Something else", "other"),
]
_MARKER = re.compile(r"\[(\d+)\]")
FEEDBACK_NOT_SAVED = (
    "Sorry, your rating could not be saved right now (our feedback database is unavailable). Answers still work; "
    "please try again later."
)
_THINKING = '<span class="thinking">Searching the statement…</span>'
# After a thumbs down, keyboard users land on the optional reason (a no-op while the panel stays hidden)
_FOCUS_FEEDBACK_PANEL = "() => { setTimeout(() => document.querySelector('#feedback-panel input')?.focus(), 100); }"
Message = dict[str, Any]


@dataclass
class Turn:
    """One question and its answer, with the history it was asked in (what feedback stores)."""

    question: str
    history: list[tuple[str, str]]
    answer: Answer


@dataclass
class Suggestions:
    """Questions the statement answers, each with the chunks retrieval finds for it: a refusal offers the nearest.

    Only retrieval runs at start (milliseconds even when the answerer is an LLM); tests check that every candidate
    is answered with the default answerer.
    """

    questions: list[tuple[str, list[str]]] = field(default_factory=list)

    @classmethod
    def from_retrieval(cls, bot: Assistant, candidates: Sequence[str], k: int = 2) -> Suggestions:
        found = []
        for question in candidates:
            try:
                found.append((question, [evidence.chunk.id for evidence in bot.evidence(question, k)]))
            except Exception:  # a suggestion is a nicety: never stop the app for one
                log.warning("no evidence for the suggestion %r", question, exc_info=True)
        return cls(found)

    def near(self, answer: Answer, count: int = 3) -> list[str]:
        """The questions whose chunks were retrieved for `answer` too, the best ranked first."""
        rank = {chunk: i for i, chunk in enumerate(answer.retrieved)}
        far = len(rank) + 1

        def distance(chunks: list[str]) -> int:
            return min((rank.get(chunk, far) + i for i, chunk in enumerate(chunks)), default=far)

        ranked = sorted(self.questions, key=lambda item: distance(item[1]))
        asked = answer.question.casefold()
        return [question for question, _ in ranked if question.casefold() != asked][:count]


def section_questions(bot: Assistant) -> list[str]:
    """One question per section heading of the corpus, e.g. 'What does the statement say under “...”?'."""
    headings = dict.fromkeys(chunk.path[1] for chunk in bot.chunks if len(chunk.path) > 1)
    return [f"What does the statement say under “{heading}”?" for heading in headings]


# --- messages: everything from a person, a document or the model goes through safe_html ---
def user_message(question: str) -> Message:
    return {"role": "user", "content": safe_html.lines(question)}


def cite_link(turn: int, marker: int) -> str:
    """[n] as a link to its highlighted quote (the chat's sanitiser keeps class and href, drops aria-*)."""
    return f'<a class="cite" href="#{mark_id(turn, marker)}"><span class="sr-only">quote </span>[{marker}]</a>'


def answer_html(text: str, turn: int, markers: set[int] | None = None, refused: bool = False) -> str:
    """The answer text as HTML; each [n] (of `markers`, or every one while streaming) links to its quote."""
    out, position = [], 0
    for match in _MARKER.finditer(text):
        out.append(safe_html.lines(text[position : match.start()]))
        number = int(match.group(1))
        if markers is None or number in markers:
            out.append(cite_link(turn, number))
        else:
            out.append(safe_html.text(match.group()))
        position = match.end()
    out.append(safe_html.lines(text[position:]))
    body = "".join(out)
    if not refused:
        return f'<div class="answer">{body}</div>'
    return (
        '<div class="refusal"><p class="refusal-head"><span aria-hidden="true">⚠ </span>Not answered by the '
        f"statement</p><p>{body}</p>"
        '<p class="refusal-hint">The assistant answers only from the statement. Try a question it covers:</p></div>'
    )


def sources_message(answer: Answer, turn: int) -> Message:
    """The cited quotes, verbatim, in a collapsed message titled with the document."""
    titles = list(dict.fromkeys(c.title for c in answer.citations))
    count = len(answer.citations)
    items = "".join(
        f"<li>{cite_link(turn, c.marker)} “{safe_html.text(c.prose)}”"
        + (f' <span class="source-title">— {safe_html.text(c.title)}</span>' if len(titles) > 1 else "")
        + "</li>"
        for c in answer.citations
    )
    # The chat renders a message title as HTML too: a document's title is escaped like any text from it
    title = safe_html.text(f"Sources: {count} quote{'s' if count != 1 else ''} from “{'”, “'.join(titles)}”")
    return {
        "role": "assistant",
        "content": f'<ol class="sources">{items}</ol>',
        "metadata": {"title": title, "status": "done"},
    }


def final_messages(answer: Answer, turn: int, suggestions: Sequence[str]) -> list[Message]:
    markers = {c.marker for c in answer.citations}
    first: Message = {"role": "assistant", "content": answer_html(answer.text, turn, markers, answer.refused)}
    if answer.refused:
        if suggestions:
            first["options"] = [{"label": q, "value": q} for q in suggestions]
        # a refusal may still cite what the statement says on the topic ("it gives no date; it says ... [1]")
        return [first, sources_message(answer, turn)] if answer.citations else [first]
    return [first, sources_message(answer, turn)]


def turn_of(messages: Sequence[Message], index: Any) -> int:
    """The 0-based turn of the message at `index`: each turn starts with the person's question."""
    position = index[0] if isinstance(index, list | tuple) else int(index)
    return sum(1 for m in messages[: position + 1] if _role(m) == "user") - 1


def _role(message: Any) -> str:
    return message.get("role", "") if isinstance(message, dict) else getattr(message, "role", "")


class ChatView:
    """Builds the chat column and the document view inside the current gr.Blocks and wires their events."""

    def __init__(
        self, bot: Assistant, config: Config, slots: AnswerSlots, store: FeedbackStore, suggestions: Suggestions
    ) -> None:
        self.bot = bot
        self.config = config
        self.slots = slots
        self.store = store
        self.suggestions = suggestions

    # --- layout ---
    def build(self) -> None:
        with gr.Row(equal_height=False, elem_id="main"):
            with gr.Column(scale=3, min_width=300, elem_id="chat-column"):
                self.chatbot = gr.Chatbot(
                    label="Conversation",
                    elem_id="chat",
                    render_markdown=False,
                    sanitize_html=True,
                    latex_delimiters=[],
                    allow_tags=False,
                    buttons=[],  # Gradio's copy buttons copy a message's HTML source; selecting text copies the text
                    feedback_options=("Like", "Dislike"),
                    examples=[{"text": q} for q in EXAMPLES],
                    placeholder="Ask a question about the statement, or start with one of these:",
                    height="min(62vh, 640px)",
                    layout="bubble",
                )
                with gr.Row(elem_id="ask-row"):
                    self.question = gr.Textbox(
                        label="Your question",
                        placeholder="e.g. What does the statement say about returns?",
                        lines=1,
                        max_lines=5,
                        max_length=self.config.max_question_tokens * 8,
                        elem_id="question",
                        scale=5,
                        min_width=180,
                        autofocus=True,
                    )
                    self.ask = gr.Button("Ask", variant="primary", elem_id="ask", scale=1, min_width=80)
                self.new = gr.Button("New conversation", variant="secondary", size="sm", elem_id="new-conversation")
                with gr.Group(visible=False, elem_id="feedback-panel") as self.panel:
                    self.reason = gr.Radio(
                        REASON_CHOICES, label="What was wrong with this answer? (optional)", elem_id="feedback-reason"
                    )
                    self.comment = gr.Textbox(
                        label="Anything to add? (optional, please no personal details)",
                        lines=2,
                        max_length=MAX_TEXT,
                        elem_id="feedback-comment",
                    )
                    self.send = gr.Button("Send feedback", variant="primary", size="sm", elem_id="feedback-send")
            with gr.Column(scale=2, min_width=300, elem_id="doc-column"):
                self.document = gr.HTML(
                    self.blank_document(),
                    elem_id="doc-view",
                    js_on_load=SCROLL_JS,
                    label="The statement",
                    container=True,
                    show_label=True,
                )
        self.turns = gr.State([])
        self.pending = gr.State(None)  # the turn whose thumbs-down waits for its optional reason
        self._wire()

    def blank_document(self) -> str:
        return document_html(
            list(self.bot.documents.values()),
            note="Ask a question: the quotes behind the answer are highlighted here.",
        )

    def _wire(self) -> None:
        answer_outputs = [self.chatbot, self.question, self.turns, self.document, self.pending, self.panel]
        answering: dict[str, Any] = {
            "concurrency_limit": self.config.max_concurrent_answers,
            "concurrency_id": "answer",
            "api_visibility": "private",
        }
        inputs = [self.question, self.chatbot, self.turns, self.pending]
        self.question.submit(self.respond, inputs, answer_outputs, **answering)
        self.ask.click(self.respond, inputs, answer_outputs, **answering)
        self.chatbot.example_select(_picked, None, self.question, api_visibility="private").then(
            self.respond, inputs, answer_outputs, **answering
        )
        self.chatbot.option_select(_picked, None, self.question, api_visibility="private").then(
            self.respond, inputs, answer_outputs, **answering
        )
        self.chatbot.select(self.show_turn, [self.chatbot, self.turns], self.document, api_visibility="private")
        self.chatbot.like(
            self.rate,
            [self.chatbot, self.turns, self.pending],
            [self.pending, self.panel, self.reason, self.comment],
            api_visibility="private",
        ).then(None, js=_FOCUS_FEEDBACK_PANEL)
        self.send.click(
            self.send_reason,
            [self.reason, self.comment, self.turns, self.pending],
            [self.pending, self.panel],
            api_visibility="private",
        )
        reset_outputs = [self.chatbot, self.question, self.turns, self.document, self.pending, self.panel]
        self.new.click(self.reset, [self.turns, self.pending], reset_outputs, api_visibility="private").then(
            None, js="() => document.querySelector('#question textarea')?.focus()"
        )
        self.chatbot.clear(self.reset, [self.turns, self.pending], reset_outputs, api_visibility="private")

    # --- event handlers ---
    def respond(
        self, question: str, messages: list[Message], turns: list[Turn], pending: int | None
    ) -> Iterator[tuple[Any, ...]]:
        """Stream one answer into the chat, then its sources (or suggestions) and its highlights in the document."""
        self._flush(pending, turns)
        question = question or ""
        history = [(t.question, t.answer.text) for t in turns]
        history = history[-self.config.max_history_turns :] if self.config.max_history_turns else []
        try:
            if not question.strip():
                raise QuestionError("Type a question first, or pick one of the examples.")
            check_limits(question, history, self.config)
        except QuestionError as error:
            raise gr.Error(str(error), title="Please rephrase") from None
        turn = len(turns)
        closed = gr.Group(visible=False)
        shown = [*messages, user_message(question), {"role": "assistant", "content": _THINKING}]
        yield shown, "", turns, gr.skip(), None, closed
        answer: Answer | None = None
        try:
            self.slots.acquire()
        except Busy as error:
            yield messages, question, turns, gr.skip(), None, closed
            raise gr.Error(f"The assistant is busy: {error}", title="Busy") from None
        try:
            text = ""
            for piece in self.bot.stream(question, history):
                if isinstance(piece, Answer):
                    answer = piece
                    continue
                text += piece
                shown[-1] = {"role": "assistant", "content": answer_html(text, turn)}
                yield shown, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        except QuestionError as error:
            yield messages, question, turns, gr.skip(), None, closed
            raise gr.Error(str(error), title="Please rephrase") from None
        except Exception:
            log.exception("answering %r failed", question)
            yield messages, question, turns, gr.skip(), None, closed
            raise gr.Error("Something went wrong on our side. Please try again.", title="Sorry") from None
        finally:
            self.slots.release()
        assert answer is not None, "Assistant.stream ends with the Answer"
        suggestions = self.suggestions.near(answer) if answer.refused else []
        shown[-1:] = final_messages(answer, turn, suggestions)
        turns = [*turns, Turn(question=answer.question, history=history, answer=answer)]
        yield shown, gr.skip(), turns, self.document_for(turns, turn), None, closed

    def document_for(self, turns: Sequence[Turn], turn: int) -> str:
        answer = turns[turn].answer
        count = len(answer.citations)
        if answer.refused or not count:
            note = f"Answer {turn + 1} quotes nothing: the statement does not answer that question."
        else:
            markers = " ".join(f"[{c.marker}]" for c in answer.citations)
            note = f"Highlighted: the {count} quote{'s' if count != 1 else ''} behind answer {turn + 1} ({markers})."
        return document_html(list(self.bot.documents.values()), answer.citations, turn, note)

    def show_turn(self, messages: list[Message], turns: list[Turn], event: gr.SelectData) -> Any:
        """Clicking an answer (or one of its [n]) shows that answer's quotes in the document view."""
        turn = turn_of(messages, event.index)
        if not 0 <= turn < len(turns):
            return gr.skip()
        return self.document_for(turns, turn)

    def rate(self, messages: list[Message], turns: list[Turn], pending: int | None, event: gr.LikeData) -> Any:
        """Thumbs up is saved at once; thumbs down opens the optional reason, saved on Send or the next action."""
        turn = turn_of(messages, event.index)
        if not 0 <= turn < len(turns):
            return pending, gr.skip(), gr.skip(), gr.skip()
        if event.liked is True:
            self._flush(pending if pending != turn else None, turns)
            if self._save(turns[turn], "up"):
                gr.Info("Thanks! Your rating is saved.", title="Feedback")
            return None, gr.Group(visible=False), None, ""
        if event.liked is False:
            self._flush(pending if pending != turn else None, turns)
            return turn, gr.Group(visible=True), None, ""
        return pending, gr.skip(), gr.skip(), gr.skip()  # a like taken back: nothing to store

    def send_reason(self, reason: str | None, comment: str, turns: list[Turn], pending: int | None) -> Any:
        rated = pending is not None and 0 <= pending < len(turns)
        if rated and self._save(turns[pending], "down", reason, (comment or "").strip() or None):  # type: ignore[index]
            gr.Info("Thanks! Your feedback is saved.", title="Feedback")
        return None, gr.Group(visible=False)

    def reset(self, turns: list[Turn], pending: int | None) -> tuple[Any, ...]:
        self._flush(pending, turns)
        return [], "", [], self.blank_document(), None, gr.Group(visible=False)

    def _flush(self, pending: int | None, turns: Sequence[Turn]) -> None:
        """A thumbs-down left without a reason is still a rating: save it before moving on."""
        if pending is not None and 0 <= pending < len(turns):
            self._save(turns[pending], "down")

    def _save(self, turn: Turn, rating: str, reason: str | None = None, comment: str | None = None) -> bool:
        """Store a rating; when the feedback database is down, say so (the chat goes on) and return False."""
        try:
            self.store.add(rating, turn.answer, turn.history, reason, comment, feedback_config(self.config))  # type: ignore[arg-type]
        except FeedbackUnavailable as error:
            log.warning("%s", error)
            gr.Warning(FEEDBACK_NOT_SAVED, title="Feedback")
            return False
        return True


def _picked(event: gr.SelectData) -> str:
    value = event.value
    if isinstance(value, dict):
        return str(value.get("text") or value.get("value") or "")
    return str(value or "")
