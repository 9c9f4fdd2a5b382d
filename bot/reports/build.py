"""Build a staff report from a :class:`ReportSource`: read aggregates, protect, arrange."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import date, datetime, timedelta

from bot.reports.engagement import (
    care_section,
    content_section,
    dropoff_section,
    engagement_section,
    mentoring_section,
    retention_section,
    stepdown_section,
)
from bot.reports.model import Report
from bot.reports.outcomes import confidence_section, variants_section
from bot.reports.summary import Headline, headline, summary_lines
from bot.reports.weeks import mondays
from bot.storage.reports import ReportScope, ReportSource

COHORT_NOTE = "Deletions are counted for the whole programme, not by cohort."


class NoCohorts(ValueError):
    """A --cohort was asked for that nobody in the database joined with."""


def scope_for(start: datetime, end: datetime, cohort: str | None, people: tuple[int, int],
              known: Collection[str] | None = None) -> ReportScope:
    """Real people (of one cohort, if named), unless the cohort is "demo" or the database
    holds only demo people. ``known``: the cohorts people joined with (None: not checked)."""
    real, demo = people
    if cohort == "demo" or (cohort is None and real == 0 and demo > 0):
        return ReportScope(start, end, demo=True)
    if cohort is not None and known is not None and cohort not in known:
        names = (f"the cohorts here are: {', '.join(sorted(known))}" if known else
                 "nobody has joined with a cohort yet (cohorts come from invitations: "
                 "goodhelp invite person --cohort NAME)")
        raise NoCohorts(f"no cohort named {cohort!r}; {names}. 'demo' is the people made by "
                        "demo-data.")
    return ReportScope(start, end, cohort=cohort)


async def gather(source: ReportSource, scope: ReportScope) -> tuple[Report, Headline]:
    """Every section of the report, with the headline figures behind its summary."""
    # Asked for together: a backend with several connections answers them at once.
    async with asyncio.TaskGroup() as group:
        asked_weekly = group.create_task(source.weekly(scope))
        asked_cohorts = group.create_task(source.cohorts(scope))
        asked_tenure = group.create_task(source.tenure(scope))
        asked_steps = group.create_task(source.steps(scope))
        asked_ratings = group.create_task(source.confidence(scope))
        asked_content = group.create_task(source.content(scope))
        asked_variants = group.create_task(source.variants(scope))
    weekly, cohorts, tenure = asked_weekly.result(), asked_cohorts.result(), asked_tenure.result()
    steps, ratings = asked_steps.result(), asked_ratings.result()
    weeks = _trimmed(mondays(scope.start, scope.end), weekly)
    end_week = weeks[-1]
    confidence, change = confidence_section(ratings)
    head = headline(len(weeks), weekly, weeks, cohorts, end_week, tenure, steps, change,
                    len(ratings.pairs))
    sections = (
        engagement_section(weeks, weekly),
        retention_section(cohorts, end_week),
        confidence,
        stepdown_section(tenure),
        dropoff_section(steps),
        care_section(weeks, weekly),
        mentoring_section(weeks, weekly),
        content_section(asked_content.result()),
        variants_section(asked_variants.result()),
    )
    first = date.fromisoformat(weeks[0])
    last = date.fromisoformat(end_week) + timedelta(days=6)
    who = ("demo people (synthetic, made by goodhelp demo-data)" if scope.demo
           else f"the people of cohort {scope.cohort!r}" if scope.cohort else "everyone")
    report = Report(
        title="goodhelp: engagement and outcomes" + (" (demo data)" if scope.demo else "")
              + (f" (cohort {scope.cohort})" if scope.cohort else ""),
        start=first, end=last, weeks=len(weeks),
        scope_note=f"Covers {who} who agreed to the privacy note, in the weeks from "
                   f"{first:%d %B %Y} to {last:%d %B %Y}."
                   + (f" {COHORT_NOTE}" if scope.cohort else ""),
        summary=summary_lines(head), sections=sections, demo=scope.demo)
    return report, head


async def build_report(source: ReportSource, scope: ReportScope) -> Report:
    """The staff report for ``scope`` from the source's anonymous aggregates."""
    return (await gather(source, scope))[0]


def _trimmed(weeks: list[str], weekly: dict[str, dict[str, int]]) -> list[str]:
    """Leading weeks in which nothing at all happened are left out (a default window that
    starts before the programme did); at least the last week stays."""
    for i, week in enumerate(weeks):
        if any(counts.get(week) for counts in weekly.values()):
            return weeks[i:]
    return weeks[-1:]
