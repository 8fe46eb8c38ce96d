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
from assistant.web.conversation import Turn
from assistant.web.document import describe, language_of
from assistant.web.texts import (
    N_,
    Page,
    language_choices,
    picked_language,
    request_language,
    tr,
    tr_html,
    trn_html,
)

CSS = (Path(__file__).parent / "style.css").read_text(encoding="utf-8")
# TRANSLATORS: the product's name (keep it, or write it the way your language would)
TITLE = N_("Agenda Assistant")
PRIVACY = N_(
    "Privacy: you don't sign in and we don't record who you are. When you rate an answer we store the rating, "
    "the reason and comment you give, the questions and answers of this conversation, and the time; nothing else. "
    "Please don't type personal details."
)
# Runs in the page (the header's js_on_load): the language menu asks the server for the page in another language (and
# puts ?lang= in the address, so a reload keeps it); each render sets <html lang> and the window title.
LANGUAGE_JS = """
const apply = () => {
  const menu = element.querySelector('form.lang-menu');
  if (!menu) return;
  document.documentElement.lang = menu.dataset.lang;
  if (menu.dataset.title) document.title = menu.dataset.title;
  if (window.agendaLanguageAsked) {
    window.agendaLanguageAsked = false;
    menu.querySelector('select')?.focus();
  }
};
element.addEventListener('submit', (event) => {
  const menu = event.target.closest('form.lang-menu');
  if (!menu) return;
  event.preventDefault();
  const lang = menu.querySelector('select').value;
  const url = new URL(window.location.href);
  url.searchParams.set('lang', lang);
  history.replaceState(history.state, '', url);
  window.agendaLanguageAsked = true;
  trigger('submit', {value: lang});
});
watch('value', apply);
apply();
"""


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
    with gr.Blocks(title=page_title(primary.title if primary else None, "en"), fill_width=False) as app:
        intro = gr.HTML(header_html(bot), elem_id="intro", padding=False, js_on_load=LANGUAGE_JS)
        chat = ChatView(bot, config, slots, store, suggestions)
        chat.build()
        privacy = gr.HTML(privacy_html("en"), elem_id="privacy")

        def localize(lang: str, turns: list[Turn], pending: int | None) -> tuple[Any, ...]:
            """Every fixed text of the page in `lang`, the conversation so far kept."""
            return lang, header_html(bot, lang), privacy_html(lang), *chat.localize(lang, turns, pending)

        def start(turns: list[Turn], pending: int | None, request: gr.Request) -> tuple[Any, ...]:
            """The page in the language of ?lang= (the menu puts it there), else of the browser's Accept-Language."""
            return localize(request_language(request), turns, pending)

        def switch(turns: list[Turn], pending: int | None, event: gr.EventData) -> tuple[Any, ...]:
            """The language menu: the page in the language picked (one of the menu's, else unchanged)."""
            lang = picked_language(event)
            return localize(lang, turns, pending) if lang else tuple(gr.skip() for _ in outputs)

        outputs = [chat.lang, intro, privacy, *chat.localized]
        app.load(start, [chat.turns, chat.pending], outputs, api_visibility="private", show_progress="hidden")
        intro.submit(switch, [chat.turns, chat.pending], outputs, api_visibility="private", show_progress="hidden")

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


def page_title(document_title: str | None, lang: str) -> str:
    """The window title: the product and the document it answers from."""
    title = tr(lang, TITLE)
    return f"{title}: {document_title}" if document_title else title


def privacy_html(lang: str) -> str:
    return f'<p class="privacy">{safe_html.text(tr(lang, PRIVACY))}</p>'


def language_menu_html(lang: str, title: str) -> str:
    """The language menu: a native select of the languages in their own names, and a button that applies it (no
    change of page on a mere selection). data-lang and data-title are for LANGUAGE_JS."""
    options = "".join(
        f'<option value="{code}" lang="{code}"{" selected" if code == lang else ""}>{safe_html.text(name)}</option>'
        for code, name in language_choices()
    )
    # TRANSLATORS: the label of the language menu
    label = safe_html.text(tr(lang, "Language"))
    # TRANSLATORS: the button that shows the page in the language picked in the menu
    apply = safe_html.text(tr(lang, "Change language"))
    return (
        f'<form class="lang-menu" data-lang="{lang}" data-title="{safe_html.text(title)}">'
        f'<label for="page-language">{label}</label><select id="page-language" name="lang">{options}</select>'
        f'<button type="submit" class="lang-apply">{apply}</button></form>'
    )


def header_html(bot: Assistant, lang: str = "en") -> str:
    """The page's header: the language menu, what this is, the documents it answers from, and its one rule."""
    document = _primary(bot)
    title = tr(lang, TITLE)
    menu = language_menu_html(lang, page_title(document.title if document else None, lang))
    if document is None:
        lede = safe_html.text(tr(lang, "No document is indexed yet."))
        return f'<header class="intro">{menu}<h1>{safe_html.text(title)}</h1><p class="lede">{lede}</p></header>'
    named = {"title": f'<strong lang="{language_of(document)}">“{safe_html.text(document.title)}”</strong>'}
    signatories = len(document.metadata.get("signatories") or [])
    if signatories:
        lede = trn_html(
            lang,
            "Ask about {title}, signed by the leaders of {n} country.",
            "Ask about {title}, signed by the leaders of {n} countries.",
            signatories,
            markup=named,
        )
    else:
        lede = tr_html(lang, "Ask about {title}.", markup=named)
    others = [d for d in bot.documents.values() if d.id != document.id]
    if others:
        titles = ", ".join(f'<span lang="{language_of(d)}">“{safe_html.text(d.title)}”</span>' for d in others)
        lede += " " + trn_html(
            lang,
            "It also answers from {n} more document: {titles}.",
            "It also answers from {n} more documents: {titles}.",
            len(others),
            markup={"titles": titles},
        )
    about = describe(document, lang)
    meta = f'<p class="doc-meta" lang="{language_of(document)}">{safe_html.text(about)}</p>' if about else ""
    rule = Page(lang, several=bool(others)).says(
        N_(
            "Answers come only from the statement, quoted word for word. Every [n] in an answer links to its quote, "
            "highlighted in the text of the statement. When the statement does not say, the assistant says so."
        ),
        N_(
            "Answers come only from these documents, quoted word for word. Every [n] in an answer links to its "
            "quote, highlighted in the document it comes from. When the documents do not say, the assistant says so."
        ),
    )
    return (
        f'<header class="intro">{menu}<h1>{safe_html.text(title)}</h1><p class="lede">{lede}</p>{meta}'
        f'<p class="rule">{safe_html.text(rule)}</p></header>'
    )
