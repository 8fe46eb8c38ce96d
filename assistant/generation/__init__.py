"""Generated answers: a chat model (local llama.cpp or an OpenAI-compatible server) writes, code checks every claim."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.generation.answerer import GeneratingAnswerer
from assistant.generation.support import SupportChecker

if TYPE_CHECKING:
    from assistant.answer.extractive import ExtractiveAnswerer
    from assistant.config import Config


def generating_answerer(config: Config, extractive: ExtractiveAnswerer) -> GeneratingAnswerer:
    """The answerer `config.answerer` names ("local" or "openai"), checking claims with the extractive one's models."""
    from assistant.generation.backends import LlamaCppBackend, OpenAICompatibleBackend
    from assistant.generation.entailment import ModelJudge
    from assistant.packaged_gguf import model_file

    support = SupportChecker(extractive.embedder, extractive.multilingual)
    if config.answerer == "local":
        path = model_file(config.local_model, config.model_cache_dir)
        backend = LlamaCppBackend(
            path,
            config.llm_threads,
            config.llm_context_tokens,
            label=config.local_model,
            state_dir=config.model_cache_dir / "prompt-states",
        )
        name = f"local:{config.local_model}"
        judge = ModelJudge(backend, name) if config.entailment_judge else None
        return GeneratingAnswerer(name, backend, extractive, support, config.llm_max_tokens, judge=judge)
    if config.answerer == "openai":
        key = config.openai_api_key.get_secret_value() if config.openai_api_key else None
        remote = OpenAICompatibleBackend(
            config.openai_base_url, config.openai_model, key, config.openai_timeout_seconds
        )
        name = f"openai:{config.openai_model}"
        judge = ModelJudge(remote, name) if config.entailment_judge else None
        return GeneratingAnswerer(
            name, remote, extractive, support, config.llm_max_tokens, use_grammar=False, judge=judge
        )
    raise ValueError(f"not a generating answerer: {config.answerer!r}")


__all__ = ["GeneratingAnswerer", "SupportChecker", "generating_answerer"]
