"""The web app's HTML without a browser: escaping, highlights at the citations' offsets, messages, staff filters."""

from __future__ import annotations

import html
import os
import re
import time
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.feedback import FeedbackRecord
from assistant.models import Answer, Citation, Document, fold_whitespace
from assistant.web import safe_html
from assistant.web.app import header_html
from assistant.web.chat import EXAMPLES, Suggestions, section_questions
from assistant.web.conversation import (
    Live,
    Turn,
    answer_html,
    conversation_html,
    question_html,
    sources_html,
    turn_html,
)
from assistant.web.document import document_html, highlighted, mark_id
from assistant.web.staff import filter_feedback, latest_report

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "[link](javascript:alert(1)) ![x](https://evil.example/x.png)",
    "$$\\frac{1}{2}$$ ${alert(1)} {{x}} `code` *em* _u_",
    "<a href='https://evil.example'>x</a> &amp; \"quoted\"",
]


def visible_text(fragment: str) -> str:
    """What a browser shows for our HTML: tags dropped, <br> as a space, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment.replace("<br>", " ")))


def marked(fragment: str) -> dict[int, str]:
    """marker -> folded text of the <mark> it labels (quote labels removed)."""
    found = {}
    for body in re.findall(r'<mark class="quote">(.*?)</mark>', fragment, flags=re.S):
        labels = [int(n) for n in re.findall(r'<span class="quote-no" id="[^"]+" tabindex="-1">\[(\d+)\]</span>', body)]
        text = fold_whitespace(visible_text(re.sub(r'<span class="quote-no"[^>]*>\[\d+\]</span>', "", body)))
        for label in labels:
            found[label] = text
    return found


@pytest.mark.parametrize("hostile", HOSTILE)
def test_safe_html_leaves_no_markup_and_shows_the_same_characters(hostile: str) -> None:
    escaped = safe_html.text(hostile)
    assert not set("<>[]()$`{}*_\"'") & set(escaped)
    assert html.unescape(escaped) == hostile


@pytest.mark.parametrize("hostile", HOSTILE)
def test_chat_messages_escape_what_a_person_typed(hostile: str) -> None:
    content = question_html(hostile + "\nsecond line")
    assert "<" not in re.sub(r'<br>|</?div[^>]*>|<span class="sr-only">|</span>', "", content)
    assert visible_text(content) == "You asked: " + hostile + " second line"


def test_answer_markers_link_to_their_quotes_and_nothing_else_is_markup() -> None:
    text = "It says <img src=x onerror=alert(1)> [1] and [2], not [9]."
    rendered = answer_html(text, turn=3, markers={1, 2})
    links = re.findall(r'<a class="cite" href="#([^"]+)">', rendered)
    assert links == [mark_id(3, 1), mark_id(3, 2)]
    assert "<img" not in rendered and "&#91;9&#93;" in rendered
    assert 'class="refusal"' in answer_html("No.", 0, set(), refused=True)


def test_highlights_wrap_exactly_the_cited_offsets_even_across_line_breaks() -> None:
    text = "Title\n\nFirst para-\n graph <b>here</b>.\n- item one\n continues\n- item two"
    start = text.index("graph")
    spans = [(start, text.index("- item one") + 5, 1), (text.index("item two"), len(text), 2)]
    rendered = highlighted(text, spans, turn=0)
    found = marked(rendered)
    assert found[1] == fold_whitespace(text[spans[0][0] : spans[0][1]])
    assert found[2] == "item two"
    assert "<b>" not in rendered and "&#60;b&#62;here" in rendered
    assert visible_text(re.sub(r'<span class="quote-no"[^>]*>\[\d+\]</span>', "", rendered)).split() == text.split()


def test_overlapping_quotes_share_a_mark_and_each_keeps_its_anchor() -> None:
    text = "one two three four five"
    rendered = highlighted(text, [(4, 13, 1), (8, 18, 2)], turn=1)
    assert f'id="{mark_id(1, 1)}"' in rendered and f'id="{mark_id(1, 2)}"' in rendered
    assert rendered.count("<mark") == 3  # "two ", "three" (both), " four"


def test_document_view_marks_every_citation_of_a_real_answer(bot: Assistant) -> None:
    answer = bot.ask("What are the key themes?")
    assert len(answer.citations) >= 2
    rendered = document_html(list(bot.documents.values()), answer.citations, turn=0, note="legend")
    found = marked(rendered)
    for citation in answer.citations:
        assert citation.prose in found[citation.marker]


def test_document_text_from_the_corpus_is_escaped() -> None:
    document = Document(
        id="d", title="<img src=x onerror=alert(1)>", text="Hi <script>alert(1)</script>", path="d.txt", sha256=""
    )
    citation = Citation(marker=1, quote="<script>", source="d", title=document.title, start=3, end=11)
    rendered = document_html([document], [citation], turn=0)
    assert "<script" not in rendered and "<img" not in rendered
    assert marked(rendered) == {1: "<script>"}


def test_sources_are_collapsed_behind_a_named_button_with_an_escaped_title(bot: Assistant) -> None:
    answer = bot.ask("Which agencies does the statement mention?")
    hostile = answer.model_copy(
        update={"citations": [c.model_copy(update={"title": "<img src=x>"}) for c in answer.citations]}
    )
    rendered = sources_html(hostile, turn=0)
    toggle = re.search(r'<button type="button" class="sources-toggle" ([^>]*)>(.*?)</button>', rendered)
    assert toggle and 'aria-expanded="false"' in toggle.group(1) and 'aria-controls="sources-0"' in toggle.group(1)
    assert "<img" not in rendered and visible_text(toggle.group(2)).startswith("Sources: ")
    assert '<ol class="sources" id="sources-0" hidden>' in rendered
    assert answer.citations[0].prose in visible_text(rendered)


def test_a_refusal_offers_nearby_suggestions_and_no_sources(bot: Assistant) -> None:
    refusal = bot.ask("What does the statement say about returning people to Mars?")
    assert refusal.refused
    suggestions = Suggestions.from_retrieval(bot, ["Where was the summit held?", "What does it say about returns?"])
    near = suggestions.near(refusal)
    assert near[0] == "What does it say about returns?"
    rendered = turn_html(Turn(refusal.question, [], refusal, tuple(near)), 0)
    options = re.findall(r'<button type="button" class="option" data-index="\d+">(.*?)</button>', rendered)
    assert [html.unescape(o) for o in options] == near and "sources-toggle" not in rendered


def test_every_suggested_question_is_answered_from_the_statement(bot: Assistant) -> None:
    for question in [*EXAMPLES, *section_questions(bot)]:
        answer = bot.ask(question)
        assert not answer.refused and answer.citations, question


def test_the_live_region_comes_first_and_is_busy_only_while_an_answer_streams(bot: Assistant) -> None:
    """The page patches the conversation in place, part by part in order: the log must stay its first part."""
    answer = bot.ask("Where was the summit held?")
    done = [Turn(answer.question, [], answer, rating="down")]
    for rendered, busy in (
        (conversation_html([], EXAMPLES), "false"),
        (conversation_html(done, EXAMPLES, Live("And the date?", "On 2 Oct")), "true"),
        (conversation_html(done, EXAMPLES, feedback_for=0), "false"),
    ):
        assert rendered.startswith('<div class="chat-box"><div class="log" role="log" aria-live="polite" ')
        assert f'aria-busy="{busy}"' in rendered
    assert 'class="example"' in conversation_html([], EXAMPLES) and 'class="example"' not in rendered
    assert re.search(r'class="thumb thumb-down" data-rating="down" aria-pressed="true"', rendered)
    assert "<fieldset" in rendered and rendered.count('name="feedback-reason"') == 4
    assert " disabled" in conversation_html(done, live=Live("Next?")) and " disabled" not in rendered


def test_header_says_what_this_is(bot: Assistant) -> None:
    header = visible_text(header_html(bot))
    assert "Migration: our shared agenda" in header
    assert "European Political Community Summit" in header and "2 October 2025" in header
    assert "only from the statement" in header


def _record(rating: str, reason: str | None, question: str) -> FeedbackRecord:
    answer = Answer(text="a", refused=False, question=question, standalone_question=question)
    return FeedbackRecord(rating=rating, reason=reason, question=question, answer=answer.text, refused=False)  # type: ignore[arg-type]


def test_staff_filters_by_reason_and_text() -> None:
    records = [_record("down", "wrong", "Where?"), _record("down", None, "Who signed?"), _record("up", None, "When?")]
    assert [r.question for r in filter_feedback(records, "wrong")] == ["Where?"]
    assert [r.question for r in filter_feedback(records, "none")] == ["Who signed?", "When?"]
    assert [r.question for r in filter_feedback(records, "any", "SIGNED")] == ["Who signed?"]


def test_latest_report_is_the_newest_html_report(tmp_path: Path) -> None:
    assert latest_report(tmp_path / "missing") is None
    old, new, other = tmp_path / "report.html", tmp_path / "holdout" / "report.html", tmp_path / "summary.json"
    new.parent.mkdir()
    for path, age in ((old, 600), (new, 60), (other, 10)):
        path.write_text("{}")
        os.utime(path, (time.time() - age, time.time() - age))
    assert latest_report(tmp_path) == new


def test_a_refusal_that_cites_what_the_statement_says_nearby_shows_that_quote(bot: Assistant) -> None:
    refusal = bot.ask("When will the sanctions regimes come into force?")
    assert refusal.refused and refusal.refusal_reason == "detail_absent" and refusal.citations
    rendered = turn_html(Turn(refusal.question, [], refusal), 0)
    assert "sources-toggle" in rendered and refusal.citations[0].prose in visible_text(rendered)
