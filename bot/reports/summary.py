"""The one-minute summary at the top of the page, and the same figures for a person.

:class:`Headline` holds the protected figures once; :func:`summary_lines` words them for
staff and funders, and the /programme flow words them for people (in English and Welsh,
from its YAML) through :func:`headline_vars`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.reports.anonymity import MIN_SHARE_BASE, is_small, share, show
from bot.reports.stats import MIN_PAIRED, PairedChange, effect_words
from bot.storage.reports import JoinCohort, StepCount, TenureWeek


@dataclass(frozen=True)
class Headline:
    """The headline figures, each already protected (None: hidden or not enough yet)."""

    weeks: int
    joined: str | None  # rounded count, or None when fewer than 8
    weekly_active: str | None  # rounded average of active people a week
    retained_4: str | None  # a share, e.g. "64%"
    change: PairedChange | None
    paired_n: int
    messages_first: str | None  # scheduled messages per person, first week
    messages_later: str | None
    later_week: int | None
    hardest_step: tuple[str, str, str] | None  # flow, question, share not answered
    signposts: str | None
    # Peer mentoring in the window: "0", a protected count, or None for fewer than 8.
    mentor_matches: str | None = "0"
    mentor_messages: str | None = "0"


def headline(weeks: int, weekly: dict[str, dict[str, int]], week_list: list[str],
             cohorts: list[JoinCohort], end_week: str, tenure: list[TenureWeek],
             steps: list[StepCount], change: PairedChange | None, paired_n: int) -> Headline:
    """Work out the protected headline figures once, for both the staff page and /programme."""
    joined = sum(weekly.get("new", {}).get(w, 0) for w in week_list)
    active = [weekly.get("active", {}).get(w, 0) for w in week_list]
    busy = [a for a in active if a]
    average = round(sum(busy) / len(busy)) if busy else 0
    from datetime import date, timedelta

    last = date.fromisoformat(end_week) + timedelta(weeks=1)
    seen = [c for c in cohorts if date.fromisoformat(c.week) + timedelta(weeks=5) <= last]
    kept = sum(c.retained.get(4, 0) for c in seen)
    retained = share(kept, sum(c.joined for c in seen)) if seen else None
    enough = [t for t in tenure if t.people >= MIN_SHARE_BASE]
    first = later = None
    later_week = None
    if len(enough) >= 2:
        first = f"{enough[0].messages / enough[0].people:.1f}"
        later = f"{enough[-1].messages / enough[-1].people:.1f}"
        later_week = enough[-1].weeks + 1
    hardest = None
    rated: list[tuple[str, StepCount]] = []
    for s in steps:
        rate = share(max(0, s.views - s.answers), s.views)
        if rate is not None:
            rated.append((rate, s))
    if rated:
        top, step = max(rated, key=lambda rs: float(rs[0].rstrip("%")))
        hardest = (step.flow, step.step.replace("_", " "), top)
    signposts = sum(weekly.get("signposts", {}).get(w, 0) for w in week_list)
    matches, messages = (sum(weekly.get(m, {}).get(w, 0) for w in week_list)
                         for m in ("mentor_matches", "mentor_messages"))
    return Headline(
        weeks=weeks,
        joined=None if is_small(joined) else show(joined).text,
        weekly_active=None if is_small(average) else show(average).text,
        retained_4=retained, change=change, paired_n=paired_n,
        messages_first=first, messages_later=later, later_week=later_week,
        hardest_step=hardest,
        signposts=None if is_small(signposts) else show(signposts).text,
        mentor_matches=None if is_small(matches) else show(matches).text,
        mentor_messages=None if is_small(messages) else show(messages).text)


def summary_lines(h: Headline) -> tuple[str, ...]:
    """Plain sentences a funder can read in a minute."""
    weeks = f"{h.weeks} week" + ("s" if h.weeks != 1 else "")
    lines = [f"Over {weeks}, {h.joined or 'fewer than 8'} people joined; in a "
             f"typical week {h.weekly_active or 'fewer than 8'} took part."]
    if h.retained_4:
        lines.append(f"{h.retained_4} of those who joined were still taking part four "
                     "weeks later.")
    if h.change is None:
        lines.append("Confidence: not enough people yet to say. We need at least "
                     f"{MIN_PAIRED} people who rated their confidence twice, two weeks "
                     "apart.")
    else:
        c = h.change
        direction = "rose" if c.mean_change > 0 else "fell" if c.mean_change < 0 else "held"
        lines.append(
            f"Confidence {direction} by {abs(c.mean_change):.1f} points on a 1-10 scale on "
            f"average (95% interval {c.low:+.1f} to {c.high:+.1f}; "
            f"{effect_words(c.dz)} effect), among {show(c.n).text} people who rated it twice "
            "at least two weeks apart. It is self-reported.")
    if h.messages_first and h.messages_later:
        lines.append(f"The bot stepped back as people went on: {h.messages_first} scheduled "
                     f"messages per person in their first week, {h.messages_later} by week "
                     f"{h.later_week}.")
    if h.hardest_step:
        flow, step, rate = h.hardest_step
        lines.append(f"The question most often left unanswered is '{step}' in {flow} "
                     f"({rate} of the times it was asked).")
    if (h.mentor_matches, h.mentor_messages) != ("0", "0"):
        lines.append(f"{h.mentor_matches or 'Fewer than 8'} times a person was matched with "
                     f"a peer mentor, and {h.mentor_messages or 'fewer than 8'} messages of "
                     "encouragement from mentors reached people.")
    lines.append(f"Safety help was shown {h.signposts or 'fewer than 8'} times." if
                 h.signposts != "0" else "Safety help was not shown in this period.")
    return tuple(lines)


def headline_vars(h: Headline) -> dict[str, str]:
    """The figures for the /programme flow. Empty means "fewer than 8" or "not enough
    yet"; the flow's own words (English or Welsh) fill the gap."""
    c = h.change
    return {
        "programme_weeks": str(h.weeks),
        "programme_joined": h.joined or "",
        "programme_active": h.weekly_active or "",
        "programme_retained": h.retained_4 or "",
        "programme_confidence": "" if c is None else "up" if c.mean_change > 0
        else "down" if c.mean_change < 0 else "same",
        "programme_change": "" if c is None else f"{abs(c.mean_change):.1f}",
        "programme_paired": "" if c is None else show(c.n).text,
    }
