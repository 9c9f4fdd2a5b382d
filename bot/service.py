"""The one entry point channels use: ``await conversations.handle(key, event)``.

For each event it takes the person's lock, loads their state, runs the engine, commits
the turn and only then returns the replies, so nobody is told something was saved
before it was. Different people run concurrently; one person's events strictly in order.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.core.clock import Clock, SystemClock
from bot.core.keys import PersonKey
from bot.core.mentoring import PeerDesk
from bot.core.owed import OwedReplies
from bot.core.roles import MENTOR, Redeemed, StaffAccess, staff_access
from bot.core.state import ConversationState
from bot.core.stored import AchievementRow, PersonExport, PurposeRow, RatingRow
from bot.engine.actions import Effect
from bot.engine.events import Close, Command, Event, Reply, Text
from bot.engine.render import Renderer
from bot.engine.runner import Engine, Outcome
from bot.logsafe import describe
from bot.mentoring.desk import Mentoring
from bot.mentoring.settings import MentoringSettings
from bot.storage.base import Storage, StorageError, TurnWrite
from bot.storage.mentoring import mentor_store_for
from bot.storage.roles import RoleStore, role_store_for

log = logging.getLogger(__name__)

TurnListener = Callable[[PersonKey, Event, Outcome], Awaitable[None]]
# A channel's encoding of a turn's replies, in the person's language, as the messages it
# will send: one payload each.
Encode = Callable[[list[Reply], str], list[str]]
Owed = list[tuple[str, str]]  # (outbox ref, payload) per message, in order
EffectHandler = Callable[[PersonKey, Effect], Awaitable[None]]


def storable(text: str) -> str:
    """Text SQLite can store: a lone UTF-16 surrogate (which a broken client can send as
    JSON ``\\ud83d``) would fail the whole group commit it is written in, so it becomes
    U+FFFD. Everything else is kept exactly."""
    return _SURROGATE.sub("\ufffd", text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def cleaned(event: Event) -> Event:
    """The event with every piece of text a person typed made :func:`storable`: typed
    text, and a command's name and argument (a deep link's payload is kept)."""
    if isinstance(event, Text):
        return Text(storable(event.text))
    if isinstance(event, Command):
        return Command(storable(event.name), storable(event.payload), storable(event.locale))
    return event


# The anonymous programme figures for /programme, from a storage (bot/app.py passes the
# reports' one), or None without a report reader. Passed in, so the service imports no
# reports (and reports, used by the CLI, nothing of the service).
ProgrammeFigures = Callable[[Storage, datetime], Awaitable[dict[str, str] | None]]
# The staff report's chart and page (storage, now, cohort, the chart's words), or None
# without a report reader or if it failed; passed in by bot/app.py for the same reason.
StaffReport = Callable[[Storage, datetime, str | None, Any], Awaitable[Any]]


class StoredPerson:
    """The engine's read access to one person's stored records (and their roles)."""

    def __init__(self, storage: Storage, key: PersonKey, roles: RoleStore,
                 clock: Clock, mentoring: Callable[[], Mentoring],
                 figures: ProgrammeFigures | None = None,
                 staff_report: StaffReport | None = None) -> None:
        self.storage = storage
        self.key = key
        self.role_store = roles
        self.clock = clock
        self._mentoring = mentoring
        self.figures = figures
        self._staff_report = staff_report

    def peers(self) -> PeerDesk:
        """The person's side of peer mentoring (what they share, their mentor's messages)."""
        return self._mentoring().desk(self.key)

    async def roles(self) -> frozenset[str]:
        """The roles the person holds (person, mentor, staff)."""
        return await self.role_store.roles_of(self.key)

    async def redeem_invite(self, code: str) -> Redeemed:
        """Use an invitation code for this person, now."""
        return await self.role_store.redeem(self.key, code, self.clock.now())

    async def achievements(self, limit: int | None = None) -> list[AchievementRow]:
        """The person's wins, newest first."""
        return list(await self.storage.achievements(self.key, limit))

    async def ratings(self, limit: int | None = None) -> list[RatingRow]:
        """The person's ratings, newest first."""
        return list(await self.storage.ratings(self.key, limit))

    async def purposes(self) -> list[PurposeRow]:
        """The person's purposes, the active one first."""
        return list(await self.storage.purposes(self.key))

    async def export(self) -> PersonExport | None:
        """Everything stored about the person, for /mydata."""
        return await self.storage.export_person(self.key)

    async def programme(self, now: datetime) -> dict[str, str] | None:
        """The anonymous headline staff see (/programme), or None without a report reader."""
        if self.figures is None:
            return None
        return await self.figures(self.storage, now)

    async def staff(self) -> StaffAccess | None:
        """Whether the person is staff (from their roles), and their cohort."""
        return await staff_access(self.role_store, self.key)

    async def staff_report(self, now: datetime, cohort: str | None, words: Any) -> Any:
        """The staff report's chart and page, or None without a report reader (or if it
        failed: the action says so kindly)."""
        if self._staff_report is None:
            return None
        return await self._staff_report(self.storage, now, cohort, words)


class PersonLocks:
    """One lock per person, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[PersonKey, tuple[asyncio.Lock, int]] = {}

    def hold(self, key: PersonKey) -> _Held:
        """An async context that holds the person's lock for one turn."""
        return _Held(self, key)


class _Held:
    def __init__(self, locks: PersonLocks, key: PersonKey) -> None:
        self.locks, self.key = locks, key

    async def __aenter__(self) -> None:
        lock, users = self.locks._locks.get(self.key, (asyncio.Lock(), 0))
        self.locks._locks[self.key] = (lock, users + 1)
        await lock.acquire()

    async def __aexit__(self, *exc: object) -> None:
        lock, users = self.locks._locks[self.key]
        lock.release()
        if users <= 1:
            del self.locks._locks[self.key]
        else:
            self.locks._locks[self.key] = (lock, users - 1)


class Conversations:
    """The service: one person's events in order, each turn committed before replying."""

    def __init__(self, engine: Engine, storage: Storage, *, clock: Clock | None = None,
                 rng: random.Random | None = None, roles: RoleStore | None = None,
                 programme: ProgrammeFigures | None = None,
                 staff_report: StaffReport | None = None) -> None:
        self.engine = engine
        self.programme = programme
        self.staff_report = staff_report
        self.storage = storage
        # Who holds which role (bot.core.roles): ``roles.holds(key, "staff")``.
        self.roles: RoleStore = roles or role_store_for(storage)
        self._mentoring: Mentoring | None = None
        self.clock = clock or SystemClock()
        self.rng = rng or random.Random()
        self.locks = PersonLocks()
        self.listeners: list[TurnListener] = []
        self.effect_handlers: dict[str, EffectHandler] = {
            "delete_person": self._delete_person,
            "alert_raised": self._alert_raised,
        }

    async def handle(self, key: PersonKey, event: Event) -> list[Reply]:
        """Run one event for one person and return what to send them."""
        replies, _ = await self.handle_owed(key, event, None)
        return replies

    async def handle_owed(self, key: PersonKey, event: Event,
                          encode: Encode | None) -> tuple[list[Reply], Owed]:
        """As ``handle``, and with ``encode`` (and storage that keeps an outbox) the
        replies are owed: committed with the turn as ``encode(replies, language)``, one
        outbox row per message, returned as (ref, payload) in order. None owed: send the
        replies, nothing is kept (an error reply, or a person who just deleted everything)."""
        event = cleaned(event)
        async with self.locks.hold(key):
            return await self._turn(key, event, encode)

    def is_crisis(self, event: Event) -> bool:
        """Whether ``event`` needs the safety net (see Engine.is_crisis); no storage."""
        return self.engine.is_crisis(event)

    async def notice(self, key: PersonKey, name: str) -> Reply | None:
        """The system message ``name`` in the person's language, outside any turn (nothing
        is stored); None if the flows do not have it."""
        flows = self.engine.flows
        text = flows.messages.get(name)
        if text is None:
            return None
        try:
            state = await self.storage.load(key)
        except StorageError:
            state = None
        render = Renderer(self._language(state), flows.default_language, {}, {}, self.rng)
        return Reply(render.text(text))

    def owed_replies(self) -> OwedReplies:
        """The storage's outbox, for a channel that delivers the replies owed to people."""
        return self.storage.outbox

    async def close_open_flow(self, key: PersonKey, reason: str = "") -> None:
        """Close the flow the person left open, in a turn of its own that says nothing
        (the dispatcher, before a check-in; nothing here knows of scheduling)."""
        await self.handle(key, Close(reason))

    async def state_of(self, key: PersonKey) -> ConversationState | None:
        """The person's stored state, or None if they never wrote."""
        return await self.storage.load(key)

    async def _turn(self, key: PersonKey, event: Event,
                    encode: Encode | None) -> tuple[list[Reply], Owed]:
        state: ConversationState | None = None
        owed: Owed = []
        try:
            state = await self.storage.load(key)
            now = self.clock.now()  # one moment for the whole turn: engine and stored row
            outcome = await self.engine.handle(state, event, now=now,
                                               reader=self.reader(key), rng=self.rng)
            reset = any(e.name == "reset_person" for e in outcome.effects)
            if reset:
                await self.storage.delete_person(key)
            if not any(e.name == "delete_person" for e in outcome.effects):
                records = () if reset else tuple(outcome.records)
                write = TurnWrite(key, outcome.state, records, now)
                if encode is not None:
                    payloads = encode(outcome.replies, self._language(outcome.state))
                    refs = await self.storage.outbox.add_with_turn(write, payloads)
                    owed = list(zip(refs, payloads, strict=True))
                else:
                    await self.storage.commit_turn(write)
            for effect in outcome.effects:
                handler = self.effect_handlers.get(effect.name)
                if handler is not None:
                    await handler(key, effect)
                elif effect.name != "reset_person":
                    log.warning("no handler for effect %s", effect.name)
        except StorageError as exc:
            log.error("storage problem during a turn: %s", describe(exc))
            return [self._error_reply(state)], []
        except Exception as exc:  # no traceback ever reaches a person
            log.error("turn failed: %s", describe(exc))
            return [self._error_reply(state)], []
        for listener in self.listeners:
            try:
                await listener(key, event, outcome)
            except Exception as exc:
                log.error("turn listener failed: %s", describe(exc))
        return outcome.replies, owed

    def reader(self, key: PersonKey) -> StoredPerson:
        """What the engine may read (and the few small writes it may ask) for ``key``."""
        return StoredPerson(self.storage, key, self.roles, self.clock, lambda: self.mentoring,
                            self.programme, self.staff_report)

    @property
    def mentoring(self) -> Mentoring:
        """Peer mentoring beside this storage (opened on first use; closed by ``close``)."""
        if self._mentoring is None:
            self._mentoring = Mentoring(
                mentor_store_for(self.storage), self.roles,
                self.storage, MentoringSettings.from_config(self.engine.flows.config),
                lambda text: self.engine.is_crisis(Text(text)), self.clock, self._vars_of)
        return self._mentoring

    async def _vars_of(self, key: PersonKey) -> dict[str, Any] | None:
        state = await self.storage.load(key)
        return None if state is None else dict(state.vars)

    async def close(self) -> None:
        """Close what the service opened itself (the mentoring store)."""
        if self._mentoring is not None:
            await self._mentoring.store.close()

    async def _delete_person(self, key: PersonKey, effect: Effect) -> None:
        # Their side of any mentoring goes at once: a person's links and messages; a
        # mentor's people are told kindly and offered someone else.
        if await self.roles.holds(key, MENTOR):
            await self.mentoring.remove_mentor(key, self.clock.now())
        await self.mentoring.store.delete_person(key, self.clock.now())
        await self.storage.delete_person(key)

    def _language(self, state: ConversationState | None) -> str:
        flows = self.engine.flows
        return str((state.vars if state else {}).get("language") or flows.default_language)

    async def _alert_raised(self, key: PersonKey, effect: Effect) -> None:
        # Committed by now. Which fields were shared, never their values or who it is.
        shared = ", ".join(str(name) for name in effect.data.get("shared", ())) or "nothing"
        log.warning("a person asked for someone from the programme to get in touch "
                    "(shared: %s); `goodhelp alerts` lists open alerts", shared)

    def _error_reply(self, state: ConversationState | None) -> Reply:
        flows = self.engine.flows
        render = Renderer(self._language(state), flows.default_language, {}, {}, self.rng)
        return Reply(render.text(flows.messages["error"]))
