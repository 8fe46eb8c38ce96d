"""The regression gate: compare a run's quality metrics with a saved baseline, each with its tolerance; timings are
reported beside the baseline's, with the machines they were measured on, and never fail the gate."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from assistant.errors import AssistantError
from assistant.evals.machine import Machine
from assistant.evals.runner import EvalResult, Summary


class Tolerance(BaseModel):
    """How far a quality metric may move the wrong way before the gate fails: by `absolute` units, or by `factor`
    (a ratio), whichever allows more."""

    higher_is_better: bool = True
    absolute: float = Field(0.0, ge=0, description="Allowed worsening in the metric's own units")
    factor: float | None = Field(None, ge=1, description="Allowed worsening as a ratio (2.0 = twice as bad)")

    def limit(self, baseline: float) -> float:
        """The worst value that still passes."""
        if self.higher_is_better:
            by_factor = baseline / self.factor if self.factor else baseline
            return min(by_factor, baseline - self.absolute)
        by_factor = baseline * self.factor if self.factor else baseline
        return max(by_factor, baseline + self.absolute)


NON_ENGLISH = "non_english."  # tolerances under this prefix judge the non-English cases' summary
EPSILON = 1e-9  # float noise: 0.8 - 0.02 must still admit 0.78
QUALITY = Tolerance(absolute=0.02)
DEFAULT_TOLERANCES: dict[str, Tolerance] = {
    **{
        name: QUALITY
        for name in (
            "pass_rate",
            "exact_pass_rate",
            "fact_recall",
            "recall_at_1",
            "recall_at_3",
            "recall_at_5",
            "mrr",
            "ndcg",
            "citation_validity",
            "citation_precision",
            "citation_recall",
            "citation_char_precision",
            "refusal_precision",
            "refusal_recall",
            "answered_in_language",
            "refused_in_language",
        )
    },
    # The same kind of figure over the non-English cases alone (EvalResult.non_english), under the prefix
    "non_english.pass_rate": QUALITY,
    "false_refusal_rate": Tolerance(higher_is_better=False, absolute=0.02),
    "forbidden_violations": Tolerance(higher_is_better=False, absolute=0),
}
# Timings depend on the machine and on whatever else runs on it: they are reported beside the baseline's (with both
# machines), never gated, even when an older baseline file lists a tolerance for them.
TIMINGS: dict[str, str] = {"latency_p50_ms": "ms", "latency_p95_ms": "ms", "init_seconds": "s"}


class Baseline(BaseModel):
    """What evals/baseline.json holds: the summary of a trusted run and the tolerances to judge later runs by."""

    dataset: str
    k: int
    written_at: str
    assistant: dict[str, Any] = Field(default_factory=dict)
    machine: Machine | None = Field(None, description="Where the baseline's timings were measured (None: not recorded)")
    summary: Summary
    non_english: Summary | None = Field(None, description="The summary of the non-English cases (None: not recorded)")
    tolerances: dict[str, Tolerance] = Field(default_factory=lambda: dict(DEFAULT_TOLERANCES))


class Regression(BaseModel):
    """One metric that moved the wrong way beyond its tolerance."""

    metric: str
    baseline: float
    current: float | None
    limit: float

    def __str__(self) -> str:
        now = "undefined" if self.current is None else _number(self.current)
        return f"{self.metric}: {now} (baseline {_number(self.baseline)}, limit {_number(self.limit)})"


class Timing(BaseModel):
    """One timing of the run beside the baseline's (not gated: the machines and their load may differ)."""

    metric: str
    unit: str
    current: float | None
    baseline: float | None

    @property
    def ratio(self) -> float | None:
        """current / baseline (2.0: twice as slow as the baseline's machine measured)."""
        if self.current is None or not self.baseline:
            return None
        return self.current / self.baseline


class BaselineError(AssistantError, ValueError):
    """The baseline file cannot be read."""


def baseline_from(result: EvalResult) -> Baseline:
    return Baseline(
        dataset=result.dataset,
        k=result.k,
        written_at=datetime.now(UTC).isoformat(timespec="seconds"),
        assistant=result.assistant,
        machine=result.machine,
        summary=result.summary,
        non_english=result.non_english,
    )


def write_baseline(result: EvalResult, path: str | Path) -> Baseline:
    """Save a run's summary (and the default tolerances, for staff to adjust) as the new baseline."""
    baseline = baseline_from(result)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(baseline.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return baseline


def load_baseline(path: str | Path) -> Baseline:
    try:
        return Baseline.model_validate(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, ValidationError) as error:
        raise BaselineError(f"{path}: not a usable baseline ({error})") from error


def compare(current: Summary, baseline: Summary, tolerances: dict[str, Tolerance] | None = None) -> list[Regression]:
    """Every quality metric that got worse than its tolerance allows; equal or better numbers never regress.

    A metric the baseline lacks (None) is skipped; one the baseline has but the run lacks is a regression. Timings
    (TIMINGS) are never compared here, whatever the tolerances say: see timings().
    """
    rules = DEFAULT_TOLERANCES if tolerances is None else tolerances
    now, then = current.model_dump(), baseline.model_dump()
    regressions = []
    for metric, rule in rules.items():
        before, after = then.get(metric), now.get(metric)
        if before is None or metric in TIMINGS:
            continue
        limit = rule.limit(float(before))
        worse = after is None or (after < limit - EPSILON if rule.higher_is_better else after > limit + EPSILON)
        if worse:
            regressions.append(Regression(metric=metric, baseline=before, current=after, limit=limit))
    return regressions


def check(result: EvalResult, baseline: Baseline) -> list[Regression]:
    """Gate a run against a saved baseline with the tolerances stored in it (defaults for metrics it lacks): the
    whole run's summary, then the non-English cases' summary by the tolerances named `non_english.<metric>`."""
    rules = {**DEFAULT_TOLERANCES, **baseline.tolerances}
    found = compare(result.summary, baseline.summary, rules)
    if baseline.non_english is not None and result.non_english is not None:
        own = {name.removeprefix(NON_ENGLISH): rule for name, rule in rules.items() if name.startswith(NON_ENGLISH)}
        found += [
            r.model_copy(update={"metric": NON_ENGLISH + r.metric})
            for r in compare(result.non_english, baseline.non_english, own)
        ]
    return found


def timings(current: Summary, baseline: Summary | None) -> list[Timing]:
    """The run's timings beside the baseline's, for the report (never a reason to fail)."""
    return [
        Timing(
            metric=name,
            unit=unit,
            current=getattr(current, name),
            baseline=getattr(baseline, name) if baseline is not None else None,
        )
        for name, unit in TIMINGS.items()
    ]


def _number(value: float) -> str:
    return f"{value:.4g}"
