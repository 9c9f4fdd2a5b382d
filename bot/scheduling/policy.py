"""The step-down policy, read from ``flows/config/policy.yaml``: support levels and the
signals that move a person between them.

Pure functions of the person's recent history, so the check-in action, the dispatcher
and ``goodhelp simulate`` all run exactly the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml


class PolicyError(ValueError):
    """policy.yaml is missing a setting or has one of the wrong kind."""


@dataclass(frozen=True)
class SupportLevel:
    """One check-in rhythm a person can be on; ``every_days`` None means only when they ask."""

    name: str
    every_days: int | None  # None: no scheduled check-ins ("only when I ask")


@dataclass(frozen=True)
class Policy:
    """The step-down rules as data: levels from most support to least, and the thresholds."""

    levels: tuple[SupportLevel, ...]
    start_level: str
    lowest_automatic: str
    step_down: Mapping[str, float]
    step_up: Mapping[str, float]
    disengagement: Mapping[str, int]
    delivery: Mapping[str, Any]
    playback_min_age_days: int
    words: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Policy:
        """Check and convert parsed policy.yaml; PolicyError names what is missing or malformed."""
        try:
            levels = tuple(SupportLevel(str(lv["name"]),
                                        int(lv["every_days"]) if lv.get("every_days") else None)
                           for lv in raw["levels"])
            names = [lv.name for lv in levels]
            policy = cls(
                levels=levels,
                start_level=str(raw["start_level"]),
                lowest_automatic=str(raw["lowest_automatic_level"]),
                step_down={k: float(v) for k, v in raw["step_down"].items()},
                step_up={k: float(v) for k, v in raw["step_up"].items()},
                disengagement={k: int(v) for k, v in raw["disengagement"].items()},
                delivery=dict(raw["delivery"]),
                playback_min_age_days=int(raw["playback"]["min_age_days"]),
                words={k: raw.get(k, {}) for k in ("rhythm_words", "reasons", "change")},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PolicyError(f"policy.yaml: missing or malformed setting ({exc})") from exc
        for name in (policy.start_level, policy.lowest_automatic):
            if name not in names:
                raise PolicyError(f"policy.yaml: level '{name}' is not one of {names}")
        return policy

    @classmethod
    def load(cls, path: Path) -> Policy:
        """Read and check the policy file at ``path`` (PolicyError if it is not usable)."""
        return cls.from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")))

    def index(self, name: str) -> int:
        """A level's place from most support (0) down; an unknown name counts as the start level."""
        for i, level in enumerate(self.levels):
            if level.name == name:
                return i
        return self.index(self.start_level)

    def every_days(self, name: str) -> int | None:
        """Days between scheduled check-ins at this level; None when only on request."""
        return self.levels[self.index(name)].every_days

    def more_support(self, name: str) -> str:
        """One level up towards more frequent check-ins, staying put at the top."""
        return self.levels[max(0, self.index(name) - 1)].name

    def less_support(self, name: str) -> str:
        """One level down, but never below the lowest automatic level (nor back up)."""
        here = self.index(name)
        return self.levels[max(here, min(here + 1, self.index(self.lowest_automatic)))].name


@dataclass(frozen=True)
class Signals:
    """What the policy reads. Ratings and wins newest first."""

    ratings: Sequence[tuple[datetime, int]] = ()
    wins: Sequence[tuple[datetime, bool]] = ()  # (when, prompted)
    replies: str = ""  # one letter per scheduled check-in, oldest first: y answered, n not
    unanswered: int = 0  # in a row, up to now


@dataclass(frozen=True)
class Decision:
    """What :func:`decide` concluded, with the reason and ratings a message can tell the person."""

    level: str
    reason: str  # start, chosen, rising, dip, asked, quiet, steady
    ask_still_want: bool = False
    stop: bool = False
    dip: bool = False  # play back the person's own past wins
    from_rating: int | None = None
    to_rating: int | None = None

    def changed_from(self, level: str) -> bool:
        """Whether acting on this decision moves the person off ``level``."""
        return self.level != level


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def trend_per_week(ratings: Sequence[tuple[datetime, int]]) -> float:
    """Least-squares slope of the ratings, in points per week (0 with fewer than 2)."""
    if len(ratings) < 2:
        return 0.0
    t0 = min(at for at, _ in ratings)
    xs = [(at - t0).total_seconds() / 604800 for at, _ in ratings]
    ys = [float(v) for _, v in ratings]
    mx, my = _mean(xs), _mean(ys)
    spread = sum((x - mx) ** 2 for x in xs)
    if spread == 0:
        return 0.0
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / spread


def is_dip(policy: Policy, ratings: Sequence[tuple[datetime, int]]) -> bool:
    """The newest rating is well below the ones before it, or the recent mean is low."""
    if not ratings:
        return False
    latest = ratings[0][1]
    before = [v for _, v in ratings[1:4]]
    if before and latest <= _mean(before) - policy.step_up["dip_points"]:
        return True
    recent = [v for _, v in ratings[: int(policy.step_down["recent_ratings"])]]
    return len(recent) >= 2 and _mean(recent) < policy.step_up["recent_average_below"]


def decide(policy: Policy, level: str, *, level_since: datetime | None, now: datetime,
           signals: Signals, chosen: bool, last_dip_rating_at: datetime | None = None
           ) -> Decision:
    """Where a person should be now. ``level`` is their current rhythm; with ``chosen``
    the person picked it and the policy never changes it (it may still ask the gentle
    question or stop after a long silence, which they can undo in /settings).
    """
    rules = policy.step_down
    quiet = policy.disengagement
    ratings = list(signals.ratings)
    latest_at = ratings[0][0] if ratings else None
    dip = is_dip(policy, ratings) and latest_at != last_dip_rating_at
    span = int(rules["recent_ratings"])
    first = ratings[span - 1][1] if len(ratings) >= span else None
    last = ratings[0][1] if ratings else None

    def make(level: str, reason: str, *, ask: bool = False, stop: bool = False,
             dip: bool = False) -> Decision:
        return Decision(level, reason, ask_still_want=ask, stop=stop, dip=dip,
                        from_rating=first, to_rating=last)

    if signals.unanswered >= quiet["stop_after"]:
        return make("when_asked", "quiet", stop=True)
    if signals.unanswered >= quiet["still_want_after"]:
        ask = signals.unanswered == quiet["still_want_after"]
        target = level if chosen or not ask else policy.less_support(level)
        return make(target, "quiet", ask=ask)
    if chosen:
        return make(level, "chosen", dip=dip)
    if dip:
        return make(policy.more_support(level), "dip", dip=True)

    window = [(at, v) for at, v in ratings if at >= now - timedelta(days=rules["window_days"])]
    settled = level_since is None or now - level_since >= timedelta(days=rules["min_days_at_level"])
    recent = [v for _, v in window[: int(rules["recent_ratings"])]]
    wins = [p for at, p in signals.wins if at >= now - timedelta(days=rules["window_days"])]
    unprompted = (sum(1 for p in wins if not p) / len(wins)) if wins else 0.0
    replies = signals.replies[-int(rules["window_days"]):]
    reply_share = replies.count("y") / len(replies) if replies else 0.0
    if (settled and len(window) >= rules["min_ratings"]
            and _mean(recent) >= rules["recent_average_at_least"]
            and trend_per_week(window) >= rules["trend_per_week_at_least"]
            and (unprompted >= rules["unprompted_win_share_at_least"]
                 or reply_share >= rules["reply_share_at_least"])):
        lower = policy.less_support(level)
        if lower != level:
            return make(lower, "rising")
    return make(level, "steady" if level_since else "start")
