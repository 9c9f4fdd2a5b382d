"""Sections about engagement: who joins and stays, check-ins, the step-down, drop-off,
care (pauses, opt-outs, deletions, safety signposts) and what content was shown.

Every count passes through :mod:`bot.reports.anonymity` before it becomes text or a
chart value; nothing here returns a raw count.
"""

from __future__ import annotations

from bot.reports.anonymity import (
    HIDDEN,
    MIN_SHARE_BASE,
    Protected,
    Shown,
    is_small,
    share,
    show,
    suppress_grid,
)
from bot.reports.model import Chart, Section, Series, Table
from bot.reports.weeks import label, short
from bot.storage.reports import RETENTION_WEEKS, ContentCount, JoinCohort, StepCount, TenureWeek

NOT_YET = "not yet"
NOT_ENOUGH = "not enough people"
WEEKLY_COLUMNS = (("new", "New people"), ("active", "Active people"), ("wins", "Wins logged"),
                  ("checkins_sent", "Check-ins sent"),
                  ("checkins_answered", "Check-ins answered"))
CARE_COLUMNS = (("pauses", "Pauses"), ("optouts", "Opt-outs"), ("deletions", "Deletions"),
                ("signposts", "Safety signposts"))
MENTOR_COLUMNS = (("mentor_matches", "People matched with a mentor"),
                  ("mentor_messages", "Mentor messages passed on"))
NOT_SUMMED = {"active"}  # the same person is active in many weeks: no total


def weekly_grid(weeks: list[str], weekly: dict[str, dict[str, int]],
                columns: tuple[tuple[str, str], ...]) -> Protected:
    """Weekly counts (a row a week, a column a measure) protected with column totals."""
    grid = [[weekly.get(m, {}).get(w, 0) for m, _ in columns] for w in weeks]
    return suppress_grid(grid, row_totals=False, column_totals=True)


def _weekly_table(slug: str, title: str, weeks: list[str], weekly: dict[str, dict[str, int]],
                  columns: tuple[tuple[str, str], ...], note: str) -> tuple[Table, list[
                      list[Shown]]]:
    protected = weekly_grid(weeks, weekly, columns)
    cells = protected.cells
    rows = [(label(w), *(c.text for c in row)) for w, row in zip(weeks, cells, strict=True)]
    totals = ["All weeks"]
    for (m, _), total in zip(columns, protected.column_totals, strict=True):
        totals.append("—" if m in NOT_SUMMED else total.text)
    rows.append(tuple(totals))
    return Table(slug, title, ("Week", *(name for _, name in columns)), tuple(rows),
                 note), cells


def engagement_section(weeks: list[str], weekly: dict[str, dict[str, int]]) -> Section:
    """Week-by-week joining, activity, wins and check-ins, as a table and two charts."""
    table, cells = _weekly_table(
        "weekly", "Week by week", weeks, weekly, WEEKLY_COLUMNS,
        "Active: answered at least one question that week. A check-in is answered when "
        "the person replied to the scheduled invitation (once per person per day).")
    labels = tuple(short(w) for w in weeks)
    index = {m: i for i, (m, _) in enumerate(WEEKLY_COLUMNS)}
    people = Chart("people", "New and active people each week", "bars", labels, (
        Series("New", tuple(row[index["new"]].value for row in cells)),
        Series("Active", tuple(row[index["active"]].value for row in cells))))
    checkins = Chart("checkins", "Check-ins sent and answered each week", "lines", labels, (
        Series("Sent", tuple(row[index["checkins_sent"]].value for row in cells)),
        Series("Answered", tuple(row[index["checkins_answered"]].value for row in cells)),
        Series("Wins logged", tuple(row[index["wins"]].value for row in cells))))
    return Section("engagement", "Engagement",
                   "Who joined, who took part, and how scheduled check-ins were received.",
                   (table,), (people, checkins))


def retention_section(cohorts: list[JoinCohort], end_week: str) -> Section:
    """Cohorts by join week; week k is shown once k whole weeks have passed for everyone."""
    from datetime import date, timedelta

    last = date.fromisoformat(end_week) + timedelta(weeks=1)  # the window's end

    def observable(week: str, k: int) -> bool:
        return date.fromisoformat(week) + timedelta(weeks=k + 1) <= last

    grid = [[c.joined, *(c.retained.get(k, 0) if observable(c.week, k) else 0
                         for k in RETENTION_WEEKS)] for c in cohorts]
    # A part whose remainder (joined minus still there) is small is hidden as well.
    rest_small = [[False, *(is_small(g[0] - n) for n in g[1:])] for g in grid]
    protected = suppress_grid(grid, row_totals=False, column_totals=True,
                              also_hide=rest_small)
    cells = protected.cells
    rows = []
    for cohort, row in zip(cohorts, cells, strict=True):
        line = [label(cohort.week), row[0].text]
        for i, k in enumerate(RETENTION_WEEKS, start=1):
            line.append(NOT_YET if not observable(cohort.week, k)
                        else _part(cohort.retained.get(k, 0), cohort.joined, row[i]))
        rows.append(tuple(line))
    column_totals = protected.column_totals or [show(0)] * (1 + len(RETENTION_WEEKS))
    totals = ["All weeks", column_totals[0].text]
    rates: list[float | None] = []
    for i, k in enumerate(RETENTION_WEEKS, start=1):
        seen = [c for c in cohorts if observable(c.week, k)]
        kept, joined = sum(c.retained.get(k, 0) for c in seen), sum(c.joined for c in seen)
        totals.append(_part(kept, joined, column_totals[i]) if seen else NOT_YET)
        rate = share(kept, joined) if seen else None
        rates.append(float(rate.rstrip("%")) if rate else None)
    rows.append(tuple(totals))
    table = Table("retention", "Still taking part after 4, 8 and 12 weeks",
                  ("Joined in", "People", *(f"At {k} weeks" for k in RETENTION_WEEKS)),
                  tuple(rows),
                  "Still taking part at k weeks: answered a question k weeks or more after "
                  "joining. 'not yet': k weeks have not passed for that week's joiners.")
    chart = Chart("retention", "Share still taking part, everyone who could be counted",
                  "bars", tuple(f"{k} weeks" for k in RETENTION_WEEKS),
                  (Series("Still taking part", tuple(rates)),), unit="%")
    return Section("retention", "Staying with it",
                   "Of the people who joined in each week, how many were still replying "
                   "4, 8 and 12 weeks later.", (table,), (chart,))


def _part(part: int, whole: int, cell: Shown) -> str:
    """A part of a shown whole: hidden if the part or the rest is small, with its share."""
    if cell.hidden:
        return cell.text
    if is_small(whole - part):
        return HIDDEN
    rate = share(part, whole)
    return f"{cell.text} ({rate})" if rate else cell.text


def stepdown_section(tenure: list[TenureWeek]) -> Section:
    """Scheduled messages per person by week since joining, to show the step-down working."""
    rows = []
    values: list[float | None] = []
    for t in tenure:
        enough = t.people >= MIN_SHARE_BASE
        ratio = t.messages / t.people if enough else None
        values.append(round(ratio, 1) if ratio is not None else None)
        rows.append((str(t.weeks + 1), show(t.people).text,
                     f"{ratio:.1f}" if ratio is not None else NOT_ENOUGH))
    table = Table("stepdown", "Scheduled messages per person, by week since joining",
                  ("Week since joining", "People still taking part", "Messages per person"),
                  tuple(rows),
                  "Counts people who joined in this period and were still replying in that "
                  "week or later; the messages are the scheduled ones they were sent.")
    chart = Chart("stepdown", "The step-down: scheduled messages per person", "lines",
                  tuple(str(t.weeks + 1) for t in tenure),
                  (Series("Messages per person", tuple(values)),),
                  note="Week since joining along the bottom.")
    return Section("stepdown", "Stepping back",
                   "As confidence grows the bot sends fewer scheduled messages, unless a "
                   "person chose their own rhythm. A falling line is the step-down working.",
                   (table,), (chart,))


def dropoff_section(steps: list[StepCount]) -> Section:
    """How often each question was asked and left unanswered, to find where people stop."""
    rows = []
    for s in sorted(steps, key=lambda s: (s.flow, -s.views, s.step)):
        left = max(0, s.views - s.answers)
        rate = share(left, s.views)
        answered = show(s.answers)
        if is_small(left) and not answered.hidden:
            answered = Shown(HIDDEN, None)
        rows.append((s.flow, s.step.replace("_", " "), show(s.views).text, answered.text,
                     rate if rate else NOT_ENOUGH))
    table = Table("dropoff", "Drop-off at every question",
                  ("Flow", "Question", "Asked", "Answered", "Not answered"), tuple(rows),
                  "Not answered: times the question was asked and the person went quiet or "
                  "did something else, divided by the times it was asked.", labels=2)
    return Section("dropoff", "Where people stop",
                   "Each question a flow asks, how often it was asked and how often it was "
                   "left unanswered.", (table,))


def care_section(weeks: list[str], weekly: dict[str, dict[str, int]]) -> Section:
    """Pauses, opt-outs, deletions and safety signposts week by week: leaving, and help shown."""
    table, _ = _weekly_table(
        "care", "Pauses, opt-outs, deletions and safety signposts", weeks, weekly,
        CARE_COLUMNS,
        "Opt-outs: people who said no to the privacy note. Deletions: people who erased "
        "everything with /delete (a counter that keeps no trace of who). Safety "
        "signposts: times the safety message was shown.")
    return Section("care", "Pauses, leaving and safety",
                   "People choosing to pause or leave, and how often safety help was shown.",
                   (table,))


def mentoring_section(weeks: list[str], weekly: dict[str, dict[str, int]]) -> Section:
    """Peer mentoring week by week: people matched with a mentor, and messages passed on."""
    table, _ = _weekly_table(
        "mentoring", "Peer mentoring", weeks, weekly, MENTOR_COLUMNS,
        "Matched: people told that a peer mentor is with them. Messages passed on: "
        "mentors' messages that passed the bot's checks and reached the person (messages "
        "held for staff or turned back are not counted). Never what anyone wrote.")
    return Section("mentoring", "Peer mentoring",
                   "How many people were matched with a peer mentor, and how many messages "
                   "of encouragement reached them.", (table,))


def content_section(content: list[ContentCount]) -> Section:
    """How often stories and opportunities were shown, by the theme they matched."""
    themes = sorted({c.theme for c in content})
    kinds = (("story", "Stories"), ("opportunities", "Opportunities"))
    found = {(c.kind, c.theme): c.shown for c in content}
    grid = [[found.get((k, t), 0) for k, _ in kinds] for t in themes]
    protected = suppress_grid(grid, row_totals=False, column_totals=True)
    rows = [(t.replace("_", " "), *(c.text for c in row))
            for t, row in zip(themes, protected.cells, strict=True)]
    totals = protected.column_totals or [show(0)] * len(kinds)
    rows.append(("All themes", *(t.text for t in totals)))
    table = Table("content", "Stories and opportunities shown, by theme",
                  ("Theme", *(name for _, name in kinds)), tuple(rows))
    return Section("content", "Stories and opportunities",
                   "Peer stories and local opportunities shown, by the theme they matched.",
                   (table,))
