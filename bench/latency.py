"""Warm latency of `ask()` on the dev questions, ours and the reference's, question by question in the same run.

Each pass asks every dev question once, with its history, through `stream()` (the same work as `ask()`, and it shows
when the first text piece comes). Before a pass the query-embedding cache is emptied, so the "first time" figures are
what a new question costs; for the extractive answerer a second pass shows what the cache saves on a repeat. The
reference uses the same model without a cache, like the tutorial. Generating answerers (ours with a local LLM, the
reference with one) answer once, optionally on an evenly spaced sample of the questions, and their answers are kept
for the quality section.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from assistant import Answer, Assistant, QuestionError, Quotes
from assistant.evals.dataset import Case, load_dataset
from assistant.evals.runner import WARMUP_QUESTIONS
from bench.quality import Key, key
from bench.reference import ReferencePipeline
from bench.stats import clear_query_cache, distribution


def generating(bot: Assistant) -> bool:
    return bot.config.answerer != "extractive"


def sample(cases: list[Case], n: int | None) -> list[Case]:
    """n cases evenly spaced over the dataset (every tag stays represented); all when n is None or large."""
    if not n or n >= len(cases):
        return cases
    return [cases[round(i * (len(cases) - 1) / (n - 1))] for i in range(n)] if n > 1 else cases[:1]


def _ask_timed(bot: Assistant, question: str, history: list[tuple[str, str]]) -> tuple[float, float | None, Any]:
    """(whole answer ms, first text piece ms or None, Answer or the QuestionError raised)."""
    started = time.perf_counter()
    first: float | None = None
    answer: Answer | Exception | None = None
    try:
        for piece in bot.stream(question, history):
            if isinstance(piece, Answer):
                answer = piece
            elif isinstance(piece, Quotes):
                continue
            elif first is None:
                first = (time.perf_counter() - started) * 1000
    except QuestionError as error:
        answer = error
    return (time.perf_counter() - started) * 1000, first, answer


def run(
    bots: list[Assistant],
    reference: ReferencePipeline | None,
    dataset: Path,
    max_questions: int | None = None,
    llm_sample: int | None = None,
) -> tuple[dict[str, Any], dict[str, dict[Key, Answer | Exception]]]:
    """The latency figures, and the recorded answers of every generating answerer (ours by name, and 'reference')."""
    cases = load_dataset(dataset).on_corpus().cases[:max_questions]
    slow = {c.id for c in sample(cases, llm_sample)}
    for bot in bots:
        for question in WARMUP_QUESTIONS:
            bot.ask(question)
    if reference is not None:
        for question in WARMUP_QUESTIONS:
            reference.ask(question)

    names = [bot.answerer.name for bot in bots]
    ours: dict[str, dict[str, list[float]]] = {
        n: {"total": [], "first": [], "retrieve": [], "answer": [], "repeat": []} for n in names
    }
    ref: dict[str, list[float]] = {"retrieve": [], "first_token": [], "total": []}
    recorded: dict[str, dict[Key, Answer | Exception]] = {}

    def ask_ours(case: Case) -> None:
        history = list(case.history)
        for bot, name in zip(bots, names, strict=True):
            if generating(bot) and case.id not in slow:
                continue
            clear_query_cache(bot.embedder)  # first-time question for each answerer (they share the embedder)
            total, first, answer = _ask_timed(bot, case.question, history)
            series = ours[name]
            series["total"].append(total)
            if first is not None:
                series["first"].append(first)
            if isinstance(answer, Answer):
                series["retrieve"].append(answer.timings_ms.get("retrieve", 0.0))
                series["answer"].append(answer.timings_ms.get("answer", 0.0))
            if generating(bot) and answer is not None:
                recorded.setdefault(name, {})[key(case.question, history)] = answer

    def ask_reference(case: Case) -> None:
        if reference is None or (reference.generator is not None and case.id not in slow):
            return
        answer = reference.ask(case.question)
        for name in ref:
            if name in answer.timings_ms:
                ref[name].append(answer.timings_ms[name])
        if reference.generator is not None:
            recorded.setdefault("reference", {})[key(case.question, list(case.history))] = answer

    started = time.perf_counter()
    any_generating = any(generating(b) for b in bots) or bool(reference and reference.generator)

    def progress(number: int, case: Case, who: str) -> None:
        if any_generating and case.id in slow:  # generating answerers are slow: say how far the pass is
            done = sum(1 for c in cases[: number + 1] if c.id in slow)
            elapsed = time.perf_counter() - started
            line = f"[bench] latency ({who}): {done}/{len(slow)} questions, {elapsed:.0f} s"
            print(line, file=sys.stderr, flush=True)

    if any_generating:
        # In blocks: the reference and our local answerer share one llama.cpp model, which keeps one prompt cache;
        # interleaving would evict our stable prefix at every question (a cost a deployment never pays).
        for number, case in enumerate(cases):
            ask_reference(case)
            progress(number, case, "reference")
        for bot in bots:  # evaluate our prefix again after the reference's prompts
            bot.ask(WARMUP_QUESTIONS[0])
        for number, case in enumerate(cases):
            ask_ours(case)
            progress(number, case, "ours")
    else:
        # Interleaved, alternating who goes first: load from other processes weighs on both alike.
        for number, case in enumerate(cases):
            for step in (ask_ours, ask_reference) if number % 2 == 0 else (ask_reference, ask_ours):
                step(case)
    for case in cases:  # the same questions again: query embeddings come from the cache
        for bot, name in zip(bots, names, strict=True):
            if not generating(bot):
                ours[name]["repeat"].append(_ask_timed(bot, case.question, list(case.history))[0])

    result: dict[str, Any] = {"questions": len(cases), "llm_questions": len(slow), "ours": {}, "reference": {}}
    for name, series in ours.items():
        result["ours"][name] = {
            "ask": distribution(series["total"]),
            "first_piece": distribution(series["first"]),
            "retrieve_stage": distribution(series["retrieve"]),
            "answer_stage": distribution(series["answer"]),
            "ask_repeated_questions": distribution(series["repeat"]),
        }
    if reference is not None:
        result["reference"] = {
            "generated": reference.generator is not None,
            "retrieve": distribution(ref["retrieve"]),
            "first_token": distribution(ref["first_token"]),
            "ask": distribution(ref["total"]),
        }
    return result, recorded
