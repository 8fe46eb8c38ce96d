"""run_eval: ask the Assistant every case of a dataset and score the answers (deterministic, offline)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from tqdm import tqdm

from assistant import Answer, Assistant, Chunk, Citation, Config, Document, QuestionError
from assistant.config import PROJECT_ROOT
from assistant.corpus import load_corpus
from assistant.evals import languages, metrics
from assistant.evals.dataset import Case, DatasetError, Location, Problem, load_dataset
from assistant.evals.machine import Machine, this_machine
from assistant.evals.metrics import Span
from assistant.i18n import SOURCE_LANGUAGE

# Asked (untimed) before the first case so per-question latency is steady state: one English, one not (the
# multilingual encoder loads on first use).
WARMUP_QUESTIONS = ("What is the statement about?", "Worum geht es in der Erklärung?")
_CONFIG_SHOWN = (
    "answerer",
    "top_k",
    "rrf_k",
    "min_relevance",
    "multilingual",
    "min_relevance_multilingual",
    "max_citations",
    "chunk_max_tokens",
    "embedding_model",
    "corpus_dir",
)


class CaseResult(BaseModel):
    """One case: what was asked and expected, what the assistant said, and its scores."""

    id: str
    question: str
    history: list[tuple[str, str]]
    answerable: bool
    facts: list[list[str]]
    forbidden: list[str]
    quotes: list[str]
    tags: list[str]
    lang: str
    # what the assistant did
    answer: str
    refused: bool
    citations: list[Citation]
    standalone_question: str
    refusal_reason: str | None = Field(None, description="The rule that refused (see assistant/answer/refusals.py)")
    analysis: dict[str, Any] | None = Field(None, description="The question analysis (language, kind, expects, ...)")
    retrieved: list[str] = Field(description="Chunk ids, best first, up to k")
    latency_ms: float
    error: str | None = None
    # scores (None where undefined for this case)
    quote_ranks: list[int | None] = Field(description="Per supporting quote, the rank of the first chunk holding it")
    citations_supporting: list[bool] = Field(
        default_factory=list, description="Per citation, whether it is valid and overlaps a supporting quote"
    )
    recall_at_1: float | None = None
    recall_at_3: float | None = None
    recall_at_5: float | None = None
    reciprocal_rank: float | None = None
    ndcg: float | None = None
    citation_validity: float | None = None
    citation_precision: float | None = None
    citation_recall: float | None = None
    citation_char_precision: float | None = None
    fact_recall: float | None = None
    missing_facts: list[list[str]] = Field(default_factory=list)
    forbidden_found: list[str] = Field(default_factory=list)
    answer_language: str | None = Field(
        None, description="The language of the answer's own words, quotes removed (None: too short to judge)"
    )
    in_language: bool | None = Field(
        None, description="Whether the answer's own words are in the case's language (None: English or undetectable)"
    )
    passed: bool
    reasons: list[str] = Field(default_factory=list, description="Why the case failed (empty when it passed)")


class Summary(BaseModel):
    """Every metric over a set of cases (the whole dataset, one tag or one language). See evals/README.md."""

    cases: int
    answerable: int
    unanswerable: int
    passed: int
    pass_rate: float | None = Field(description="Share of all cases that pass")
    exact_pass_rate: float | None = Field(description="Share of answerable cases that pass")
    fact_recall: float | None
    forbidden_violations: int = Field(description="Cases whose answer contains a forbidden string")
    recall_at_1: float | None
    recall_at_3: float | None
    recall_at_5: float | None
    mrr: float | None
    ndcg: float | None
    citation_validity: float | None
    citation_precision: float | None
    citation_recall: float | None
    citation_char_precision: float | None
    refusal_precision: float | None
    refusal_recall: float | None
    false_refusal_rate: float | None
    answered_in_language: float | None = Field(
        None, description="Of the answered non-English cases lingua can judge, the share answered in their language"
    )
    refused_in_language: float | None = Field(
        None, description="Of the refused non-English cases lingua can judge, the share refused in their language"
    )
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    init_seconds: float | None = Field(None, description="Assistant start-up (whole-run summary only)")


class EvalResult(BaseModel):
    """A whole run: per-case rows, the summary, and the same summary per tag and per language."""

    dataset: str
    k: int
    machine: Machine | None = Field(None, description="Where the timings were measured")
    started_at: str
    init_seconds: float
    warmup_seconds: float
    run_seconds: float
    assistant: dict[str, Any]
    summary: Summary
    by_tag: dict[str, Summary]
    by_lang: dict[str, Summary]
    non_english: Summary | None = Field(None, description="The summary of the cases not in English")
    cases: list[CaseResult]

    @property
    def failures(self) -> list[CaseResult]:
        return [c for c in self.cases if not c.passed]


def run_eval(
    bot_or_config: Assistant | Config | None,
    dataset_path: str | Path,
    k: int = 5,
    progress: bool = True,
) -> EvalResult:
    """Score the assistant on a dataset. Pass a ready Assistant (reused) or a Config (an Assistant is built).

    Raises DatasetError (naming file, line and field) before asking anything when the dataset is bad.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    path = Path(dataset_path)
    machine = this_machine()
    given = bot_or_config if isinstance(bot_or_config, Assistant) else None
    config = given.config if given else (bot_or_config if isinstance(bot_or_config, Config) else Config())
    # Every problem of every line, quotes included, surfaces before the models load (reading a corpus needs none).
    documents = given.documents if given else {d.id: d for d in load_corpus(config.corpus_dir).documents}
    dataset = load_dataset(path, documents, corpora=lambda name: _corpus_documents(path, name))
    bot = given or Assistant(config)
    bots = {None: bot} | {
        name: _corpus_assistant(bot, corpus_folder(path, name), name)
        for name in dict.fromkeys(c.corpus for c in dataset.cases if c.corpus is not None)
    }
    located: dict[str, list[list[Location]]] = {}
    for name, each in bots.items():
        located |= dataset.on_corpus(name).check_quotes(each.documents)
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    for question in WARMUP_QUESTIONS:
        bot.ask(question)
    warmup = time.perf_counter() - t0
    chunks = {name: {chunk.id: chunk for chunk in each.chunks} for name, each in bots.items()}
    rows = []
    t1 = time.perf_counter()
    for case in tqdm(dataset.cases, desc="eval", unit="case", disable=not progress, leave=False):
        quotes = [[(p.document_id, p.start, p.end) for p in places] for places in located[case.id]]
        rows.append(score_case(bots[case.corpus], case, quotes, chunks[case.corpus], k))
    run_seconds = time.perf_counter() - t1
    return EvalResult(
        dataset=display_path(path),
        k=k,
        machine=machine,
        started_at=started_at,
        init_seconds=bot.init_seconds,
        warmup_seconds=warmup,
        run_seconds=run_seconds,
        assistant=_settings(bot.config),
        summary=summarize(rows, init_seconds=bot.init_seconds),
        by_tag=breakdown(rows, lambda row: row.tags or ["(untagged)"]),
        by_lang=breakdown(rows, lambda row: [row.lang]),
        non_english=non_english(rows),
        cases=rows,
    )


def display_path(path: Path) -> str:
    """A path as reports show it: relative to the project when inside it (so a committed baseline names the same
    dataset from any folder), else absolute."""
    absolute = path.resolve()
    return absolute.relative_to(PROJECT_ROOT).as_posix() if absolute.is_relative_to(PROJECT_ROOT) else str(absolute)


def corpus_folder(dataset: Path, name: str) -> Path:
    """Where a case's named corpus lives: corpora/<name> beside the dataset file."""
    return dataset.parent / "corpora" / name


def _corpus_documents(dataset: Path, name: str) -> dict[str, Document] | None:
    folder = corpus_folder(dataset, name)
    return {d.id: d for d in load_corpus(folder).documents} if folder.is_dir() else None


def _corpus_assistant(bot: Assistant, corpus_dir: Path, name: str) -> Assistant:
    """An assistant like `bot` (same settings and loaded models) on another corpus, with its own index."""
    if not corpus_dir.is_dir():
        raise DatasetError([Problem(str(corpus_dir), 0, None, f"corpus {name!r}: no such folder")])
    config = bot.config.model_copy(
        update={"corpus_dir": corpus_dir, "index_dir": bot.config.index_dir / "eval-corpora" / name, "chroma_url": None}
    )
    return Assistant(config, embedder=bot.embedder)


def score_case(bot: Assistant, case: Case, quotes: list[list[Span]], chunks: dict[str, Chunk], k: int) -> CaseResult:
    """Ask one case (timed) and score the answer against what the case expects."""
    error = None
    started = time.perf_counter()
    try:
        answer: Answer | None = bot.ask(case.question, history=list(case.history))
    except QuestionError as exc:  # the assistant declined the input itself: a refusal with a reason
        answer, error = None, str(exc)
    latency_ms = (time.perf_counter() - started) * 1000
    retrieved = _retrieved(bot, answer, k)
    hits = metrics.quote_hits([_span(chunks[i]) for i in retrieved if i in chunks], quotes)
    relevant = [bool(h) for h in hits]
    n_relevant = sum(1 for c in chunks.values() if any(metrics.supports(_span(c), q) for q in quotes))

    text = answer.text if answer else f"error: {error}"
    refused = answer.refused if answer else True
    citations = answer.citations if answer else []
    valid = [metrics.is_verbatim(_doc_text(bot, c.source), c.quote, c.start, c.end) for c in citations]
    cited_all: list[Span | None] = [
        (c.source, c.start, c.end) if ok else None for c, ok in zip(citations, valid, strict=True)
    ]
    cited = [span for span in cited_all if span is not None]
    judged = case.answerable and bool(quotes)
    quoted = [c.quote for c in citations]
    # A refusal asserts nothing, so its text (which names nearby topics) earns no facts.
    facts_missing = [list(f) for f in case.facts] if refused else metrics.missing_facts(text, case.facts)
    forbidden = metrics.forbidden_found(text, case.forbidden)

    row = CaseResult(
        id=case.id,
        question=case.question,
        history=case.history,
        answerable=case.answerable,
        facts=case.facts,
        forbidden=case.forbidden,
        quotes=case.quotes,
        tags=case.tags,
        lang=case.lang,
        answer=text,
        refused=refused,
        citations=citations,
        standalone_question=answer.standalone_question if answer else case.question,
        refusal_reason=answer.refusal_reason if answer else None,
        analysis=answer.analysis.model_dump(mode="json", exclude={"text", "standalone"})
        if answer and answer.analysis
        else None,
        retrieved=retrieved,
        latency_ms=latency_ms,
        error=error,
        citations_supporting=[
            span is not None and any(metrics.supports(span, q) for q in quotes) for span in cited_all
        ],
        quote_ranks=[next((r for r, h in enumerate(hits, start=1) if n in h), None) for n in range(len(quotes))],
        recall_at_1=_recall(hits, len(quotes), 1, k),
        recall_at_3=_recall(hits, len(quotes), 3, k),
        recall_at_5=_recall(hits, len(quotes), 5, k),
        reciprocal_rank=metrics.reciprocal_rank(relevant) if quotes else None,
        ndcg=metrics.ndcg(relevant, n_relevant, k),
        citation_validity=metrics.share(valid),
        citation_precision=metrics.citation_precision(cited_all, quotes) if judged else None,
        citation_recall=metrics.citation_recall(cited, quotes) if judged else None,
        citation_char_precision=metrics.char_precision(cited, quotes) if judged else None,
        fact_recall=1 - len(facts_missing) / len(case.facts) if case.facts else None,
        missing_facts=facts_missing,
        forbidden_found=forbidden,
        answer_language=languages.answer_language(text, quoted) if answer else None,
        in_language=languages.in_language(text, quoted, case.lang) if answer else None,
        passed=False,
    )
    row.reasons = failure_reasons(row, any(valid))
    row.passed = not row.reasons
    return row


def failure_reasons(row: CaseResult, has_valid_citation: bool) -> list[str]:
    """Why a case fails. Answerable: all facts, nothing forbidden, a valid citation, no refusal.
    Unanswerable: a refusal and nothing forbidden."""
    reasons = []
    if row.answerable:
        if row.refused:
            reasons.append("refused an answerable question" + (f" (rejected: {row.error})" if row.error else ""))
        elif not has_valid_citation:
            reasons.append("no valid citation")
        if row.missing_facts and not row.refused:
            reasons.append("missing facts: " + "; ".join(" / ".join(f) for f in row.missing_facts))
    elif not row.refused:
        reasons.append("answered a question it should refuse")
    if row.forbidden_found:
        reasons.append("forbidden text: " + ", ".join(row.forbidden_found))
    return reasons


def summarize(rows: Sequence[CaseResult], init_seconds: float | None = None) -> Summary:
    """Aggregate case rows: rates are means over the cases where a metric is defined (see evals/README.md)."""
    answerable = [r for r in rows if r.answerable]
    refused = [r.refused for r in rows]
    expected = [r.answerable for r in rows]
    latencies = [r.latency_ms for r in rows]
    return Summary(
        cases=len(rows),
        answerable=len(answerable),
        unanswerable=len(rows) - len(answerable),
        passed=sum(r.passed for r in rows),
        pass_rate=metrics.share([r.passed for r in rows]),
        exact_pass_rate=metrics.share([r.passed for r in answerable]),
        fact_recall=metrics.mean(r.fact_recall for r in rows),
        forbidden_violations=sum(1 for r in rows if r.forbidden_found),
        recall_at_1=metrics.mean(r.recall_at_1 for r in rows),
        recall_at_3=metrics.mean(r.recall_at_3 for r in rows),
        recall_at_5=metrics.mean(r.recall_at_5 for r in rows),
        mrr=metrics.mean(r.reciprocal_rank for r in rows),
        ndcg=metrics.mean(r.ndcg for r in rows),
        citation_validity=metrics.mean(r.citation_validity for r in rows),
        citation_precision=metrics.mean(r.citation_precision for r in rows),
        citation_recall=metrics.mean(r.citation_recall for r in rows),
        citation_char_precision=metrics.mean(r.citation_char_precision for r in rows),
        refusal_precision=metrics.refusal_precision(refused, expected),
        refusal_recall=metrics.refusal_recall(refused, expected),
        false_refusal_rate=metrics.false_refusal_rate(refused, expected),
        answered_in_language=metrics.share(
            [r.in_language for r in rows if r.in_language is not None and not r.refused]
        ),
        refused_in_language=metrics.share([r.in_language for r in rows if r.in_language is not None and r.refused]),
        latency_p50_ms=metrics.percentile(latencies, 50),
        latency_p95_ms=metrics.percentile(latencies, 95),
        init_seconds=init_seconds,
    )


def breakdown(rows: Sequence[CaseResult], keys: Callable[[CaseResult], list[str]]) -> dict[str, Summary]:
    """The summary of each group of rows (a row can be in several groups, e.g. two tags)."""
    groups: dict[str, list[CaseResult]] = {}
    for row in rows:
        for key in keys(row):
            groups.setdefault(key, []).append(row)
    return {key: summarize(groups[key]) for key in sorted(groups)}


def non_english(rows: Sequence[CaseResult]) -> Summary | None:
    """The summary of the cases asked in another language than English (None when there are none)."""
    others = [r for r in rows if r.lang.split("-")[0] != SOURCE_LANGUAGE]
    return summarize(others) if others else None


def _recall(hits: list[set[int]], n_quotes: int, cutoff: int, k: int) -> float | None:
    """recall@cutoff, undefined beyond the retrieval depth k."""
    return metrics.recall_at(hits, n_quotes, cutoff) if cutoff <= k else None


def _retrieved(bot: Assistant, answer: Answer | None, k: int) -> list[str]:
    """The top-k chunk ids: the answer's own when it retrieved enough, else a deeper search for the same question."""
    if answer is None:
        return []
    if len(answer.retrieved) >= k or len(answer.retrieved) >= len(bot.chunks):
        return answer.retrieved[:k]
    return [e.chunk.id for e in bot.evidence(answer.standalone_question, k)][:k]


def _settings(config: Config) -> dict[str, Any]:
    """The settings that shape answers, with paths inside the project made relative (a baseline is committed)."""
    shown = config.model_dump(mode="json", include=set(_CONFIG_SHOWN))
    for name, value in shown.items():
        if isinstance(value, str) and value.startswith(str(PROJECT_ROOT)):
            shown[name] = Path(value).relative_to(PROJECT_ROOT).as_posix()
    return {name: shown[name] for name in _CONFIG_SHOWN if name in shown}


def _span(chunk: Chunk) -> Span:
    return (chunk.document_id, chunk.start, chunk.end)


def _doc_text(bot: Assistant, document_id: str) -> str | None:
    document = bot.documents.get(document_id)
    return document.text if document else None


__all__ = ["CaseResult", "EvalResult", "Summary", "run_eval", "score_case", "summarize"]
