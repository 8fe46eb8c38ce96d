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
from assistant.models import Answer, Progress, Quotes, Step, Translations
from assistant.web.conversation import (
    CONVERSATION_JS,
    Live,
    Rating,
    Turn,
    comment_of,
    conversation_html,
    reason_of,
    step_text,
)
from assistant.web.document import SCROLL_JS, document_html
from assistant.web.texts import N_, Page, tr, trn

log = logging.getLogger(__name__)

# TRANSLATORS: the example questions, asked when clicked: each must stay a plain question the statement answers
# (tests ask every one of them in each language and fail on a refusal)
EXAMPLES = (
    N_("Where was the summit held?"),
    N_("Which countries signed the statement?"),
    N_("Which agencies does the statement mention?"),
    N_("What does it say about returns?"),
    N_("What are the key themes?"),
)
# TRANSLATORS: status line while the answer is written beneath the quotes already found
QUOTES_FOUND = N_("Quotes found: {count}. Writing the answer…")
# TRANSLATORS: status line while the model translates the question into English beneath the quotes already found
# (it writes the answer next)
QUOTES_FOUND_TRANSLATING = N_("Quotes found: {count}. Translating the question…")
FIRST_STEP_STATUS: dict[Step, str] = {"translating": QUOTES_FOUND_TRANSLATING, "writing": QUOTES_FOUND}
# TRANSLATORS: the document view's note while answer {turn} is written; {count} quotes are highlighted
QUOTES_NOTE = N_("Highlighted: the {count} quotes found for answer {turn}, while the answer is written.")
SAVED_RATING = N_("Thanks! Your rating is saved.")
SAVED_FEEDBACK = N_("Thanks! Your feedback is saved.")
# Each event that re-renders the conversation shows its own progress (the live region's aria-busy, "Searching...")
_QUIET: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
FEEDBACK_NOT_SAVED = N_(
    "Sorry, your rating could not be saved right now (our feedback database is unavailable). Answers still work; "
    "please try again later."
)


def step_status(live: Live, step: Step, lang: str) -> str:
    """The status line (read out) as a model answerer starts a step beneath the quotes of `live`: its first step is
    led by the number of quotes found."""
    count = len(live.quotes.citations) if live.quotes is not None else 0
    if live.step is not None or not count:
        return step_text(step, lang)
    return tr(lang, FIRST_STEP_STATUS[step], count=count)


def examples(lang: str) -> tuple[str, ...]:
    """The example questions in a language (its catalog's translations; English without one)."""
    return tuple(tr(lang, question) for question in EXAMPLES)


def suggestions_in(questions: Sequence[str], lang: str) -> tuple[str, ...]:
    """Suggested questions to show on a page in `lang`. In English, all of them; in another language, the example
    questions in that language (each checked to be answered there), as the section questions exist only in English."""
    if lang == "en":
        return tuple(questions)
    return tuple(tr(lang, question) for question in questions if question in EXAMPLES)


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


def picked_example(lang: str, event: gr.SelectData) -> str:
    """The example question a person picked, in the page language (by its place in the list, never by text from the
    page)."""
    index = event.index
    return examples(lang)[index] if isinstance(index, int) and 0 <= index < len(EXAMPLES) else ""


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

    def page(self, lang: str) -> Page:
        return Page(lang, several=len(self.bot.documents) > 1)

    # --- layout ---
    def build(self) -> None:
        with gr.Row(equal_height=False, elem_id="main"):
            with gr.Column(scale=3, min_width=300, elem_id="chat-column"):
                self.chat = gr.HTML(
                    conversation_html([], EXAMPLES, page=self.page("en")),
                    elem_id="chat",
                    js_on_load=CONVERSATION_JS,
                    label="Conversation",
                    container=True,
                    show_label=True,
                )
                with gr.Row(elem_id="ask-row"):
                    self.question = gr.Textbox(
                        label="Your question",
                        placeholder=self.placeholder("en"),
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
                    self.blank_document("en"),
                    elem_id="doc-view",
                    js_on_load=SCROLL_JS,
                    label=self.document_label("en"),
                    container=True,
                    show_label=True,
                )
        self.turns = gr.State([])
        self.pending = gr.State(None)  # the answer whose thumbs down waits for its optional reason
        self.lang = gr.State("en")  # the page language (app.py sets it when the page loads, the menu changes it)
        self._wire()

    def blank_document(self, lang: str = "en") -> str:
        return document_html(
            list(self.bot.documents.values()),
            note=tr(lang, "Ask a question: the quotes behind the answer are highlighted here."),
            lang=lang,
        )

    def document_label(self, lang: str) -> str:
        return self.page(lang).says(N_("The statement"), N_("The documents"))

    def placeholder(self, lang: str) -> str:
        # TRANSLATORS: the question box's placeholder; {example} is one of the example questions
        return tr(lang, "e.g. {example}", example=examples(lang)[3])

    @property
    def localized(self) -> list[Any]:
        """The components whose fixed text depends on the page language (see localize)."""
        return [self.chat, self.question, self.ask, self.new, self.document]

    def localize(self, lang: str, turns: Sequence[Turn], pending: int | None) -> tuple[Any, ...]:
        """The chat column and the document view in `lang`, the conversation so far kept."""
        document = self.document_for(turns, len(turns) - 1, lang) if turns else self.blank_document(lang)
        return (
            gr.HTML(self.view(turns, pending=pending, lang=lang), label=tr(lang, "Conversation")),
            gr.Textbox(label=tr(lang, "Your question"), placeholder=self.placeholder(lang)),
            gr.Button(tr(lang, "Ask")),
            gr.Button(tr(lang, "New conversation")),
            gr.HTML(document, label=self.document_label(lang)),
        )

    def _wire(self) -> None:
        answer_outputs = [self.chat, self.question, self.turns, self.document, self.pending]
        answering: dict[str, Any] = {
            "concurrency_limit": self.config.max_concurrent_answers,
            "concurrency_id": "answer",
            **_QUIET,
        }
        inputs = [self.question, self.turns, self.pending, self.lang]
        self.question.submit(self.respond, inputs, answer_outputs, **answering)
        self.ask.click(self.respond, inputs, answer_outputs, **answering)
        self.chat.example_select(picked_example, self.lang, self.question, **_QUIET).then(
            self.respond, inputs, answer_outputs, **answering
        )
        self.chat.option_select(picked_option, self.turns, self.question, **_QUIET).then(
            self.respond, inputs, answer_outputs, **answering
        )
        self.chat.select(self.show_turn, [self.turns, self.lang], self.document, **_QUIET)
        self.document.select(self.show_document, [self.turns, self.lang], self.document, **_QUIET)
        rating = [self.turns, self.pending, self.lang]
        self.chat.like(self.rate, rating, [self.chat, self.turns, self.pending], **_QUIET)
        self.chat.submit(self.send_reason, rating, [self.chat, self.pending], **_QUIET)
        self.new.click(self.reset, rating, answer_outputs, **_QUIET).then(
            None, js="() => document.querySelector('#question textarea')?.focus()"
        )

    def view(
        self,
        turns: Sequence[Turn],
        live: Live | None = None,
        pending: int | None = None,
        status: str = "",
        problem: bool = False,
        lang: str = "en",
    ) -> str:
        return conversation_html(turns, examples(lang), live, pending, status, problem, self.page(lang))

    # --- event handlers ---
    def respond(
        self, question: str, turns: list[Turn], pending: int | None, lang: str = "en"
    ) -> Iterator[tuple[Any, ...]]:
        """Stream one answer into the chat, then its sources (or suggestions) and its highlights in the document.
        A question that cannot be answered now keeps its text in the box and says why in the status region."""
        self._flush(pending, turns)
        question = question or ""
        history = [(t.question, t.answer.text) for t in turns]
        history = history[-self.config.max_history_turns :] if self.config.max_history_turns else []

        def unanswered(why: str) -> tuple[Any, ...]:
            return self.view(turns, status=why, problem=True, lang=lang), question, turns, gr.skip(), None

        try:
            if not question.strip():
                raise QuestionError(tr(lang, "Type a question first, or pick one of the examples."))
            check_limits(question, history, self.config)
        except QuestionError as error:
            yield unanswered(tr(lang, "Please rephrase: {reason}", reason=error))
            return
        yield self.view(turns, Live(question), lang=lang), "", turns, gr.skip(), None
        answer: Answer | None = None
        try:
            self.slots.acquire()
        except Busy as error:
            yield unanswered(tr(lang, "The assistant is busy: {reason}", reason=error))
            return
        try:
            live = Live(question)
            status = ""
            for piece in self.bot.stream(question, history, progress=True):
                if isinstance(piece, Answer):
                    answer = piece
                    continue
                if isinstance(piece, Quotes):  # the evidence first: shown (and highlighted) before the prose
                    live = dataclasses.replace(live, quotes=piece)
                    document = self.quotes_document(piece, len(turns), lang)
                    yield self.view(turns, live, status=status, lang=lang), gr.skip(), gr.skip(), document, gr.skip()
                    continue
                if isinstance(piece, Progress):  # a model at work beneath the quotes: said, and read out
                    status = step_status(live, piece.step, lang)
                    live = dataclasses.replace(live, step=piece.step)
                    yield self.view(turns, live, status=status, lang=lang), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                    continue
                if isinstance(piece, Translations):  # after the prose: each beneath its quote, labelled
                    live = dataclasses.replace(live, translations=tuple(piece.translations))
                    yield self.view(turns, live, status=status, lang=lang), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                    continue
                live = dataclasses.replace(live, text=live.text + piece)
                yield self.view(turns, live, status=status, lang=lang), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        except QuestionError as error:
            yield unanswered(tr(lang, "Please rephrase: {reason}", reason=error))
            return
        except Exception:
            log.exception("answering %r failed", question)
            yield unanswered(tr(lang, "Something went wrong on our side. Please try again."))
            return
        finally:
            self.slots.release()
        assert answer is not None, "Assistant.stream ends with the Answer"
        near = self.suggestions.near(answer, len(self.suggestions.questions)) if answer.refused else []
        suggestions = suggestions_in(near, lang)[:3]
        turn = Turn(question=answer.question, history=history, answer=answer, suggestions=suggestions)
        turns = [*turns, turn]
        yield self.view(turns, lang=lang), gr.skip(), turns, self.document_for(turns, len(turns) - 1, lang), None

    def quotes_document(self, quotes: Quotes, turn: int, lang: str = "en") -> Any:
        """The document view with the quotes found for the answer being written (unchanged when there are none)."""
        if not quotes.citations:
            return gr.skip()
        note = tr(lang, QUOTES_NOTE, count=len(quotes.citations), turn=turn + 1)
        return document_html(list(self.bot.documents.values()), quotes.citations, turn, note, lang)

    def document_for(self, turns: Sequence[Turn], turn: int, lang: str = "en", shown: str | None = None) -> str:
        answer = turns[turn].answer
        count = len(answer.citations)
        if answer.refused or not count:
            note = self.page(lang).says(
                N_("Answer {number} quotes nothing: the statement does not answer that question."),
                N_("Answer {number} quotes nothing: the documents do not answer that question."),
                number=turn + 1,
            )
        else:
            markers = " ".join(f"[{c.marker}]" for c in answer.citations)
            note = trn(
                lang,
                "Highlighted: {n} quote behind answer {number} ({markers}).",
                "Highlighted: {n} quotes behind answer {number} ({markers}).",
                count,
                number=turn + 1,
                markers=markers,
            )
        return document_html(list(self.bot.documents.values()), answer.citations, turn, note, lang, shown)

    def show_turn(self, turns: list[Turn], lang: str, event: gr.SelectData) -> Any:
        """Clicking an answer (or one of its [n]) shows that answer's quotes in the document view."""
        turn = event.index
        if not isinstance(turn, int) or not 0 <= turn < len(turns):
            return gr.skip()
        return self.document_for(turns, turn, lang)

    def show_document(self, turns: list[Turn], lang: str, event: gr.SelectData) -> Any:
        """A document button in the document view: that document, with the quotes of the answer shown (if any)."""
        turn, wanted = event.index, event.value
        if not isinstance(wanted, str) or wanted not in self.bot.documents:
            return gr.skip()
        if isinstance(turn, int) and 0 <= turn < len(turns):
            return self.document_for(turns, turn, lang, wanted)
        note = tr(lang, "Ask a question: the quotes behind the answer are highlighted here.")
        return document_html(list(self.bot.documents.values()), note=note, lang=lang, shown=wanted)

    def rate(self, turns: list[Turn], pending: int | None, lang: str, event: gr.LikeData) -> tuple[Any, ...]:
        """Thumbs up is saved at once; thumbs down opens the optional reason, saved on Send or the next action.
        Pressing a pressed thumb takes the rating back (a thumbs down waiting for its reason is then not saved)."""
        turn = event.index
        if not isinstance(turn, int) or not 0 <= turn < len(turns):
            return gr.skip(), gr.skip(), gr.skip()
        wanted: Rating = "up" if event.liked is True else "down"
        if turns[turn].rating == wanted:
            pending = None if pending == turn else pending
            turns = rated(turns, turn, None)
            return self.view(turns, pending=pending, lang=lang), turns, pending
        self._flush(pending if pending != turn else None, turns)
        turns = rated(turns, turn, wanted)
        if wanted == "up":
            saved = self._save(turns[turn], "up")
            status = tr(lang, SAVED_RATING if saved else FEEDBACK_NOT_SAVED)
            return self.view(turns, status=status, lang=lang), turns, None
        return self.view(turns, pending=turn, lang=lang), turns, turn

    def send_reason(self, turns: list[Turn], pending: int | None, lang: str, event: gr.EventData) -> tuple[Any, ...]:
        """The feedback form's Send: the reason must be one of the form's, the comment is cut to the store's limit."""
        status = ""
        if pending is not None and getattr(event, "index", None) == pending and 0 <= pending < len(turns):
            reason = reason_of(getattr(event, "reason", None))
            saved = self._save(turns[pending], "down", reason, comment_of(getattr(event, "comment", None)))
            status = tr(lang, SAVED_FEEDBACK if saved else FEEDBACK_NOT_SAVED)
        return self.view(turns, status=status, lang=lang), None

    def reset(self, turns: list[Turn], pending: int | None, lang: str = "en") -> tuple[Any, ...]:
        self._flush(pending, turns)
        return self.view([], lang=lang), "", [], self.blank_document(lang), None

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
