"""`python -m bench`: every section of the benchmark in one run, written to <out>/results.json and results.md.

python -m bench                          # quality, latency, ingestion, scale at 1k and 10k chunks, app start
python -m bench --scale 1000,10000,100000   # add 100k (about 20 min of both cores to embed, once; then cached)
python -m bench --quick                  # CI: small sizes, no LLM, under ~2 minutes; proves it runs
python -m bench --sections evidence_first   # time to the first verified quote vs the reference's first token
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
import traceback
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("evidence_first", "latency", "quality", "ingestion", "scale", "app_start")
DEFAULT_SEED = 20251002


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="CI configuration: small sizes, no LLM, ~1-2 minutes")
    parser.add_argument("--scale", help="Comma-separated corpus sizes in chunks (default 1000,10000; quick 200)")
    parser.add_argument("--ingest-chunks", type=int, help="Chunks in the ingestion corpus (default 2000; quick 100)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Seed of the synthetic corpora")
    parser.add_argument("--dataset", type=Path, default=PROJECT_ROOT / "evals" / "questions.jsonl")
    parser.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "corpus", help="The real corpus folder")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench" / "out")
    parser.add_argument("--cache", type=Path, default=PROJECT_ROOT / "bench" / "cache")
    parser.add_argument(
        "--reference-llm",
        default=None,
        help="'auto' (the project's local GGUF model if installed), 'off', or a .gguf path (default auto; quick off)",
    )
    parser.add_argument(
        "--answerers",
        default=None,
        help="Our answerers: 'auto' (extractive, and local when its model is installed) or a comma list such as "
        "extractive,local:0.5b,local:1.5b (quick: extractive)",
    )
    parser.add_argument(
        "--llm-sample",
        type=int,
        default=None,
        help="Ask generating answerers (ours and the reference's LLM) only N evenly spaced dev questions (default all)",
    )
    parser.add_argument(
        "--evidence-questions", type=int, default=6, help="Dev questions in the evidence_first section (default 6)"
    )
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"Comma list of {', '.join(SECTIONS)}")
    parser.add_argument(
        "--multilingual",
        choices=("on", "off"),
        default=None,
        help="Config.multilingual for the serving processes (scale, app start): on (the product default) or off "
        "(quick: off, as warming e5 over every answer window takes minutes on a 2-core machine)",
    )
    parser.add_argument(
        "--max-questions", type=int, default=None, help="Dev questions in the latency section (default all; quick 30)"
    )
    parser.add_argument("--no-exact-check", action="store_true", help="Skip the HNSW-vs-exact comparison at scale")
    parser.add_argument(
        "--render-only", action="store_true", help="Only rewrite <out>/results.md from <out>/results.json"
    )
    args = parser.parse_args(argv)
    quick = args.quick
    args.scale_sizes = [int(s.replace("_", "")) for s in (args.scale or ("200" if quick else "1000,10000")).split(",")]
    args.ingest_chunks = args.ingest_chunks or (100 if quick else 2000)
    args.reference_llm = args.reference_llm or ("off" if quick else "auto")
    args.answerers = args.answerers or ("extractive" if quick else "auto")
    args.multilingual = args.multilingual or ("off" if quick else "on")
    args.max_questions = args.max_questions or (30 if quick else None)
    args.section_list = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(args.section_list) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    return args


def local_answerers() -> list[str]:
    """The answerers the typed config offers that run on this machine (no remote endpoint)."""
    from assistant import Config

    names = typing.get_args(Config.model_fields["answerer"].annotation) or ("extractive",)
    return [n for n in names if n not in ("openai", "remote", "api")]


def answerer_settings(spec: str) -> dict[str, Any]:
    """'local:0.5b' -> {'answerer': 'local', 'local_model': '0.5b'}; 'extractive' -> {'answerer': 'extractive'}."""
    kind, _, model = spec.partition(":")
    return {"answerer": kind, **({"local_model": model} if model else {})}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render_only:
        import json

        from bench import report

        saved = json.loads((args.out / "results.json").read_text())
        saved.pop("table", None)
        print(report.write(saved, args.out)[1].read_text())
        return 0
    from assistant.offline import go_offline

    go_offline()
    from bench import machine, report

    started = time.perf_counter()
    results: dict[str, Any] = {
        "benchmark_version": 1,
        "command": "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": machine.describe(),
        "settings": {
            "seed": args.seed,
            "dataset": str(args.dataset),
            "scale_sizes": args.scale_sizes,
            "ingest_chunks": args.ingest_chunks,
            "reference_llm": args.reference_llm,
            "answerers": args.answerers,
            "multilingual": args.multilingual,
            "max_questions": args.max_questions,
            "llm_sample": args.llm_sample,
        },
        "errors": {},
        "notes": [],
    }
    args.cache.mkdir(parents=True, exist_ok=True)

    def section(name: str, work: Callable[[], Any]) -> None:
        if name not in args.section_list:
            return
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            results[name] = work()
        except Exception:
            results["errors"][name] = traceback.format_exc()
            print(results["errors"][name], file=sys.stderr)
        print(f"[bench] {name} done in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)

    from assistant import Assistant, Config
    from assistant.embeddings import Embedder
    from bench import appstart, evidence_first, ingestion, latency, quality, scale
    from bench.llm import find_generator
    from bench.reference import ReferencePipeline, UncachedEmbeddings

    seed_dir = args.cache / "seed"
    base = {
        "corpus_dir": args.corpus,
        "index_dir": seed_dir / "index",
        "feedback_db": seed_dir / "feedback.sqlite3",
        "show_progress": False,
    }
    defaults = Config(**base)
    embedder = Embedder(defaults.embedding_model, defaults.embedding_batch_size, defaults.query_cache_size)
    wanted = local_answerers() if args.answerers == "auto" else [a.strip() for a in args.answerers.split(",")]
    bots: list[Assistant] = []
    unavailable: dict[str, str] = {}
    for name in wanted:
        try:
            bots.append(Assistant(Config(**base, **answerer_settings(name)), embedder=embedder))
        except Exception as exc:
            unavailable[name] = f"{type(exc).__name__}: {exc}"
    if not bots:
        raise SystemExit(f"no answerer could start: {unavailable}")
    # The reference gets the same local model as our first generating answerer (else the configured default).
    llm_config = next((b.config for b in bots if b.config.answerer != "extractive"), defaults)
    generator, llm = find_generator(args.reference_llm, llm_config)
    reference = ReferencePipeline(bots[0].corpus.documents, UncachedEmbeddings(embedder), generator)
    results["settings"]["reference_llm_found"] = llm
    recorded: dict[str, Any] = {}

    section("evidence_first", lambda: evidence_first.run(bots, reference, args.dataset, args.evidence_questions))

    def run_latency() -> dict[str, Any]:
        figures, answers = latency.run(bots, reference, args.dataset, args.max_questions, args.llm_sample)
        recorded.update(answers)
        return figures

    section("latency", run_latency)

    def run_quality() -> dict[str, Any]:
        ours: dict[str, Any] = {n: {"error": reason} for n, reason in unavailable.items()}
        rows: dict[str, Any] = {}
        for bot in bots:
            name = bot.answerer.name
            needs_record = latency.generating(bot)
            if needs_record and name not in recorded:
                ours[name] = {"error": "not measured: a generating answerer is scored on its latency-section answers"}
                continue
            ours[name], rows[name] = quality.ours(bot, args.dataset, recorded.get(name) if needs_record else None)
        theirs, reference_rows = quality.reference(reference, args.dataset, llm, recorded.get("reference"))
        for name, our_rows in rows.items():
            ours[name]["on_reference_cases"] = quality.on_same_cases(our_rows, reference_rows)
        return {"dataset": str(args.dataset), "ours": ours, "reference": theirs}

    section("quality", run_quality)
    section("ingestion", lambda: ingestion.run(args.cache, embedder, args.ingest_chunks, args.seed, args.corpus))
    section(
        "scale",
        lambda: scale.run(
            args.cache,
            args.scale_sizes,
            args.seed,
            args.corpus,
            args.dataset,
            embedder,
            multilingual=args.multilingual == "on",
            exact_check=not args.no_exact_check,
            progress=not args.quick,
            statement_bot=bots[0],
        ),
    )

    def run_app_start() -> dict[str, Any]:
        """One cold start per answerer measured above (the issue's target is with the local LLM)."""
        runs = []
        for bot in bots:
            name = bot.answerer.name
            work = seed_dir / f"app-start-{name.replace(':', '-')}"
            runs.append(appstart.run(seed_dir / "index", work, multilingual=args.multilingual == "on", answerer=name))
        return {"runs": runs}

    section("app_start", run_app_start)

    results["notes"].extend(
        [
            "Reference: RecursiveCharacterTextSplitter(1000, 200) -> Chroma (langchain-chroma) -> top-4 -> the "
            "tutorial prompt; same embedding model, no query cache; single-turn (history not used); citations = whole "
            "chunks.",
            f"Reference generation: {llm}.",
            *(f"Answerer {n} not measured: {why}" for n, why in unavailable.items()),
        ]
    )
    results["load_average_at_end"] = os.getloadavg()
    results["seconds"] = time.perf_counter() - started
    json_path, md_path = report.write(results, args.out)
    print(md_path.read_text())
    print(f"[bench] wrote {json_path} and {md_path}", file=sys.stderr)
    if args.quick and args.cache != PROJECT_ROOT / "bench" / "cache":
        shutil.rmtree(args.cache / "ingest-work", ignore_errors=True)
    return 1 if results["errors"] else 0
