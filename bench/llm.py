"""The reference pipeline's pluggable generation step: a local GGUF model through llama.cpp, when one is installed.

`find_generator()` never downloads anything and never fails: it returns (None, reason) when no model can be used, so
the benchmark reports the reference's retrieval-only figures and says why in the table.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

NOT_INSTALLED = "LLM not installed"


class Generator(Protocol):
    """Streams the completion of one user prompt (a chat turn), piece by piece."""

    name: str

    def stream(self, prompt: str) -> Iterator[str]: ...


@dataclass
class Generation:
    """One completion with its timings."""

    text: str
    first_token_ms: float | None
    total_ms: float
    pieces: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def generate(generator: Generator, prompt: str) -> Generation:
    """Run a prompt to completion, timing the first piece and the whole answer."""
    started = time.perf_counter()
    first: float | None = None
    parts: list[str] = []
    for piece in generator.stream(prompt):
        if first is None and piece.strip():
            first = (time.perf_counter() - started) * 1000
        parts.append(piece)
    return Generation("".join(parts), first, (time.perf_counter() - started) * 1000, len(parts))


class LlamaCppGenerator:
    """A GGUF chat model in llama.cpp, one user message per question, greedy decoding for repeatable runs.

    It borrows the project's loaded model when the local answerer has one (`shared_llama`: same weights, same
    threads, the runtime settings llama.cpp needs here), else loads its own.
    """

    def __init__(self, model_path: Path, n_threads: int = 2, n_ctx: int = 4096, max_tokens: int = 160) -> None:
        self.name = model_path.name
        self.max_tokens = max_tokens
        self.lock: Any = contextlib.nullcontext()
        try:
            from assistant.generation.backends import shared_llama
        except ImportError:
            from llama_cpp import Llama

            self.llm = Llama(model_path=str(model_path), n_ctx=n_ctx, n_threads=n_threads, verbose=False)
        else:
            shared = shared_llama(model_path, n_threads, n_ctx)
            self.llm, self.lock = shared.llama, shared.lock

    def stream(self, prompt: str) -> Iterator[str]:
        with self.lock:
            chunks = self.llm.create_chat_completion(
                messages=[{"role": "user", "content": prompt}],
                temperature=0.0,
                max_tokens=self.max_tokens,
                stream=True,
            )
            for chunk in chunks:
                text = chunk["choices"][0].get("delta", {}).get("content")
                if text:
                    yield text


def _project_model(config: Any) -> Path:
    """The GGUF file the project's local answerer uses (config.local_model: a packaged model or a path)."""
    from assistant.packaged_gguf import model_file

    return Path(model_file(config.local_model, config.model_cache_dir))


def find_generator(spec: str, config: Any) -> tuple[Generator | None, str]:
    """('off' | 'auto' | a .gguf path) -> (generator, description) or (None, why not). Never downloads."""
    if spec == "off":
        return None, f"{NOT_INSTALLED} (generation off for this run)"
    try:
        importlib.import_module("llama_cpp")
    except Exception:
        return None, f"{NOT_INSTALLED} (no llama-cpp-python)"
    try:
        if spec not in ("", "auto"):
            path = Path(spec)
        elif os.environ.get("BENCH_LLM_GGUF"):
            path = Path(os.environ["BENCH_LLM_GGUF"])
        else:
            path = _project_model(config)
        if not path.is_file():
            return None, f"{NOT_INSTALLED} ({path} does not exist)"
        generator = LlamaCppGenerator(
            path,
            getattr(config, "llm_threads", 2),
            getattr(config, "llm_context_tokens", 4096),
            getattr(config, "llm_max_tokens", 160),
        )
    except Exception as exc:  # no packaged model, a bad file, a runtime that will not load
        return None, f"{NOT_INSTALLED} ({type(exc).__name__}: {exc})"
    return generator, f"{path.name} via llama.cpp (max {generator.max_tokens} tokens, greedy)"
