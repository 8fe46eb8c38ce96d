"""Chat models that stream text: llama.cpp in process (one model per file, shared) or an OpenAI-compatible server."""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from assistant.deadline import Deadline, DeadlineReached
from assistant.errors import ConfigError

if TYPE_CHECKING:
    from llama_cpp.llama_types import ChatCompletionRequestMessage, CreateChatCompletionStreamResponse

log = logging.getLogger(__name__)
_INSTALL_HINT = "install the llm extra: pip install -e '.[llm]'"


class ChatBackend(Protocol):
    name: str

    def stream(
        self, system: str, user: str, grammar: str | None, max_tokens: int, deadline: Deadline | None = None
    ) -> Iterator[str]:
        """Text deltas of the model's reply to one system + user message (greedy, so answers repeat).

        Stops at the deadline (after `deadline.stop(...)`); raises DeadlineReached when it cannot even start."""
        ...

    def warm(self, system: str) -> None:
        """Get ready for questions under this system prompt (load, and evaluate the prompt once if it helps)."""
        ...

    def complete(self, system: str, user: str, max_tokens: int, deadline: Deadline | None = None) -> str:
        """A short side reply (e.g. a translation) that leaves the warmed prompt's cache as it was.

        Raises DeadlineReached when the reply cannot be finished before the deadline."""
        ...

    def replies(
        self, system: str, users: Sequence[str], grammar: str | None, max_tokens: int, deadline: Deadline | None = None
    ) -> list[str]:
        """One short reply per user message under one system prompt (e.g. the entailment judge's yes or no), in
        one turn of the model, leaving the warmed prompt's cache as it was. Fewer replies than messages when the
        deadline passed first."""
        ...


def close_stream(stream: object) -> None:
    """Finish a generator now (not when it is garbage-collected), so whatever it holds is given back in order."""
    close = getattr(stream, "close", None)
    if callable(close):
        close()


def prepare_llama_runtime() -> None:
    """Settings llama.cpp needs on this kind of machine, applied before it loads (idempotent).

    - OpenMP threads wait passively: on a CPU shared with other work, spinning threads made generation 3-4x slower.
    - On CPUs with AMX, ggml's AMX matrix kernels crash (SIGSEGV in ggml_backend_amx_mul_mat, llama-cpp-python
      0.3.36, Qwen2.5 Q4_K_M), so weights stay in plain CPU buffers there (no AMX or repacked extra buffer types).
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import llama_cpp.llama_cpp as bindings
    except ImportError as exc:
        raise ConfigError(f"the local answerer needs llama-cpp-python: {_INSTALL_HINT}") from exc
    if getattr(bindings, "_agenda_prepared", False) or not _cpu_has_amx():
        return
    defaults = bindings.llama_model_default_params

    def without_extra_buffers() -> Any:
        params = defaults()
        params.use_extra_bufts = False
        return params

    bindings.llama_model_default_params = without_extra_buffers
    bindings._agenda_prepared = True  # type: ignore[attr-defined]


def _cpu_has_amx() -> bool:
    try:
        return "amx_int8" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


class _SharedLlama:
    """One loaded llama.cpp model, shared by every assistant in the process; one generation at a time."""

    def __init__(self, path: Path, threads: int, context: int) -> None:
        prepare_llama_runtime()
        from llama_cpp import Llama

        started = time.perf_counter()
        self.llama = Llama(
            model_path=str(path),
            n_ctx=context,
            n_threads=threads,
            n_threads_batch=threads,
            n_batch=512,
            verbose=False,
        )
        self.lock = threading.Lock()
        self.grammars: dict[str, Any] = {}
        log.info("loaded %s in %.1fs", path.name, time.perf_counter() - started)

    def grammar(self, text: str) -> Any:
        from llama_cpp import LlamaGrammar

        if text not in self.grammars:
            self.grammars[text] = LlamaGrammar.from_string(text, verbose=False)
        return self.grammars[text]


_MODELS: dict[tuple[str, int, int], _SharedLlama] = {}
_MODELS_LOCK = threading.Lock()


def shared_llama(path: Path, threads: int, context: int) -> _SharedLlama:
    key = (str(path.resolve()), threads, context)
    with _MODELS_LOCK:
        if not _MODELS:
            atexit.register(close_models)
        if key not in _MODELS:
            _MODELS[key] = _SharedLlama(path, threads, context)
        return _MODELS[key]


def close_models() -> None:
    """Free every loaded model now (at exit: llama.cpp's finalizer, run during interpreter teardown, finds its
    bindings already gone and prints "Exception ignored ... 'NoneType' object is not callable")."""
    with _MODELS_LOCK:
        models = list(_MODELS.values())
        _MODELS.clear()
    for model in models:
        with model.lock:
            model.llama.close()


class _KVState:
    """The context's evaluated tokens (KV cache) and their ids, saved with llama.cpp's state API.

    Llama.save_state also copies the logits buffer (hundreds of MB for Qwen's 152k vocabulary) and the data three
    times; generation re-evaluates the last prompt token anyway, so the cache and the token ids are all it needs."""

    def __init__(self, data: Any, size: int, input_ids: Any, n_tokens: int) -> None:
        self.data, self.size, self.input_ids, self.n_tokens = data, size, input_ids, n_tokens

    @classmethod
    def save(cls, llama: Any) -> _KVState:
        import ctypes

        import llama_cpp.llama_cpp as bindings

        capacity = bindings.llama_state_get_size(llama._ctx.ctx)
        data = (ctypes.c_uint8 * int(capacity))()
        size = int(bindings.llama_state_get_data(llama._ctx.ctx, data, capacity))
        return cls(data, size, llama.input_ids[: llama.n_tokens].copy(), llama.n_tokens)

    def load(self, llama: Any) -> None:
        import llama_cpp.llama_cpp as bindings

        if bindings.llama_state_set_data(llama._ctx.ctx, self.data, self.size) != self.size:
            raise RuntimeError("llama.cpp refused the saved state")
        llama.input_ids[: self.n_tokens] = self.input_ids
        llama.n_tokens = self.n_tokens

    def write(self, path: Path) -> None:
        """Save to a file (atomically), so the next process skips evaluating the prompt (~6 s for the statement)."""
        import numpy as np

        from assistant.files import save_npz

        save_npz(
            path, data=np.frombuffer(self.data, dtype=np.uint8, count=self.size), input_ids=np.asarray(self.input_ids)
        )

    @classmethod
    def read(cls, path: Path) -> _KVState:
        import ctypes

        import numpy as np

        with np.load(path) as saved:
            raw = saved["data"].tobytes()
            input_ids = saved["input_ids"].copy()
        return cls((ctypes.c_uint8 * len(raw)).from_buffer_copy(raw), len(raw), input_ids, len(input_ids))


class LlamaCppBackend:
    """llama.cpp in this process. The system prompt comes first and never changes, so llama.cpp keeps its evaluated
    tokens between questions and only the question is processed (with two threads: ~0.5 s instead of ~14 s)."""

    def __init__(
        self,
        path: Path,
        threads: int = 2,
        context: int = 4096,
        label: str | None = None,
        state_dir: Path | None = None,
    ) -> None:
        self.path = path
        self.name = label or path.stem
        self.model = shared_llama(path, threads, context)
        self.context = context
        self.state_dir = state_dir  # evaluated prompts saved here, keyed by model, context, llama.cpp and prompt
        self._warmed: set[str] = set()
        self._state: Any = None  # llama.cpp's state (KV cache) after the warmed system prompt

    def _messages(self, system: str, user: str) -> list[ChatCompletionRequestMessage]:
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    @contextmanager
    def _turn(self, deadline: Deadline | None, step: str) -> Iterator[None]:
        """The model to ourselves (one llama context: generations take turns, and the prefix cache stays coherent),
        waiting no longer than the deadline allows."""
        if not self.model.lock.acquire(timeout=-1 if deadline is None else deadline.remaining()):
            assert deadline is not None
            deadline.stop(step)
            raise DeadlineReached(f"the model stayed busy past the deadline ({step})")
        try:
            yield
        finally:
            self.model.lock.release()

    def _tokens(
        self, system: str, user: str, max_tokens: int, deadline: Deadline | None, step: str, **sampling: Any
    ) -> Iterator[str]:
        """Text deltas of one generation (greedy) until it ends or the deadline passes; call it holding the turn."""
        chunks = cast(
            "Iterator[CreateChatCompletionStreamResponse]",
            self.model.llama.create_chat_completion(
                self._messages(system, user), max_tokens=max_tokens, temperature=0, stream=True, **sampling
            ),
        )
        try:
            for chunk in chunks:
                if deadline is not None and deadline.passed():
                    deadline.stop(step)
                    return
                delta = chunk["choices"][0]["delta"]
                text = delta.get("content") if isinstance(delta, dict) else None
                if text:
                    yield str(text)
        finally:
            close_stream(chunks)  # inside the turn: llama.cpp's generator lets go of the context before the next

    def _state_file(self, system: str) -> Path | None:
        if self.state_dir is None:
            return None
        import hashlib

        import llama_cpp

        stat = self.path.stat()
        key = f"{self.path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{self.context}|{llama_cpp.__version__}|{system}"
        return self.state_dir / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.npz"

    def warm(self, system: str) -> None:
        """Evaluate the system prompt once, or load its evaluation saved by an earlier process (~20 ms vs ~6 s)."""
        if system in self._warmed:
            return
        saved = self._state_file(system)
        with self.model.lock:
            if saved is not None and saved.exists():
                try:
                    self._state = _KVState.read(saved)
                    self._state.load(self.model.llama)
                    self._warmed.add(system)
                    return
                except (OSError, ValueError, KeyError, RuntimeError) as exc:  # torn or from another build: redo
                    log.warning("ignoring the saved prompt state %s: %s", saved, exc)
            self.model.llama.create_chat_completion(self._messages(system, "Question: ?"), max_tokens=1, temperature=0)
            self._state = _KVState.save(self.model.llama)
            if saved is not None:
                try:
                    self._state.write(saved)
                except OSError as exc:  # a read-only cache: warm from scratch next time
                    log.warning("could not save the prompt state to %s: %s", saved, exc)
        self._warmed.add(system)

    def complete(self, system: str, user: str, max_tokens: int, deadline: Deadline | None = None) -> str:
        """Answer a side prompt, then put the warmed prompt's evaluated tokens back (~0.3 s, against ~20 s to
        evaluate them again), so the next question still only pays for itself."""
        with self._turn(deadline, "side reply"):
            try:
                reply = "".join(self._tokens(system, user, max_tokens, deadline, "side reply"))
            finally:
                if self._state is not None:
                    self._state.load(self.model.llama)
        if deadline is not None and "side reply" in deadline.stopped:
            raise DeadlineReached("the side reply was cut short by the deadline")
        return reply.strip()

    def replies(
        self, system: str, users: Sequence[str], grammar: str | None, max_tokens: int, deadline: Deadline | None = None
    ) -> list[str]:
        """Short replies in one turn: the system prompt is evaluated once for all of them (llama.cpp keeps the common
        prefix), and the warmed prompt's evaluated tokens are put back once at the end."""
        found: list[str] = []
        with self._turn(deadline, "judge"):
            try:
                for user in users:
                    if deadline is not None and deadline.passed():
                        deadline.stop("judge")
                        break
                    constrained = self.model.grammar(grammar) if grammar else None
                    reply = "".join(self._tokens(system, user, max_tokens, deadline, "judge", grammar=constrained))
                    if deadline is not None and "judge" in deadline.stopped:
                        break  # cut short: not a reply
                    found.append(reply.strip())
            finally:
                if self._state is not None:
                    self._state.load(self.model.llama)
        return found

    def stream(
        self, system: str, user: str, grammar: str | None, max_tokens: int, deadline: Deadline | None = None
    ) -> Iterator[str]:
        with self._turn(deadline, "answer"):
            yield from self._tokens(
                system,
                user,
                max_tokens,
                deadline,
                "answer",
                repeat_penalty=1.1,  # greedy decoding of a small model otherwise loops on lists ("IOM, UNHCR, IOM")
                grammar=self.model.grammar(grammar) if grammar else None,
            )


class OpenAICompatibleBackend:
    """Any OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM, llama.cpp's server) through langchain-openai."""

    def __init__(self, base_url: str | None, model: str, api_key: str | None, timeout: float = 60.0) -> None:
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as exc:
            raise ConfigError(f"the openai answerer needs langchain-openai: {_INSTALL_HINT}") from exc
        self.name = model
        self.chat = ChatOpenAI(
            model=model,
            base_url=base_url,
            api_key=api_key or "not-needed",  # local servers take any key; the client insists on one
            temperature=0,
            timeout=timeout,
            max_retries=1,
            streaming=True,
        )

    def warm(self, system: str) -> None:
        """Nothing to load here; a server that keeps a prompt cache warms itself on the first question."""

    def complete(self, system: str, user: str, max_tokens: int, deadline: Deadline | None = None) -> str:
        reply = "".join(self._deltas(system, user, max_tokens, deadline, "side reply"))
        if deadline is not None and "side reply" in deadline.stopped:
            raise DeadlineReached("the side reply was cut short by the deadline")
        return reply.strip()

    def replies(
        self, system: str, users: Sequence[str], grammar: str | None, max_tokens: int, deadline: Deadline | None = None
    ) -> list[str]:
        """One request per message; the grammar is llama.cpp's: a generic server is only asked (the caller checks)."""
        found = []
        for user in users:
            try:
                found.append(self.complete(system, user, max_tokens, deadline))
            except DeadlineReached:
                break
        return found

    def stream(
        self, system: str, user: str, grammar: str | None, max_tokens: int, deadline: Deadline | None = None
    ) -> Iterator[str]:
        # the grammar is llama.cpp's: a generic server is only asked for the format, and the reply is checked
        yield from self._deltas(system, user, max_tokens, deadline, "answer")

    def _deltas(self, system: str, user: str, max_tokens: int, deadline: Deadline | None, step: str) -> Iterator[str]:
        from langchain_core.messages import HumanMessage, SystemMessage

        if deadline is not None and deadline.passed():
            deadline.stop(step)
            raise DeadlineReached(f"no time left for the model ({step})")
        chunks = self.chat.stream([SystemMessage(system), HumanMessage(user)], max_tokens=max_tokens)
        try:
            for chunk in chunks:
                if deadline is not None and deadline.passed():
                    deadline.stop(step)
                    return
                text = chunk.content if isinstance(chunk.content, str) else ""
                if text:
                    yield text
        finally:
            close_stream(chunks)  # closes the HTTP response: the server stops generating
