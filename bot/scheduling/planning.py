"""When the next scheduled check-in is due: the person's rhythm, time zone, chosen time of
day, quiet hours, /pause and the safety pause. Pure functions of their scheduling state
(:class:`bot.core.schedule.ScheduleState`), whether they consented, and now.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.schedule import ScheduleState
from bot.core.schedule import parse_moment as parse_moment
from bot.scheduling.policy import Policy

DEFAULTS = {"timezone": "Europe/London", "checkin_time": "10:00",
            "quiet_start": "21:00", "quiet_end": "08:00"}
MIN_GAP = timedelta(hours=4)  # never two scheduled check-ins closer than this
# The fields a plan depends on (with consent); a turn that changes none needs no new plan.
PLAN_INPUTS = ("rhythm", "rhythm_chosen", "timezone", "checkin_time", "quiet_start",
               "quiet_end", "paused", "safety_pause_until", "prompt_at")


def parse_time(value: Any, default: str) -> time:
    """An ``HH:MM`` setting as a time (``default`` when unset or unreadable)."""
    try:
        hours, minutes = str(value or default).strip().split(":")[:2]
        return time(int(hours) % 24, int(minutes) % 60)
    except ValueError:
        return parse_time(default, "00:00")


def zone(schedule: ScheduleState) -> ZoneInfo:
    """The person's time zone, or the default one."""
    try:
        return ZoneInfo(schedule.timezone or DEFAULTS["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULTS["timezone"])


def rhythm(schedule: ScheduleState, policy: Policy) -> str:
    """The person's current rhythm: their own choice, or where the policy put them."""
    value = schedule.rhythm or ""
    return value if value in {lv.name for lv in policy.levels} else policy.start_level


def in_quiet_hours(schedule: ScheduleState, moment: datetime) -> bool:
    """Whether ``moment`` falls in the person's quiet hours, in their time zone."""
    start = parse_time(schedule.quiet_start, DEFAULTS["quiet_start"])
    end = parse_time(schedule.quiet_end, DEFAULTS["quiet_end"])
    local = moment.astimezone(zone(schedule)).time().replace(tzinfo=None)
    if start == end:
        return False
    return start <= local < end if start < end else (local >= start or local < end)


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def _out_of_quiet(schedule: ScheduleState, moment: datetime) -> datetime:
    """The moment itself, or the end of the quiet hours it falls in."""
    if not in_quiet_hours(schedule, moment):
        return moment
    tz = zone(schedule)
    end = parse_time(schedule.quiet_end, DEFAULTS["quiet_end"])
    local = moment.astimezone(tz)
    candidate = _at(local.date(), end, tz)
    return candidate if candidate > moment else _at(local.date() + timedelta(days=1), end, tz)


def _slot_from(schedule: ScheduleState, day: date, earliest: datetime) -> datetime:
    """The person's check-in time on ``day``, or the first one after ``earliest``."""
    tz = zone(schedule)
    clock = parse_time(schedule.checkin_time, DEFAULTS["checkin_time"])
    due = _at(day, clock, tz)
    while due < earliest:
        day += timedelta(days=1)
        due = _at(day, clock, tz)
    return due


def consented(vars: Mapping[str, Any]) -> bool:
    """Whether the person said yes to the privacy note (no check-ins before)."""
    return str(vars.get("consent", "")) == "yes"


def receives_checkins(schedule: ScheduleState, consented: bool, policy: Policy) -> bool:
    """Whether the person gets check-ins at all: consented, not paused, a rhythm."""
    return (consented and not schedule.is_paused()
            and policy.every_days(rhythm(schedule, policy)) is not None)


def next_due(schedule: ScheduleState, consented: bool, policy: Policy,
             now: datetime) -> datetime | None:
    """When the next scheduled check-in should go, or None if none should."""
    if not receives_checkins(schedule, consented, policy):
        return None
    every = policy.every_days(rhythm(schedule, policy)) or 1
    tz = zone(schedule)
    last = schedule.prompt_at
    if last is None:
        earliest = now + timedelta(hours=float(policy.delivery["first_delay_hours"]))
        day = earliest.astimezone(tz).date()
    else:
        earliest = max(now, last + MIN_GAP)
        day = last.astimezone(tz).date() + timedelta(days=every)
    safety = schedule.safety_pause_until
    if safety is not None and safety > earliest:
        earliest, day = safety, safety.astimezone(tz).date()
    return _out_of_quiet(schedule, _slot_from(schedule, day, earliest))


def may_send_at(schedule: ScheduleState, consented: bool, policy: Policy,
                now: datetime) -> datetime | None:
    """Checked again when a message falls due: now if it may go now, a later moment if
    it must wait (quiet hours, safety pause), None if it must not go at all."""
    if not receives_checkins(schedule, consented, policy):
        return None
    moment = now
    safety = schedule.safety_pause_until
    if safety is not None and safety > moment:
        moment = safety
    return _out_of_quiet(schedule, moment)


def plan_signature(schedule: ScheduleState, consented: bool) -> str:
    """A short fingerprint of everything a plan depends on."""
    values = asdict(schedule)
    inputs = {"consent": consented, **{k: values[k] for k in PLAN_INPUTS}}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()[:16]


def sooner_after_dip(schedule: ScheduleState, policy: Policy, dipped: bool) -> ScheduleState:
    """The state to plan with: after a dip (and without a rhythm the person chose), the
    next check-in comes at one level more support, where the check-in itself then makes
    and explains the change."""
    if not dipped or schedule.is_chosen():
        return schedule
    return replace(schedule, rhythm=policy.more_support(rhythm(schedule, policy)))
