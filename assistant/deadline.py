"""How long one answer may take: a clock started per answer, which the model-backed steps consult and stop at."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


class DeadlineReached(Exception):
    """Raised inside a model call that could not finish (or start) before the answer's deadline."""


@dataclass
class Deadline:
    """`seconds` from when it is made. A step that stops because of it calls `stop(step)`, so the answer can say so."""

    seconds: float
    started: float = field(default_factory=time.monotonic)
    stopped: list[str] = field(default_factory=list)  # the steps cut short, in order

    def remaining(self) -> float:
        return max(0.0, self.started + self.seconds - time.monotonic())

    def passed(self) -> bool:
        return self.remaining() <= 0.0

    def stop(self, step: str) -> None:
        if step not in self.stopped:
            self.stopped.append(step)

    @property
    def reached(self) -> bool:
        """Whether any step was cut short by this deadline."""
        return bool(self.stopped)
