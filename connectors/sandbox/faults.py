"""Seeded, reproducible fault injection: what real marketplaces do to clients on a bad day."""

from __future__ import annotations

import enum
import random
import threading
from collections import Counter
from dataclasses import dataclass


class Fault(enum.Enum):
    """What happens to one call instead of (or after) its normal handling."""

    ERROR = "error"  # a 5xx answer, nothing done
    THROTTLE = "throttle"  # the marketplace's throttling answer, nothing done
    HANG = "hang"  # no answer for `hang_seconds` (past a client's read timeout)
    MALFORMED = "malformed"  # a 200 whose body is not valid JSON
    LOST_WRITE = "lost_write"  # the write happens, the answer is a 5xx


@dataclass(frozen=True)
class FaultPlan:
    """Shares of calls that fail in each way, plus added latency; the same seed gives the same faults."""

    seed: int = 0
    error_rate: float = 0.0
    throttle_rate: float = 0.0
    hang_rate: float = 0.0
    malformed_rate: float = 0.0
    lost_write_rate: float = 0.0
    latency_seconds: float = 0.0
    hang_seconds: float = 30.0

    def __post_init__(self) -> None:
        shares = (
            self.error_rate,
            self.throttle_rate,
            self.hang_rate,
            self.malformed_rate,
            self.lost_write_rate,
        )
        if any(s < 0 for s in shares) or sum(shares) > 1:
            raise ValueError("fault rates must be >= 0 and add up to at most 1")


class Faults:
    """Draws the fault (if any) for the n-th call of an operation from `seed`, `operation` and `n` alone."""

    def __init__(self, plan: FaultPlan | None = None) -> None:
        self.plan = plan or FaultPlan()
        self._calls: Counter[str] = Counter()
        self.injected: Counter[Fault] = Counter()
        self._lock = threading.Lock()

    def draw(self, operation: str, *, write: bool) -> Fault | None:
        plan = self.plan
        with self._lock:
            n = self._calls[operation]
            self._calls[operation] += 1
        u = random.Random(f"{plan.seed}:{operation}:{n}").random()
        choices = [
            (Fault.ERROR, plan.error_rate),
            (Fault.THROTTLE, plan.throttle_rate),
            (Fault.HANG, plan.hang_rate),
            (Fault.MALFORMED, plan.malformed_rate),
            (Fault.LOST_WRITE, plan.lost_write_rate if write else 0.0),
        ]
        edge = 0.0
        for fault, share in choices:
            edge += share
            if u < edge:
                with self._lock:
                    self.injected[fault] += 1
                return fault
        return None
