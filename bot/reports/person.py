"""What the programme sees, for a person who asks (/programme): the same anonymous
headline staff get, over the same default window, as flow variables.

Only the quick aggregates are read (people, retention, confidence), so a person waits
about as long as a staff report's first few queries, not for the whole page.
"""

from __future__ import annotations

from datetime import datetime

from bot.reports.stats import paired_change
from bot.reports.summary import headline, headline_vars
from bot.reports.weeks import mondays, window
from bot.storage.reports import ReportScope, ReportSource


async def programme_vars(source: ReportSource, now: datetime) -> dict[str, str]:
    """The headline figures for real people over the default window, as flow variables."""
    start, end = window(None, None, now.date())
    scope = ReportScope(start, end)
    await source.open()
    try:
        weekly = await source.weekly(scope)
        cohorts = await source.cohorts(scope)
        ratings = await source.confidence(scope)
    finally:
        await source.close()
    weeks = mondays(start, end)
    for i, week in enumerate(weeks):  # as the staff report: from the first busy week
        if any(counts.get(week) for counts in weekly.values()):
            weeks = weeks[i:]
            break
    head = headline(len(weeks), weekly, weeks, cohorts, weeks[-1], [], [],
                    paired_change(ratings.pairs), len(ratings.pairs))
    return headline_vars(head)
