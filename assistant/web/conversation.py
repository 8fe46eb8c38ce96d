"""The conversation as HTML, built here rather than by Gradio's Chatbot so that it meets WCAG 2.2 AA: one persistent
live region (aria-busy while an answer streams), real buttons for the Sources disclosure (aria-expanded), the thumbs
(aria-pressed) and the suggested questions, and a feedback form whose reasons are one radio group with a legend.

Pure functions of the conversation's state; assistant/web/chat.py wires them to events, conversation.js runs them in
the page. Everything from a person, a document or the model goes through safe_html.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from assistant.feedback import MAX_TEXT
from assistant.models import Answer, Citation, Quotes
from assistant.web import safe_html
from assistant.web.document import mark_id

# Runs in the page (gr.HTML js_on_load): turns clicks into Gradio events and keeps focus where a keyboard user expects
CONVERSATION_JS = (Path(__file__).parent / "conversation.js").read_text(encoding="utf-8")

Rating = Literal["up", "down"]
REASON_CHOICES = (
    ("Wrong", "wrong"),
    ("Not supported by the quote", "not supported by the quote"),
    ("Missing something", "missing something"),
    ("Something else", "other"),
)
WELCOME = "Ask a question about the statement, or start with one of these:"
THINKING = "Searching the statement…"
WRITING = "Writing the answer…"
QUOTES_HEAD = "Found in the statement"
NEARBY_HEAD = "Nearby in the statement"
_PROBLEM = '<span aria-hidden="true">⚠ </span><span class="sr-only">Problem: </span>'
_MARKER = re.compile(r"\[(\d+)\]")
# One thumb (a 24-unit path); the thumbs down is the same shape turned over
_THUMB = (
    '<svg aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="18" height="18"><g{turn}>'
    '<path fill="currentColor" d="M2 10h4v11H2zM8 21h9.4a2 2 0 0 0 2-1.6l1.5-7.2A2 2 0 0 0 19 9.8h-5.4l.8-3.9'
    'a1.9 1.9 0 0 0-3.3-1.6L8 9.4z"/></g></svg>'
)


@dataclass(frozen=True)
class Turn:
    """One question and its answer, with the history it was asked in (what feedback stores) and how it is shown."""

    question: str
    history: list[tuple[str, str]]
    answer: Answer
    suggestions: tuple[str, ...] = ()  # for a refusal: questions the statement does answer
    rating: Rating | None = None


@dataclass(frozen=True)
class Live:
    """The turn being answered: its question, the verified quotes once found (None while searching) and the text
    streamed so far."""

    question: str
    text: str = ""
    quotes: Quotes | None = None


def conversation_html(
    turns: Sequence[Turn],
    examples: Sequence[str] = (),
    live: Live | None = None,
    feedback_for: int | None = None,
    status: str = "",
    problem: bool = False,
) -> str:
    """The chat component's HTML. The order of its parts never changes (the log first, then the optional welcome, the
    status, then the optional form), so the page patches it in place and the live regions stay the same elements.

    `status` is a short message in the status region (polite): a saved rating, or, when `problem`, why a question
    was not answered (Gradio's error toasts nest a control in a control and vanish on a timer)."""
    busy = live is not None
    body = "".join(turn_html(turn, i, last=i == len(turns) - 1 and not busy, busy=busy) for i, turn in enumerate(turns))
    if live is not None:
        body += question_html(live.question) + live_answer_html(live, len(turns))
    welcome = welcome_html(examples) if not turns and not busy else ""
    form = feedback_form_html(feedback_for) if feedback_for is not None and 0 <= feedback_for < len(turns) else ""
    return (
        '<div class="chat-box">'
        f'<div class="log" role="log" aria-live="polite" aria-busy="{"true" if busy else "false"}" '
        f'aria-label="Conversation">{body}</div>{welcome}</div>'
        f'<p class="chat-status{" problem" if problem and status else ""}" role="status">'
        f"{_PROBLEM if problem and status else ''}{safe_html.text(status)}</p>{form}"
    )


def welcome_html(examples: Sequence[str]) -> str:
    items = "".join(
        f'<li><button type="button" class="example" data-index="{i}">{safe_html.text(q)}</button></li>'
        for i, q in enumerate(examples)
    )
    return f'<section class="welcome" aria-label="Examples"><p>{WELCOME}</p><ul class="examples">{items}</ul></section>'


def question_html(question: str) -> str:
    return f'<div class="msg user"><span class="sr-only">You asked: </span>{safe_html.lines(question)}</div>'


def live_answer_html(live: Live, turn: int) -> str:
    """The answer being written: "Searching..." until the quotes are found, then the quotes, and beneath them the
    prose region (its room kept from the start, aria-busy until the answer is complete) where the text streams in."""
    if live.quotes is None:
        content = f'<p class="thinking">{THINKING}</p>'
    else:
        text = answer_html(live.text, turn) if live.text else f'<p class="thinking">{WRITING}</p>'
        content = quotes_html(live.quotes.citations, live.quotes.refused) + prose_html(text, busy=True)
    return (
        f'<div class="msg bot live" data-turn="{turn}"><span class="sr-only">Answer {turn + 1}: </span>{content}</div>'
    )


def quotes_html(citations: Sequence[Citation], refused: bool = False) -> str:
    """The verified quotes, shown above the prose as soon as they are found (and left where they are after)."""
    if not citations:
        return ""
    head = NEARBY_HEAD if refused else QUOTES_HEAD
    several = len({c.title for c in citations}) > 1
    items = "".join(
        f"<li>“{safe_html.text(c.prose)}”"
        + (f' <span class="source-title">— {safe_html.text(c.title)}</span>' if several else "")
        + "</li>"
        for c in citations
    )
    return f'<section class="quotes" aria-label="{head}"><p class="quotes-head">{head}</p><ul>{items}</ul></section>'


def prose_html(content: str, busy: bool = False) -> str:
    """The region the answer's text streams into, beneath the quotes."""
    return f'<div class="answer-body" aria-busy="{"true" if busy else "false"}">{content}</div>'


def turn_html(turn: Turn, index: int, last: bool = True, busy: bool = False) -> str:
    """A question, then its answer with the Sources disclosure, suggestions (refusals, last turn only) and thumbs
    (which wait while the next answer streams: a rating then would race the answer for the conversation's state)."""
    answer = turn.answer
    markers = {c.marker for c in answer.citations}
    parts = [
        f'<span class="sr-only">Answer {index + 1}: </span>',
        quotes_html(answer.quotes, answer.refused),
        prose_html(answer_html(answer.text, index, markers, answer.refused)),
        sources_html(answer, index) if answer.citations else "",
        suggestions_html(turn.suggestions) if answer.refused and last and turn.suggestions else "",
        thumbs_html(index, turn.rating, disabled=busy),
    ]
    return question_html(turn.question) + f'<div class="msg bot" data-turn="{index}">{"".join(parts)}</div>'


def cite_link(turn: int, marker: int) -> str:
    """[n] as a link to its highlighted quote in the document view."""
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
        '<p class="refusal-hint">The assistant answers only from the statement. Try a question it covers.</p></div>'
    )


def sources_title(answer: Answer) -> str:
    titles = list(dict.fromkeys(c.title for c in answer.citations))
    count = len(answer.citations)
    return f"Sources: {count} quote{'s' if count != 1 else ''} from “{'”, “'.join(titles)}”"


def sources_html(answer: Answer, turn: int) -> str:
    """The cited quotes, verbatim, behind a disclosure button (collapsed; the page remembers which are open)."""
    several = len({c.title for c in answer.citations}) > 1
    items = "".join(
        f"<li>{cite_link(turn, c.marker)} “{safe_html.text(c.prose)}”"
        + (f' <span class="source-title">— {safe_html.text(c.title)}</span>' if several else "")
        + "</li>"
        for c in answer.citations
    )
    return (
        f'<div class="sources-box"><button type="button" class="sources-toggle" aria-expanded="false" '
        f'aria-controls="sources-{turn}"><span class="chevron" aria-hidden="true"></span>'
        f"{safe_html.text(sources_title(answer))}</button>"
        f'<ol class="sources" id="sources-{turn}" hidden>{items}</ol></div>'
    )


def suggestions_html(suggestions: Sequence[str]) -> str:
    buttons = "".join(
        f'<li><button type="button" class="option" data-index="{i}">{safe_html.text(q)}</button></li>'
        for i, q in enumerate(suggestions)
    )
    return f'<ul class="suggestions" aria-label="Questions the statement answers">{buttons}</ul>'


def thumbs_html(turn: int, rating: Rating | None, disabled: bool = False) -> str:
    """Thumbs up and down: toggle buttons whose state is aria-pressed (the name stays the same)."""

    def thumb(label: str, value: Rating) -> str:
        pressed = "true" if rating == value else "false"
        turned = ' transform="rotate(180 12 12)"' if value == "down" else ""
        off = " disabled" if disabled else ""
        return (
            f'<button type="button" class="thumb thumb-{value}" data-rating="{value}" aria-pressed="{pressed}" '
            f'aria-label="{label}" title="{label}"{off}>{_THUMB.format(turn=turned)}</button>'
        )

    return (
        f'<div class="thumbs" role="group" aria-label="Rate answer {turn + 1}">'
        f"{thumb('Like', 'up')}{thumb('Dislike', 'down')}</div>"
    )


def feedback_form_html(turn: int) -> str:
    """The optional reason for a thumbs down: one radio group (arrow keys move within it) with a legend, a comment."""
    reasons = "".join(
        f'<label class="reason"><input type="radio" name="feedback-reason" value="{safe_html.text(value)}"> '
        f"{safe_html.text(label)}</label>"
        for label, value in REASON_CHOICES
    )
    return (
        f'<form class="feedback" id="feedback-form" data-turn="{turn}" aria-label="Feedback on answer {turn + 1}">'
        f'<fieldset id="feedback-reason"><legend>What was wrong with answer {turn + 1}? (optional)</legend>'
        f"{reasons}</fieldset>"
        '<label class="comment-label" for="feedback-comment">Anything to add? (optional, please no personal details)'
        f'</label><textarea id="feedback-comment" name="comment" rows="2" maxlength="{MAX_TEXT}"></textarea>'
        '<button type="submit" class="agenda-primary" id="feedback-send">Send feedback</button></form>'
    )


def reason_of(value: object) -> str | None:
    """A reason sent by the page, if it is one of the form's choices (anything else is no reason)."""
    return value if isinstance(value, str) and value in {v for _, v in REASON_CHOICES} else None


def comment_of(value: object) -> str | None:
    """A comment sent by the page, trimmed and cut to the store's limit; blank is none."""
    if not isinstance(value, str):
        return None
    return value.strip()[:MAX_TEXT] or None
