"""Small measuring helpers shared by the sections: percentiles, peak RSS, sizes on disk, the query cache."""

from __future__ import annotations

import os
import resource
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.evals.metrics import percentile


def distribution(values_ms: Sequence[float]) -> dict[str, Any]:
    """p50/p95/mean/max of timings in milliseconds."""
    return {
        "n": len(values_ms),
        "p50_ms": percentile(values_ms, 50),
        "p95_ms": percentile(values_ms, 95),
        "mean_ms": sum(values_ms) / len(values_ms) if values_ms else None,
        "max_ms": max(values_ms) if values_ms else None,
    }


def peak_rss_mb(pid: int | None = None) -> float:
    """Peak resident memory (VmHWM) of a process, in MiB; this process by default.

    Read from /proc rather than getrusage: ru_maxrss of a child process counts its parent's memory at fork time
    (Linux carries the old mm's high-water mark across exec), which would charge the benchmark's own RSS to it.
    """
    status = Path(f"/proc/{pid or 'self'}/status")
    try:
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def disk_mb(path: Path) -> float:
    """Bytes allocated on disk under a folder (like du), in MiB."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                continue
    return total / (1024 * 1024)


def clear_query_cache(embedder: Any) -> None:
    """Forget cached query embeddings so the next questions are timed as first-time questions."""
    cache = getattr(embedder, "_cache", None)
    lock = getattr(embedder, "_lock", None)
    if cache is None:
        return
    if lock is not None:
        with lock:
            cache.clear()
    else:
        cache.clear()


def stop_process(process: subprocess.Popen[Any], timeout: float = 20) -> None:
    """Ask a child to stop (SIGTERM), kill it if it has not within `timeout` seconds, and reap it."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
