"""Evidence first, timed: how soon each answerer shows its verified quotes, beside the reference's first token.

A handful of dev questions (evenly spaced, first-time: the query cache is emptied before each), asked through
`Assistant.stream()`: the time to the first item (the verified quotes), to the first text piece and to the whole
answer, per answerer; the LangChain reference recipe's time to first token and whole answer on the same questions in
the same run. As many again evenly spaced over the questions not in English (with a model answerer these once
waited for the model's translation): the first quote's time over every question not in English that was asked.
Ours and the reference share one llama.cpp model and its prompt cache, so each goes in a block (the reference first,
then ours after re-evaluating our prefix), as in the latency section.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from assistant import Answer, Assistant, QuestionError, Quotes
from assistant.evals.dataset import Case, load_dataset
from assistant.evals.runner import WARMUP_QUESTIONS
from bench.latency import sample
from bench.reference import ReferencePipeline
from bench.stats import clear_query_cache, distribution

QUESTIONS = 6


def timed_stream(bot: Assistant, question: str, history: list[tuple[str, str]]) -> dict[str, float]:
    """Milliseconds from the call to the quotes, to the first text piece and to the final Answer."""
    started = time.perf_counter()
    marks: dict[str, float] = {}
    try:
        for piece in bot.stream(question, history):
            now = (time.perf_counter() - started) * 1000
            if isinstance(piece, Quotes):
                marks.setdefault("quotes", now)
            elif isinstance(piece, Answer):
                marks["answer"] = now
            else:
                marks.setdefault("text", now)
    except QuestionError:
        pass
    return marks


def run(
    bots: list[Assistant], reference: ReferencePipeline | None, dataset: Path, questions: int = QUESTIONS
) -> dict[str, Any]:
    every = load_dataset(dataset).on_corpus().cases
    cases: list[Case] = sample(every, questions)
    others = sample([c for c in every if c.lang != "en" and c not in cases], questions)
    ref: dict[str, list[float]] = {"first_token": [], "ask": []}
    if reference is not None:
        reference.ask(WARMUP_QUESTIONS[0])
        for case in cases:
            timings = reference.ask(case.question).timings_ms
            ref["first_token"].extend([timings["first_token"]] if "first_token" in timings else [])
            ref["ask"].append(timings["total"])
    ours: dict[str, dict[str, Any]] = {}
    for bot in bots:
        bot.ask(WARMUP_QUESTIONS[0])  # the model's prompt prefix evaluated again after the reference's prompts
        series: dict[str, list[float]] = {"quotes": [], "text": [], "answer": []}
        not_english: list[float] = []
        asked = [*cases, *others]
        for number, case in enumerate(asked, start=1):
            clear_query_cache(bot.embedder)
            marks = timed_stream(bot, case.question, list(case.history))
            for name, value in marks.items():
                if number <= len(cases):
                    series[name].append(value)
            if case.lang != "en" and "quotes" in marks:
                not_english.append(marks["quotes"])
            line = ", ".join(f"{k} {v:.0f} ms" for k, v in marks.items())
            print(
                f"[bench] evidence first ({bot.answerer.name}) {number}/{len(asked)} [{case.lang}]: {line}",
                file=sys.stderr,
            )
        ours[bot.answerer.name] = {
            "first_quote": distribution(series["quotes"]),
            "first_quote_not_english": distribution(not_english),
            "first_text": distribution(series["text"]),
            "ask": distribution(series["answer"]),
        }
    return {
        "questions": len(cases),
        "questions_not_english": len([c for c in [*cases, *others] if c.lang != "en"]),
        "ours": ours,
        "reference": {
            "generated": bool(reference is not None and reference.generator is not None),
            "first_token": distribution(ref["first_token"]),
            "ask": distribution(ref["ask"]),
        },
    }
