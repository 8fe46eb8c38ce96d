"""Token counting with tiktoken's cl100k_base, loaded from the packaged copy (see offline.py)."""

from __future__ import annotations

from functools import lru_cache

import tiktoken

from assistant.offline import go_offline

ENCODING = "cl100k_base"


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    go_offline()
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))
