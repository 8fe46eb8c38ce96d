"""End to end in Debian's headless Chromium (Playwright drives /usr/bin/chromium): what only a browser shows.

Screenshots go to test-artifacts/. The README's docs/screenshot.png is rewritten when it is missing or when
AGENDA_UPDATE_SCREENSHOT=1.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import Assistant, Config
from assistant.config import PROJECT_ROOT
from assistant.feedback import FeedbackRecord, FeedbackStore

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("AGENDA_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
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

if not Path(CHROMIUM).exists():  # `make test` installs it; a missing browser is a failure, never a skip
    pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (or run `make test`)", pytrace=False)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
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


def ask(page: Page, question: str) -> None:
    """Type like a person (keyboard only) and wait until the answer is complete (the document view has followed)."""
    answers = page.locator("#chat [data-testid=bot]").count()
    page.focus("#question textarea")
    page.keyboard.insert_text(question)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#chat [data-testid=bot]').length > n"
        " && !document.querySelector('#chat .thinking')",
        arg=answers,
    )
    page.wait_for_function(
        "turn => document.querySelector('#doc-view .doc-legend')?.innerText.toLowerCase().includes('answer ' + turn)",
        arg=_turns(page),
    )


def _turns(page: Page) -> int:
    return page.locator("#chat [data-testid=user]").count()


def shot(page: Page, name: str, full_page: bool = False) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def wait_for_feedback(path: Path, comment: str | None = None, question: str | None = None) -> FeedbackRecord:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for record in FeedbackStore(path).list(limit=500):
            if (comment is None or record.comment == comment) and (question is None or record.question == question):
                return record
        time.sleep(0.1)
    raise AssertionError(f"no feedback with comment {comment!r} / question {question!r} in {path}")


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

    # the collapsed "Sources" message names the document and holds the exact quote
    sources = page.locator("#chat").get_by_text("Sources:", exact=False).last
    assert "Migration: our shared agenda" in sources.inner_text()
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
    page.wait_for_timeout(400)  # let the Sources accordion finish opening
    shot(page, "answer-with-sources")
    _readme_screenshot(page)

    # thumbs down with a reason and a comment lands in SQLite
    page.locator("#chat button[aria-label='Dislike']").last.click()
    expect(page.locator("#feedback-panel").first).to_be_visible()
    page.locator("#feedback-reason label", has_text="Not supported by the quote").click()
    comment = f"browser-test {uuid.uuid4()}"
    page.fill("#feedback-comment textarea", comment)
    page.click("#feedback-send")
    record = wait_for_feedback(web_config.feedback_db, comment=comment)
    assert (record.rating, record.reason, record.question) == ("down", "not supported by the quote", question)
    assert record.citations and record.citations[0]["quote"] == expected.citations[0].quote
    expect(page.locator("#feedback-panel").first).to_be_hidden()
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
    expect(page.locator("#chat [data-testid=user]")).to_have_count(0)
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
        "q => [...document.querySelectorAll('#chat [data-testid=user]')].some(e => e.innerText.includes(q))",
        arg=suggestion,
    )
    page.wait_for_function("document.querySelector('#doc-view .doc-legend')?.innerText.includes('answer 2')")
    expect(page.locator("#doc-view mark.quote").first).to_be_visible()


def test_markup_from_a_person_is_shown_as_text(page: Page) -> None:
    for question in XSS:
        ask(page, question)
        assert page.locator("#chat [data-testid=user]").last.inner_text().strip() == question
    for area in ("#chat", "#doc-view"):
        assert page.locator(f"{area} img, {area} script, {area} svg[onload], {area} iframe").count() == 0
        links = page.locator(f"{area} a").evaluate_all("links => links.map(a => a.getAttribute('href') || '')")
        assert all(href.startswith("#cite-") for href in links), links
    page.wait_for_timeout(500)  # an onerror handler would have fired by now
    assert page.dialogs == []  # type: ignore[attr-defined]
    shot(page, "markup-as-text", full_page=True)


def test_the_page_works_at_360_px(browser: Browser, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(live_server)
    page.wait_for_selector("#question textarea")
    ask(page, "What does it say about returns?")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    chat = page.locator("#chat").bounding_box()
    doc = page.locator("#doc-view").bounding_box()
    assert chat and doc and doc["y"] > chat["y"], "on a phone the document view comes below the chat"
    expect(page.locator("#doc-view mark.quote").first).to_be_visible()
    shot(page, "phone-360", full_page=True)
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
