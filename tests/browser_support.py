"""What the browser tests share: Debian's Chromium driven by Playwright, and asking the chat like a person does."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import pytest
from playwright.sync_api import Browser, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from assistant.config import PROJECT_ROOT
from assistant.feedback import FeedbackRecord, FeedbackStore

CHROMIUM = os.environ.get("AGENDA_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
# The conversation is one live region; an answer is complete when it stops being busy
ANSWER_DONE = (
    "n => document.querySelectorAll('#chat .msg.bot').length > n"
    " && document.querySelector('#chat .log')?.getAttribute('aria-busy') === 'false'"
)


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():  # `make test` installs it; a missing browser is a failure, never a skip
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (or run `make test`)", pytrace=False)


@contextmanager
def open_page(
    browser: Browser,
    url: str,
    width: int = 1200,
    height: int = 820,
    scheme: Literal["light", "dark"] = "light",
    locale: str | None = None,
) -> Iterator[Page]:
    """A fresh context (its own Gradio session) on the chat, ready for typing; Gradio follows the colour scheme, and
    `locale` (e.g. "de-DE") is the browser's language (its Accept-Language)."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=1, color_scheme=scheme, locale=locale
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(url)
    page.wait_for_selector("#question textarea")
    try:
        yield page
    finally:
        context.close()


def ask(page: Page, question: str) -> None:
    """Type like a person (keyboard only) and wait until the answer is complete (the document view has followed)."""
    answers = page.locator("#chat .msg.bot").count()
    page.focus("#question textarea")
    page.keyboard.insert_text(question)
    page.keyboard.press("Enter")
    started = time.monotonic()
    try:
        page.wait_for_function(ANSWER_DONE, arg=answers, timeout=60_000)
    except PlaywrightTimeout:
        shot(page, "no-answer", full_page=True)
        toasts = page.locator(".toast-body").all_inner_texts()
        chat = page.locator("#chat .log").inner_html()[-600:]
        waited = time.monotonic() - started
        raise AssertionError(f"no answer to {question!r} after {waited:.0f} s; {toasts=}; {chat=}") from None
    page.wait_for_function(
        "turn => document.querySelector('#doc-view .doc-legend')?.dataset.turn === String(turn)",
        arg=turns(page),
    )


def turns(page: Page) -> int:
    return page.locator("#chat .msg.user").count()


def asked(page: Page, index: int = -1) -> str:
    """The question of a turn as shown (without the words only a screen reader hears)."""
    return page.locator("#chat .msg.user").nth(index).inner_text().strip().removeprefix("You asked:").strip()


def shot(page: Page, name: str, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
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
