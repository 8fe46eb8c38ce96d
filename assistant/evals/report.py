"""What a run leaves: results.jsonl, report.md, a self-contained report.html (failures first), a terminal table."""

from __future__ import annotations

import base64
import io
import json
from html import escape
from pathlib import Path

from matplotlib.figure import Figure
from rich import box
from rich.console import Console
from rich.markup import escape as escape_markup
from rich.table import Table

from assistant.evals.baseline import Baseline, Regression
from assistant.evals.runner import CaseResult, EvalResult, Summary

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


def write_reports(result: EvalResult, out_dir: str | Path, regressions: list[Regression] | None = None) -> list[Path]:
    """Write results.jsonl, summary.json, report.md and report.html into out_dir; returns their paths."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "results.jsonl", folder / "summary.json", folder / "report.md", folder / "report.html"]
    paths[0].write_text("".join(row.model_dump_json() + "\n" for row in result.cases), encoding="utf-8")
    paths[1].write_text(json.dumps(summary_json(result, regressions), indent=2) + "\n", encoding="utf-8")
    paths[2].write_text(markdown_report(result, regressions), encoding="utf-8")
    paths[3].write_text(html_report(result, regressions), encoding="utf-8")
    return paths


def summary_json(result: EvalResult, regressions: list[Regression] | None = None) -> dict[str, object]:
    """The run without its per-case rows (what `agenda eval --json` prints)."""
    data = result.model_dump(mode="json", exclude={"cases"})
    data["failures"] = [row.id for row in result.failures]
    if regressions is not None:
        data["regressions"] = [r.model_dump() for r in regressions]
        data["gate"] = "fail" if regressions else "pass"
    return data


def ordered_cases(result: EvalResult) -> list[CaseResult]:
    """Failures first (in dataset order), then passes."""
    return result.failures + [c for c in result.cases if c.passed]


# --- Markdown ---
def markdown_report(result: EvalResult, regressions: list[Regression] | None = None) -> str:
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
    lines += [f"| {label} | {fmt(getattr(s, name), unit)} |" for name, label, unit in METRICS]
    for title, groups in (("By tag", result.by_tag), ("By language", result.by_lang)):
        lines += ["", f"## {title}", "", _md_row(["", "n", *(label for _, label, _ in BREAKDOWN)])]
        lines.append(_md_row(["---"] * (len(BREAKDOWN) + 2)))
        for key, summary in groups.items():
            lines.append(_md_row([key, str(summary.cases), *_breakdown_cells(summary)]))
    lines += ["", f"## Failures ({len(result.failures)})", ""]
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
_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.5rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.2rem .6rem;border-bottom:1px solid #eee;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.case{border:1px solid #ddd;border-left:6px solid #c62828;border-radius:4px;padding:.6rem 1rem;margin:.8rem 0}
.case.pass{border-left-color:#2e7d32}.why{color:#c62828;font-weight:600}
.gate-fail{background:#fdecea;padding:.5rem 1rem}.gate-pass{background:#e8f5e9;padding:.5rem 1rem}
blockquote{margin:.2rem 0 .2rem 1rem;padding-left:.6rem;border-left:3px solid #bbb;white-space:pre-wrap}
.answer{white-space:pre-wrap;background:#f7f7f7;padding:.4rem .6rem}.muted{color:#666;font-size:.9em}
.ok{color:#2e7d32}.miss{color:#c62828}figure{display:inline-block;vertical-align:top;margin:0 1rem 1rem 0}
"""


def html_report(result: EvalResult, regressions: list[Regression] | None = None) -> str:
    """One self-contained page (inline CSS, plots as base64 PNG); every piece of text is escaped."""
    s = result.summary
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Eval report: {escape(result.dataset)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>Eval report: {escape(result.dataset)}</h1>",
        f"<p><b>{s.passed}/{s.cases}</b> cases pass · k = {result.k} · started {escape(result.started_at)} · "
        f"init {result.init_seconds:.1f} s · run {result.run_seconds:.1f} s · "
        "<a href='#summary'>summary</a> · <a href='#plots'>plots</a> · <a href='#by-tag'>by tag</a> · "
        "<a href='#passes'>passes</a></p>",
    ]
    if regressions is not None:
        parts.append(_gate_html(regressions))
    parts.append(f"<h2 id='failures'>Failures ({len(result.failures)})</h2>")
    parts += [_case_html(row) for row in result.failures] or ["<p>None.</p>"]
    parts += ["<h2 id='summary'>Summary</h2>", "<table>"]
    parts += [
        f"<tr><th>{escape(label)}</th><td class='n'>{escape(fmt(getattr(s, name), unit))}</td></tr>"
        for name, label, unit in METRICS
    ]
    parts += ["</table>", "<h2 id='plots'>Plots</h2>", _plots_html(result)]
    for anchor, title, groups in (("by-tag", "By tag", result.by_tag), ("by-lang", "By language", result.by_lang)):
        parts += [f"<h2 id='{anchor}'>{title}</h2>", _breakdown_html(groups)]
    passes = [c for c in result.cases if c.passed]
    parts += [f"<h2 id='passes'>Passes ({len(passes)})</h2><details><summary>show</summary>"]
    parts += [_case_html(row) for row in passes]
    parts += ["</details>", "<h2>Assistant</h2><table>"]
    parts += [f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in result.assistant.items()]
    parts += ["</table></body></html>"]
    return "\n".join(parts) + "\n"


def _gate_html(regressions: list[Regression]) -> str:
    if not regressions:
        return "<p class='gate-pass'>Gate: <b>pass</b> (no metric regressed beyond its tolerance)</p>"
    items = "".join(f"<li>{escape(str(r))}</li>" for r in regressions)
    return f"<div class='gate-fail'>Gate: <b>FAIL</b><ul>{items}</ul></div>"


def _case_html(row: CaseResult) -> str:
    state = "pass" if row.passed else "fail"
    out = [
        f"<div class='case {state}' id='case-{escape(row.id)}'>",
        f"<b>{escape(row.id)}</b> <span class='muted'>{escape(', '.join(row.tags))} · {escape(row.lang)} · "
        f"{row.latency_ms:.0f} ms</span>",
    ]
    if row.reasons:
        out.append(f"<div class='why'>{escape('; '.join(row.reasons))}</div>")
    for question, answer in row.history:
        out.append(f"<div class='muted'>earlier: {escape(question)} → {escape(answer)}</div>")
    out.append(f"<p><b>Q:</b> {escape(row.question)}</p>")
    if row.standalone_question != row.question:
        out.append(f"<div class='muted'>read as: {escape(row.standalone_question)}</div>")
    refused = " <span class='muted'>(refused)</span>" if row.refused else ""
    out.append(f"<div><b>A</b>{refused}:<div class='answer'>{escape(row.answer)}</div></div>")
    judged = row.answerable and bool(row.quotes)
    for c, good in zip(row.citations, row.citations_supporting or [False] * len(row.citations), strict=True):
        mark = ("<span class='ok'>✓</span> " if good else "<span class='miss'>✗</span> ") if judged else ""
        out.append(
            f"<blockquote>{mark}[{c.marker}] {escape(c.prose)} <span class='muted'>{escape(c.source)} "
            f"{c.start}–{c.end}</span></blockquote>"
        )
    out.append("<div><b>Expected:</b> " + _expected_html(row) + "</div>")
    out.append(f"<div class='muted'>retrieved: {escape(', '.join(row.retrieved))}</div></div>")
    return "\n".join(out)


def _expected_html(row: CaseResult) -> str:
    items = []
    if not row.answerable:
        items.append("a refusal")
    missing = {tuple(f) for f in row.missing_facts}
    for fact in row.facts:
        mark = "miss" if tuple(fact) in missing else "ok"
        items.append(f"<span class='{mark}'>{escape(' / '.join(fact))}</span>")
    for text in row.forbidden:
        mark = "miss" if text in row.forbidden_found else "ok"
        items.append(f"never <span class='{mark}'>{escape(text)}</span>")
    quotes = []
    for quote, rank in zip(row.quotes, row.quote_ranks, strict=True):
        where = f"retrieved at rank {rank}" if rank else "not retrieved"
        quotes.append(f"<blockquote>{escape(quote)} <span class='muted'>({where})</span></blockquote>")
    return "; ".join(items) + "".join(quotes)


def _breakdown_html(groups: dict[str, Summary]) -> str:
    head = "".join(f"<th>{escape(label)}</th>" for _, label, _ in BREAKDOWN)
    rows = [f"<table><tr><th></th><th>n</th>{head}</tr>"]
    for key, summary in groups.items():
        cells = "".join(f"<td class='n'>{escape(c)}</td>" for c in _breakdown_cells(summary))
        rows.append(f"<tr><th>{escape(key)}</th><td class='n'>{summary.cases}</td>{cells}</tr>")
    return "".join(rows) + "</table>"


def _plots_html(result: EvalResult) -> str:
    figures = [("Latency per question", latency_plot(result)), ("Pass rate by tag", pass_rate_plot(result))]
    return "".join(
        f"<figure><img alt='{escape(alt)}' src='data:image/png;base64,{data}'><figcaption>{escape(alt)}"
        "</figcaption></figure>"
        for alt, data in figures
    )


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


def print_summary(
    result: EvalResult,
    console: Console,
    baseline: Baseline | None = None,
    regressions: list[Regression] | None = None,
) -> None:
    """The summary table (with the baseline's numbers when given), the per-tag table and the gate's verdict."""
    s = result.summary
    table = Table(title=f"{result.dataset}: {s.passed}/{s.cases} pass (k={result.k})")
    table.add_column("metric")
    table.add_column("value", justify="right")
    failed = {r.metric: r for r in regressions or []}
    if baseline is not None:
        table.add_column("baseline", justify="right")
        table.add_column("gate")
    for name, label, unit in METRICS:
        cells = [label, fmt(getattr(s, name), unit)]
        if baseline is not None:
            verdict = "[red]REGRESSED[/red]" if name in failed else "ok"
            cells += [fmt(getattr(baseline.summary, name), unit), verdict]
        table.add_row(*cells)
    console.print(table)
    tags = Table(title="by tag", box=box.SIMPLE_HEAD, pad_edge=False)
    tags.add_column("tag", no_wrap=True, min_width=min(24, max(map(len, result.by_tag), default=3)))
    tags.add_column("n", justify="right")
    for _, label, _ in TERMINAL_BREAKDOWN:
        tags.add_column(label, justify="right", min_width=len(label))
    for key, summary in result.by_tag.items():
        cells = [_short(getattr(summary, name), unit) for name, _, unit in TERMINAL_BREAKDOWN]
        tags.add_row(escape_markup(key), str(summary.cases), *cells)
    console.print(tags)
    if baseline is not None and (baseline.dataset, baseline.k) != (result.dataset, result.k):
        console.print(
            f"[yellow]note[/yellow]: the baseline is of {escape_markup(baseline.dataset)} with k={baseline.k}",
            highlight=False,
        )
    if regressions:
        console.print(f"[red]gate failed[/red]: {len(regressions)} metric(s) regressed")
        for r in regressions:
            console.print(f"  {r}", markup=False, highlight=False)
    elif baseline is not None:
        console.print("[green]gate passed[/green]")
