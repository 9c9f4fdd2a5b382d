"""Actions for the person's own settings: reading a time zone and a time of day.

Mechanisms only: the words around them (questions, "I couldn't find that") live in the
flows. Each action reads the person's answer from the ``answer`` argument and reports
``ok`` or ``unknown`` as its outcome, so the flow decides what to say.
"""

from __future__ import annotations

import re

from bot.engine.actions import ActionContext, ActionRegistry, ActionResult
from bot.engine.answerbook import AnswerBook
from bot.engine.answers import AnswerWords
from bot.engine.hints import city_of, suggested_zone
from bot.engine.timewords import read_times
from bot.engine.zones import country_zones, find_zone

_TIME = re.compile(
    r"^(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2}))?\s*(?P<half>am|pm|a\.m\.|p\.m\.|yb|yh)?$"
)
_MORNING = {"am", "a.m.", "yb"}  # yb: "y bore", Welsh for morning
_EVENING = {"pm", "p.m.", "yh"}  # yh: "yr hwyr", Welsh for evening


def parse_time(answer: str, words: AnswerWords | None = None) -> str | None:
    """'HH:MM' for '9', '9am', '9.30 pm', '21:00', '7yh', and with the answer words of
    flows/config/answers.yaml also 'nine', 'half past 6', 'noon'; None when not a time."""
    match = _TIME.match(answer.strip().casefold())
    if not match:
        readings = read_times(answer, words.times, words.numbers) if words else []
        return readings[0] if readings else None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    half = match["half"]
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half in _EVENING else 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


async def check_timezone(ctx: ActionContext) -> ActionResult:
    """Set ``timezone`` from the typed ``answer`` when zoneinfo knows it."""
    zone = find_zone(ctx.text("answer"))
    if zone is None:
        return ActionResult(outcome="unknown")
    return ActionResult(vars={"timezone": zone}, outcome="ok")


async def suggest_zone(ctx: ActionContext) -> ActionResult:
    """Set ``timezone_hint`` and ``timezone_hint_city`` from the ``hint`` (the app's
    language tag) when it suggests one time zone that none of the ``listed`` zones keeps
    the same time as. Outcomes ``found``, ``none``."""
    listed = [str(zone) for zone in ctx.args.get("listed") or []]
    zone = suggested_zone(ctx.text("hint"), country_zones(), listed, ctx.now.year)
    if zone is None:
        return ActionResult(outcome="none")
    return ActionResult(vars={"timezone_hint": zone, "timezone_hint_city": city_of(zone)},
                        outcome="found")


async def read_time(ctx: ActionContext) -> ActionResult:
    """Set ``parsed_time`` ("HH:MM") from the typed ``answer``."""
    book = AnswerBook(ctx.flows.config.get("answers"), ctx.flows.default_language)
    value = parse_time(ctx.text("answer"), book.for_language(ctx.render.language))
    if value is None:
        return ActionResult(outcome="unknown")
    return ActionResult(vars={"parsed_time": value}, outcome="ok")


def _minutes(value: object) -> int | None:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", str(value or ""))
    return int(match[1]) * 60 + int(match[2]) if match else None


def in_quiet_hours(time: object, start: object, end: object) -> bool:
    """Whether "HH:MM" falls in the quiet hours from ``start`` to ``end`` (which may run
    past midnight, 21:00 to 08:00); False when any of them is not a time."""
    at, begin, until = _minutes(time), _minutes(start), _minutes(end)
    if at is None or begin is None or until is None or begin == until:
        return False
    return begin <= at < until if begin < until else at >= begin or at < until


async def quiet_clash(ctx: ActionContext) -> ActionResult:
    """Whether the check-in time falls in the quiet hours, so check-ins would never come
    at the time the person chose (issue 11). Args ``time``, ``start``, ``end``, default
    the person's ``checkin_time``, ``quiet_start`` and ``quiet_end``. Outcomes: ``clash``,
    ``ok``."""
    vars = ctx.state.vars
    time = ctx.text("time") or vars.get("checkin_time")
    start = ctx.text("start") or vars.get("quiet_start")
    end = ctx.text("end") or vars.get("quiet_end")
    return ActionResult(outcome="clash" if in_quiet_hours(time, start, end) else "ok")


def register(registry: ActionRegistry) -> None:
    """Add the settings checks (quiet hours clash, time zone) to ``registry``."""
    registry.register("quiet_clash", outcomes=("clash", "ok"))(quiet_clash)
    registry.register("check_timezone", provides=("timezone",),
                      outcomes=("ok", "unknown"))(check_timezone)
    registry.register("suggest_zone", provides=("timezone_hint", "timezone_hint_city"),
                      outcomes=("found", "none"))(suggest_zone)
    registry.register("read_time", provides=("parsed_time",), outcomes=("ok", "unknown"))(
        read_time)
