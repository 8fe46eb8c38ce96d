"""Quality side by side on the dev set: our answerers through the eval harness, the reference through its scorer.

The extractive answerer is scored by `run_eval` itself. A generating answerer (ours with a local LLM, or the
reference with one) is slow, so its answers are recorded once, in the latency pass, and scored from that record with
the harness's `score_case`: same pass rules, same metrics, no second generation.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from assistant import Answer, Assistant
from assistant.evals.dataset import Case, load_dataset
from assistant.evals.runner import WARMUP_QUESTIONS, CaseResult, run_eval, score_case, summarize
from bench.reference import TOP_K, ReferencePipeline

# The figures of the side-by-side table; the first four are the issue's.
HEADLINE = ("exact_pass_rate", "citation_char_precision", "false_refusal_rate", "refusal_recall")
SHOWN = (
    *HEADLINE,
    "pass_rate",
    "fact_recall",
    "refusal_precision",
    "citation_validity",
    "citation_precision",
    "citation_recall",
    "recall_at_1",
    "recall_at_3",
    "mrr",
    "forbidden_violations",
)
# What a retrieval-only reference (no LLM) can still be scored on: its citations are the retrieved chunks.
RETRIEVAL_ONLY = (
    "citation_char_precision",
    "citation_validity",
    "citation_precision",
    "citation_recall",
    "recall_at_1",
    "recall_at_3",
    "mrr",
)
Key = tuple[str, tuple[tuple[str, str], ...]]


def key(question: str, history: Any) -> Key:
    return question, tuple((str(q), str(a)) for q, a in (history or []))


class Recorded:
    """A bot whose answers were recorded earlier: `score_case` scores them without asking again."""

    def __init__(self, bot: Any, answers: dict[Key, Answer | Exception]) -> None:
        self.bot = bot
        self.answers = answers
        self.documents = bot.documents
        self.chunks = bot.chunks

    def ask(self, question: str, history: Any = None) -> Answer:
        found = self.answers[key(question, history)]
        if isinstance(found, Exception):
            raise found
        return found

    def evidence(self, question: str, k: int | None = None) -> list[Any]:
        return list(self.bot.evidence(question, k))


def figures(rows: list[CaseResult], keep: tuple[str, ...] = SHOWN) -> dict[str, Any]:
    summary = summarize(rows)
    data = summary.model_dump()
    return {name: data.get(name) if name in keep else None for name in SHOWN} | {
        "cases": summary.cases,
        "answerable": summary.answerable,
        "unanswerable": summary.unanswerable,
    }


def _score(bot: Any, cases: list[Case], dataset: Path, k: int) -> list[CaseResult]:
    located = load_dataset(dataset).on_corpus().check_quotes(bot.documents)
    chunks = {c.id: c for c in bot.chunks}
    rows = []
    for case in cases:
        quotes = [[(p.document_id, p.start, p.end) for p in places] for places in located[case.id]]
        rows.append(score_case(bot, case, quotes, chunks, k))  # a duck-typed bot: ask, evidence, documents, chunks
    return rows


def ours(bot: Assistant, dataset: Path, recorded: dict[Key, Answer | Exception] | None) -> tuple[dict, list]:
    """One of our answerers: run_eval for the extractive one, recorded answers for a generating one."""
    started = time.perf_counter()
    if recorded is None:
        result = run_eval(bot, dataset, k=5, progress=False)
        rows = list(result.cases)
    else:
        cases = [c for c in load_dataset(dataset).on_corpus().cases if key(c.question, c.history) in recorded]
        rows = _score(Recorded(bot, recorded), cases, dataset, 5)
    return {
        "answerer": bot.answerer.name,
        **figures(rows),
        "failed_cases": [r.id for r in rows if not r.passed],
        "seconds": time.perf_counter() - started,
    }, rows


def reference(
    pipeline: ReferencePipeline, dataset: Path, llm: str, recorded: dict[Key, Answer | Exception] | None
) -> tuple[dict, list]:
    """The recipe scored case by case with the harness's scorer; from recorded answers when it generated them."""
    started = time.perf_counter()
    cases = load_dataset(dataset).on_corpus().cases
    generated = pipeline.generator is not None
    if generated and recorded is not None:
        bot: Any = Recorded(pipeline, recorded)
        cases = [c for c in cases if key(c.question, c.history) in recorded]
    else:
        bot = pipeline
        for question in WARMUP_QUESTIONS:
            pipeline.ask(question)
    rows = _score(bot, cases, dataset, TOP_K)
    return {
        "answerer": "reference" + (f" + {pipeline.generator.name}" if pipeline.generator else " (retrieval only)"),
        "llm": llm,
        "generated": generated,
        **figures(rows, SHOWN if generated else RETRIEVAL_ONLY),
        "chunks": len(pipeline.chunks),
        "chunk_chars_mean": sum(len(c.text) for c in pipeline.chunks) / max(1, len(pipeline.chunks)),
        "failed_cases": [r.id for r in rows if not r.passed] if generated else None,
        "seconds": time.perf_counter() - started,
        "note": "single-turn like the tutorial: history is not used"
        + ("" if generated else "; without an LLM only the citations (whole retrieved chunks) can be scored"),
    }, rows


def on_same_cases(our_rows: list[CaseResult], reference_rows: list[CaseResult]) -> dict[str, Any] | None:
    """Our figures on exactly the cases the reference was scored on (None when they are the same cases)."""
    theirs = {r.id for r in reference_rows}
    if theirs == {r.id for r in our_rows}:
        return None
    return figures([r for r in our_rows if r.id in theirs])
