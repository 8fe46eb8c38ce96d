"""The eval harness: score the Assistant on a question set, offline and deterministic, report it, gate regressions.

The names below load on first use (PEP 562): `assistant.evals.metrics` or `.dataset` alone import no model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.lazy import lazy_exports

_EXPORTS = {
    "Baseline": "assistant.evals.baseline",
    "Regression": "assistant.evals.baseline",
    "Tolerance": "assistant.evals.baseline",
    "compare": "assistant.evals.baseline",
    "load_baseline": "assistant.evals.baseline",
    "write_baseline": "assistant.evals.baseline",
    "Case": "assistant.evals.dataset",
    "DatasetError": "assistant.evals.dataset",
    "Problem": "assistant.evals.dataset",
    "load_dataset": "assistant.evals.dataset",
    "write_reports": "assistant.evals.report",
    "CaseResult": "assistant.evals.runner",
    "EvalResult": "assistant.evals.runner",
    "Summary": "assistant.evals.runner",
    "run_eval": "assistant.evals.runner",
}

if TYPE_CHECKING:
    from assistant.evals.baseline import Baseline, Regression, Tolerance, compare, load_baseline, write_baseline
    from assistant.evals.dataset import Case, DatasetError, Problem, load_dataset
    from assistant.evals.report import write_reports
    from assistant.evals.runner import CaseResult, EvalResult, Summary, run_eval


__getattr__, __dir__ = lazy_exports("assistant.evals", _EXPORTS, globals())


__all__ = [
    "Baseline",
    "Case",
    "CaseResult",
    "DatasetError",
    "EvalResult",
    "Problem",
    "Regression",
    "Summary",
    "Tolerance",
    "compare",
    "load_baseline",
    "load_dataset",
    "run_eval",
    "write_baseline",
    "write_reports",
]
