"""Answers in the asker's language: the metric (lingua on the answer's own words), the per-language table and the gate.

Real lingua throughout; the case rows of the table and gate tests are built by hand (no model is asked), so the
tests do not depend on what an answerer writes.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from assistant.evals.baseline import Baseline, baseline_from, check
from assistant.evals.language_table import language_table, markdown_table
from assistant.evals.languages import answer_language, in_language, judgeable, own_words
from assistant.evals.report import html_report, markdown_report, print_summary, summary_json, write_reports
from assistant.evals.runner import CaseResult, EvalResult, breakdown, non_english, summarize
from assistant.i18n import LANGUAGES

QUOTE = "supporting the work and mandate of agencies like the IOM and UNHCR"


# --- the metric ---
def test_a_german_lead_around_an_english_quote_is_german() -> None:
    answer = f"Die Erklärung nennt zwei Organisationen, nämlich diese: {QUOTE} [1]."
    assert answer_language(answer, [QUOTE]) == "de"
    assert in_language(answer, [QUOTE], "de") is True


def test_an_english_lead_is_not_german() -> None:
    answer = f"According to the statement, the leaders are {QUOTE} [1]."
    assert in_language(answer, [QUOTE], "de") is False


def test_the_quote_is_removed_whatever_its_case_spacing_and_full_stop() -> None:
    quote = "at the European Political Community Summit\n in Copenhagen."
    assert own_words("At the  European Political Community Summit in Copenhagen [1].", [quote]) == "."


@pytest.mark.parametrize(
    "quoted",
    [
        "“supporting agencies like the IOM”",
        "„supporting agencies like the IOM“",
        "‚supporting agencies like the IOM‘",
        "«supporting agencies like the IOM»",
        "»supporting agencies like the IOM«",
        '"supporting agencies like the IOM"',
        "'supporting agencies like the IOM'",
        "‘supporting agencies like the IOM’",
        "”supporting agencies like the IOM”",
    ],
)
def test_text_in_quotation_marks_of_any_style_is_not_judged(quoted: str) -> None:
    left = own_words(f"Die Erklärung sagt: {quoted}.")
    assert "IOM" not in left and "supporting" not in left and left.startswith("Die Erklärung sagt")


def test_apostrophes_inside_words_keep_the_words() -> None:
    left = own_words("Selon la déclaration, les forces de l'ordre et les systèmes d'asile doivent être robustes.")
    assert "l'ordre" in left and "d'asile" in left and "robustes" in left


def test_markers_urls_and_numbers_are_removed() -> None:
    left = own_words("Siehe [1] und [2, 3] sowie https://example.org/x?y=1 und www.example.eu: 15 Länder, 2025-10-02.")
    assert left == "Siehe und sowie und Länder,"


def test_too_little_left_to_judge_is_not_in_the_language() -> None:
    assert answer_language(f"Ja: {QUOTE} [1].", [QUOTE]) is None
    assert in_language(f"Ja: {QUOTE} [1].", [QUOTE], "de") is False


def test_english_and_undetectable_languages_are_not_judged() -> None:
    assert in_language("The statement does not say how much money is spent.", [], "en") is None
    assert not judgeable("lb") and in_language("D'Erklärung seet dat net.", [], "lb") is None  # no model
    assert all(judgeable(code) for code in LANGUAGES)  # lingua (and Maltese's letters) judge every page language


def test_a_region_subtag_is_the_language() -> None:
    assert in_language("Die Erklärung sagt nichts über das Budget.", [], "de-AT") is True


# --- rows by hand ---
def row(
    id: str, lang: str, answer: str, refused: bool = False, passed: bool = True, quotes: list[str] | None = None
) -> CaseResult:
    """A scored case as run_eval leaves it, its language fields from the real metric."""
    quoted = quotes or []
    return CaseResult(
        id=id,
        question="?",
        history=[],
        answerable=not refused,
        facts=[],
        forbidden=[],
        quotes=[],
        tags=["multilingual"],
        lang=lang,
        answer=answer,
        refused=refused,
        citations=[],
        standalone_question="?",
        retrieved=[],
        latency_ms=1.0,
        quote_ranks=[],
        answer_language=answer_language(answer, quoted),
        in_language=in_language(answer, quoted, lang),
        passed=passed,
    )


def result_of(rows: list[CaseResult]) -> EvalResult:
    return EvalResult(
        dataset="evals/x.jsonl",
        k=5,
        started_at="2026-01-01T00:00:00+00:00",
        init_seconds=1.0,
        warmup_seconds=0.0,
        run_seconds=1.0,
        assistant={},
        summary=summarize(rows, init_seconds=1.0),
        by_tag=breakdown(rows, lambda r: r.tags),
        by_lang=breakdown(rows, lambda r: [r.lang]),
        non_english=non_english(rows),
        cases=rows,
    )


GERMAN = "Die Erklärung nennt dazu Folgendes aus dem Text:"
ROWS = [
    row("en-1", "en", "At the summit in Copenhagen [1]."),
    row("en-2", "en", "The statement does not say.", refused=True, passed=False),
    row("de-1", "de", f"{GERMAN} {QUOTE} [1].", quotes=[QUOTE]),
    row("de-2", "de", f"According to the statement: {QUOTE} [1].", quotes=[QUOTE]),
    row("de-3", "de", "Die Erklärung sagt dazu nichts.", refused=True),
    row("fr-1", "fr", "The statement does not say anything about that.", refused=True, passed=False),
    row("lb-1", "lb", f"Laut der Erklärung: {QUOTE} [1].", quotes=[QUOTE]),
]


def test_the_summary_counts_answers_and_refusals_in_language_apart() -> None:
    result = result_of(ROWS)
    assert result.summary.answered_in_language == 0.5  # de-1 yes, de-2 no; English and Luxembourgish not judged
    assert result.summary.refused_in_language == 0.5  # de-3 yes, fr-1 no
    assert result.by_lang["de"].answered_in_language == 0.5 and result.by_lang["de"].refused_in_language == 1.0
    assert result.by_lang["en"].answered_in_language is None and result.by_lang["lb"].answered_in_language is None
    assert result.non_english is not None and result.non_english.cases == 5 and result.non_english.passed == 4


def test_the_language_table_puts_english_first_and_states_the_gap() -> None:
    table = language_table(result_of(ROWS))
    assert [r.lang for r in table.rows] == ["en", "de", "fr", "lb"]
    de = table.rows[1]
    assert (de.passed.k, de.passed.n) == (3, 3) and str(de.answered_in_language) == "1/2"
    assert str(de.refused_in_language) == "1/1" and de.name == LANGUAGES["de"]
    assert not table.rows[0].judged and not table.rows[3].judged and table.rows[2].judged
    assert (table.english.k, table.english.n, table.other.k, table.other.n) == (1, 2, 4, 5)
    assert table.gap == pytest.approx(0.5 - 0.8)
    assert (table.answered_in_language.k, table.answered_in_language.n) == (1, 2)


def test_the_markdown_table_is_readmes() -> None:
    text = markdown_table(language_table(result_of(ROWS)))
    lines = text.splitlines()
    assert lines[0] == "| language | cases | pass rate | answered in language | refusals in language |"
    assert lines[2] == "| English (en) | 2 | 50% (1/2) | n/a | n/a |"
    assert lines[3] == "| Deutsch (de) | 3 | 100% (3/3) | 50% (1/2) | 100% (1/1) |"
    assert lines[4] == "| français (fr) | 1 | 0% (0/1) | – | 0% (0/1) |"
    assert lines[5] == "| lb (lb) | 1 | 100% (1/1) | n/a | n/a |"
    assert "gap -30.0 points" in lines[-1] and "asker's language 50% (1/2)" in lines[-1]


def test_every_report_shows_the_language_table(tmp_path: Path) -> None:
    result = result_of(ROWS)
    languages = summary_json(result)["languages"]
    assert isinstance(languages, dict)
    assert languages["non_english_pass_rate"] == 0.8 and languages["gap"] == pytest.approx(-0.3)
    assert languages["answered_in_language_k"] == 1 and languages["answered_in_language_n"] == 2
    by_lang = {r["lang"]: r for r in languages["rows"]}
    assert by_lang["de"]["answered_in_language"] == 0.5 and by_lang["lb"]["judged"] is False
    assert "## Languages" in markdown_report(result) and "| Deutsch (de) | 3 |" in markdown_report(result)
    page = html_report(result)
    section = page[page.index('id="languages"') : page.index('id="by-tag"')]
    assert "Deutsch (de)" in section and "1/2" in section and "n/a" in section
    paths = write_reports(result, tmp_path)
    assert json.loads(paths[1].read_text())["languages"]["english_pass_rate"] == 0.5


def test_the_terminal_shows_the_totals_and_on_request_each_language() -> None:
    result = result_of(ROWS)
    short, full = io.StringIO(), io.StringIO()
    print_summary(result, Console(file=short, width=120))
    print_summary(result, Console(file=full, width=120), languages=True)
    assert "languages: pass rate: English 50% (1/2), other languages 80% (4/5)" in short.getvalue()
    assert "Deutsch" not in short.getvalue() and "de Deutsch" in full.getvalue()


# --- the gate ---
def test_the_gate_fails_when_answers_in_language_drop_beyond_the_tolerance() -> None:
    result = result_of(ROWS)
    baseline: Baseline = baseline_from(result)
    assert check(result, baseline) == []
    assert baseline.non_english is not None and baseline.tolerances["answered_in_language"].absolute == 0.02

    def with_rate(rate: float) -> Baseline:
        summary = baseline.summary.model_copy(update={"answered_in_language": rate})
        return baseline.model_copy(update={"summary": summary})

    assert check(result, with_rate(0.52)) == []  # within 0.02
    [regression] = check(result, with_rate(0.53))
    assert regression.metric == "answered_in_language" and regression.current == 0.5


def test_the_gate_judges_the_non_english_pass_rate_apart() -> None:
    result = result_of(ROWS)
    baseline = baseline_from(result)
    assert baseline.non_english is not None
    raised = baseline.non_english.model_copy(update={"pass_rate": 0.9})
    [regression] = check(result, baseline.model_copy(update={"non_english": raised}))
    assert regression.metric == "non_english.pass_rate" and regression.baseline == 0.9
    older = baseline.model_copy(update={"non_english": None})  # a baseline from before: nothing to compare
    assert check(result, older) == []
