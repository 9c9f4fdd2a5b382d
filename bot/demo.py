"""Demo data: synthetic people who talk to the real bot on a virtual clock.

They go through the real Conversations service, the real flows and the real dispatcher
(scheduled check-ins and the step-down), so the report shows what the bot really
records. Five kinds of people: rising (confidence grows), flat, dipping (grows, then
dips), leaving (drifts off after a few weeks; some pause, some delete everything) and
own rhythm (chooses weekly check-ins in /settings). A few decline the privacy note.

Demo people live on the ``demo`` channel, so a report never mixes them with real people,
and demo-data refuses a database that already has real people unless told ``mix``.
"""

from __future__ import annotations

import asyncio
import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.engine.events import Choice, Command, Event, Reply, Text
from bot.engine.model import Ask, Choose, FlowSet
from bot.service import Conversations
from bot.storage.reports import DEMO_CHANNEL

KINDS = ("rising", "flat", "dipping", "leaving", "own_rhythm")
WINS = ("Went for a walk before lunch", "Phoned the housing office", "Finished my CV",
        "Cooked a proper meal", "Went to the library", "Got up at eight every day",
        "Filled in the form", "Asked a friend for help", "Went to the group session")
PURPOSES = ("Find steady work", "Feel healthier", "Get back into learning",
            "Sort out a place to live", "Spend more time with family")
PREFERRED = ("yes", "en", "Europe/London", "09:00", "good", "keep", "later")
THEMES = ("work", "health", "housing", "learning", "family", "money", "community")
# The chance of going quiet at any one question, by kind: where drop-off comes from.
QUIET = {"rising": 0.01, "flat": 0.04, "dipping": 0.03, "leaving": 0.08, "own_rhythm": 0.02}
CLOSING = ("done", "no", "later", "skip", "keep")
MAX_ANSWERS = 40


class DemoRefused(Exception):
    """The database has real people and --mix was not given."""


@dataclass
class DemoPerson:
    """A synthetic person of one kind, with when they join and how (or whether) they leave."""

    key: PersonKey
    kind: str
    joins: int  # day number
    declines: bool
    leaves_after: int  # days of taking part, for "leaving"
    exit: str  # how a leaver leaves: "silent", "pause" or "delete"
    theme: str = "work"
    gone: bool = False

    def confidence(self, day: int, rng: random.Random) -> int:
        """The 1-10 rating they would give on ``day``, following their kind's curve with noise."""
        weeks = max(0, day - self.joins) / 7
        base = {"rising": 4 + 0.4 * weeks, "flat": 5.0, "own_rhythm": 5 + 0.2 * weeks,
                "dipping": 5 + 0.4 * weeks - (0.9 * (weeks - 6) if weeks > 6 else 0),
                "leaving": 4.5}[self.kind]
        return max(1, min(10, round(base + rng.uniform(-1, 1))))

    def engaged(self, day: int, rng: random.Random) -> bool:
        """Whether they answer today: leavers fade, the others stay mostly keen."""
        if self.kind == "leaving" and day - self.joins > self.leaves_after:
            return False
        keen = {"rising": 0.85, "flat": 0.6, "dipping": 0.7, "leaving": 0.5,
                "own_rhythm": 0.8}[self.kind]
        return rng.random() < keen


class DemoDriver:
    """Answers the bot's questions as a synthetic person would, from the step asked."""

    def __init__(self, conversations: Conversations, flows: FlowSet, rng: random.Random) -> None:
        self.conversations = conversations
        self.flows = flows
        self.rng = rng

    async def converse(self, person: DemoPerson, first: Event, day: int,
                       choices: dict[str, list[str]] | None = None) -> None:
        """Send ``first`` and then answer every question until the flow ends. ``choices``
        gives, per question id, the values to pick in turn (the last one repeats)."""
        await self.conversations.handle(person.key, first)
        for answered in range(MAX_ANSWERS):
            state = await self.conversations.state_of(person.key)
            if state is None or state.flow is None or state.step is None:
                return
            if answered and self.rng.random() < QUIET[person.kind]:
                return  # they go quiet mid-conversation
            step = self.flows.flows[state.flow].steps.get(state.step)
            if isinstance(step, Choose):
                event: Event = Choice(state.prompt, self._pick(step, person, day, choices,
                                                               closing=answered >= 6))
            elif isinstance(step, Ask):
                event = Text(self._type(step, person, day))
            else:
                return
            await self.conversations.handle(person.key, event)

    def _pick(self, step: Choose, person: DemoPerson, day: int,
              choices: dict[str, list[str]] | None, closing: bool = False) -> int:
        values = [o.value for o in step.options]
        if closing:  # enough of this conversation: "no more, thanks"
            for value in CLOSING:
                if value in values:
                    return values.index(value)
        queue = (choices or {}).get(step.id) or []
        wanted = queue.pop(0) if len(queue) > 1 else (queue[0] if queue else None)
        if wanted in values:
            return values.index(wanted)
        if person.theme in values and "health" in values:
            return values.index(person.theme)
        if "10" in values:
            return values.index(str(person.confidence(day, self.rng)))
        if "no" in values and person.declines and step.into == "consent_answer":
            return values.index("no")
        for value in PREFERRED:
            if value in values:
                return values.index(value)
        return 0

    def _type(self, step: Ask, person: DemoPerson, day: int) -> str:
        rule = step.validation
        if rule.number:
            low = int(rule.minimum if rule.minimum is not None else 1)
            high = int(rule.maximum if rule.maximum is not None else 10)
            return str(max(low, min(high, person.confidence(day, self.rng))))
        if "name" in step.into:
            return "skip"
        if "purpose" in step.into or "what" in step.into:
            return self.rng.choice(PURPOSES)
        return self.rng.choice(WINS)


def make_people(count: int, days: int, rng: random.Random) -> list[DemoPerson]:
    """Kinds in turn, joining over the first two thirds of the period."""
    people = []
    for i in range(count):
        people.append(DemoPerson(
            key=PersonKey(DEMO_CHANNEL, f"demo-{i + 1:05d}"), kind=KINDS[i % len(KINDS)],
            joins=rng.randrange(max(1, days * 2 // 3)), declines=rng.random() < 0.06,
            leaves_after=rng.randrange(14, 42), exit=rng.choice(("silent", "pause", "delete")),
            theme=rng.choice(THEMES)))
    return people


def start_of(days: int, today: datetime | None = None) -> datetime:
    """The virtual clock's first morning: ``days`` before today, at 08:00 UTC."""
    today = today or datetime.now(UTC)
    return datetime.combine(today.date() - timedelta(days=days), time(8), UTC)


async def day_of(driver: DemoDriver, person: DemoPerson, day: int, inbox: list[Reply]
                 ) -> None:
    """One person's day: joining, a scheduled check-in to answer, a win, leaving."""
    rng = driver.rng
    if day == person.joins:
        await driver.converse(person, Command("start"), day)
        if person.kind == "own_rhythm":
            await driver.converse(person, Command("settings"), day,
                                  {"menu": ["rhythm", "done"], "rhythm": ["weekly"]})
        return
    if day < person.joins or person.gone:
        return
    if person.kind == "leaving" and day - person.joins > person.leaves_after:
        person.gone = True
        if person.exit == "pause":
            await driver.converse(person, Command("pause"), day)
        elif person.exit == "delete":
            await driver.converse(person, Command("delete"), day, {"confirm": ["yes"]})
        return
    engaged = person.engaged(day, rng)
    if inbox and engaged:
        state = await driver.conversations.state_of(person.key)
        if state is not None and state.flow is not None and state.step is not None:
            step = driver.flows.flows[state.flow].steps.get(state.step)
            if isinstance(step, Choose):
                await driver.converse(person, Choice(state.prompt,
                                                     driver._pick(step, person, day, None)), day)
    elif engaged and rng.random() < 0.15:
        await driver.converse(person, Command("win"), day)
    if person.kind == "own_rhythm" and engaged and (day - person.joins) % 7 == 3:
        await driver.converse(person, Command("checkin"), day)


async def live(app: App, driver: DemoDriver, crowd: list[DemoPerson], days: int,
               clock: FakeClock) -> None:
    """Run ``crowd`` for ``days`` on ``clock``: the dispatcher wakes every virtual hour and
    sends check-ins; people do their day's things late in the morning."""
    from bot.scheduling.runner import build_dispatcher

    inbox: dict[PersonKey, list[Reply]] = {}

    async def send(key: PersonKey, replies: list[Reply]) -> None:
        inbox[key] = list(replies)

    # One check-in at a time: concurrent ones would draw from the shared random source in
    # whatever order their database calls finish, and the same seed would not give the
    # same people (nor the same people on SQLite and on PostgreSQL).
    dispatcher = build_dispatcher(app, send, concurrency=1)
    await dispatcher.start()
    for day in range(days):
        for hour in range(24):
            await dispatcher.tick()
            if hour == 10:
                for person in crowd:
                    await day_of(driver, person, day, inbox.pop(person.key, []))
            clock.advance(hours=1)


async def make_demo_data(db: Path | str, people: int, days: int, flows: Path, *,
                         seed: int = 1, mix: bool = False,
                         today: datetime | None = None) -> str:
    """Fill ``db`` (a SQLite file or a postgresql:// URL) with demo people; return a
    one-line summary. DemoRefused if the database has real people and ``mix`` is False."""
    from bot.app import open_app
    from bot.storage.target import is_url, storage_for

    rng = random.Random(seed)
    clock = FakeClock(start_of(days, today))
    app = await open_app(flows, storage_for(db, clock=clock), clock=clock, rng=rng)
    try:
        counts = app.storage.report_source()  # type: ignore[attr-defined]
        await counts.open()
        try:
            real, existing = await counts.people_counts()
        finally:
            await counts.close()
        name = _shown(db)
        if real and not mix:
            raise DemoRefused(f"{name} has real people; demo people would be mixed in with "
                              "them (reports keep them apart, but the database would hold "
                              "both). Use another database, or --mix if you mean it.")
        crowd = make_people(people, days, rng)
        if existing:  # a second run adds new people instead of replaying the first ones
            for i, person in enumerate(crowd):
                person.key = PersonKey(DEMO_CHANNEL, f"demo-{existing + i + 1:05d}")
        await live(app, DemoDriver(app.conversations, app.flows, rng), crowd, days, clock)
    finally:
        await app.close()
    kinds = ", ".join(f"{sum(1 for p in crowd if p.kind == k)} {k.replace('_', ' ')}"
                      for k in KINDS)
    try_it = ("goodhelp report with the same --db" if is_url(db)
              else f"goodhelp report --db {db}")
    return (f"{people} demo people over {days} days written to {name} ({kinds}); "
            f"try: {try_it}")


def _shown(db: Path | str) -> str:
    """The database as a message may name it: a URL without its password."""
    from bot.storage.target import is_url

    if not is_url(db):
        return str(db)
    from bot.storage.postgres.connection import where

    return where(str(db))


def run(args: Any, flows_path: Path) -> int:
    """``goodhelp demo-data``: the exit code for the CLI."""
    try:
        summary = asyncio.run(make_demo_data(args.db, args.people, args.days,
                                             args.flows or flows_path, seed=args.seed,
                                             mix=args.mix))
    except DemoRefused as exc:
        print(f"goodhelp: {exc}", file=sys.stderr)
        return 2
    print(summary)
    return 0
