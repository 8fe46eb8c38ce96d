"""What a run leaves: results.jsonl, report.md, a self-contained report.html (failures first), a terminal table."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from html import escape
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from matplotlib.figure import Figure
from rich import box
from rich.console import Console
from rich.markup import escape as escape_markup
from rich.table import Table

from assistant.evals.baseline import TIMINGS, Baseline, Regression, timings
from assistant.evals.language_table import Count, LanguageTable, language_table, markdown_table, totals_line
from assistant.evals.runner import CaseResult, EvalResult, Summary
from assistant.models import Citation

# (Summary field, label, unit): the order every report shows the metrics in.
METRICS: list[tuple[str, str, str]] = [
    ("pass_rate", "pass rate (all cases)", "rate"),
    ("exact_pass_rate", "exact pass rate (answerable)", "rate"),
    ("fact_recall", "fact recall", "rate"),
    ("forbidden_violations", "forbidden-string violations", "count"),
    ("recall_at_1", "retrieval recall@1", "rate"),
    ("recall_at_3", "retrieval recall@3", "rate"),
    ("recall_at_5", "retrieval recall@5", "rate"),
    ("mrr", "MRR@k", "rate"),
    ("ndcg", "nDCG@k", "rate"),
    ("citation_validity", "citation validity", "rate"),
    ("citation_precision", "citation precision", "rate"),
    ("citation_recall", "citation recall", "rate"),
    ("citation_char_precision", "citation character precision", "rate"),
    ("refusal_precision", "refusal precision", "rate"),
    ("refusal_recall", "refusal recall", "rate"),
    ("false_refusal_rate", "false refusals (answerable)", "rate"),
    ("answered_in_language", "answered in the asker's language", "rate"),
    ("refused_in_language", "refusals in the asker's language", "rate"),
    ("latency_p50_ms", "latency p50", "ms"),
    ("latency_p95_ms", "latency p95", "ms"),
    ("init_seconds", "initialisation", "s"),
]
# The columns of the per-tag and per-language tables.
BREAKDOWN: list[tuple[str, str, str]] = [
    ("pass_rate", "pass", "rate"),
    ("fact_recall", "facts", "rate"),
    ("recall_at_5", "R@5", "rate"),
    ("mrr", "MRR", "rate"),
    ("citation_precision", "cite P", "rate"),
    ("citation_recall", "cite R", "rate"),
    ("citation_char_precision", "char P", "rate"),
    ("refusal_recall", "refusal R", "rate"),
    ("false_refusal_rate", "false ref.", "rate"),
    ("latency_p50_ms", "p50", "ms"),
]


# The per-tag table in the terminal (narrow enough for 80 columns).
TERMINAL_BREAKDOWN = [
    ("pass_rate", "pass", "rate"),
    ("fact_recall", "facts", "rate"),
    ("recall_at_5", "R@5", "rate"),
    ("citation_precision", "citeP", "rate"),
    ("citation_char_precision", "charP", "rate"),
    ("refusal_recall", "refR", "rate"),
    ("false_refusal_rate", "falseR", "rate"),
    ("latency_p50_ms", "p50ms", "ms"),
]


def fmt(value: float | int | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "rate":
        return f"{value:.3f}"
    if unit == "ms":
        return f"{value:.0f} ms"
    if unit == "s":
        return f"{value:.1f} s"
    return str(value)


def write_reports(
    result: EvalResult,
    out_dir: str | Path,
    regressions: list[Regression] | None = None,
    baseline: Baseline | None = None,
) -> list[Path]:
    """Write results.jsonl, summary.json, report.md and report.html into out_dir; returns their paths."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "results.jsonl", folder / "summary.json", folder / "report.md", folder / "report.html"]
    paths[0].write_text("".join(row.model_dump_json() + "\n" for row in result.cases), encoding="utf-8")
    paths[1].write_text(json.dumps(summary_json(result, regressions, baseline), indent=2) + "\n", encoding="utf-8")
    paths[2].write_text(markdown_report(result, regressions, baseline), encoding="utf-8")
    paths[3].write_text(html_report(result, regressions, baseline), encoding="utf-8")
    return paths


def summary_json(
    result: EvalResult, regressions: list[Regression] | None = None, baseline: Baseline | None = None
) -> dict[str, object]:
    """The run without its per-case rows (what `agenda eval --json` prints), with its timings beside the baseline's."""
    data = result.model_dump(mode="json", exclude={"cases"})
    data["failures"] = [row.id for row in result.failures]
    data["languages"] = languages_json(language_table(result))
    data["timings"] = [
        t.model_dump() | {"ratio": t.ratio} for t in timings(result.summary, baseline.summary if baseline else None)
    ]
    if baseline is not None:
        data["baseline_machine"] = baseline.machine.model_dump() if baseline.machine else None
    if regressions is not None:
        data["regressions"] = [r.model_dump() for r in regressions]
        data["gate"] = "fail" if regressions else "pass"
    return data


def languages_json(table: LanguageTable) -> dict[str, object]:
    """The language table as JSON: per language its counts and rates, then the totals and the pass-rate gap."""
    return {
        "rows": [
            {
                "lang": row.lang,
                "cases": row.passed.n,
                "passed": row.passed.k,
                "pass_rate": row.passed.rate,
                "judged": row.judged,
                **_count_json("answered_in_language", row.answered_in_language),
                **_count_json("refused_in_language", row.refused_in_language),
            }
            for row in table.rows
        ],
        "english_pass_rate": table.english.rate,
        "non_english_pass_rate": table.other.rate,
        "gap": table.gap,
        **_count_json("answered_in_language", table.answered_in_language),
        **_count_json("refused_in_language", table.refused_in_language),
    }


def _count_json(name: str, count: Count) -> dict[str, object]:
    return {name: count.rate, f"{name}_k": count.k, f"{name}_n": count.n}


def ordered_cases(result: EvalResult) -> list[CaseResult]:
    """Failures first (in dataset order), then passes."""
    return result.failures + [c for c in result.cases if c.passed]


# --- Markdown ---
def markdown_report(
    result: EvalResult, regressions: list[Regression] | None = None, baseline: Baseline | None = None
) -> str:
    s = result.summary
    lines = [
        f"# Eval report: {result.dataset}",
        "",
        f"{s.passed}/{s.cases} cases pass · k = {result.k} · started {result.started_at} · "
        f"init {result.init_seconds:.1f} s · run {result.run_seconds:.1f} s",
        "",
    ]
    if regressions is not None:
        lines += [f"**Gate: {'FAIL' if regressions else 'pass'}**", ""]
        lines += [f"- regression: {r}" for r in regressions] + ([""] if regressions else [])
    lines += ["| metric | value |", "|---|---|"]
    lines += [f"| {label} | {fmt(getattr(s, name), unit)} |" for name, label, unit in METRICS if name not in TIMINGS]
    lines += ["", "## Timings (not gated)", "", f"This run: {result.machine or 'machine not recorded'}."]
    if baseline is not None:
        lines += [f"Baseline: {baseline.machine or 'machine not recorded'}."]
    lines += ["", "| timing | this run | baseline | ratio |", "|---|---|---|---|"]
    lines += [f"| {t.label} | {t.current} | {t.baseline} | {t.ratio} |" for t in timing_rows(result, baseline)]
    for title, groups in (("By tag", result.by_tag), ("By language", result.by_lang)):
        lines += ["", f"## {title}", "", _md_row(["", "n", *(label for _, label, _ in BREAKDOWN)])]
        lines.append(_md_row(["---"] * (len(BREAKDOWN) + 2)))
        for key, summary in groups.items():
            lines.append(_md_row([key, str(summary.cases), *_breakdown_cells(summary)]))
    lines += ["", "## Languages", "", markdown_table(language_table(result))]
    lines += [f"## Failures ({len(result.failures)})", ""]
    for row in result.failures:
        lines += [
            f"### {row.id} ({', '.join(row.tags)}; {row.lang})",
            "",
            f"- question: {_md_text(row.question)}",
            *(f"- history: {_md_text(q)} → {_md_text(a)}" for q, a in row.history),
            f"- answer{' (refused)' if row.refused else ''}: {_md_text(row.answer)}",
            *(f"- [{c.marker}] “{_md_text(c.quote)}” ({c.source} {c.start}-{c.end})" for c in row.citations),
            f"- expected: {_expectation(row)}",
            f"- why: {'; '.join(row.reasons)}",
            "",
        ]
    return "\n".join(lines) + "\n"


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _md_text(text: str) -> str:
    """One line of Markdown that shows the text as typed (no tables broken, no HTML rendered)."""
    return escape(" ".join(text.split()), quote=False).replace("|", "\\|")


def _breakdown_cells(summary: Summary) -> list[str]:
    return [fmt(getattr(summary, name), unit) for name, _, unit in BREAKDOWN]


def _expectation(row: CaseResult) -> str:
    if not row.answerable:
        said = "a refusal"
    else:
        said = "facts " + "; ".join(" / ".join(f) for f in row.facts) + " with a citation"
    if row.forbidden:
        said += "; never " + ", ".join(row.forbidden)
    return said


# --- HTML ---
_TEMPLATES = Environment(
    loader=PackageLoader("assistant.evals", "templates"),
    autoescape=True,  # every piece of text (questions, answers, quotes, ids) is data, never markup
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class CaseView:
    """One case as the report shows it: its citations marked ✓/✗ and what was expected, marked found or missing."""

    row: CaseResult
    citations: list[tuple[Citation, str | None]]
    expected: list[tuple[str, str | None, str]]
    quotes: list[tuple[str, str]]


def case_view(row: CaseResult) -> CaseView:
    judged = row.answerable and bool(row.quotes)
    supporting = row.citations_supporting or [False] * len(row.citations)
    citations = [
        (c, ("ok" if good else "miss") if judged else None) for c, good in zip(row.citations, supporting, strict=True)
    ]
    expected: list[tuple[str, str | None, str]] = [] if row.answerable else [("a refusal", None, "")]
    missing = {tuple(f) for f in row.missing_facts}
    expected += [(" / ".join(f), "miss" if tuple(f) in missing else "ok", "") for f in row.facts]
    expected += [(t, "miss" if t in row.forbidden_found else "ok", "never ") for t in row.forbidden]
    quotes = [
        (quote, f"retrieved at rank {rank}" if rank else "not retrieved")
        for quote, rank in zip(row.quotes, row.quote_ranks, strict=True)
    ]
    return CaseView(row, citations, expected, quotes)


def html_report(
    result: EvalResult, regressions: list[Regression] | None = None, baseline: Baseline | None = None
) -> str:
    """One self-contained page (inline CSS, plots as base64 PNG) from a Jinja2 template that escapes every value."""
    s = result.summary
    passes = [c for c in result.cases if c.passed]
    return _TEMPLATES.get_template("report.html.j2").render(
        result=result,
        summary=s,
        regressions=[str(r) for r in regressions] if regressions is not None else None,
        failures=[case_view(row) for row in result.failures],
        passes=[case_view(row) for row in passes],
        metrics=[(label, fmt(getattr(s, name), unit)) for name, label, unit in METRICS if name not in TIMINGS],
        timings=timing_rows(result, baseline),
        has_baseline=baseline is not None,
        machine=str(result.machine) if result.machine else "machine not recorded",
        baseline_machine=(str(baseline.machine) if baseline.machine else "machine not recorded") if baseline else "",
        plots=[("Latency per question", latency_plot(result)), ("Pass rate by tag", pass_rate_plot(result))],
        languages=language_table(result),
        breakdowns=[
            {
                "anchor": anchor,
                "title": title,
                "labels": [label for _, label, _ in BREAKDOWN],
                "rows": [(key, summary.cases, _breakdown_cells(summary)) for key, summary in groups.items()],
            }
            for anchor, title, groups in (
                ("by-tag", "By tag", result.by_tag),
                ("by-lang", "By language", result.by_lang),
            )
        ],
    )


@dataclass(frozen=True)
class TimingRow:
    label: str
    current: str
    baseline: str
    ratio: str


def timing_rows(result: EvalResult, baseline: Baseline | None) -> list[TimingRow]:
    """The run's timings beside the baseline's, formatted (the ratio: this run / the baseline)."""
    labels = {name: label for name, label, _ in METRICS}
    return [
        TimingRow(
            labels[t.metric],
            fmt(t.current, t.unit),
            fmt(t.baseline, t.unit),
            "–" if t.ratio is None else f"×{t.ratio:.2f}",
        )
        for t in timings(result.summary, baseline.summary if baseline else None)
    ]


def latency_plot(result: EvalResult) -> str:
    """Histogram of per-question latency, with p50 and p95 marked, as base64 PNG."""
    figure = Figure(figsize=(5.5, 3.2), dpi=100)
    axes = figure.subplots()
    values = [row.latency_ms for row in result.cases]
    axes.hist(values, bins=min(30, max(5, len(values) // 3)), color="#5c6bc0")
    for name, style in (("latency_p50_ms", "-"), ("latency_p95_ms", "--")):
        value = getattr(result.summary, name)
        if value is not None:
            axes.axvline(value, color="#c62828", linestyle=style, label=f"{name[8:11]} {value:.0f} ms")
    axes.set_xlabel("ms per question")
    axes.set_ylabel("questions")
    axes.legend()
    return _png(figure)


def pass_rate_plot(result: EvalResult) -> str:
    """Horizontal bars of the pass rate of each tag, as base64 PNG."""
    tags = list(result.by_tag)
    rates = [result.by_tag[t].pass_rate or 0.0 for t in tags]
    figure = Figure(figsize=(5.5, 0.35 * len(tags) + 1.2), dpi=100)
    axes = figure.subplots()
    axes.barh(tags, rates, color=["#2e7d32" if r >= 0.8 else "#f9a825" if r >= 0.5 else "#c62828" for r in rates])
    axes.set_xlim(0, 1)
    axes.invert_yaxis()
    axes.set_xlabel("pass rate")
    for y, (tag, rate) in enumerate(zip(tags, rates, strict=True)):
        axes.text(min(rate + 0.01, 0.9), y, f"{rate:.2f} (n={result.by_tag[tag].cases})", va="center", fontsize=8)
    figure.tight_layout()
    return _png(figure)


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


# --- terminal ---
def _short(value: float | int | None, unit: str) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if unit == "rate" else f"{value:.0f}"


def language_rich_table(table: LanguageTable) -> Table:
    """The per-language table for the terminal: cases, pass rate, answers and refusals in the asker's language."""
    view = Table(title="by language", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("language", "n", "pass", "answered in lang.", "refusals in lang."):
        view.add_column(column, justify="left" if column == "language" else "right")
    for row in table.rows:
        judged = (str(row.answered_in_language), str(row.refused_in_language)) if row.judged else ("n/a", "n/a")
        view.add_row(
            escape_markup(f"{row.lang} {row.name}"), str(row.passed.n), _short(row.passed.rate, "rate"), *judged
        )
    return view


def print_summary(
    result: EvalResult,
    console: Console,
    baseline: Baseline | None = None,
    regressions: list[Regression] | None = None,
    languages: bool = False,
) -> None:
    """The quality table (with the baseline's numbers and the gate's verdict when given), the timings beside the
    baseline's with both machines (never gated), the per-tag table, the languages' totals (with `languages`, the
    per-language table too) and the gate's verdict."""
    s = result.summary
    table = Table(title=f"{result.dataset}: {s.passed}/{s.cases} pass (k={result.k})")
    table.add_column("metric")
    table.add_column("value", justify="right")
    failed = {r.metric: r for r in regressions or []}
    if baseline is not None:
        table.add_column("baseline", justify="right")
        table.add_column("gate")
    for name, label, unit in METRICS:
        if name in TIMINGS:
            continue
        cells = [label, fmt(getattr(s, name), unit)]
        if baseline is not None:
            verdict = "[red]REGRESSED[/red]" if name in failed else "ok"
            cells += [fmt(getattr(baseline.summary, name), unit), verdict]
        table.add_row(*cells)
    console.print(table)
    clock = Table(title="timings (not gated)", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("timing", "this run", *(("baseline", "ratio") if baseline is not None else ())):
        clock.add_column(column, justify="left" if column == "timing" else "right")
    for row in timing_rows(result, baseline):
        clock.add_row(row.label, row.current, *((row.baseline, row.ratio) if baseline is not None else ()))
    console.print(clock)
    console.print(f"this run: {result.machine or 'machine not recorded'}", markup=False, highlight=False)
    if baseline is not None:
        console.print(f"baseline: {baseline.machine or 'machine not recorded'}", markup=False, highlight=False)
    tags = Table(title="by tag", box=box.SIMPLE_HEAD, pad_edge=False)
    tags.add_column("tag", no_wrap=True, min_width=min(24, max(map(len, result.by_tag), default=3)))
    tags.add_column("n", justify="right")
    for _, label, _ in TERMINAL_BREAKDOWN:
        tags.add_column(label, justify="right", min_width=len(label))
    for key, summary in result.by_tag.items():
        cells = [_short(getattr(summary, name), unit) for name, _, unit in TERMINAL_BREAKDOWN]
        tags.add_row(escape_markup(key), str(summary.cases), *cells)
    console.print(tags)
    spoken = language_table(result)
    if languages:
        console.print(language_rich_table(spoken))
    console.print(f"languages: {totals_line(spoken)}", markup=False, highlight=False)
    if baseline is not None and (baseline.dataset, baseline.k) != (result.dataset, result.k):
        console.print(
            f"[yellow]note[/yellow]: the baseline is of {escape_markup(baseline.dataset)} with k={baseline.k}",
            highlight=False,
        )
    if regressions:
        console.print(f"[red]gate failed[/red]: {len(regressions)} quality metric(s) regressed")
        for r in regressions:
            console.print(f"  {r}", markup=False, highlight=False)
    elif baseline is not None:
        console.print("[green]gate passed[/green]")
