"""Mechanisms for the confidence check-in (flows/checkin.yaml).

``recall_win`` finds a recent win to play back in the person's own words (achieving);
``confidence_change`` compares today's 1-10 rating with the last ones, whichever flow
took them, so the flow can name a rise or a drop honestly (issue 11) and a scheduler can
read ``last_confidence``.
"""

from __future__ import annotations

from datetime import timedelta

from bot.engine.actions import ActionContext, ActionRegistry, ActionResult, as_int

RECENT_DAYS = 30   # a win older than this is not "recent" any more
CHOOSE_FROM = 5    # pick among this many latest recent wins, so the recall varies


async def recall_win(ctx: ActionContext) -> ActionResult:
    """Set ``recalled_win`` to one of the person's latest wins, in their words.

    Args: ``recent_days`` (default 30), ``choose_from`` (default 5). Avoids the win
    recalled last time when there is another. Outcomes: ``found``, ``none``.
    """
    days = as_int(ctx.args.get("recent_days"), None) or RECENT_DAYS
    pool = as_int(ctx.args.get("choose_from"), None) or CHOOSE_FROM
    since = ctx.now - timedelta(days=days)
    wins = [w for w in await ctx.reader.achievements(max(1, pool)) if w.at >= since]
    if not wins:
        return ActionResult(clear=("recalled_win",), outcome="none")
    last_id = ctx.state.vars.get("recalled_win_id")
    fresh = [w for w in wins if w.id != last_id] or wins
    win = ctx.rng.choice(fresh)
    return ActionResult(vars={"recalled_win": win.text, "recalled_win_id": win.id},
                        outcome="found")


DROP_POINTS = 3    # this far below the last rating (or the mean of the last few) is a drop
COMPARE_WITH = 3   # "the last ones": the mean of this many earlier ratings


async def confidence_change(ctx: ActionContext) -> ActionResult:
    """Compare today's rating with the person's last ones, from any flow, then make it the last.

    Args: ``value``, the variable holding today's rating (default ``checkin_confidence``).
    The earlier ratings are the stored ones (a win's rating counts like a check-in's), or
    ``last_confidence`` when none is stored. Sets ``previous_confidence`` (the one before,
    or cleared), ``confidence_drop`` (points down, when down), ``last_confidence`` and
    ``last_confidence_at``. Outcomes: ``first``, ``up``, ``same``, ``down`` (a point or
    two), ``drop`` (three or more below the last one or the mean of the last few, as 7
    then 1); ``none`` when there is no number to compare.
    """
    name = str(ctx.args.get("value") or "checkin_confidence")
    today = as_int(ctx.state.vars.get(name), None)
    if today is None:
        return ActionResult(outcome="none")
    # The stored ones: this turn's own rating is written when the turn is committed.
    earlier = [r.value for r in await ctx.reader.ratings(COMPARE_WITH)]
    if not earlier:
        last = as_int(ctx.state.vars.get("last_confidence"), None)
        earlier = [last] if last is not None else []
    values: dict[str, object] = {"last_confidence": today,
                                 "last_confidence_at": ctx.now.isoformat()}
    if not earlier:
        return ActionResult(vars=values, clear=("previous_confidence", "confidence_drop"),
                            outcome="first")
    before = earlier[0]
    values["previous_confidence"] = before
    fall = max(before - today, sum(earlier) / len(earlier) - today)
    if today >= before:
        outcome = "up" if today > before else "same"
        return ActionResult(vars=values, clear=("confidence_drop",), outcome=outcome)
    values["confidence_drop"] = before - today
    return ActionResult(vars=values, outcome="drop" if fall >= DROP_POINTS else "down")


def register(registry: ActionRegistry) -> None:
    """Add the check-in actions (recalling a win, confidence change...) to ``registry``."""
    registry.register("recall_win", provides=("recalled_win", "recalled_win_id"),
                      outcomes=("found", "none"))(recall_win)
    registry.register("confidence_change", provides=(
        "previous_confidence", "last_confidence", "last_confidence_at", "confidence_drop"),
        outcomes=("first", "up", "same", "down", "drop", "none"))(confidence_change)
