"""/report and the weekly digest: the staff report in Telegram, for staff only.

The chart and the page come from :mod:`bot.reports.staff` through the service's reader
(``staff`` says whether the person is staff and for which cohort; ``staff_report`` builds
the pack); every word around them is in flows/report.yaml and flows/digest.yaml.
"""

from __future__ import annotations

from datetime import timedelta

from bot.engine.actions import ActionContext, ActionRegistry, ActionResult
from bot.engine.events import Attachment, Reply
from bot.reports.staff import ChartWords


async def staff_report(ctx: ActionContext) -> ActionResult:
    """Send the summary chart (a photo) and the page (a document).

    Args: ``chart_title``, ``chart_new``, ``chart_active``, ``chart_empty``, ``chart_caption``,
    ``page_caption``. Sets ``report_weeks``. Outcomes: ``not_staff`` (nothing sent),
    ``unavailable`` (no report reader, or it failed).
    """
    staff = getattr(ctx.reader, "staff", None)
    access = await staff() if staff is not None else None
    if access is None:
        return ActionResult(outcome="not_staff")
    words = ChartWords(ctx.text("chart_title"), ctx.text("chart_new"), ctx.text("chart_active"),
                       ctx.text("chart_empty"))
    pack = await ctx.reader.staff_report(ctx.now, access.cohort, words)  # type: ignore[attr-defined]
    if pack is None:
        return ActionResult(outcome="unavailable")
    chart = Attachment("image", "report-summary.png", pack.chart,
                       caption=ctx.text("chart_caption", {"report_weeks": pack.weeks}))
    page = Attachment("document", pack.filename, pack.page, caption=ctx.text("page_caption"))
    return ActionResult(replies=[Reply("", attachment=chart), Reply("", attachment=page)],
                        vars={"report_weeks": str(pack.weeks)})


async def digest_week(ctx: ActionContext) -> ActionResult:
    """For the weekly digest: ``due`` unless this week's was sent (``digest_week`` holds
    the Monday of the last one). Outcomes: ``due``, ``sent_already``."""
    week = (ctx.now.date() - timedelta(days=ctx.now.weekday())).isoformat()
    if str(ctx.state.vars.get("digest_week", "")) == week:
        return ActionResult(outcome="sent_already")
    return ActionResult(vars={"digest_week": week}, outcome="due")


def register(registry: ActionRegistry) -> None:
    """Add the staff report and the weekly digest actions to ``registry``."""
    registry.register("staff_report", provides=("report_weeks",),
                      outcomes=("not_staff", "unavailable"))(staff_report)
    registry.register("digest_week", provides=("digest_week",),
                      outcomes=("due", "sent_already"))(digest_week)
