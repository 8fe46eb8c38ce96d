"""The public Python API, as the README shows it: ask, cite verbatim, refuse, follow up, stream, chain."""

from __future__ import annotations

import asyncio
import json

import pytest

from assistant import Answer, Assistant, Citation, QuestionError, Quotes
from assistant.citations import verify_citations
from assistant.config import PROJECT_ROOT


def assert_verbatim(bot: Assistant, answer: Answer) -> None:
    for citation in answer.citations:
        assert isinstance(citation, Citation)
        assert bot.documents[citation.source].text[citation.start : citation.end] == citation.quote
        assert f"[{citation.marker}]" in answer.text


def test_agencies_are_answered_with_a_verbatim_quote(bot: Assistant) -> None:
    answer = bot.ask("Which agencies does the statement mention?")
    assert not answer.refused
    assert "IOM" in answer.text and "UNHCR" in answer.text
    assert any("agencies like the IOM and UNHCR" in c.quote for c in answer.citations)
    assert answer.citations[0].title == "Migration: our shared agenda"
    assert_verbatim(bot, answer)


@pytest.mark.parametrize(
    "question",
    ["What is the capital of Australia?", "Give me a recipe for lasagne.", "Who won the 2022 FIFA World Cup?"],
)
def test_off_topic_questions_are_refused(bot: Assistant, question: str) -> None:
    answer = bot.ask(question)
    assert answer.refused
    assert answer.citations == []
    assert answer.text.startswith("The statement doesn't")


def test_a_false_premise_about_an_unlisted_country_is_refused(bot: Assistant) -> None:
    answer = bot.ask("Why did France sign the statement?")
    assert answer.refused and "France" in answer.text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What does the statement say about going after people traffickers?", "smuggl"),
        ("Which UN refugee agency is named?", "UNHCR"),
        ("Which human rights treaty is mentioned?", "European Convention on Human Rights"),
        ("In which city did the leaders meet?", "Copenhagen"),
    ],
)
def test_questions_in_other_words_find_the_passage(bot: Assistant, question: str, expected: str) -> None:
    answer = bot.ask(question)
    assert not answer.refused
    assert expected in answer.text
    assert_verbatim(bot, answer)


def test_counting_and_listing(bot: Assistant) -> None:
    countries = bot.ask("How many countries are behind the statement?")
    assert countries.text.startswith("15 (fifteen)")
    assert "Andorra" in countries.citations[0].quote
    themes = bot.ask("What are the key themes?")
    assert len(themes.citations) == 6  # the introduction and the heading of each of the five bullets
    assert "Take an unequivocal approach to returns" in themes.text


def test_a_follow_up_is_resolved_against_the_history(bot: Assistant) -> None:
    history = [("What does the statement say about returns?", "It calls for an unequivocal approach to returns.")]
    answer = bot.ask("What about smugglers?", history=history)
    assert answer.standalone_question == "What does the statement say about smugglers?"
    assert "smuggl" in answer.text.lower()
    alone = bot.ask("What about smugglers?")
    assert alone.standalone_question == "What about smugglers?"


def test_a_german_question_is_answered_from_the_english_text(bot: Assistant) -> None:
    answer = bot.ask("Welche Organisationen werden genannt?")
    assert not answer.refused
    assert "IOM" in answer.text
    assert_verbatim(bot, answer)


def test_every_citation_on_the_dev_set_is_verbatim(bot: Assistant) -> None:
    lines = (PROJECT_ROOT / "evals" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    for line in lines:
        case = json.loads(line)
        if case.get("corpus"):
            continue  # asked on another corpus (tests/test_evals.py runs those)
        answer = bot.ask(case["question"], history=[tuple(turn) for turn in case["history"]])
        if answer.refused:  # a refusal names its rule; it may cite only what the statement says nearby
            assert answer.refusal_reason, answer.text
        else:
            assert answer.citations, answer.text
        assert_verbatim(bot, answer)


def test_verify_citations_drops_a_forged_quote_and_its_marker(bot: Assistant) -> None:
    good = bot.ask("Which agencies does the statement mention?").citations[0]
    forged = good.model_copy(update={"marker": 2, "quote": "agencies like the WHO"})
    shifted = good.model_copy(update={"marker": 3, "start": good.start + 1})
    text, kept = verify_citations("IOM [1]. WHO [2]. X [3].", [good, forged, shifted], bot.documents)
    assert kept == [good]
    assert text == "IOM [1]. WHO. X."


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("What\x00 about returns?", "NUL"),
        ("?!?!... ---", "no words"),
        ("🙂🙂🙂", "no words"),
        ("returns " * 2000, "too long"),
        (42, "must be text"),
    ],
)
def test_bad_questions_get_a_clear_error(bot: Assistant, question: object, message: str) -> None:
    with pytest.raises(QuestionError, match=message):
        bot.ask(question)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("history", "message"),
    [("not a list", "list of"), ([("only one",)], r"history\[0\]"), ([("q", "a")] * 500, "limit")],
)
def test_bad_history_gets_a_clear_error(bot: Assistant, history: object, message: str) -> None:
    with pytest.raises(QuestionError, match=message):
        bot.ask("What about returns?", history=history)  # type: ignore[arg-type]


LONE_SURROGATES = ["\udcff which agencies?", "Which agencies\ud800?", "\udfff"]


@pytest.mark.parametrize("question", LONE_SURROGATES)
def test_text_that_is_not_unicode_gets_the_same_reason_as_over_http(bot: Assistant, question: str) -> None:
    """A str can hold lone surrogates (JSON's "\\udcff", os.fsdecode of a bad byte): the tokenizer raised a bare
    TypeError; every Python surface now says what HTTP says (422) in one line."""
    with pytest.raises(QuestionError) as raised:
        bot.ask(question)
    assert str(raised.value) == "the text is not valid Unicode (it holds a lone surrogate); send UTF-8 text"
    with pytest.raises(QuestionError, match="not valid Unicode"):
        list(bot.stream(question))
    with pytest.raises(QuestionError, match="not valid Unicode"):
        bot.chain.invoke({"question": question})
    with pytest.raises(QuestionError, match="not valid Unicode"):
        list(bot.chain.stream(question))
    with pytest.raises(QuestionError, match="not valid Unicode"):
        asyncio.run(bot.chain.ainvoke({"question": question}))
    with pytest.raises(QuestionError, match=r"history\[0\]: the text is not valid Unicode"):
        bot.ask("What about returns?", history=[("Which agencies?", question)])


def test_hostile_but_valid_text_is_just_a_question(bot: Assistant) -> None:
    for question in ["'; DROP TABLE feedback; --", "$(rm -rf /)", "<img src=x onerror=alert(1)>", "مرحبا بكم"]:
        answer = bot.ask(question)
        assert answer.refused


def test_stream_yields_quotes_then_text_then_the_answer(bot: Assistant) -> None:
    quotes, *pieces = list(bot.stream("Which agencies does the statement mention?"))
    assert isinstance(quotes, Quotes) and quotes.citations
    *deltas, final = pieces
    assert all(isinstance(d, str) for d in deltas) and len(deltas) > 3
    assert isinstance(final, Answer) and "".join(deltas) == final.text


def test_the_chain_is_a_runnable(bot: Assistant) -> None:
    chain = bot.chain
    answer = chain.invoke({"question": "Where was the summit held?"})
    assert isinstance(answer, Answer) and "Copenhagen" in answer.text
    assert chain.invoke("Where was the summit held?").text == answer.text
    batch = chain.batch([{"question": "Which agencies does the statement mention?"}, {"question": "Capital of Peru?"}])
    assert [a.refused for a in batch] == [False, True]
    streamed = list(chain.stream({"question": "Which agencies does the statement mention?"}))
    assert isinstance(streamed[-1], Answer)
    assert asyncio.run(chain.ainvoke({"question": "Where was the summit held?"})).text == answer.text
    assert chain.get_input_jsonschema()["properties"]["question"]["type"] == "string"
    with pytest.raises(QuestionError):
        chain.invoke({"question": ""})


def test_the_chain_streams_asynchronously_piece_by_piece(bot: Assistant) -> None:
    async def collect() -> list[object]:
        return [piece async for piece in bot.chain.astream({"question": "What does the statement say about returns?"})]

    pieces = asyncio.run(collect())
    answer = pieces[-1]
    assert isinstance(answer, Answer) and not answer.refused
    text = [p for p in pieces[:-1] if isinstance(p, str)]
    assert len(text) > 1 and "".join(text) == answer.text
