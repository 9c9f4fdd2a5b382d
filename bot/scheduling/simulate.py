"""``goodhelp simulate``: synthetic people through 90 days of the real step-down policy
and the real planner (time zone, time of day, quiet hours) on a virtual clock.

Each scheduled check-in runs the same steps as ``scheduled_opening``: count the last one
as answered or not, ask the policy, apply its decision. A person who answers gives a
1-10 rating from their confidence curve; some also log wins on their own in between.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.schedule import ScheduleState, from_vars
from bot.scheduling.planning import next_due, rhythm, sooner_after_dip
from bot.scheduling.policy import Policy, Signals, decide, is_dip

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Persona:
    """An imagined person: how their confidence moves and whether they answer."""

    name: str
    confidence: Callable[[float], float]  # day -> 1..10
    answers: Callable[[float, random.Random], bool]  # day -> answers this check-in?
    wins_per_week: Callable[[float], float] = lambda day: 1.0  # logged unprompted
    vars: dict[str, Any] = field(default_factory=dict)


def _ramp(a: float, b: float, days: float = 90) -> Callable[[float], float]:
    return lambda d: a + (b - a) * min(1.0, d / days)


def _dip(d: float) -> float:
    if d < 40:
        return 4 + 4 * d / 40
    if d < 56:
        return 3.0
    return min(8.0, 3 + 5 * (d - 56) / 20)


PERSONAS = (
    Persona("rising", _ramp(3, 9), lambda d, r: True, lambda d: 0.5 + d / 30),
    Persona("flat", lambda d: 5.0, lambda d, r: r.random() < 0.8, lambda d: 0.5),
    Persona("dip then recovery", _dip, lambda d, r: True, lambda d: 1.0),
    Persona("disengaging", _ramp(5, 5), lambda d, r: d < 14, lambda d: 1.0 if d < 14 else 0.0),
    Persona("chose every 3 days", _ramp(3, 9), lambda d, r: True, lambda d: 1.0,
            {"checkin_rhythm": "every_3_days", "rhythm_chosen": "yes"}),
)


@dataclass
class Prompt:
    """One check-in the simulation sent: when, at which level, of which kind."""

    at: datetime
    level: str
    kind: str  # checkin, still_want
    changed: bool


@dataclass
class Run:
    """One persona's simulated weeks: the check-ins they got."""

    persona: Persona
    vars: dict[str, Any]
    prompts: list[Prompt] = field(default_factory=list)
    ratings: list[tuple[datetime, int]] = field(default_factory=list)  # oldest first

    @property
    def schedule(self) -> ScheduleState:
        """The person's scheduling state at the end, typed."""
        return from_vars(self.vars)

    def per_week(self, weeks: int) -> list[int]:
        """How many check-ins the persona got each week."""
        counts = [0] * weeks
        for p in self.prompts:
            week = (p.at - START).days // 7
            if 0 <= week < weeks:
                counts[week] += 1
        return counts

    def confidence_per_week(self, weeks: int) -> list[float]:
        """The persona's confidence in the middle of each week."""
        return [self.persona.confidence(w * 7 + 3.5) for w in range(weeks)]


def simulate(policy: Policy, persona: Persona, *, days: int = 90, seed: int = 1) -> Run:
    """Run the policy for one persona over ``days``; the check-ins it would send."""
    rng = random.Random(seed)
    end = START + timedelta(days=days)
    vars: dict[str, Any] = {"consent": "yes", **persona.vars}
    run = Run(persona, vars)
    wins: list[tuple[datetime, bool]] = []
    # Wins logged unprompted, spread over the days.
    day = 0.0
    while day < days:
        rate = persona.wins_per_week(day)
        day += rng.expovariate(rate / 7) if rate > 0 else days
        if day < days:
            wins.append((START + timedelta(days=day), False))
    now = START
    answered_last = False
    unanswered, history = 0, ""
    dipped = False
    while (due := next_due(sooner_after_dip(from_vars(vars), policy, dipped), True, policy,
                           now)) is not None and due < end:
        now = due
        d = (now - START).total_seconds() / 86400
        if vars.get("prompt_at"):
            unanswered = 0 if answered_last else unanswered + 1
            history = (history + ("y" if answered_last else "n"))[-30:]
        signals = Signals(sorted(run.ratings, reverse=True),
                          sorted((w for w in wins if w[0] <= now), reverse=True),
                          history, unanswered)
        schedule = from_vars(vars)
        current = rhythm(schedule, policy)
        decision = decide(policy, current, level_since=schedule.rhythm_since,
                          now=now, signals=signals, chosen=schedule.is_chosen(),
                          last_dip_rating_at=schedule.dip_rating_at)
        vars.update(prompt_at=now.isoformat())
        vars.setdefault("rhythm_since", now.isoformat())
        if decision.dip and run.ratings:
            vars["dip_rating_at"] = max(run.ratings)[0].isoformat()
        if decision.changed_from(current):
            vars.update(checkin_rhythm=decision.level, rhythm_since=now.isoformat())
        if decision.stop:
            break
        run.prompts.append(Prompt(now, decision.level,
                                  "still_want" if decision.ask_still_want else "checkin",
                                  decision.changed_from(current)))
        dipped = False
        answered_last = persona.answers(d, rng)
        if answered_last:
            value = round(persona.confidence(d) + rng.uniform(-0.4, 0.4))
            run.ratings.append((now + timedelta(minutes=3), max(1, min(10, value))))
            dipped = is_dip(policy, sorted(run.ratings, reverse=True))
            if rng.random() < 0.5:
                wins.append((now + timedelta(minutes=2), True))
    return run


def table(runs: list[Run], weeks: int) -> str:
    """The runs as a text table of check-ins per week."""
    head = "person".ljust(20) + "".join(f"w{w + 1:<3}" for w in range(weeks)) + "total"
    lines = [head, "-" * len(head)]
    for run in runs:
        counts = run.per_week(weeks)
        lines.append(run.persona.name.ljust(20) + "".join(f"{c:<4}" for c in counts)
                     + str(sum(counts)))
        conf = run.confidence_per_week(weeks)
        lines.append("  confidence".ljust(20) + "".join(f"{c:<4.0f}" for c in conf))
    return "\n".join(lines)


def chart(runs: list[Run], weeks: int, path: Path) -> None:
    """Draw check-ins and confidence per week for each run into ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(runs), 1, figsize=(9, 2.2 * len(runs)), sharex=True)
    for ax, run in zip(axes, runs, strict=True):
        xs = list(range(1, weeks + 1))
        ax.bar(xs, run.per_week(weeks), color="#7aa6c2", label="check-ins per week")
        ax.set_ylim(0, 8)
        ax.set_ylabel("check-ins")
        ax.set_title(run.persona.name, fontsize=10, loc="left")
        twin = ax.twinx()
        twin.plot(xs, run.confidence_per_week(weeks), color="#c2553a", label="confidence")
        twin.set_ylim(0, 10)
        twin.set_ylabel("confidence")
    axes[-1].set_xlabel("week")
    fig.suptitle("Step-down: check-ins per week against confidence (90 simulated days)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(policy_path: Path, out: Path, days: int = 90) -> str:
    """Simulate every persona under the policy file; the table (a chart in ``out``)."""
    policy = Policy.load(policy_path)
    runs = [simulate(policy, p, days=days) for p in PERSONAS]
    weeks = math.ceil(days / 7)
    chart(runs, weeks, out)
    return table(runs, weeks)
