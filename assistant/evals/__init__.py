"""The eval harness: score the Assistant on a question set, offline and deterministic, report it, gate regressions."""

from assistant.evals.baseline import Baseline, Regression, Tolerance, compare, load_baseline, write_baseline
from assistant.evals.dataset import Case, DatasetError, Problem, load_dataset
from assistant.evals.report import write_reports
from assistant.evals.runner import CaseResult, EvalResult, Summary, run_eval

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
