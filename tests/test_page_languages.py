"""The page in German, Polish and Greek in real Chromium: the browser's Accept-Language picks the language, <html lang>
follows it, a question asked in that language is answered (its answer marked with its own language), a refusal and a
saved rating are said in it, the language menu switches the page (keeping the conversation, and ?lang= keeps it on
reload), and axe-core finds nothing on the translated pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from assistant import Config
from assistant.web.app import TITLE
from assistant.web.chat import SAVED_RATING, examples
from assistant.web.texts import tr, trn
from tests.browser_support import ask, open_page, require_chromium, shot, wait_for_feedback
from tests.test_accessibility import axe, report

pytestmark = pytest.mark.browser
require_chromium()

TITLE_OF_STATEMENT = "Migration: our shared agenda"
# The browser's language, and a question the statement does not answer, asked in it
BROWSERS = {
    "de": ("de-DE", "Was ist die Hauptstadt von Frankreich?"),
    "pl": ("pl-PL", "Jaka jest stolica Francji?"),
    "el": ("el-GR", "Ποια είναι η πρωτεύουσα της Γαλλίας;"),
}


def wait_for_language(page: Page, lang: str) -> None:
    page.wait_for_function("lang => document.documentElement.lang === lang", arg=lang)


@pytest.mark.parametrize("lang", BROWSERS)
def test_the_page_speaks_the_browsers_language(
    browser: Browser,
    live_server: str,
    web_config: Config,
    axe_source: str,
    lang: str,
) -> None:
    locale, refused = BROWSERS[lang]
    found = {}
    with open_page(browser, live_server, 1366, 900, locale=locale) as page:
        wait_for_language(page, lang)
        expect(page.locator("#intro h1")).to_have_text(tr(lang, TITLE))
        expect(page.locator("#ask")).to_have_text(tr(lang, "Ask"))
        expect(page.locator("#chat .welcome button.example").first).to_have_text(examples(lang)[0])
        assert page.title().startswith(tr(lang, TITLE))
        found["landing"] = axe(page, axe_source)

        ask(page, refused)
        refusal = page.locator("#chat .msg.bot").last.locator(".refusal")
        expect(refusal.locator(".refusal-head")).to_contain_text(tr(lang, "Not answered by the statement"))
        expect(refusal.locator("p[lang]")).to_have_attribute("lang", lang)
        found["refusal"] = axe(page, axe_source)
        # a new conversation: a question in another language is read against the one before it (see the report)
        page.locator("#new-conversation").click()
        expect(page.locator("#chat .msg")).to_have_count(0)

        question = examples(lang)[1]
        ask(page, question)
        answer = page.locator("#chat .msg.bot").last
        expect(answer.locator(".answer")).to_have_attribute("lang", lang)
        expect(answer.locator("a.cite").first).to_be_visible()
        quotes = answer.locator("ol.sources li").count()
        sources = trn(
            lang,
            "Sources: {n} quote from “{titles}”",
            "Sources: {n} quotes from “{titles}”",
            quotes,
            titles=TITLE_OF_STATEMENT,
        )
        expect(answer.locator("button.sources-toggle")).to_have_text(sources)
        expect(page.locator("#doc-view mark.quote").first).to_be_visible()
        found["answer"] = axe(page, axe_source)

        answer.locator("button.thumb-up").click()
        expect(page.locator("#chat .chat-status")).to_have_text(tr(lang, SAVED_RATING))
        assert wait_for_feedback(web_config.feedback_db, question=question).rating == "up"

        shot(page, f"page-{lang}", full_page=True)
    violations = {state: v for state, v in found.items() if v}
    assert not violations, f"axe-core on the page in {lang}:\n{report(violations)}"


def test_the_language_menu_switches_the_page_and_keeps_the_conversation(
    browser: Browser,
    live_server: str,
    axe_source: str,
) -> None:
    with open_page(browser, live_server, 1366, 900, locale="de-DE") as page:
        wait_for_language(page, "de")
        ask(page, examples("de")[0])
        # keyboard only: the menu's select, then its button
        page.focus("#page-language")
        page.select_option("#page-language", "el")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "lang-apply"
        page.keyboard.press("Enter")
        wait_for_language(page, "el")
        assert page.url.endswith("?lang=el")
        expect(page.locator("#ask")).to_have_text(tr("el", "Ask"))
        expect(page.locator("#question textarea")).to_have_attribute(
            "placeholder", tr("el", "e.g. {example}", example=examples("el")[3])
        )
        expect(page.locator("#chat .msg.user")).to_have_count(1)  # the conversation is still there, now in Greek
        expect(page.locator("#chat .thumbs").first).to_have_attribute(
            "aria-label", tr("el", "Rate answer {number}", number=1)
        )
        assert page.evaluate("document.activeElement.id") == "page-language"  # focus stays on the menu
        found = axe(page, axe_source)
        assert not found, report({"switched to Greek": found})
        page.reload()
        page.wait_for_selector("#question textarea")
        wait_for_language(page, "el")  # ?lang= wins over the browser's German
        expect(page.locator("#page-language")).to_have_value("el")


def test_screenshots_of_the_page_land_in_docs() -> None:
    """bench/screenshots.py writes docs/page-{de,pl,el}.png for the README (run it with `make screenshots`)."""
    for lang in BROWSERS:
        assert (Path(__file__).parent.parent / "docs" / f"page-{lang}.png").is_file(), lang
