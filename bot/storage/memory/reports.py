"""Staff-report aggregates over the in-memory backend, with SQLite's definitions.

The contract test runs the same seeded people through this and through
:mod:`bot.storage.sqlite.reports` and expects the same figures, so the SQL and these
loops keep each other honest.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.keys import PersonKey
from bot.storage.memory.storage import MemoryStorage, _Person
from bot.storage.reports import (
    DEMO_CHANNEL,
    MEASURES,
    RETENTION_WEEKS,
    Confidence,
    ContentCount,
    JoinCohort,
    ReportScope,
    StepCount,
    TenureWeek,
    VariantCount,
    tenure_rows,
)
from bot.storage.rows import from_text, to_text, week_of


@dataclass
class _InScope:
    person: _Person
    joined: str
    last_reply: str | None

    @property
    def last_k(self) -> int | None:
        if self.last_reply is None:
            return None
        return _days(self.joined, self.last_reply) // 7


def _days(a: str, b: str) -> int:
    """Whole... days from a to b as a float floor, matching julianday arithmetic."""
    return int((from_text(b) - from_text(a)).total_seconds() // 86400)


def _consent(person: _Person) -> object:
    return json.loads(person.state_json).get("vars", {}).get("consent") \
        if person.state_json else None


class MemoryReportSource:
    """Aggregates over a :class:`MemoryStorage`'s people."""

    def __init__(self, storage: MemoryStorage,
                 cohorts: Mapping[PersonKey, str] | None = None) -> None:
        self.storage = storage
        self.cohort_of = cohorts or {}  # person -> the cohort they joined with

    async def open(self) -> None:
        """Nothing to open: it reads the storage's own dicts."""

    async def close(self) -> None:
        """Nothing to close."""

    def _people(self, demo: bool, cohort: str | None = None) -> Iterator[_Person]:
        for key, person in self.storage._people.items():
            if (key.channel == DEMO_CHANNEL) == demo and (
                    cohort is None or self.cohort_of.get(key) == cohort):
                yield person

    def _scope(self, scope: ReportScope) -> tuple[list[_InScope], str, str]:
        start, end = to_text(scope.start), to_text(scope.end)
        found = []
        for person in self._people(scope.demo, scope.cohort):
            if _consent(person) != "yes" or person.created_at >= end:
                continue
            replies = [e[4] for e in person.events if e[1] == "step_answered" and e[4] < end]
            found.append(_InScope(person, person.created_at, max(replies, default=None)))
        return found, start, end

    async def people_counts(self) -> tuple[int, int]:
        """(real people, demo people) stored."""
        demo = sum(1 for k in self.storage._people if k.channel == DEMO_CHANNEL)
        return len(self.storage._people) - demo, demo

    async def cohort_names(self) -> list[str]:
        """Every cohort someone joined with, sorted."""
        return sorted(set(self.cohort_of.values()))

    async def weekly(self, scope: ReportScope) -> dict[str, dict[str, int]]:
        """measure -> week -> count."""
        people, start, end = self._scope(scope)
        counts: dict[str, Counter[str]] = {m: Counter() for m in MEASURES}
        active: dict[str, set[int]] = defaultdict(set)
        answered: dict[str, set[tuple[int, str]]] = defaultdict(set)
        for p in people:
            person = p.person
            if p.joined >= start:
                counts["new"][week_of(p.joined)] += 1
            for _, name, flow, step, at in person.events:
                if not start <= at < end:
                    continue
                week = week_of(at)
                if name == "flow_started" and flow == scope.delivery_flow:
                    counts["checkins_sent"][week] += 1
                if name == "step_answered":
                    active[week].add(person.id)
                    if flow == scope.delivery_flow:
                        answered[week].add((person.id, at[:10]))
                elif name == "flow_finished" and (flow, step) == (scope.pause_flow,
                                                                   scope.pause_step):
                    counts["pauses"][week] += 1
                elif name == "flow_started" and flow == scope.safety_flow:
                    counts["signposts"][week] += 1
                elif (name, flow, step) == ("flow_finished", scope.mentor_flow,
                                            scope.matched_step):
                    counts["mentor_matches"][week] += 1
                elif (name, flow, step) == ("step_reached", scope.mentor_flow,
                                            scope.message_step):
                    counts["mentor_messages"][week] += 1
            for win in person.achievements:
                if start <= win[2] < end:
                    counts["wins"][week_of(win[2])] += 1
        counts["active"] = Counter({w: len(ids) for w, ids in active.items()})
        counts["checkins_answered"] = Counter({w: len(d) for w, d in answered.items()})
        for person in self._people(scope.demo, scope.cohort):
            if _consent(person) == "declined" and start <= person.created_at < end:
                counts["optouts"][week_of(person.created_at)] += 1
        first_week = week_of(start)
        for (week, demo), n in self.storage.deletions.items():
            if demo == scope.demo and first_week <= week < end:
                counts["deletions"][week] += n
        return {m: dict(c) for m, c in counts.items()}

    async def cohorts(self, scope: ReportScope) -> list[JoinCohort]:
        """People joined in the window by week, with how many still replied at k weeks."""
        people, start, _ = self._scope(scope)
        joined: Counter[str] = Counter()
        kept: dict[str, Counter[int]] = defaultdict(Counter)
        for p in people:
            if p.joined < start:
                continue
            week = week_of(p.joined)
            joined[week] += 1
            for k in RETENTION_WEEKS:
                if p.last_reply is not None and (
                        from_text(p.last_reply) - from_text(p.joined) >= timedelta(days=7 * k)):
                    kept[week][k] += 1
        return [JoinCohort(w, joined[w], {k: kept[w][k] for k in RETENTION_WEEKS})
                for w in sorted(joined)]

    async def steps(self, scope: ReportScope) -> list[StepCount]:
        """Views and answers of every question asked in the window."""
        people, start, end = self._scope(scope)
        views: Counter[tuple[str, str]] = Counter()
        answers: Counter[tuple[str, str]] = Counter()
        for p in people:
            for _, name, flow, step, at in p.person.events:
                if start <= at < end:
                    if name == "step_reached":
                        views[flow, step] += 1
                    elif name == "step_answered":
                        answers[flow, step] += 1
        return [StepCount(f, s, views[f, s], answers[f, s])
                for f, s in sorted(set(views) | set(answers))]

    async def tenure(self, scope: ReportScope) -> list[TenureWeek]:
        """Scheduled messages by week since joining, among people still replying then."""
        people, start, end = self._scope(scope)
        messages: Counter[int] = Counter()
        last: Counter[int] = Counter()
        for p in people:
            last_k = p.last_k
            if p.joined < start or last_k is None:
                continue
            last[last_k] += 1
            for _, name, flow, _, at in p.person.events:
                if name == "flow_started" and flow == scope.delivery_flow and at < end:
                    k = _days(p.joined, at) // 7
                    if k <= last_k:
                        messages[k] += 1
        return tenure_rows(dict(messages), dict(last))

    async def content(self, scope: ReportScope) -> list[ContentCount]:
        """Stories and opportunities shown, by theme."""
        people, start, end = self._scope(scope)
        shown: Counter[tuple[str, str]] = Counter()
        for p in people:
            for _, name, flow, step, at in p.person.events:
                if name in ("story_shown", "opportunities_shown") and start <= at < end:
                    shown[flow, step] += 1
        return [ContentCount(k, t, n) for (k, t), n in sorted(shown.items())]

    async def confidence(self, scope: ReportScope, gap_days: int = 14) -> Confidence:
        """First and latest ratings of people with two at least ``gap_days`` apart."""
        people, start, end = self._scope(scope)
        pairs: list[tuple[int, int]] = []
        rated = twice = 0
        for p in people:
            ratings = sorted((at, rid, value) for rid, value, at, _ in p.person.ratings
                             if start <= at < end)
            if not ratings:
                continue
            rated += 1
            if len(ratings) < 2:
                continue
            twice += 1
            first, latest = ratings[0], ratings[-1]
            if from_text(latest[0]) - from_text(first[0]) >= timedelta(days=gap_days):
                pairs.append((first[2], latest[2]))
        return Confidence(pairs, rated, twice)

    async def variants(self, scope: ReportScope) -> list[VariantCount]:
        """Shown, answered (a question's wording), followed by a win within 7 days."""
        people, start, end = self._scope(scope)
        tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        for p in people:
            for _, name, flow, step, at in p.person.events:
                if not start <= at < end:
                    continue
                if name == "variant_answered":
                    tally[flow, step][1] += 1
                elif name == "variant_shown":
                    shown_at = from_text(at)
                    row = tally[flow, step]
                    row[0] += 1
                    row[2] += any(_within(shown_at, w[2], 7) for w in p.person.achievements)
        found = []
        for (flow, step), (shown, replied, won) in tally.items():
            if shown:  # not a wording answered but shown before the window
                name, _, index = step.rpartition("#")
                found.append(VariantCount(flow, name, int(index or 0), shown, replied, won))
        return sorted(found, key=lambda v: (v.flow, v.step, v.variant))


def _within(since: datetime, at: str, days: int) -> bool:
    # As the SQL: compared to the second, the end excluded.
    moment = from_text(at)
    return since <= moment and moment.replace(microsecond=0) < (
        since + timedelta(days=days)).replace(microsecond=0)
