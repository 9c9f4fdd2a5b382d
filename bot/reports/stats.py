"""Paired confidence change: first rating against latest, for the same people.

No scipy: the 95% interval uses Student's t, whose quantile comes from a short table
(and 1.96 beyond it); below MIN_PAIRED people nothing is computed at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

MIN_PAIRED = 30
# Two-sided 95% t quantiles by degrees of freedom (29 is the smallest we ever need).
_T95 = ((29, 2.045), (30, 2.042), (35, 2.030), (40, 2.021), (50, 2.009), (60, 2.000),
        (80, 1.990), (100, 1.984), (120, 1.980), (200, 1.972), (500, 1.965), (1000, 1.962))


@dataclass(frozen=True)
class PairedChange:
    """Mean change (latest minus first) with its 95% interval, Cohen's dz, and how many
    improved, stayed the same or got worse."""

    n: int
    mean_first: float
    mean_latest: float
    mean_change: float
    low: float
    high: float
    dz: float | None  # None when every change is the same (no spread)
    improved: int
    same: int
    worse: int


def t95(df: int) -> float:
    """The two-sided 95% quantile of Student's t (interpolated, conservative)."""
    previous = _T95[0]
    for entry in _T95:
        if df <= entry[0]:
            if entry is previous:
                return entry[1]
            (d0, t0), (d1, t1) = previous, entry
            return t0 + (t1 - t0) * (df - d0) / (d1 - d0)
        previous = entry
    return 1.96


def paired_change(pairs: Sequence[tuple[int, int]]) -> PairedChange | None:
    """The paired figures, or None when fewer than MIN_PAIRED people qualify."""
    n = len(pairs)
    if n < MIN_PAIRED:
        return None
    changes = [latest - first for first, latest in pairs]
    mean = sum(changes) / n
    sd = math.sqrt(sum((c - mean) ** 2 for c in changes) / (n - 1))
    margin = t95(n - 1) * sd / math.sqrt(n)
    return PairedChange(
        n=n,
        mean_first=sum(f for f, _ in pairs) / n,
        mean_latest=sum(latest for _, latest in pairs) / n,
        mean_change=mean,
        low=mean - margin,
        high=mean + margin,
        dz=mean / sd if sd > 0 else None,
        improved=sum(1 for c in changes if c > 0),
        same=sum(1 for c in changes if c == 0),
        worse=sum(1 for c in changes if c < 0),
    )


def effect_words(dz: float | None) -> str:
    """Cohen's conventional words for an effect size."""
    if dz is None:
        return "no spread to measure"
    size = abs(dz)
    if size < 0.2:
        return "very small"
    if size < 0.5:
        return "small"
    if size < 0.8:
        return "medium"
    return "large"
