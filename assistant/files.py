"""Writing files that other processes read: whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def save_npz(path: Path, **arrays: np.ndarray) -> None:
    """np.savez to `path` through a temporary file and a rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp.npz")
    np.savez(partial, **arrays)  # type: ignore[arg-type]
    os.replace(partial, path)
