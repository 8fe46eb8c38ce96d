"""llama.cpp's OpenAI-compatible server with this project's runtime settings (see backends.prepare_llama_runtime).

    agenda serve-model --model 1.5b --port 8001        # the packaged model, for every replica's `openai` answerer
    python -m assistant.generation.llama_server --model <file.gguf> --host 127.0.0.1 --port 8000 --n_threads 2

The module takes llama_cpp.server's own arguments; the `openai` answerer can then use http://127.0.0.1:8000/v1.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from assistant.generation.backends import prepare_llama_runtime


def model_server_command(model: Path, alias: str, host: str, port: int, threads: int, context: int) -> list[str]:
    """The command line that serves `model` under the name `alias` (the name replicas send as their model)."""
    return [
        sys.executable, "-m", "assistant.generation.llama_server",
        "--model", str(model), "--model_alias", alias,
        "--host", host, "--port", str(port),
        "--n_threads", str(threads), "--n_threads_batch", str(threads), "--n_ctx", str(context),
        "--verbose", "false",
    ]  # fmt: skip


if __name__ == "__main__":
    prepare_llama_runtime()
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
