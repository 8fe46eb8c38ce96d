"""`python -m bench.clistart`: how long the `agenda` command takes to start, measured from outside as a user sees it.

Each figure is the median wall time (and CPU time, user + system) of a fresh process (`python -m assistant.cli ...`,
the same code as the `agenda` script) on the project's corpus with the index already built in a temporary folder, so
no figure includes indexing:

- import: `python -c "import assistant.cli"`
- help: `agenda --help`
- ask: `agenda ask "<question>"` (a cold start: models load, one answer)
- chat: `agenda chat` answering the same question three times over stdin, then `exit` (one start, three answers)

python -m bench.clistart                 # 3 runs of each, the median printed with the CPU it ran on
python -m bench.clistart --runs 5 --json bench/out/clistart.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.machine import describe

PROJECT_ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Which agencies does the statement mention?"


def timed(args: list[str], env: dict[str, str], stdin: str | None = None) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system: less sensitive to other jobs on a shared machine) and exit code of
    one fresh `python -m assistant.cli ...` (or `python -c ...`) process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args], env=env, input=stdin, capture_output=True, text=True, timeout=900, check=False
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


def measure(runs: int, env: dict[str, str]) -> dict[str, Any]:
    commands: dict[str, tuple[list[str], str | None]] = {
        "import": (["-c", "import assistant.cli"], None),
        "help": (["-m", "assistant.cli", "--help"], None),
        "ask": (["-m", "assistant.cli", "ask", QUESTION], None),
        "chat_3_questions": (["-m", "assistant.cli", "chat"], f"{QUESTION}\n" * 3 + "exit\n"),
    }
    figures: dict[str, Any] = {}
    for name, (args, stdin) in commands.items():
        seconds, cpu, codes = [], [], []
        for _ in range(runs):
            wall, used, code = timed(args, env, stdin)
            seconds.append(wall)
            cpu.append(used)
            codes.append(code)
        ok = all(code == 0 for code in codes)
        figures[name] = {
            "median_s": round(statistics.median(seconds), 2) if ok else None,
            "median_cpu_s": round(statistics.median(cpu), 2) if ok else None,
            "runs_s": [round(s, 2) for s in seconds],
            "exit_codes": sorted(set(codes)),
        }
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.clistart", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per command (the median is shown)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="agenda-clistart-") as work:
        env = os.environ | {
            "PYTHONPATH": str(PROJECT_ROOT),
            "ASSISTANT_INDEX_DIR": str(Path(work) / "index"),
            "ASSISTANT_SHOW_PROGRESS": "false",
        }
        built = subprocess.run(
            [sys.executable, "-m", "assistant.cli", "index"], env=env, capture_output=True, text=True, check=False
        )
        if built.returncode != 0:
            print(built.stderr, file=sys.stderr)
            return 1
        machine = describe()
        figures = measure(args.runs, env)
    result = {"machine": machine, "runs": args.runs, "question": QUESTION, "figures": figures}
    print(f"CPU: {machine['cpu']} ({machine['usable_cores']} usable cores), load {machine['load_average_at_start']}")
    print(f"{'':>18}  {'wall':>8}  {'CPU':>8}  (wall of each run)")
    for name, figure in figures.items():
        wall = "failed" if figure["median_s"] is None else f"{figure['median_s']:.2f} s"
        cpu = "" if figure["median_cpu_s"] is None else f"{figure['median_cpu_s']:.2f} s"
        print(f"{name:>18}: {wall:>8}  {cpu:>8}  ({', '.join(f'{s:.2f}' for s in figure['runs_s'])})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
