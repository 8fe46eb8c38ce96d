"""Answerer benchmark on the dev set: time to first delta, whole answer, peak RSS and the eval pass rates.

    .venv/bin/python -m bench.llm_bench                       # extractive, local 0.5b, local 1.5b
    .venv/bin/python -m bench.llm_bench --only local:1.5b --limit 20
    .venv/bin/python -m bench.llm_bench --only local:0.5b --every 5 --no-judge   # without the entailment judge

Each answerer runs in its own process (so peak RSS is its own), warmed before timing like a server would be. The
answers are scored with the eval harness (assistant.evals.run_eval) when it is importable, else by this script from
the dataset's answerable/facts/forbidden fields. Targets from the issue (1.5B): first delta p50 <= 2 s, whole answer
p50 <= 10 s, peak RSS <= 3 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.evals.metrics import percentile

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "evals" / "questions.jsonl"
ANSWERERS = ("extractive", "local:0.5b", "local:1.5b")
TARGETS = {"ttft_p50_s": 2.0, "total_p50_s": 10.0, "peak_rss_gb": 3.0}


def _config(answerer: str, index_dir: Path, judge: bool = True) -> Any:
    from assistant.config import Config

    kind, _, model = answerer.partition(":")
    settings: dict[str, Any] = {
        "answerer": kind,
        "index_dir": index_dir,
        "show_progress": False,
        "entailment_judge": judge,
    }
    if model:
        settings["local_model"] = model
    return Config(**settings)


def _simple_score(bot: Any, dataset: Path) -> dict[str, Any]:
    """Pass rate without the harness: answerable -> not refused, a citation, every fact; else refused."""
    rows = [json.loads(line) for line in dataset.read_text().splitlines() if line.strip()]
    passed = answerable_passed = answerable = 0
    for row in rows:
        answer = bot.ask(row["question"], row.get("history") or [])
        text = answer.text.lower()
        ok = not any(f.lower() in text for f in row.get("forbidden", []))
        if row["answerable"]:
            answerable += 1
            ok = ok and not answer.refused and bool(answer.citations)
            ok = ok and all(any(alt.lower() in text for alt in fact) for fact in row.get("facts", []))
            answerable_passed += ok
        else:
            ok = ok and answer.refused
        passed += ok
    return {"pass_rate": passed / len(rows), "exact_pass_rate": answerable_passed / max(1, answerable)}


def run_one(
    answerer: str, dataset: Path, limit: int | None, index_dir: Path, every: int = 1, judge: bool = True
) -> dict[str, Any]:
    """Time and score one answerer in this process."""
    from assistant.assistant import Assistant
    from assistant.models import Answer

    started = time.perf_counter()
    bot = Assistant(_config(answerer, index_dir, judge))
    init_s = time.perf_counter() - started
    timings: list[tuple[float, float]] = []
    ask = bot.ask

    def streamed_ask(question: str, history: Any = None) -> Answer:
        """ask() through stream(), timing the first delta and the whole answer."""
        t0 = time.perf_counter()
        first = None
        final = None
        pieces: Iterator[Any] = bot.stream(question, history)
        for piece in pieces:
            if isinstance(piece, Answer):
                final = piece
            elif isinstance(piece, str) and first is None:
                first = time.perf_counter()
        end = time.perf_counter()
        timings.append(((first or end) - t0, end - t0))
        print(f"{answerer} #{len(timings)}: first {(first or end) - t0:.1f}s, whole {end - t0:.1f}s", file=sys.stderr)
        assert final is not None
        return final

    bot.ask = streamed_ask  # type: ignore[method-assign]
    for warm in ("What is the statement about?", "Worum geht es in der Erklärung?"):
        ask(warm)
    path = dataset
    if limit or every > 1:
        lines = [line for line in dataset.read_text().splitlines() if line.strip()][::every][:limit]
        handle = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False)  # noqa: SIM115
        handle.write("\n".join(lines) + "\n")
        handle.close()
        path = Path(handle.name)
    try:
        from assistant.evals import run_eval
    except ImportError:
        run_eval = None
    failures: list[str] = []
    if run_eval is not None:
        result = run_eval(bot, path, progress=False)
        summary = result.summary
        scores = {"pass_rate": summary.pass_rate, "exact_pass_rate": summary.exact_pass_rate, "scorer": "run_eval"}
        timings = timings[2:]  # run_eval asks its own two warm-up questions first
        failures = [f"{c.id}: {'; '.join(c.reasons)} -> {c.answer[:160]!r}" for c in result.failures]
        by_tag = {tag: s.pass_rate for tag, s in result.by_tag.items()}
    else:
        scores = {**_simple_score(bot, path), "scorer": "bench"}
        by_tag = {}
    ttft = [t for t, _ in timings]
    total = [t for _, t in timings]
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "answerer": answerer,
        "cases": len(timings),
        "init_s": init_s,
        "ttft_p50_s": percentile(ttft, 50),
        "ttft_p95_s": percentile(ttft, 95),
        "total_p50_s": percentile(total, 50),
        "total_p95_s": percentile(total, 95),
        "peak_rss_gb": peak_kb / 1024 / 1024,
        **scores,
        "by_tag": by_tag,
        "failures": failures,
    }


def meets_targets(row: dict[str, Any]) -> bool:
    return all(row[key] <= limit for key, limit in TARGETS.items())


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| answerer | pass rate | exact pass rate | first delta p50 / p95 | whole answer p50 / p95 | peak RSS | "
        "meets latency targets |"
    )
    lines = [head, "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['answerer']} | {r['pass_rate']:.2f} | {r['exact_pass_rate']:.2f} | "
            f"{r['ttft_p50_s']:.2f} s / {r['ttft_p95_s']:.2f} s | "
            f"{r['total_p50_s']:.2f} s / {r['total_p95_s']:.2f} s | "
            f"{r['peak_rss_gb']:.2f} GB | {'yes' if meets_targets(r) else 'no'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", choices=ANSWERERS, help="Run just this answerer (repeatable)")
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--limit", type=int, default=None, help="Only the first N cases")
    parser.add_argument("--every", type=int, default=1, help="Only every Nth case (a spread over all tags)")
    parser.add_argument("--index-dir", type=Path, default=None, help="Index folder (default: a temp dir)")
    parser.add_argument("--json", type=Path, default=None, help="Also write the rows here")
    parser.add_argument("--failures", action="store_true", help="Print each answerer's failed cases")
    parser.add_argument("--no-judge", action="store_true", help="Model answerers without the entailment judge")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    index_dir = args.index_dir or Path(tempfile.mkdtemp(prefix="llm-bench-")) / "index"
    if args.child:
        row = run_one(args.child, args.dataset, args.limit, index_dir, args.every, judge=not args.no_judge)
        print("BENCH-ROW " + json.dumps(row))
        return 0
    rows = []
    for answerer in args.only or ANSWERERS:
        command = [sys.executable, "-m", "bench.llm_bench", "--child", answerer, "--dataset", str(args.dataset)]
        command += ["--index-dir", str(index_dir), "--every", str(args.every)]
        command += ["--limit", str(args.limit)] if args.limit else []
        command += ["--no-judge"] if args.no_judge else []
        print(f"running {answerer} ...", file=sys.stderr, flush=True)
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ}, check=False)
        found = [line for line in done.stdout.splitlines() if line.startswith("BENCH-ROW ")]
        if done.returncode or not found:
            return 1
        rows.append(json.loads(found[-1][len("BENCH-ROW ") :]))
    print(table(rows))
    for r in rows:
        tags = ", ".join(f"{tag} {rate:.2f}" for tag, rate in sorted(r["by_tag"].items()) if rate is not None)
        print(f"\n{r['answerer']}: {r['cases']} cases, start-up {r['init_s']:.1f} s, scored by {r['scorer']}; {tags}")
        if args.failures:
            for failure in r["failures"]:
                print(f"  - {failure}")
    eligible = [r for r in rows if meets_targets(r)]
    if eligible:
        best = max(eligible, key=lambda r: (r["exact_pass_rate"], r["pass_rate"]))
        print(f"\ndefault by the issue's rule (best exact pass rate meeting the latency targets): {best['answerer']}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
