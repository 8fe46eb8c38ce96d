"""The generated answerer's entailment checks, measured: the judge on hand-written pairs, and unsupported claims on the
dev set's detail-absent cases before and after the checks.

    .venv/bin/python -m bench.entailment_bench --pairs                     # judge accuracy, 0.5B and 1.5B
    .venv/bin/python -m bench.entailment_bench --detail-absent --models 0.5b
    .venv/bin/python -m bench.entailment_bench --detail-absent --unlabelled /tmp/to-label.jsonl

--pairs: evals/entailment_pairs.jsonl (60 pairs, half entailed) through the deterministic pre-check, the judge (the
answerer's own ModelJudge: grammar-constrained yes/no, in the answering model's turn, cache restored after) and both;
plus the yes-minus-no logit margin of the same prompts (AUC, and the best split, to see whether a bias would help),
and the time of one judged pair as an answer pays it.

--detail-absent: every dev case tagged detail-absent (the questions whose topic the statement has and whose detail it
does not), asked through the real answerer with the refusal gate lifted for the model (its extractive stage still
runs, and records whether it refused). Every claim the model writes is logged by the answerer (ClaimCheck): "before"
is what the similarity checks passed (the answerer before the entailment checks), "after" what it shows now. Whether
a claim is supported is a person's label (evals/claim_labels.jsonl: claim, quote, supported); claims with no label are
counted as such and can be written out to label. The same generation gives both columns (greedy decoding, the checks
come after it), so "before" and "after" differ only by the checks. "Gate on" counts the cases the extractive stage
answers (the model is only called for those in the product); "gate off" all of them.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from assistant.evals.metrics import percentile

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "evals" / "entailment_pairs.jsonl"
DATASET = ROOT / "evals" / "questions.jsonl"
LABELS = ROOT / "evals" / "claim_labels.jsonl"
MODELS = ("0.5b", "1.5b")
BEFORE_DROPS = frozenset({"language", "count", "support"})  # what the answerer dropped before the entailment checks
JUDGE_DROPS = frozenset({"judge", "unjudged"})


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _key(claim: str, quote: str) -> tuple[str, str]:
    return " ".join(claim.split()), " ".join(quote.split())


def _bot(model: str, index_dir: Path) -> Any:
    from assistant import Assistant, Config

    config = Config(
        answerer="local",
        local_model=model,
        index_dir=index_dir,
        show_progress=False,
        answer_deadline_seconds=600,  # measured without the deadline: a busy machine would otherwise decide
    )
    return Assistant(config)


def machine() -> str:
    from bench.machine import describe

    info = describe()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{info['cpu']}, {info['usable_cores']} cores, load average {load} (at start {info['load_average_at_start']})"
    )


# --- pairs -----------------------------------------------------------------------------------------------------------
def margins(bot: Any, pairs: list[dict[str, Any]]) -> list[float]:
    """The judge prompt's yes-minus-no logit at its first token, for each pair (read by a logits processor)."""
    from assistant.generation.entailment import JUDGE_SYSTEM, Pair, judge_prompt

    backend = bot.answerer.backend
    llama = backend.model.llama
    yes, no = (llama.tokenize(w.encode(), add_bos=False, special=False)[0] for w in ("yes", "no"))
    found: list[float] = []
    with backend.model.lock:
        try:
            for row in pairs:
                seen: list[float] = []

                def record(_ids: Any, scores: Any, seen: list[float] = seen) -> Any:
                    if not seen:
                        seen.append(float(scores[yes] - scores[no]))
                    return scores

                messages = [
                    {"role": "system", "content": JUDGE_SYSTEM},
                    {"role": "user", "content": judge_prompt(Pair(row["claim"], row["quote"]))},
                ]
                llama.create_chat_completion(messages, max_tokens=1, temperature=0, logits_processor=[record])
                found.append(seen[0])
        finally:
            backend._state.load(llama)
    return found


def auc(scores: list[float], positive: list[bool]) -> float:
    pos = [s for s, p in zip(scores, positive, strict=True) if p]
    neg = [s for s, p in zip(scores, positive, strict=True) if not p]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def run_pairs(model: str, index_dir: Path) -> dict[str, Any]:
    from assistant.generation.entailment import Pair, unfinished, unstated_specifics

    rows = _rows(PAIRS)
    bot = _bot(model, index_dir)
    judge = bot.answerer.judge
    verdicts: list[bool] = []
    seconds: list[float] = []
    for row in rows:  # one pair a turn, as an answer with one claim pays it (system prompt, pair, cache restored)
        started = time.perf_counter()
        [verdict] = judge.entailed([Pair(row["claim"], row["quote"])])
        seconds.append(time.perf_counter() - started)
        verdicts.append(bool(verdict))
    flagged = [bool(unstated_specifics(r["claim"], r["quote"])) or unfinished(r["claim"]) is not None for r in rows]
    margin = margins(bot, rows)
    truth = [bool(r["entailed"]) for r in rows]
    combined = [v and not f for v, f in zip(verdicts, flagged, strict=True)]
    splits = sorted(set(margin))
    best = max(
        ((sum((m > t) == e for m, e in zip(margin, truth, strict=True)) / len(rows), t) for t in [-99.0, *splits]),
        key=lambda x: x[0],
    )
    by_kind: dict[str, list[bool]] = {}
    for row, ok in zip(rows, combined, strict=True):
        by_kind.setdefault(row["kind"], []).append(ok == row["entailed"])
    return {
        "model": model,
        "pairs": len(rows),
        "judge_accuracy": _accuracy(verdicts, truth),
        "judge_yes_on_entailed": _share(verdicts, truth, True),
        "judge_no_on_not_entailed": _share([not v for v in verdicts], truth, False),
        "precheck_no_on_not_entailed": _share(flagged, truth, False),
        "precheck_no_on_entailed": _share(flagged, truth, True),
        "combined_accuracy": _accuracy(combined, truth),
        "combined_yes_on_entailed": _share(combined, truth, True),
        "combined_no_on_not_entailed": _share([not c for c in combined], truth, False),
        "margin_auc": auc(margin, truth),
        "margin_best_split": {"accuracy": best[0], "above": best[1]},
        "by_kind": {k: sum(v) / len(v) for k, v in sorted(by_kind.items())},
        "judge_s_p50": percentile(seconds, 50),
        "judge_s_p95": percentile(seconds, 95),
        "wrong": [r["id"] for r, v, e in zip(rows, combined, truth, strict=True) if v != e],
    }


def _accuracy(said: list[bool], truth: list[bool]) -> float:
    return sum(s == t for s, t in zip(said, truth, strict=True)) / len(truth)


def _share(flags: list[bool], truth: list[bool], where: bool) -> float:
    chosen = [f for f, t in zip(flags, truth, strict=True) if t == where]
    return sum(chosen) / len(chosen)


def pairs_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| model | judge accuracy | judge: yes on entailed / no on not | pre-check: no on not / no on entailed | "
        "pre-check + judge: accuracy (yes on entailed / no on not) | margin AUC, best split | judged pair p50 / p95 |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        split = r["margin_best_split"]
        lines.append(
            f"| {r['model']} | {r['judge_accuracy']:.2f} | {r['judge_yes_on_entailed']:.2f} / "
            f"{r['judge_no_on_not_entailed']:.2f} | {r['precheck_no_on_not_entailed']:.2f} / "
            f"{r['precheck_no_on_entailed']:.2f} | {r['combined_accuracy']:.2f} ({r['combined_yes_on_entailed']:.2f} / "
            f"{r['combined_no_on_not_entailed']:.2f}) | {r['margin_auc']:.3f}, {split['accuracy']:.2f} above "
            f"{split['above']:.2f} | {r['judge_s_p50']:.2f} s / {r['judge_s_p95']:.2f} s |"
        )
    return "\n".join(lines)


# --- detail-absent dev cases -----------------------------------------------------------------------------------------
class _Ungated:
    """The extractive answerer with its refusal lifted for the model (bench only): records whether it refused."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.refused: list[bool] = []

    def answer(self, question: Any, evidence: Any) -> Any:
        draft = self.inner.answer(question, evidence)
        self.refused.append(draft.refused)
        return replace(draft, refused=False) if draft.refused else draft

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.checks: list[Any] = []

    def emit(self, record: logging.LogRecord) -> None:
        check = getattr(record, "claim_check", None)
        if check is not None:
            self.checks.append(check)


@contextmanager
def _collecting() -> Iterator[_Collect]:
    logger = logging.getLogger("assistant.generation.answerer")
    handler, level = _Collect(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@dataclass
class Case:
    id: str
    question: str
    gate_refused: bool
    seconds: float
    answered_by: str
    claims: list[dict[str, Any]] = field(default_factory=list)


def run_detail_absent(model: str, index_dir: Path, every: int, log: Path | None = None) -> list[Case]:
    """Ask each case; with a `log`, each case is appended to it as it is done, and cases already there are kept
    (a run cut short goes on where it stopped)."""
    cases = [r for r in _rows(DATASET) if "detail-absent" in r["tags"] and "corpus" not in r][::every]
    kept = {
        r["id"]: Case(**{k: v for k, v in r.items() if k != "model"})
        for r in (_rows(log) if log is not None and log.exists() else [])
        if r["model"] == model
    }
    cases = [r for r in cases if r["id"] not in kept]
    done: list[Case] = list(kept.values())
    if not cases:
        return done
    bot = _bot(model, index_dir)
    ungated = _Ungated(bot.answerer.extractive)
    bot.answerer.extractive = ungated
    bot.ask("What is the statement about?")  # warm, not counted
    for row in cases:
        ungated.refused.clear()
        with _collecting() as collected:
            started = time.perf_counter()
            answer = bot.ask(row["question"], [tuple(turn) for turn in row.get("history") or []])
            seconds = time.perf_counter() - started
        claims = [{"claim": c.claim, "quote": c.quote, "stage": c.stage, "reason": c.reason} for c in collected.checks]
        case = Case(
            row["id"], row["question"], bool(ungated.refused[:1] == [True]), seconds, answer.answered_by, claims
        )
        done.append(case)
        if log is not None:
            with log.open("a") as out:
                out.write(json.dumps({"model": model, **case.__dict__}, ensure_ascii=False) + "\n")
        stages = ", ".join(c["stage"] for c in claims) or "no claim"
        print(
            f"{model} {row['id']}: {seconds:.1f}s, gate {'refuses' if case.gate_refused else 'answers'}; {stages}",
            file=sys.stderr,
            flush=True,
        )
    return done


WHEN = ("before", "code", "after")  # similarity checks only; + the checks in code; + the judge (what is shown)


def _kept(stage: str) -> dict[str, bool]:
    return {
        "before": stage not in BEFORE_DROPS,
        "code": stage == "accepted" or stage in JUDGE_DROPS,
        "after": stage == "accepted",
    }


def summarise(cases: list[Case], labels: dict[tuple[str, str], bool]) -> dict[str, Any]:
    """Claims kept by the similarity checks (before), by the checks in code too (code) and by the judge too (after,
    what is shown), how many of each a person labelled unsupported, and the answers carrying one."""
    shown, unsupported, unlabelled, bad_answers = Counter[str](), Counter[str](), Counter[str](), Counter[str]()
    for case in cases:
        bad = dict.fromkeys(WHEN, False)
        for c in case.claims:
            label = labels.get(_key(c["claim"], c["quote"]))
            for when, kept in _kept(c["stage"]).items():
                if kept:
                    shown[when] += 1
                    unlabelled[when] += label is None
                    unsupported[when] += label is False
                    bad[when] = bad[when] or label is False
        for when in WHEN:
            bad_answers[when] += bad[when]
    return {
        "cases": len(cases),
        "written": sum(len(c.claims) for c in cases),
        **{f"shown_{w}": shown[w] for w in WHEN},
        **{f"unsupported_{w}": unsupported[w] for w in WHEN},
        **{f"unlabelled_{w}": unlabelled[w] for w in WHEN},
        **{f"answers_unsupported_{w}": bad_answers[w] for w in WHEN},
        "stages": dict(Counter(c["stage"] for case in cases for c in case.claims)),
        "seconds_p50": percentile([c.seconds for c in cases], 50) if cases else None,
    }


def detail_table(results: dict[str, list[Case]], labels: dict[tuple[str, str], bool]) -> str:
    lines = [
        "| model | cases | claims written | claims kept (unsupported / unlabelled): similarity only → + checks in "
        "code → + judge | answers with an unsupported claim: similarity only → + code → + judge | answer p50 |",
        "|---|---|---|---|---|---|",
    ]
    for model, cases in results.items():
        for scope, chosen in (("gate on", [c for c in cases if not c.gate_refused]), ("gate off", cases)):
            s = summarise(chosen, labels)
            kept = " → ".join(f"{s[f'shown_{w}']} ({s[f'unsupported_{w}']} / {s[f'unlabelled_{w}']})" for w in WHEN)
            bad = " → ".join(str(s[f"answers_unsupported_{w}"]) for w in WHEN)
            p50 = f"{s['seconds_p50']:.1f} s" if s["seconds_p50"] is not None else "–"
            lines.append(
                f"| {model}, {scope} | {s['cases']} | {s['written']} | {kept} | {bad} of {s['cases']} | {p50} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", action="store_true", help="The judge on evals/entailment_pairs.jsonl")
    parser.add_argument("--detail-absent", action="store_true", help="Unsupported claims on detail-absent dev cases")
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--every", type=int, default=1, help="Only every Nth detail-absent case")
    parser.add_argument("--labels", type=Path, default=LABELS, help="Claims labelled supported or not, by a person")
    parser.add_argument("--unlabelled", type=Path, default=None, help="Write the claims still to label here (JSONL)")
    parser.add_argument("--index-dir", type=Path, default=None, help="Index folder (default: a temp dir)")
    parser.add_argument("--log", type=Path, default=None, help="Append each detail-absent case here; resume from it")
    parser.add_argument("--json", type=Path, default=None, help="Also write the raw results here")
    args = parser.parse_args(argv)
    if not (args.pairs or args.detail_absent):
        parser.error("choose --pairs and/or --detail-absent")
    logging.basicConfig(level=logging.WARNING)
    index_dir = args.index_dir or Path(tempfile.mkdtemp(prefix="entailment-bench-")) / "index"
    print(f"machine: {machine()}", flush=True)
    raw: dict[str, Any] = {}
    if args.pairs:
        rows = [run_pairs(model, index_dir) for model in args.models]
        raw["pairs"] = rows
        print(pairs_table(rows))
        for r in rows:
            kinds = ", ".join(f"{k} {v:.2f}" for k, v in r["by_kind"].items())
            print(f"{r['model']}: right by kind (pre-check + judge): {kinds}; wrong: {', '.join(r['wrong']) or '-'}")
    if args.detail_absent:
        labels = (
            {_key(r["claim"], r["quote"]): bool(r["supported"]) for r in _rows(args.labels)}
            if args.labels.exists()
            else {}
        )
        results = {model: run_detail_absent(model, index_dir, args.every, args.log) for model in args.models}
        raw["detail_absent"] = {m: [c.__dict__ for c in cases] for m, cases in results.items()}
        print(detail_table(results, labels))
        for model, cases in results.items():
            print(f"{model}: stages {summarise(cases, labels)['stages']}")
        if args.unlabelled:
            todo: dict[tuple[str, str], dict[str, Any]] = {}
            for cases in results.values():
                for case in cases:
                    for c in case.claims:
                        key = _key(c["claim"], c["quote"])
                        if c["stage"] not in BEFORE_DROPS and key not in labels:
                            todo[key] = {"question": case.question, "claim": key[0], "quote": key[1], "supported": None}
            args.unlabelled.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in todo.values()))
            print(f"{len(todo)} claims to label written to {args.unlabelled}")
    print(f"machine at the end: {machine()}")
    if args.json:
        args.json.write_text(json.dumps(raw, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
