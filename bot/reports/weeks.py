"""Weeks: the only unit of time a staff report shows (Monday to Sunday, UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

DEFAULT_WEEKS = 26


def monday(day: date) -> date:
    """The Monday that starts ``day``'s week, so every date falls into one report week."""
    return day - timedelta(days=day.weekday())


def window(start: date | None, end: date | None, today: date,
           default_weeks: int = DEFAULT_WEEKS) -> tuple[datetime, datetime]:
    """[first Monday 00:00, the Monday after the last week) in UTC, from inclusive dates."""
    last = monday(end or today)
    first = monday(start) if start else last - timedelta(weeks=default_weeks - 1)
    if first > last:
        raise ValueError("the start date is after the end date")
    return (datetime.combine(first, time(), UTC),
            datetime.combine(last + timedelta(weeks=1), time(), UTC))


def mondays(start: datetime, end: datetime) -> list[str]:
    """ISO dates of every Monday in [start, end)."""
    day, stop = start.date(), end.date()
    found = []
    while day < stop:
        found.append(day.isoformat())
        day += timedelta(weeks=1)
    return found


def label(week: str) -> str:
    """"w/c 30 Nov 2026": week commencing, as staff write it."""
    day = date.fromisoformat(week)
    return f"w/c {day.day} {day.strftime('%b %Y')}"


def short(week: str) -> str:
    """"30 Nov": a week's label short enough for a chart axis."""
    day = date.fromisoformat(week)
    return f"{day.day} {day.strftime('%b')}"
