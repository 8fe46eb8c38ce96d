"""The chat: streamed answers whose [n] markers link to their quotes, a collapsible "Sources" list, refusals that
point to questions the statement does answer, and thumbs up/down with an optional reason on every answer.

The conversation is our own HTML (assistant/web/conversation.py) in a gr.HTML, not Gradio's Chatbot, whose markup
fails WCAG 2.2 AA (see the README's accessibility statement); this module wires it to the Assistant.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from assistant.api import feedback_config
from assistant.assistant import Assistant
from assistant.config import Config
from assistant.errors import FeedbackUnavailable, QuestionError
from assistant.feedback import FeedbackStore
from assistant.limits import AnswerSlots, Busy, check_limits
from assistant.models import Answer, Quotes
from assistant.web.conversation import (
    CONVERSATION_JS,
    Live,
    Rating,
    Turn,
    comment_of,
    conversation_html,
    reason_of,
)
from assistant.web.document import SCROLL_JS, document_html

log = logging.getLogger(__name__)

EXAMPLES = (
    "Where was the summit held?",
    "Which countries signed the statement?",
    "Which agencies does the statement mention?",
    "What does it say about returns?",
    "What are the key themes?",
)
QUOTES_FOUND = "Quotes found: {count}. Writing the answer…"
QUOTES_NOTE = "Highlighted: the {count} quotes found for answer {turn}, while the answer is written."
SAVED_RATING = "Thanks! Your rating is saved."
SAVED_FEEDBACK = "Thanks! Your feedback is saved."
# Each event that re-renders the conversation shows its own progress (the live region's aria-busy, "Searching...")
_QUIET: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
FEEDBACK_NOT_SAVED = (
    "Sorry, your rating could not be saved right now (our feedback database is unavailable). Answers still work; "
    "please try again later."
)


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


def rated(turns: Sequence[Turn], index: int, rating: Rating | None) -> list[Turn]:
    """The turns with answer `index` rated `rating` (a new list: Gradio's state is never changed in place)."""
    return [dataclasses.replace(t, rating=rating) if i == index else t for i, t in enumerate(turns)]


def picked_example(event: gr.SelectData) -> str:
    """The example question a person picked (by its place in the list, never by text from the page)."""
    index = event.index
    return EXAMPLES[index] if isinstance(index, int) and 0 <= index < len(EXAMPLES) else ""


def picked_option(turns: list[Turn], event: gr.SelectData) -> str:
    """The suggested question a person picked under a refusal: index is [turn, suggestion]."""
    index = event.index
    if not (isinstance(index, list | tuple) and len(index) == 2 and all(isinstance(i, int) for i in index)):
        return ""
    turn, option = index
    suggestions = turns[turn].suggestions if 0 <= turn < len(turns) else ()
    return suggestions[option] if 0 <= option < len(suggestions) else ""


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
                self.chat = gr.HTML(
                    conversation_html([], EXAMPLES),
                    elem_id="chat",
                    js_on_load=CONVERSATION_JS,
                    label="Conversation",
                    container=True,
                    show_label=True,
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
        self.pending = gr.State(None)  # the answer whose thumbs down waits for its optional reason
        self._wire()

    def blank_document(self) -> str:
        return document_html(
            list(self.bot.documents.values()),
            note="Ask a question: the quotes behind the answer are highlighted here.",
        )

    def _wire(self) -> None:
        answer_outputs = [self.chat, self.question, self.turns, self.document, self.pending]
        answering: dict[str, Any] = {
            "concurrency_limit": self.config.max_concurrent_answers,
            "concurrency_id": "answer",
            **_QUIET,
        }
        inputs = [self.question, self.turns, self.pending]
        self.question.submit(self.respond, inputs, answer_outputs, **answering)
        self.ask.click(self.respond, inputs, answer_outputs, **answering)
        self.chat.example_select(picked_example, None, self.question, **_QUIET).then(
            self.respond, inputs, answer_outputs, **answering
        )
        self.chat.option_select(picked_option, self.turns, self.question, **_QUIET).then(
            self.respond, inputs, answer_outputs, **answering
        )
        self.chat.select(self.show_turn, self.turns, self.document, **_QUIET)
        self.chat.like(self.rate, [self.turns, self.pending], [self.chat, self.turns, self.pending], **_QUIET)
        self.chat.submit(self.send_reason, [self.turns, self.pending], [self.chat, self.pending], **_QUIET)
        self.new.click(self.reset, [self.turns, self.pending], answer_outputs, **_QUIET).then(
            None, js="() => document.querySelector('#question textarea')?.focus()"
        )

    def view(
        self,
        turns: Sequence[Turn],
        live: Live | None = None,
        pending: int | None = None,
        status: str = "",
        problem: bool = False,
    ) -> str:
        return conversation_html(turns, EXAMPLES, live, pending, status, problem)

    # --- event handlers ---
    def respond(self, question: str, turns: list[Turn], pending: int | None) -> Iterator[tuple[Any, ...]]:
        """Stream one answer into the chat, then its sources (or suggestions) and its highlights in the document.
        A question that cannot be answered now keeps its text in the box and says why in the status region."""
        self._flush(pending, turns)
        question = question or ""
        history = [(t.question, t.answer.text) for t in turns]
        history = history[-self.config.max_history_turns :] if self.config.max_history_turns else []

        def unanswered(why: str) -> tuple[Any, ...]:
            return self.view(turns, status=why, problem=True), question, turns, gr.skip(), None

        try:
            if not question.strip():
                raise QuestionError("Type a question first, or pick one of the examples.")
            check_limits(question, history, self.config)
        except QuestionError as error:
            yield unanswered(f"Please rephrase: {error}")
            return
        yield self.view(turns, Live(question)), "", turns, gr.skip(), None
        answer: Answer | None = None
        try:
            self.slots.acquire()
        except Busy as error:
            yield unanswered(f"The assistant is busy: {error}")
            return
        try:
            live = Live(question)
            status = ""
            for piece in self.bot.stream(question, history):
                if isinstance(piece, Answer):
                    answer = piece
                    continue
                if isinstance(piece, Quotes):  # the evidence first: shown (and highlighted) before the prose
                    live = dataclasses.replace(live, quotes=piece)
                    status = QUOTES_FOUND.format(count=len(piece.citations)) if piece.citations else ""
                    document = self.quotes_document(piece, len(turns))
                    yield self.view(turns, live, status=status), gr.skip(), gr.skip(), document, gr.skip()
                    continue
                live = dataclasses.replace(live, text=live.text + piece)
                yield self.view(turns, live, status=status), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        except QuestionError as error:
            yield unanswered(f"Please rephrase: {error}")
            return
        except Exception:
            log.exception("answering %r failed", question)
            yield unanswered("Something went wrong on our side. Please try again.")
            return
        finally:
            self.slots.release()
        assert answer is not None, "Assistant.stream ends with the Answer"
        suggestions = tuple(self.suggestions.near(answer)) if answer.refused else ()
        turn = Turn(question=answer.question, history=history, answer=answer, suggestions=suggestions)
        turns = [*turns, turn]
        yield self.view(turns), gr.skip(), turns, self.document_for(turns, len(turns) - 1), None

    def quotes_document(self, quotes: Quotes, turn: int) -> Any:
        """The document view with the quotes found for the answer being written (unchanged when there are none)."""
        if not quotes.citations:
            return gr.skip()
        note = QUOTES_NOTE.format(count=len(quotes.citations), turn=turn + 1)
        return document_html(list(self.bot.documents.values()), quotes.citations, turn, note)

    def document_for(self, turns: Sequence[Turn], turn: int) -> str:
        answer = turns[turn].answer
        count = len(answer.citations)
        if answer.refused or not count:
            note = f"Answer {turn + 1} quotes nothing: the statement does not answer that question."
        else:
            markers = " ".join(f"[{c.marker}]" for c in answer.citations)
            note = f"Highlighted: the {count} quote{'s' if count != 1 else ''} behind answer {turn + 1} ({markers})."
        return document_html(list(self.bot.documents.values()), answer.citations, turn, note)

    def show_turn(self, turns: list[Turn], event: gr.SelectData) -> Any:
        """Clicking an answer (or one of its [n]) shows that answer's quotes in the document view."""
        turn = event.index
        if not isinstance(turn, int) or not 0 <= turn < len(turns):
            return gr.skip()
        return self.document_for(turns, turn)

    def rate(self, turns: list[Turn], pending: int | None, event: gr.LikeData) -> tuple[Any, ...]:
        """Thumbs up is saved at once; thumbs down opens the optional reason, saved on Send or the next action.
        Pressing a pressed thumb takes the rating back (a thumbs down waiting for its reason is then not saved)."""
        turn = event.index
        if not isinstance(turn, int) or not 0 <= turn < len(turns):
            return gr.skip(), gr.skip(), gr.skip()
        wanted: Rating = "up" if event.liked is True else "down"
        if turns[turn].rating == wanted:
            pending = None if pending == turn else pending
            turns = rated(turns, turn, None)
            return self.view(turns, pending=pending), turns, pending
        self._flush(pending if pending != turn else None, turns)
        turns = rated(turns, turn, wanted)
        if wanted == "up":
            saved = self._save(turns[turn], "up")
            return self.view(turns, status=SAVED_RATING if saved else FEEDBACK_NOT_SAVED), turns, None
        return self.view(turns, pending=turn), turns, turn

    def send_reason(self, turns: list[Turn], pending: int | None, event: gr.EventData) -> tuple[Any, ...]:
        """The feedback form's Send: the reason must be one of the form's, the comment is cut to the store's limit."""
        status = ""
        if pending is not None and getattr(event, "index", None) == pending and 0 <= pending < len(turns):
            reason = reason_of(getattr(event, "reason", None))
            saved = self._save(turns[pending], "down", reason, comment_of(getattr(event, "comment", None)))
            status = SAVED_FEEDBACK if saved else FEEDBACK_NOT_SAVED
        return self.view(turns, status=status), None

    def reset(self, turns: list[Turn], pending: int | None) -> tuple[Any, ...]:
        self._flush(pending, turns)
        return self.view([]), "", [], self.blank_document(), None

    def _flush(self, pending: int | None, turns: Sequence[Turn]) -> None:
        """A thumbs-down left without a reason is still a rating: save it before moving on."""
        if pending is not None and 0 <= pending < len(turns):
            self._save(turns[pending], "down")

    def _save(self, turn: Turn, rating: Rating, reason: str | None = None, comment: str | None = None) -> bool:
        """Store a rating; when the feedback database is down, say so (the chat goes on) and return False."""
        try:
            self.store.add(rating, turn.answer, turn.history, reason, comment, feedback_config(self.config))
        except FeedbackUnavailable as error:
            log.warning("%s", error)
            return False
        return True
