"""End to end in Debian's headless Chromium (Playwright drives /usr/bin/chromium): what only a browser shows.

Screenshots go to test-artifacts/. The README's docs/screenshot.png is rewritten when it is missing or when
AGENDA_UPDATE_SCREENSHOT=1. Accessibility (axe-core, keyboard, screen-reader states) is in test_accessibility.py.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from assistant import Assistant, Config
from assistant.config import PROJECT_ROOT
from tests.browser_support import (
    ARTIFACTS,
    CHROMIUM,
    LAUNCH_ARGS,
    ask,
    asked,
    open_page,
    require_chromium,
    shot,
    wait_for_feedback,
)

pytestmark = pytest.mark.browser
require_chromium()

README_SCREENSHOT = PROJECT_ROOT / "docs" / "screenshot.png"
XSS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script><svg onload=alert(2)> What about returns?",
    "<a href='https://evil.example'>click</a> [link](javascript:alert(3)) ![x](https://evil.example/x.png) $$x$$",
]

# Keeps a copy of Gradio's event stream (fetch of /queue/data) in window.queueStream, to see partial updates arrive
RECORD_QUEUE_STREAM = """
window.queueStream = [];
const originalFetch = window.fetch;
window.fetch = async (...args) => {
  const response = await originalFetch(...args);
  const url = String((args[0] && args[0].url) || args[0]);
  if (!url.includes('/queue/data') || !response.body) return response;
  const [copy, original] = response.body.tee();
  (async () => {
    const reader = copy.getReader(), decoder = new TextDecoder();
    for (;;) {
      const {done, value} = await reader.read();
      if (done) break;
      window.queueStream.push(decoder.decode(value, {stream: true}));
    }
  })();
  return new Response(original, {status: response.status, statusText: response.statusText, headers: response.headers});
};
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 820})
    page = context.new_page()
    page.set_default_timeout(20_000)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs  # type: ignore[attr-defined]
    page.add_init_script(RECORD_QUEUE_STREAM)
    page.goto(live_server)
    page.wait_for_selector("#question textarea")
    yield page
    context.close()


def test_a_streamed_answer_links_its_quotes_to_highlights_and_takes_feedback(
    page: Page, bot: Assistant, web_config: Config
) -> None:
    header = page.locator("#intro").inner_text()
    assert "Migration: our shared agenda" in header and "2 October 2025" in header
    assert "only from the statement" in header
    question = "Which agencies does the statement mention?"
    ask(page, question)
    # the browser received the answer in pieces: several partial updates of the answer before the final one
    stream = "".join(page.evaluate("window.queueStream"))
    partial = [m for m in stream.split("\n\n") if '"process_generating"' in m and 'class=\\"answer\\"' in m]
    assert len(partial) >= 3, f"the answer did not stream: {len(partial)} partial updates"

    answer = page.locator("#chat .answer").last
    expect(answer.locator("a.cite").first).to_be_visible()
    assert "IOM" in answer.inner_text()

    # the collapsed "Sources" list names the document and holds the exact quote
    sources = page.locator("#chat button.sources-toggle").last
    assert "Migration: our shared agenda" in sources.inner_text()
    expect(page.locator("#chat ol.sources").last).to_be_hidden()
    sources.click()
    quote_item = page.locator("#chat ol.sources li").first
    expect(quote_item).to_be_visible()
    expected = bot.ask(question)
    assert expected.citations[0].prose in quote_item.inner_text()

    # the document view highlights the quote, scrolled into its visible area
    mark = page.locator("#doc-view mark.quote").first
    expect(mark).to_be_visible()
    assert expected.citations[0].prose in " ".join(mark.inner_text().split())
    inside = page.evaluate(
        """() => {
          const box = document.querySelector('#doc-view .doc-text').getBoundingClientRect();
          const mark = document.querySelector('#doc-view mark.quote').getBoundingClientRect();
          return mark.top >= box.top - 1 && mark.top < box.bottom;
        }"""
    )
    assert inside, "the first highlight is not scrolled into the document view"
    shot(page, "answer-with-sources")
    _readme_screenshot(page)

    # thumbs down with a reason and a comment lands in SQLite
    page.locator("#chat button[aria-label='Dislike']").last.click()
    expect(page.locator("#feedback-form")).to_be_visible()
    page.locator("#feedback-reason label", has_text="Not supported by the quote").click()
    comment = f"browser-test {uuid.uuid4()}"
    page.fill("#feedback-comment", comment)
    page.click("#feedback-send")
    record = wait_for_feedback(web_config.feedback_db, comment=comment)
    assert (record.rating, record.reason, record.question) == ("down", "not supported by the quote", question)
    assert record.citations and record.citations[0]["quote"] == expected.citations[0].quote
    expect(page.locator("#feedback-form")).to_have_count(0)
    shot(page, "feedback-sent")

    # a follow-up keeps the context, and its thumbs up is saved at once
    ask(page, "What about returns?")
    page.locator("#chat button[aria-label='Like']").last.click()
    liked = wait_for_feedback(web_config.feedback_db, question="What about returns?")
    assert liked.rating == "up" and liked.history and liked.history[0][0] == question


def test_keyboard_opens_the_quote_of_an_earlier_answer(page: Page) -> None:
    ask(page, "What are the key themes?")
    ask(page, "Where was the summit held?")
    assert "answer 2" in page.locator("#doc-view .doc-legend").inner_text()
    link = page.locator("#chat a.cite[href='#cite-0-2']").first
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#doc-view .doc-legend').innerText.includes('answer 1')")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'cite-0-2'")
    focused = page.evaluate("document.activeElement.closest('mark') !== null")
    assert focused, "the focused quote label is not inside a highlight"
    shot(page, "quote-from-keyboard")

    page.click("#new-conversation")
    expect(page.locator("#chat .msg.user")).to_have_count(0)
    assert "Ask a question" in page.locator("#doc-view .doc-legend").inner_text()


def test_a_refusal_looks_different_and_suggests_questions_the_statement_answers(page: Page) -> None:
    ask(page, "What is the capital of France?")
    refusal = page.locator("#chat .refusal").last
    expect(refusal).to_be_visible()
    assert "Not answered by the statement" in refusal.inner_text()
    assert page.locator("#chat a.cite").count() == 0
    assert page.locator("#doc-view mark").count() == 0
    suggestions = page.locator("#chat button.option")
    assert suggestions.count() >= 1
    shot(page, "refusal")
    suggestion = suggestions.first.inner_text()
    suggestions.first.click()
    page.wait_for_function(
        "q => [...document.querySelectorAll('#chat .msg.user')].some(e => e.innerText.includes(q))",
        arg=suggestion,
    )
    page.wait_for_function("document.querySelector('#doc-view .doc-legend')?.innerText.includes('answer 2')")
    expect(page.locator("#doc-view mark.quote").first).to_be_visible()


def test_markup_from_a_person_is_shown_as_text(page: Page) -> None:
    for question in XSS:
        ask(page, question)
        assert asked(page) == question
    for area in ("#chat", "#doc-view"):
        assert page.locator(f"{area} img, {area} script, {area} svg[onload], {area} iframe").count() == 0
        links = page.locator(f"{area} a").evaluate_all("links => links.map(a => a.getAttribute('href') || '')")
        assert all(href.startswith("#cite-") for href in links), links
    page.wait_for_timeout(500)  # an onerror handler would have fired by now
    assert page.dialogs == []  # type: ignore[attr-defined]
    shot(page, "markup-as-text", full_page=True)


def test_the_page_works_at_360_px(browser: Browser, live_server: str) -> None:
    with open_page(browser, live_server, 360, 740) as page:
        ask(page, "What does it say about returns?")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        chat = page.locator("#chat").bounding_box()
        doc = page.locator("#doc-view").bounding_box()
        assert chat and doc and doc["y"] > chat["y"], "on a phone the document view comes below the chat"
        expect(page.locator("#doc-view mark.quote").first).to_be_visible()
        shot(page, "phone-360", full_page=True)


@pytest.mark.parametrize(("path", "rendered"), [("/docs", ".opblock-summary-path"), ("/redoc", "[data-section-id]")])
def test_the_api_docs_render_with_no_other_host(browser: Browser, live_server: str, path: str, rendered: str) -> None:
    """An offline server's /docs and /redoc: every request the page makes stays on this server, and it renders."""
    context = browser.new_context(viewport={"width": 1200, "height": 820})
    elsewhere: list[str] = []

    def only_this_server(route: Any) -> None:
        if route.request.url.startswith(live_server):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_server)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}{path}")
    page.wait_for_selector(rendered)
    expect(page.locator("body")).to_contain_text("/api/feedback")
    shot(page, f"api{path.replace('/', '-')}")
    assert elsewhere == [] and errors == []
    context.close()


def _readme_screenshot(page: Page) -> None:
    """A small PNG of the app answering with its highlighted quote, for the README."""
    if README_SCREENSHOT.exists() and os.environ.get("AGENDA_UPDATE_SCREENSHOT") != "1":
        return
    from PIL import Image

    raw = shot(page, "readme-raw")
    README_SCREENSHOT.parent.mkdir(exist_ok=True)
    with Image.open(raw) as image:
        small = image.convert("RGB").quantize(colors=128, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        small.save(README_SCREENSHOT, optimize=True)
    shutil.copy(README_SCREENSHOT, ARTIFACTS / "readme-screenshot.png")
