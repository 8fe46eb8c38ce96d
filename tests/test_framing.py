"""Answers in the asker's language: the framing comes from the "answers" catalogs, the quotes stay verbatim.

What the design guarantees, whatever the CPU: the text outside the quotes is in the question's language (judged
by lingua, as the eval harness judges it), each quote is a citation's verbatim text with its marker, and an English
question gets the English text unchanged.
"""

from __future__ import annotations

import pytest

from assistant import Assistant
from assistant.answer.base import Draft, Frame
from assistant.answer.framing import COUNT, NOT_MENTIONED, QUOTE, framed, framed_text, localise, quoted
from assistant.answer.question import analyse, detect_language
from assistant.evals.languages import own_words
from assistant.i18n import LANGUAGES
from assistant.models import Answer, Citation

CITATION = Citation(
    marker=1, quote="at the  European Political Community Summit", source="d", title="T", start=0, end=42
)


def outside_quotes(answer: Answer) -> str:
    """The answer's own words, as the eval harness judges them: without the cited quotes, markers and quotations."""
    return own_words(answer.text, [c.quote for c in answer.citations])


@pytest.mark.parametrize("code", sorted(set(LANGUAGES) - {"en"}))
def test_every_language_of_the_public_has_a_complete_answers_catalog(code: str) -> None:
    assert framed(code)


def test_english_and_languages_without_a_catalog_are_not_framed() -> None:
    assert not framed("en")
    assert not framed("zh")


def test_a_framed_answer_is_the_lead_then_each_quote_verbatim_with_its_marker() -> None:
    text = framed_text(Frame(QUOTE), [CITATION], refused=False, language="de")
    _lead, _, rest = text.partition(" ")
    assert "European Political Community Summit" in rest and rest.endswith("[1].")
    assert quoted(CITATION.quote, "de") in text  # whitespace folded, inside German quotation marks
    assert quoted("x", "de") != "“x”"


def test_a_count_is_said_with_the_plural_form_the_language_needs() -> None:
    one = framed_text(Frame(*COUNT, n=1), [CITATION], refused=False, language="pl")
    five = framed_text(Frame(*COUNT, n=5), [CITATION], refused=False, language="pl")
    assert "1" in one and "5" in five
    assert one.replace("1", "5") != five  # Polish words a count of one and of five differently


def test_a_refusal_names_what_was_asked_about_in_the_askers_language() -> None:
    text = framed_text(Frame(NOT_MENTIONED, subject="Frankreich"), [], refused=True, language="de")
    assert "Frankreich" in text and "statement" not in text


def test_an_english_question_keeps_the_english_text() -> None:
    draft = Draft("At the summit [1].", False, [CITATION], frame=Frame(QUOTE))
    question = analyse("Where was the summit held?", "Where was the summit held?")
    assert localise(draft, question) is draft


GERMAN = [
    "Wo fand der Gipfel statt?",
    "Wie viele Länder werden in der Erklärung genannt?",
    "Was ist das dritte Thema?",
    "Welche Organisationen werden genannt?",
]


@pytest.mark.parametrize("question", GERMAN)
def test_a_german_question_is_answered_in_german_around_verbatim_quotes(bot: Assistant, question: str) -> None:
    answer = bot.ask(question)
    assert not answer.refused, answer.text
    assert detect_language(outside_quotes(answer)) == "de", answer.text
    for citation in answer.citations:
        assert f"[{citation.marker}]" in answer.text
        assert bot.documents[citation.source].text[citation.start : citation.end] == citation.quote


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Welches Datum nennt die Erklärung für die erste Rückführung?", "de"),
        ("Ile pieniędzy przeznaczono na ochronę granic?", "pl"),
        ("Πόσα χρήματα θα δοθούν για τις επιστροφές μεταναστών;", "el"),
        ("Quants diners es destinen a les fronteres?", "ca"),
        ("Faint o arian sy'n cael ei wario ar ffiniau?", "cy"),
    ],
)
def test_a_refusal_is_in_the_askers_language(bot: Assistant, question: str, language: str) -> None:
    answer = bot.ask(question)
    assert answer.refused, answer.text
    assert detect_language(outside_quotes(answer)) == language, answer.text


@pytest.mark.parametrize(
    ("question", "language", "quoted_word"),
    [
        ("On es va celebrar la cimera?", "ca", "Copenhagen"),
        ("Quines agències esmenta la declaració?", "ca", "UNHCR"),
        ("Quins països van signar la declaració?", "ca", "Poland"),
        ("Ble cynhaliwyd yr uwchgynhadledd?", "cy", "Copenhagen"),
        ("Pa asiantaethau mae'r datganiad yn eu henwi?", "cy", "UNHCR"),
        ("Pa wledydd a lofnododd y datganiad?", "cy", "Poland"),
    ],
)
def test_a_catalan_or_welsh_question_is_answered_in_its_language_around_verbatim_quotes(
    bot: Assistant, question: str, language: str, quoted_word: str
) -> None:
    answer = bot.ask(question)
    assert not answer.refused, answer.text
    assert answer.analysis is not None and answer.analysis.language == language
    assert detect_language(outside_quotes(answer)) == language, answer.text
    assert quoted_word in " ".join(c.quote for c in answer.citations), answer.text
    for citation in answer.citations:  # each quote verbatim, inside the language's own quotation marks
        assert f"{quoted(citation.quote, language)} [{citation.marker}]" in answer.text, answer.text
        assert bot.documents[citation.source].text[citation.start : citation.end] == citation.quote
