"""Sections about outcomes: paired confidence change, and what followed each wording."""

from __future__ import annotations

from itertools import groupby

from bot.reports.anonymity import HIDDEN, Shown, is_small, share, show, suppress_grid
from bot.reports.model import Chart, Section, Series, Table
from bot.reports.stats import MIN_PAIRED, PairedChange, effect_words, paired_change
from bot.storage.reports import Confidence, VariantCount

NOT_ENOUGH_YET = "not enough people yet to say"


def confidence_section(data: Confidence) -> tuple[Section, PairedChange | None]:
    """The paired confidence change and who it counts; the change also goes to the summary."""
    change = paired_change(data.pairs)
    who = Table("confidence_people", "Who the confidence figures include",
                ("People", "Count"), (
                    ("Rated their confidence at least once", show(data.rated).text),
                    ("Rated at least twice", show(data.rated_twice).text),
                    ("Two ratings at least 14 days apart (included)", show(len(data.pairs)).text),
                ),
                "People who rated only once, or twice within 14 days, are not in the paired "
                "figures; nor is anyone who deleted their data.")
    if change is None:
        result = Table("confidence", "Confidence: first rating against latest",
                       ("Figure", "Value"),
                       (("Result", NOT_ENOUGH_YET),
                        ("Needed", f"at least {MIN_PAIRED} people with two ratings "
                                   "14 days apart"),))
        return Section("confidence", "Confidence", _INTRO, (result, who)), None
    counts = [change.improved, change.same, change.worse]
    protected = suppress_grid([counts], row_totals=True, column_totals=False)
    cells = protected.cells[0]
    rows = [
        ("People included", protected.row_totals[0].text),
        ("Average first rating (1-10)", f"{change.mean_first:.1f}"),
        ("Average latest rating (1-10)", f"{change.mean_latest:.1f}"),
        ("Average change", f"{change.mean_change:+.2f} points"),
        ("95% interval for the change", f"{change.low:+.2f} to {change.high:+.2f}"),
        ("Effect size (Cohen's dz)", "—" if change.dz is None
         else f"{change.dz:.2f} ({effect_words(change.dz)})"),
    ]
    for name, n, cell in zip(("Improved", "Stayed the same", "Got worse"), counts, cells,
                             strict=True):
        rows.append((name, _with_share(n, change.n, cell)))
    result = Table("confidence", "Confidence: first rating against latest", ("Figure", "Value"),
                   tuple(rows))
    chart = Chart("confidence", "Average confidence, first and latest rating", "bars",
                  ("First rating", "Latest rating"),
                  (Series("Average (1-10)", (round(change.mean_first, 1),
                                             round(change.mean_latest, 1))),),
                  note="Same people in both bars.")
    return Section("confidence", "Confidence", _INTRO, (result, who), (chart,)), change


_INTRO = ("For everyone with two confidence ratings at least 14 days apart, their first "
          "rating in the period against their latest. Ratings are self-reported on a 1-10 "
          "scale.")


def _with_share(n: int, whole: int, cell: Shown) -> str:
    if cell.hidden:
        return cell.text
    rate = share(n, whole)
    return f"{cell.text} ({rate})" if rate else cell.text


def variants_section(variants: list[VariantCount]) -> Section:
    """For steps with several wordings, what followed each: answers and wins within 7 days."""
    rows = []
    for (flow, step), group in groupby(sorted(variants, key=lambda v: (v.flow, v.step,
                                                                       v.variant)),
                                       key=lambda v: (v.flow, v.step)):
        found = list(group)
        if len(found) < 2:
            continue
        for v in found:
            rows.append((flow, step.replace("_", " "), f"wording {v.variant + 1}",
                         show(v.shown).text,
                         _rate(v.replied, v.shown) if v.replied else "—",
                         _rate(v.won, v.shown)))
    table = Table("variants", "What followed each wording",
                  ("Flow", "Text", "Wording", "Times shown", "Answered",
                   "Win within 7 days"), tuple(rows),
                  "Answered: the question was answered in that wording ('—': the text is not "
                  "a question, or was never answered). Shares are shown only when the "
                  "wording was shown at least 20 times and neither the part nor the rest is "
                  "fewer than 8. Differences between wordings are not tested for "
                  "significance.", labels=3)
    return Section("variants", "Different wordings",
                   "Where a flow's text has several wordings, the bot picks one at random. "
                   "These figures compare what happened next.", (table,))


def _rate(part: int, whole: int) -> str:
    rate = share(part, whole)
    if rate is not None:
        return rate
    return HIDDEN if is_small(part) or is_small(whole - part) else "not enough yet"

