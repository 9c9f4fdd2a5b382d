"""The dispatcher: claims due messages, starts the check-in through the service, hands
the replies to the channel, marks them sent and plans the next one.

The database holds the truth; schedulers only call :meth:`Dispatcher.tick`. A message is
claimed (committed) before anything is sent and marked sent after, so a crash loses
nothing: a claim left behind is released on start and tried again. A crash between
sending and marking may send that one message twice, never more. Delivery is worked out
from the person's state, which the check-in's first turn writes atomically (see
docs/scheduling.md, "Crash windows").
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.core.clock import Clock
from bot.core.keys import PersonKey
from bot.core.records import Rating
from bot.core.schedule import ScheduleState, from_vars, parse_moment
from bot.engine.events import Event, Reply, Start
from bot.engine.runner import Outcome
from bot.logsafe import describe
from bot.scheduling.planning import (
    consented,
    may_send_at,
    next_due,
    plan_signature,
    sooner_after_dip,
)
from bot.scheduling.policy import Policy, is_dip
from bot.service import Conversations
from bot.storage.base import (
    NextMessage,
    ReachabilityStore,
    RecordReader,
    ScheduledMessage,
    ScheduleStore,
)

log = logging.getLogger(__name__)

Send = Callable[[PersonKey, list[Reply]], Awaitable[None]]
# Shared mode: one transaction under the person's lock around each check-in (the lock a
# worker's claim of their update takes), so a check-in and a turn of theirs never run at
# once, and the check-in, its owed replies and its mark commit together.
Scope = Callable[[PersonKey], AbstractAsyncContextManager[None]]
KIND = "checkin"
MENTOR_GAP = timedelta(hours=1)


@dataclass
class TickReport:
    """What one tick did, by outcome (sent, busy, waiting, dropped, failed, recovered...)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: str) -> None:
        """Count one delivery's outcome."""
        self.counts[outcome] = self.counts.get(outcome, 0) + 1

    @property
    def sent(self) -> int:
        """How many check-ins this tick sent."""
        return self.counts.get("sent", 0)


class DispatchStore(RecordReader, Protocol):
    """The storage roles the dispatcher uses: the schedule, who is reachable, ratings."""

    @property
    def schedules(self) -> ScheduleStore:
        """The schedule queue the check-ins come from."""

    @property
    def reachability(self) -> ReachabilityStore:
        """Who blocked the bot (their check-ins are dropped)."""


class Dispatcher:
    """Sends scheduled check-ins. ``send(key, replies)`` is the channel's delivery."""

    def __init__(self, conversations: Conversations, storage: DispatchStore, policy: Policy,
                 clock: Clock, send: Send, *, batch: int = 200, concurrency: int = 32,
                 worker: str = "", lease: timedelta | None = None,
                 scope: Scope | None = None, cache_plans: bool = True) -> None:
        """``worker`` names this dispatcher's claims; with ``lease``, anyone's claims older
        than it are released (a worker that died). ``cache_plans`` False: with several
        workers another one may have planned since, so every turn plans again."""
        self.conversations = conversations
        self.storage = storage
        self.policy = policy
        self.clock = clock
        self.send = send
        self.batch = batch
        self.worker = worker
        self.lease = lease
        self.scope = scope
        self.cache_plans = cache_plans
        self._limit = asyncio.Semaphore(concurrency)
        self._planned: dict[PersonKey, str] = {}  # plan signature last written, per person
        self.flow = str(policy.delivery["flow"])
        self.retry = timedelta(minutes=float(policy.delivery["retry_minutes"]))
        self.idle = timedelta(minutes=float(policy.delivery["idle_minutes"]))
        self.send_retries = int(policy.delivery["send_retries"])

    async def start(self) -> int:
        """Release claims a crash left behind and start planning after every turn."""
        stale = self.clock.now() - self.lease if self.lease is not None else None
        released = await self.storage.schedules.release_claims(self.worker, stale)
        if self.on_turn not in self.conversations.listeners:
            self.conversations.listeners.append(self.on_turn)
        return released

    async def tick(self, now: datetime | None = None) -> TickReport:
        """Deliver everything due by ``now`` (default: the clock's now)."""
        now = now or self.clock.now()
        report = TickReport()
        if self.lease is not None:  # claims of a worker that died come back
            await self.storage.schedules.release_claims(None, now - self.lease)
        while True:
            rows = await self.storage.schedules.claim_due(now, self.batch, self.worker)
            outcomes = await asyncio.gather(*(self._guarded(row, now) for row in rows))
            for outcome in outcomes:
                report.add(outcome)
            if len(rows) < self.batch:
                return report

    async def _guarded(self, row: ScheduledMessage, now: datetime) -> str:
        async with self._limit:
            try:
                if self.scope is None:
                    return await self.deliver(row, now)
                async with self.scope(row.key):
                    return await self.deliver(row, now)
            except Exception as exc:  # one person's problem must not stop the others
                log.error("scheduled message %d failed: %s", row.id, describe(exc))
                await self.storage.schedules.reschedule(row.id, now + self.retry)
                return "error"

    async def deliver(self, row: ScheduledMessage, now: datetime) -> str:
        """Send one claimed check-in (or hold, drop or postpone it); the outcome's name."""
        key = row.key
        state = await self.conversations.state_of(key)
        if state is None:
            await self.storage.schedules.drop_scheduled(row.id)
            return "dropped"
        schedule, consent = from_vars(state.vars), consented(state.vars)
        if not await self.storage.reachability.is_reachable(key):
            # They blocked the bot. Writing again makes them reachable, and that turn
            # plans their next check-in afresh.
            await self.storage.schedules.drop_scheduled(row.id)
            self._planned.pop(key, None)
            return "unreachable"
        allowed = may_send_at(schedule, consent, self.policy, now)
        if allowed is None:  # paused, stopped, or "only when I ask"
            await self.storage.schedules.drop_scheduled(row.id)
            self._planned.pop(key, None)
            return "dropped"
        relay_at = parse_moment(state.vars.get("relay_at"))  # a mentor message: relay.py
        if relay_at is not None and relay_at + MENTOR_GAP > allowed:
            allowed = relay_at + MENTOR_GAP  # never two messages from the bot in an hour
        if allowed > now:  # quiet hours or the safety pause
            await self.storage.schedules.reschedule(row.id, allowed)
            return "waiting"
        prompt_at = schedule.prompt_at
        untouched = state.turn == schedule.prompt_turn  # nothing since our last prompt
        if prompt_at is not None and prompt_at >= row.due_at:
            # This message's check-in already started (a crash or a failed send after it).
            if untouched and state.flow is None:
                await self._drop(row, key, schedule, consent, now)  # the policy chose silence
                return "silent"
            if not untouched:
                await self._finish(row, key, schedule, consent, now)  # they have answered it since
                return "recovered"
            # The person has not done anything since: it may never have reached them.
        if state.flow is not None:
            left = row.last_turn_at is None or now - row.last_turn_at >= self.idle
            if not (untouched or left):
                await self.storage.schedules.reschedule(row.id, now + self.retry)
                return "busy"  # never interrupt a conversation in progress
            # An unanswered check-in or a conversation left days ago: close it quietly.
            await self.conversations.close_open_flow(key, reason=f"scheduled:{row.kind}")
        start = Start(self.flow, reason=f"scheduled:{row.kind}")
        replies = await self.conversations.handle(key, start)
        after = await self.conversations.state_of(key)
        after_vars = after.vars if after is not None else {}
        after_schedule, after_consent = from_vars(after_vars), consented(after_vars)
        if not replies:
            if after is not None and after_schedule.prompt_at != schedule.prompt_at:
                await self._drop(row, key, after_schedule, after_consent, now)  # silence
                return "silent"
            await self.storage.schedules.reschedule(row.id, now + self.retry)
            return "busy"  # they started talking in the meantime
        try:
            await self.send(key, replies)
        except Exception as exc:
            log.warning("sending scheduled message %d failed: %s", row.id, describe(exc))
            if row.attempt >= self.send_retries:
                await self._drop(row, key, after_schedule, after_consent, now)
            else:
                await self.storage.schedules.reschedule(row.id, now + self.retry * row.attempt)
            return "failed"
        await self._finish(row, key, after_schedule, after_consent, now)
        return "sent"

    async def _finish(self, row: ScheduledMessage, key: PersonKey, schedule: ScheduleState,
                      consent: bool, now: datetime) -> None:
        due = next_due(schedule, consent, self.policy, now)
        following = (None if due is None
                     else NextMessage(KIND, due, self._payload(schedule, consent)))
        await self.storage.schedules.finish_scheduled(row.id, now, following)
        self._planned[key] = plan_signature(schedule, consent)

    async def _drop(self, row: ScheduledMessage, key: PersonKey, schedule: ScheduleState,
                    consent: bool, now: datetime) -> None:
        """Nothing was sent for this message: forget it and plan the next one."""
        await self.storage.schedules.drop_scheduled(row.id)
        await self._plan(key, schedule, consent, now)

    def _payload(self, schedule: ScheduleState, consent: bool) -> dict[str, Any]:
        return {"flow": self.flow, "plan": plan_signature(schedule, consent)}

    async def _plan(self, key: PersonKey, schedule: ScheduleState, consent: bool,
                    now: datetime) -> None:
        due = next_due(schedule, consent, self.policy, now)
        if due is None:
            await self.storage.schedules.unschedule(key, KIND)
        else:
            await self.storage.schedules.schedule(
                key, NextMessage(KIND, due, self._payload(schedule, consent)))
        self._planned[key] = plan_signature(schedule, consent)

    async def replan(self, key: PersonKey) -> None:
        """Plan the person's next check-in from their stored state (tools and tests)."""
        state = await self.conversations.state_of(key)
        if state is not None:
            await self._plan(key, from_vars(state.vars), consented(state.vars), self.clock.now())

    async def on_turn(self, key: PersonKey, event: Event, outcome: Outcome) -> None:
        """After every committed turn: plan again if anything the plan depends on changed."""
        if isinstance(event, Start):
            return  # the dispatcher plans after its own check-ins
        vars = outcome.state.vars
        schedule, consent = from_vars(vars), consented(vars)
        if any(isinstance(r, Rating) for r in outcome.records):
            # A confidence dip brings the next check-in forward, without waiting a week.
            rows = await self.storage.ratings(key, 5)
            dipped = is_dip(self.policy, [(r.at, r.value) for r in rows])
            if dipped:
                await self._plan(key, sooner_after_dip(schedule, self.policy, dipped),
                                 consent, self.clock.now())
                return
        signature = plan_signature(schedule, consent)
        if self.cache_plans and self._planned.get(key) == signature:
            return
        if len(self._planned) > 200_000:
            self._planned.clear()
        await self._plan(key, schedule, consent, self.clock.now())
