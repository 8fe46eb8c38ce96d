"""llama.cpp's OpenAI-compatible server with this project's runtime settings (see backends.prepare_llama_runtime).

    python -m assistant.generation.llama_server --model <file.gguf> --host 127.0.0.1 --port 8000 --n_threads 2

Takes llama_cpp.server's own arguments; the `openai` answerer can then use http://127.0.0.1:8000/v1.
"""

from __future__ import annotations

import runpy

from assistant.generation.backends import prepare_llama_runtime

if __name__ == "__main__":
    prepare_llama_runtime()
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
