"""The per-language table of a run: per language its pass rate and how often it was answered (and refused) in its own
language, and the gap between the English and the other cases' pass rates (what README's language table shows)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from assistant.evals.runner import CaseResult, EvalResult
from assistant.i18n import LANGUAGES, SOURCE_LANGUAGE


class Count(BaseModel):
    """k of n cases (n = 0: not measured)."""

    k: int
    n: int

    @property
    def rate(self) -> float | None:
        return self.k / self.n if self.n else None

    def __str__(self) -> str:
        return f"{self.k}/{self.n}" if self.n else "–"


class LanguageRow(BaseModel):
    """One language of a run."""

    lang: str
    name: str
    passed: Count
    answered_in_language: Count = Field(description="Answered cases whose own words are in the language")
    refused_in_language: Count = Field(description="Refused cases whose own words are in the language")
    judged: bool = Field(description="False when lingua cannot detect the language (Maltese) or it is English")


class LanguageTable(BaseModel):
    """Every language of a run, English first, and the totals the issue's targets are stated in."""

    rows: list[LanguageRow]
    english: Count = Field(description="English cases passed")
    other: Count = Field(description="Non-English cases passed")
    answered_in_language: Count = Field(description="Answered non-English cases in their language")
    refused_in_language: Count = Field(description="Refused non-English cases in their language")

    @property
    def gap(self) -> float | None:
        """English pass rate minus the other languages' (positive: the others pass less often)."""
        english, other = self.english.rate, self.other.rate
        return None if english is None or other is None else english - other


def language_table(result: EvalResult) -> LanguageTable:
    """The language table of a run, from its per-case rows."""
    groups: dict[str, list[CaseResult]] = {}
    for row in result.cases:
        groups.setdefault(_code(row.lang), []).append(row)
    order = sorted(groups, key=lambda code: (code != SOURCE_LANGUAGE, code))
    others = [row for code in order if code != SOURCE_LANGUAGE for row in groups[code]]
    return LanguageTable(
        rows=[_row(code, groups[code]) for code in order],
        english=_passed(groups.get(SOURCE_LANGUAGE, [])),
        other=_passed(others),
        answered_in_language=_in_language(others, refused=False),
        refused_in_language=_in_language(others, refused=True),
    )


def _code(lang: str) -> str:
    return lang.split("-")[0].lower()


def _row(code: str, rows: Sequence[CaseResult]) -> LanguageRow:
    return LanguageRow(
        lang=code,
        name=LANGUAGES.get(code, code),
        passed=_passed(rows),
        answered_in_language=_in_language(rows, refused=False),
        refused_in_language=_in_language(rows, refused=True),
        judged=any(r.in_language is not None for r in rows),
    )


def _passed(rows: Sequence[CaseResult]) -> Count:
    return Count(k=sum(r.passed for r in rows), n=len(rows))


def _in_language(rows: Sequence[CaseResult], refused: bool) -> Count:
    judged = [r.in_language for r in rows if r.in_language is not None and r.refused == refused]
    return Count(k=sum(judged), n=len(judged))


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def totals_line(table: LanguageTable) -> str:
    """One line: the two pass rates, their gap, and the in-language rates of the non-English cases."""
    gap = "–" if table.gap is None else f"{table.gap * 100:+.1f} points"
    return (
        f"pass rate: English {_percent(table.english.rate)} ({table.english}), "
        f"other languages {_percent(table.other.rate)} ({table.other}), gap {gap}; "
        f"non-English answers in the asker's language {_percent(table.answered_in_language.rate)} "
        f"({table.answered_in_language}), refusals {_percent(table.refused_in_language.rate)} "
        f"({table.refused_in_language})"
    )


def markdown_table(table: LanguageTable) -> str:
    """The table as Markdown (README's "Languages" table): counts with their rates, then the totals line."""
    lines = [
        "| language | cases | pass rate | answered in language | refusals in language |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in table.rows:
        answered, refused = (
            (_cell(row.answered_in_language), _cell(row.refused_in_language)) if row.judged else ("n/a", "n/a")
        )
        lines.append(f"| {row.name} ({row.lang}) | {row.passed.n} | {_cell(row.passed)} | {answered} | {refused} |")
    return "\n".join([*lines, "", totals_line(table) + "."]) + "\n"


def _cell(count: Count) -> str:
    return "–" if not count.n else f"{_percent(count.rate)} ({count})"
