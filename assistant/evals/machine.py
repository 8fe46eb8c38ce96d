"""The machine a run was measured on: its timings mean little without it (CPU model, usable cores, load)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field


class Machine(BaseModel):
    """Where a run's timings come from."""

    cpu: str = Field(description="The CPU's model name, as /proc/cpuinfo gives it")
    cores: int = Field(description="CPU cores this process may use")
    load_average: tuple[float, float, float] | None = Field(None, description="1, 5 and 15 minute load at the start")

    def __str__(self) -> str:
        load = f", load {self.load_average[0]:.1f}" if self.load_average else ""
        return f"{self.cpu} ({self.cores} cores{load})"


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The first 'model name' of /proc/cpuinfo ('unknown' where there is none, e.g. not Linux)."""
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def this_machine() -> Machine:
    try:
        load: tuple[float, float, float] | None = tuple(round(x, 2) for x in os.getloadavg())  # type: ignore[assignment]
    except OSError:
        load = None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0
    return Machine(cpu=cpu_model(), cores=cores, load_average=load)
