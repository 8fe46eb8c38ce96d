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
from assistant.models import Answer, Citation, Quotes, QuoteTranslation, Step
from assistant.web import safe_html
from assistant.web.document import mark_id
from assistant.web.texts import ENGLISH, N_, Page, tr, trn

# Runs in the page (gr.HTML js_on_load): turns clicks into Gradio events and keeps focus where a keyboard user expects
CONVERSATION_JS = (Path(__file__).parent / "conversation.js").read_text(encoding="utf-8")

Rating = Literal["up", "down"]
# TRANSLATORS: the reasons a person may give for a thumbs down (a radio group)
REASON_CHOICES = (
    (N_("Wrong"), "wrong"),
    (N_("Not supported by the quote"), "not supported by the quote"),
    (N_("Missing something"), "missing something"),
    (N_("Something else"), "other"),
)
WELCOME = N_("Ask a question about the statement, or start with one of these:")
WELCOME_MANY = N_("Ask a question about the documents, or start with one of these:")
THINKING = N_("Searching the statement…")
THINKING_MANY = N_("Searching the documents…")
# TRANSLATORS: shown beneath the quotes already found while the answer is written
WRITING = N_("Writing the answer…")
# TRANSLATORS: shown beneath the quotes already found while the model translates the question into English, before it
# writes the answer
TRANSLATING = N_("Translating the question…")
# TRANSLATORS: heading of the quotes shown before the answer
QUOTES_HEAD = N_("Found in the statement")
QUOTES_HEAD_MANY = N_("Found in the documents")
# TRANSLATORS: heading of the quotes shown with a refusal (what the text says near the question's topic)
NEARBY_HEAD = N_("Nearby in the statement")
NEARBY_HEAD_MANY = N_("Nearby in the documents")
# TRANSLATORS: label before a model's translation of a quote into the asker's language, shown beneath the English
# original quote: say that it is a machine translation and that nobody checked it
TRANSLATION_LABEL = N_("Machine translation (unreviewed):")
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
    """The turn being answered: its question, the verified quotes once found (None while searching), what a model
    answerer is doing beneath them until its text comes (None: nothing to wait for, as with the extractive answer),
    the text streamed so far and the quotes' machine translations once made."""

    question: str
    text: str = ""
    quotes: Quotes | None = None
    translations: tuple[QuoteTranslation, ...] = ()
    step: Step | None = None


STEP_TEXTS: dict[Step, str] = {"translating": TRANSLATING, "writing": WRITING}


def step_text(step: Step | None, lang: str = "en") -> str:
    """What a model answerer is doing beneath the quotes, in the page language ("" for no step)."""
    return tr(lang, STEP_TEXTS[step]) if step is not None else ""


def conversation_html(
    turns: Sequence[Turn],
    examples: Sequence[str] = (),
    live: Live | None = None,
    feedback_for: int | None = None,
    status: str = "",
    problem: bool = False,
    page: Page = ENGLISH,
) -> str:
    """The chat component's HTML, its fixed text in `page`'s language. The order of its parts never changes (the log
    first, then the optional welcome, the status, then the optional form), so the page patches it in place and the
    live regions stay the same elements.

    `status` is a short message in the status region (polite): a saved rating, or, when `problem`, why a question
    was not answered (Gradio's error toasts nest a control in a control and vanish on a timer)."""
    busy = live is not None
    body = "".join(
        turn_html(turn, i, last=i == len(turns) - 1 and not busy, busy=busy, page=page) for i, turn in enumerate(turns)
    )
    if live is not None:
        body += question_html(live.question, page.lang) + live_answer_html(live, len(turns), page)
    welcome = welcome_html(examples, page) if not turns and not busy else ""
    form = (
        feedback_form_html(feedback_for, page.lang)
        if feedback_for is not None and 0 <= feedback_for < len(turns)
        else ""
    )
    # TRANSLATORS: read out (not shown) before a message saying why a question was not answered
    problem_label = safe_html.text(tr(page.lang, "Problem:"))
    warning = f'<span aria-hidden="true">⚠ </span><span class="sr-only">{problem_label} </span>'
    log_label = safe_html.text(tr(page.lang, "Conversation"))
    return (
        '<div class="chat-box">'
        f'<div class="log" role="log" aria-live="polite" aria-busy="{"true" if busy else "false"}" '
        f'aria-label="{log_label}">{body}</div>{welcome}</div>'
        f'<p class="chat-status{" problem" if problem and status else ""}" role="status">'
        f"{warning if problem and status else ''}{safe_html.text(status)}</p>{form}"
    )


def welcome_html(examples: Sequence[str], page: Page = ENGLISH) -> str:
    """The example questions (already in the page language) as buttons."""
    items = "".join(
        f'<li><button type="button" class="example" data-index="{i}">{safe_html.text(q)}</button></li>'
        for i, q in enumerate(examples)
    )
    label = safe_html.text(tr(page.lang, "Examples"))
    welcome = safe_html.text(page.says(WELCOME, WELCOME_MANY))
    return f'<section class="welcome" aria-label="{label}"><p>{welcome}</p><ul class="examples">{items}</ul></section>'


def question_html(question: str, lang: str = "en", language: str | None = None) -> str:
    """A question as asked; `language` (when known) is the language it was asked in."""
    text = safe_html.lines(question)
    if language:
        text = f'<span lang="{safe_html.text(language)}">{text}</span>'
    # TRANSLATORS: read out (not shown) before each question of the conversation
    asked = safe_html.text(tr(lang, "You asked:"))
    return f'<div class="msg user"><span class="sr-only">{asked} </span>{text}</div>'


def live_answer_html(live: Live, turn: int, page: Page = ENGLISH) -> str:
    """The answer being written: "Searching..." until the quotes are found, then the quotes, and beneath them the
    prose region (its room kept from the start, aria-busy until the answer is complete) where the text streams in,
    saying what a model is doing until then ("Translating the question...", "Writing the answer...")."""
    if live.quotes is None:
        thinking = safe_html.text(page.says(THINKING, THINKING_MANY))
        content = f'<p class="thinking">{thinking}</p>'
    else:
        doing = safe_html.text(step_text(live.step, page.lang))
        text = answer_html(live.text, turn, page=page) if live.text else f'<p class="thinking">{doing}</p>'
        quotes = quotes_html(live.quotes.citations, live.quotes.refused, page, live.translations)
        content = quotes + prose_html(text, busy=True)
    return f'<div class="msg bot live" data-turn="{turn}">{answer_label(turn, page.lang)}{content}</div>'


def quotes_html(
    citations: Sequence[Citation],
    refused: bool = False,
    page: Page = ENGLISH,
    translations: Sequence[QuoteTranslation] = (),
) -> str:
    """The verified quotes, shown above the prose as soon as they are found (and left where they are after), each
    with its machine translation beneath it once there is one."""
    if not citations:
        return ""
    head = safe_html.text(
        page.says(NEARBY_HEAD, NEARBY_HEAD_MANY) if refused else page.says(QUOTES_HEAD, QUOTES_HEAD_MANY)
    )
    several = len({c.title for c in citations}) > 1
    items = "".join(
        f"<li>“{safe_html.text(c.prose)}”"
        + (f' <span class="source-title">— {safe_html.text(c.title)}</span>' if several else "")
        + translation_html(c, translations, page.lang)
        + "</li>"
        for c in citations
    )
    return f'<section class="quotes" aria-label="{head}"><p class="quotes-head">{head}</p><ul>{items}</ul></section>'


def translation_html(citation: Citation, translations: Sequence[QuoteTranslation], lang: str = "en") -> str:
    """A quote's machine translation, if it has one: labelled as such in the page language, marked with its own
    language, and set apart from the quote (no quotation marks: these are not the document's words)."""
    translation = next((t for t in translations if t.translates(citation)), None)
    if translation is None:
        return ""
    label = safe_html.text(tr(lang, TRANSLATION_LABEL))
    return (
        f'<span class="quote-translation"><span class="translation-label">{label}</span> '
        f'<span lang="{safe_html.text(translation.language)}">{safe_html.text(translation.text)}</span></span>'
    )


def prose_html(content: str, busy: bool = False) -> str:
    """The region the answer's text streams into, beneath the quotes."""
    return f'<div class="answer-body" aria-busy="{"true" if busy else "false"}">{content}</div>'


def answer_label(turn: int, lang: str = "en") -> str:
    # TRANSLATORS: read out (not shown) before each answer; {number} counts the answers from 1
    label = safe_html.text(tr(lang, "Answer {number}:", number=turn + 1))
    return f'<span class="sr-only">{label} </span>'


def language_of(answer: Answer) -> str | None:
    """The language of an answer: the one its question was asked in (lingua's ISO 639-1 code), when known."""
    code = answer.analysis.language if answer.analysis else None
    return code if code and code.isascii() and code.isalpha() and len(code) <= 3 else None


def turn_html(turn: Turn, index: int, last: bool = True, busy: bool = False, page: Page = ENGLISH) -> str:
    """A question, then its answer with the Sources disclosure, suggestions (refusals, last turn only) and thumbs
    (which wait while the next answer streams: a rating then would race the answer for the conversation's state)."""
    answer = turn.answer
    markers = {c.marker for c in answer.citations}
    language = language_of(answer)
    parts = [
        answer_label(index, page.lang),
        quotes_html(answer.quotes, answer.refused, page, answer.translations),
        prose_html(answer_html(answer.text, index, markers, answer.refused, page, language)),
        sources_html(answer, index, page.lang) if answer.citations else "",
        suggestions_html(turn.suggestions, page) if answer.refused and last and turn.suggestions else "",
        thumbs_html(index, turn.rating, disabled=busy, lang=page.lang),
    ]
    return question_html(turn.question, page.lang, language) + (
        f'<div class="msg bot" data-turn="{index}">{"".join(parts)}</div>'
    )


def cite_link(turn: int, marker: int, lang: str = "en") -> str:
    """[n] as a link to its highlighted quote in the document view."""
    quote = safe_html.text(tr(lang, "quote"))
    return (
        f'<a class="cite" href="#{mark_id(turn, marker)}"><span class="sr-only" lang="{lang}">{quote} </span>'
        f"[{marker}]</a>"
    )


def answer_html(
    text: str,
    turn: int,
    markers: set[int] | None = None,
    refused: bool = False,
    page: Page = ENGLISH,
    language: str | None = None,
) -> str:
    """The answer text as HTML, marked with its own `language`; each [n] (of `markers`, or every one while
    streaming) links to its quote. A refusal's heading and hint are the page's, in the page language."""
    out, position = [], 0
    for match in _MARKER.finditer(text):
        out.append(safe_html.lines(text[position : match.start()]))
        number = int(match.group(1))
        if markers is None or number in markers:
            out.append(cite_link(turn, number, page.lang))
        else:
            out.append(safe_html.text(match.group()))
        position = match.end()
    out.append(safe_html.lines(text[position:]))
    body = "".join(out)
    said = f' lang="{safe_html.text(language)}"' if language else ""
    if not refused:
        return f'<div class="answer"{said}>{body}</div>'
    head = page.says(N_("Not answered by the statement"), N_("Not answered by the documents"))
    hint = page.says(
        N_("The assistant answers only from the statement. Try a question it covers."),
        N_("The assistant answers only from these documents. Try a question they cover."),
    )
    return (
        f'<div class="refusal"><p class="refusal-head"><span aria-hidden="true">⚠ </span>{safe_html.text(head)}</p>'
        f"<p{said}>{body}</p>"
        f'<p class="refusal-hint">{safe_html.text(hint)}</p></div>'
    )


def sources_title(answer: Answer, lang: str = "en") -> str:
    titles = "”, “".join(dict.fromkeys(c.title for c in answer.citations))
    # TRANSLATORS: the button that opens an answer's quotes; {titles} are the documents' titles
    return trn(
        lang,
        "Sources: {n} quote from “{titles}”",
        "Sources: {n} quotes from “{titles}”",
        len(answer.citations),
        titles=titles,
    )


def sources_html(answer: Answer, turn: int, lang: str = "en") -> str:
    """The cited quotes, verbatim (each with its machine translation, if any), behind a disclosure button (collapsed;
    the page remembers which are open)."""
    several = len({c.title for c in answer.citations}) > 1
    items = "".join(
        f"<li>{cite_link(turn, c.marker, lang)} “{safe_html.text(c.prose)}”"
        + (f' <span class="source-title">— {safe_html.text(c.title)}</span>' if several else "")
        + translation_html(c, answer.translations, lang)
        + "</li>"
        for c in answer.citations
    )
    return (
        f'<div class="sources-box"><button type="button" class="sources-toggle" aria-expanded="false" '
        f'aria-controls="sources-{turn}"><span class="chevron" aria-hidden="true"></span>'
        f"{safe_html.text(sources_title(answer, lang))}</button>"
        f'<ol class="sources" id="sources-{turn}" hidden>{items}</ol></div>'
    )


def suggestions_html(suggestions: Sequence[str], page: Page = ENGLISH) -> str:
    buttons = "".join(
        f'<li><button type="button" class="option" data-index="{i}">{safe_html.text(q)}</button></li>'
        for i, q in enumerate(suggestions)
    )
    label = page.says(N_("Questions the statement answers"), N_("Questions the documents answer"))
    return f'<ul class="suggestions" aria-label="{safe_html.text(label)}">{buttons}</ul>'


def thumbs_html(turn: int, rating: Rating | None, disabled: bool = False, lang: str = "en") -> str:
    """Thumbs up and down: toggle buttons whose state is aria-pressed (the name stays the same)."""

    def thumb(name: str, value: Rating) -> str:
        label = safe_html.text(name)
        pressed = "true" if rating == value else "false"
        turned = ' transform="rotate(180 12 12)"' if value == "down" else ""
        off = " disabled" if disabled else ""
        return (
            f'<button type="button" class="thumb thumb-{value}" data-rating="{value}" aria-pressed="{pressed}" '
            f'aria-label="{label}" title="{label}"{off}>{_THUMB.format(turn=turned)}</button>'
        )

    group = safe_html.text(tr(lang, "Rate answer {number}", number=turn + 1))
    # TRANSLATORS: the names of the thumbs up and thumbs down buttons under an answer
    like, dislike = tr(lang, "Like"), tr(lang, "Dislike")
    return f'<div class="thumbs" role="group" aria-label="{group}">{thumb(like, "up")}{thumb(dislike, "down")}</div>'


def feedback_form_html(turn: int, lang: str = "en") -> str:
    """The optional reason for a thumbs down: one radio group (arrow keys move within it) with a legend, a comment."""
    reasons = "".join(
        f'<label class="reason"><input type="radio" name="feedback-reason" value="{safe_html.text(value)}"> '
        f"{safe_html.text(tr(lang, label))}</label>"
        for label, value in REASON_CHOICES
    )
    number = turn + 1
    form = safe_html.text(tr(lang, "Feedback on answer {number}", number=number))
    legend = safe_html.text(tr(lang, "What was wrong with answer {number}? (optional)", number=number))
    comment = safe_html.text(tr(lang, "Anything to add? (optional, please no personal details)"))
    send = safe_html.text(tr(lang, "Send feedback"))
    return (
        f'<form class="feedback" id="feedback-form" data-turn="{turn}" aria-label="{form}">'
        f'<fieldset id="feedback-reason"><legend>{legend}</legend>{reasons}</fieldset>'
        f'<label class="comment-label" for="feedback-comment">{comment}</label>'
        f'<textarea id="feedback-comment" name="comment" rows="2" maxlength="{MAX_TEXT}"></textarea>'
        f'<button type="submit" class="agenda-primary" id="feedback-send">{send}</button></form>'
    )


def reason_of(value: object) -> str | None:
    """A reason sent by the page, if it is one of the form's choices (anything else is no reason)."""
    return value if isinstance(value, str) and value in {v for _, v in REASON_CHOICES} else None


def comment_of(value: object) -> str | None:
    """A comment sent by the page, trimmed and cut to the store's limit; blank is none."""
    if not isinstance(value, str):
        return None
    return value.strip()[:MAX_TEXT] or None
