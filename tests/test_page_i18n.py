"""The page in the asker's language: its catalogs match the page's messages, the language comes from ?lang= or
Accept-Language, example questions are answered in their language, and several documents are named, not "the
statement". The browser side (html lang, the language menu, axe) is in tests/test_page_languages.py."""

from __future__ import annotations

import ast
import html
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from assistant import i18n
from assistant.config import PROJECT_ROOT
from assistant.web import texts

WEB = PROJECT_ROOT / "assistant" / "web"
LOCALES = PROJECT_ROOT / "assistant" / "locales"
POT = LOCALES / "page.pot"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=locale)


def msgids_in_code(paths: Iterable[Path] | None = None) -> set[str | tuple[str, str]]:
    """Every message the page's code (or the modules `paths`) passes to tr/trn/tr_html/trn_html/N_ as a literal, found
    with Python's own parser (so a call inside an f-string, which Babel's extractor does not see, is found too)."""
    found: set[str | tuple[str, str]] = set()
    for path in WEB.glob("*.py") if paths is None else paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in texts.KEYWORDS):
                continue
            positions = texts.KEYWORDS[node.func.id] or (1,)
            args = [node.args[p - 1] if p - 1 < len(node.args) else None for p in positions]
            values = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in args]
            if any(v is None for v in values):
                continue  # a variable: its value is a constant marked with N_ where it is defined
            found.add(values[0] if len(values) == 1 else (values[0], values[1]))  # type: ignore[arg-type]
    return found


def catalog_ids(catalog: Catalog) -> set[str | tuple[str, str]]:
    return {m.id for m in catalog if m.id}  # type: ignore[misc]


def test_every_message_of_the_page_is_in_the_template() -> None:
    in_code = msgids_in_code()
    assert len(in_code) > 50
    missing = in_code - catalog_ids(read_catalog(POT))
    assert not missing, f"not in {POT.name} (run `make messages`): {sorted(map(str, missing))}"


def page_catalogs() -> list[Path]:
    return sorted(LOCALES.glob("*/LC_MESSAGES/page.po"))


def test_every_language_whose_questions_are_told_apart_has_a_page_catalog() -> None:
    """A page catalog's example questions must be answered in its language (see below), so every language the question
    analysis can tell apart has one (Maltese too: lingua has no model for it, its letters and articles tell it)."""
    from assistant.answer.question import detectable_languages

    have = {path.parent.parent.name for path in page_catalogs()}
    assert {"de", "pl", "el", "fr", "es", "it", "ka", "mt"} <= have
    assert have == (set(i18n.LANGUAGES) & detectable_languages()) - {"en"}


@pytest.mark.parametrize("path", page_catalogs(), ids=lambda p: p.parent.parent.name)
def test_a_page_catalog_translates_every_message_with_the_same_placeholders(path: Path) -> None:
    """Each language is complete or absent: every msgid of page.pot translated, none fuzzy, placeholders kept."""
    lang = path.parent.parent.name
    catalog = read_catalog(path, lang)
    template = read_catalog(POT)
    missing = catalog_ids(template) - catalog_ids(catalog)
    assert not missing, f"{lang}: missing {missing}"
    for message in template:
        if not message.id:
            continue
        translated = catalog[message.id]
        assert translated is not None and not translated.fuzzy, (lang, message.id)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = translated.string if isinstance(translated.string, tuple) else (translated.string,)
        assert len(strings) == catalog.num_plurals if isinstance(message.id, tuple) else len(strings) == 1
        wanted = set(PLACEHOLDER.findall(" ".join(ids))) - ({"n"} if isinstance(message.id, tuple) else set())
        for string in strings:
            assert string.strip(), (lang, message.id)
            assert wanted <= set(PLACEHOLDER.findall(string)) <= wanted | {"n"}, (lang, message.id, string)
            assert string.count("[n]") == " ".join(ids).count("[n]"), (lang, message.id, string)


STAFF_MESSAGES = msgids_in_code([WEB / "staff.py"])
# The staff messages a language writes as English does: the same word
SAME_AS_ENGLISH: dict[str, set[str]] = {"ca": {"error"}, "es": {"error"}, "fr": {"question"}}


@pytest.mark.parametrize("path", page_catalogs(), ids=lambda p: p.parent.parent.name)
def test_a_page_catalog_translates_the_staff_view(path: Path) -> None:
    """The staff view (assistant/web/staff.py) is served in every page language: each of its messages translated in
    the catalog, and what tr() gives for it is that translation."""
    lang = path.parent.parent.name
    catalog = read_catalog(path, lang)
    assert len(STAFF_MESSAGES) >= 50
    english = set()
    for msgid in STAFF_MESSAGES:
        assert isinstance(msgid, str), msgid  # the staff view words nothing with a count
        message = catalog.get(msgid)
        assert message is not None and message.string and not message.fuzzy, (lang, msgid)
        assert texts.tr(lang, msgid) == message.string, (lang, msgid)
        if message.string == msgid:
            english.add(msgid)
    assert english <= SAME_AS_ENGLISH.get(lang, set()), f"{lang}: left in English: {sorted(english)}"


# --- the page language ---
def test_the_url_choice_wins_over_accept_language_and_unknown_codes_fall_back() -> None:
    german_browser = {"accept-language": "de-AT,de;q=0.9,en;q=0.5"}
    assert texts.page_language({}, german_browser) == "de"
    assert texts.page_language({"lang": "el"}, german_browser) == "el"
    assert texts.page_language({"lang": "pl-PL"}, {}) == "pl"
    assert texts.page_language({"lang": "xx"}, german_browser) == "de"  # not a language of the menu: the browser's
    assert texts.page_language({"lang": "<script>"}, {}) == "en"
    assert texts.page_language({}, {"accept-language": "ja, zh;q=0.8"}) == "en"


def test_the_language_menu_lists_every_language_by_its_own_name_and_selects_the_page_language() -> None:
    from assistant.web.app import language_menu_html

    menu = language_menu_html("pl", "Asystent Agenda")
    options = re.findall(r'<option value="(\w+)" lang="(\w+)"( selected)?>([^<]+)</option>', menu)
    assert [code for code, *_ in options] == sorted(i18n.LANGUAGES)
    assert all(code == lang for code, lang, *_ in options)
    assert [(code, name) for code, _, chosen, name in options if chosen] == [("pl", "polski")]
    assert 'data-lang="pl"' in menu and '<label for="page-language">Język</label>' in menu


@pytest.mark.parametrize(
    ("lang", "browser", "name", "ask"),
    [
        ("ca", "ca-ES,ca;q=0.9,es;q=0.7,en;q=0.5", "català", "Preguntar"),
        ("cy", "cy-GB,cy;q=0.9,en-GB;q=0.7", "Cymraeg", "Gofyn"),
    ],
)
def test_the_page_in_catalan_and_welsh_is_translated(bot, lang: str, browser: str, name: str, ask: str) -> None:
    """A Catalan or Welsh browser gets the page in its language: the menu names it, and the header, the welcome and the
    examples are the catalog's words, not the English ones."""
    from assistant.web.app import header_html, language_menu_html
    from assistant.web.chat import EXAMPLES, examples
    from assistant.web.conversation import conversation_html
    from assistant.web.texts import Page

    assert texts.page_language({}, {"accept-language": browser}) == lang
    assert i18n.LANGUAGES[lang] == name
    menu = language_menu_html(lang, texts.tr(lang, "Agenda Assistant"))
    assert f'<option value="{lang}" lang="{lang}" selected>{name}</option>' in menu
    assert texts.tr(lang, "Ask") == ask
    header = html.unescape(header_html(bot, lang))
    signed = (
        "Ask about {title}, signed by the leaders of {n} country.",
        "Ask about {title}, signed by the leaders of {n} countries.",
    )
    before, after = texts.trn(lang, *signed, 15, title="{title}").split("{title}")
    assert before in header and after in header and "Ask about" not in header
    welcome = html.unescape(conversation_html([], examples(lang), page=Page(lang)))
    invitation = "Ask a question about the statement, or start with one of these:"
    assert invitation not in welcome and texts.tr(lang, invitation) in welcome
    assert all(question in welcome for question in examples(lang))
    assert not set(examples(lang)) & set(EXAMPLES)


def test_messages_are_translated_with_their_placeholders_and_plurals() -> None:
    assert texts.tr("de", "Answer {number}:", number=3) == "Antwort 3:"
    assert texts.tr("xx", "Answer {number}:", number=3) == "Answer 3:"
    quotes = ("{n} quote", "{n} quotes")
    assert [texts.trn("pl", *quotes, n) for n in (1, 3, 5, 22)] == ["1 cytat", "3 cytaty", "5 cytatów", "22 cytaty"]
    assert texts.long_date("2025-10-02", "de") == "2. Oktober 2025" and texts.long_date("soon", "el") == "soon"


def test_html_messages_escape_the_text_and_keep_only_the_markup_given() -> None:
    filled = texts.fill_html("Ask <b>about</b> {title} & {n}", {"title": "<strong>T</strong>"}, n="<i>2</i>")
    assert filled == "Ask &#60;b&#62;about&#60;/b&#62; <strong>T</strong> &#38; &#60;i&#62;2&#60;/i&#62;"


def test_example_questions_and_suggestions_are_in_the_page_language() -> None:
    from assistant.web.chat import EXAMPLES, examples, suggestions_in

    assert examples("en") == EXAMPLES and examples("xx") == EXAMPLES
    assert examples("de")[0] == "Wo fand der Gipfel statt?" and len(set(examples("el"))) == len(EXAMPLES)
    section = "What does the statement say under “Returns”?"
    assert suggestions_in([section, EXAMPLES[3]], "en") == (section, EXAMPLES[3])
    assert suggestions_in([section, EXAMPLES[3]], "pl") == ("Co oświadczenie mówi o powrotach?",)


@pytest.mark.parametrize("lang", sorted(p.parent.parent.name for p in page_catalogs()))
def test_every_example_question_is_answered_in_its_language(bot, lang: str) -> None:
    """The real Assistant answers each translated example (a translation that gets refused fails here)."""
    from assistant.web.chat import examples

    for question in examples(lang):
        answer = bot.ask(question)
        assert not answer.refused and answer.citations, (lang, question, answer.text)
        assert answer.analysis is not None and answer.analysis.language == lang, (question, answer.analysis)


# --- several documents ---
def test_front_matter_is_not_shown_and_quotes_keep_their_place(tmp_path: Path) -> None:
    from assistant.corpus import read_document
    from assistant.models import Citation
    from assistant.web.document import body, document_html

    source = tmp_path / "plan.md"
    source.write_text("---\ntitle: Ferry plan\nlanguage: en\n---\n# Ferries\n\nThe ferry runs in winter.\n")
    document = read_document(source, tmp_path)
    text, offset = body(document)
    assert text.startswith("# Ferries") and document.text[offset:] == text
    start = document.text.index("runs in winter")
    quote = Citation(
        marker=1,
        quote="runs in winter",
        source=document.id,
        title=document.title,
        start=start,
        end=start + len("runs in winter"),
    )
    rendered = document_html([document], [quote], turn=0)
    assert "title:" not in rendered and "---" not in rendered
    assert re.search(r'<mark class="quote"><span class="quote-no"[^>]*>\[1\]</span>runs in winter</mark>', rendered)


def two_documents(tmp_path: Path):
    from assistant.corpus import read_document

    (tmp_path / "a.md").write_text("---\ntitle: Ferry plan\n---\nThe ferry runs in winter.\n")
    (tmp_path / "b.txt").write_text("Harbour rules\n\nBoats moor at the east quay.\n")
    return [read_document(tmp_path / "a.md", tmp_path), read_document(tmp_path / "b.txt", tmp_path)]


def test_the_document_view_names_each_document_and_switches_between_them(tmp_path: Path) -> None:
    from assistant.models import Citation
    from assistant.web.document import document_html

    ferry, harbour = two_documents(tmp_path)
    start = harbour.text.index("east quay")
    quote = Citation(marker=1, quote="east quay", source=harbour.id, title=harbour.title, start=start, end=start + 9)
    pressed = re.compile(r'data-doc="([^"]+)" data-turn="[^"]*" aria-pressed="true"')
    cited = document_html([ferry, harbour], [quote], turn=0, lang="de")
    assert pressed.findall(cited) == [harbour.id] and "(1 Zitat)" in html.unescape(cited)
    assert 'aria-label="Dokumente"' in cited
    assert "Ferry plan" in cited and "Boats moor" in cited and "ferry runs" not in cited
    switched = document_html([ferry, harbour], [quote], turn=0, shown=ferry.id)
    assert pressed.findall(switched) == [ferry.id] and "ferry runs" in switched and "<mark" not in switched
    assert "doc-pick" not in document_html([ferry])  # one document: nothing to switch


def test_with_several_documents_the_page_says_documents_not_the_statement(bot, tmp_path: Path) -> None:
    from types import SimpleNamespace

    from assistant.web.app import header_html
    from assistant.web.conversation import answer_html, conversation_html
    from assistant.web.texts import Page

    ferry, harbour = two_documents(tmp_path)
    several = SimpleNamespace(documents={d.id: d for d in (ferry, harbour)})
    header = header_html(several, "en")  # type: ignore[arg-type]
    assert "“Ferry plan”" in header and "“Harbour rules”" in header and "1 more document" in header
    assert "statement" not in header.replace("Statement", "")
    many = Page("en", several=True)
    assert "statement" not in conversation_html([], ("Q?",), page=many)
    assert "Not answered by the documents" in answer_html("No.", 0, set(), refused=True, page=many)
    assert "Nicht durch die Erklärung beantwortet" in answer_html("Nein.", 0, set(), True, Page("de"))
    assert "statement" in header_html(bot, "en")
