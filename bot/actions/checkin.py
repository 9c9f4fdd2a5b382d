"""Mechanisms for the confidence check-in (flows/checkin.yaml).

``recall_win`` finds a recent win to play back in the person's own words (achieving);
``confidence_change`` compares today's 1-10 rating with the last one, so the flow can
reflect it and a scheduler can read ``last_confidence``.
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


async def confidence_change(ctx: ActionContext) -> ActionResult:
    """Compare ``checkin_confidence`` with ``last_confidence``, then make it the last.

    Sets ``previous_confidence`` (the one before, or cleared), ``last_confidence`` and
    ``last_confidence_at``. Outcomes: ``first``, ``up``, ``same``, ``down``; ``none``
    when there is no number to compare.
    """
    today = as_int(ctx.state.vars.get("checkin_confidence"), None)
    if today is None:
        return ActionResult(outcome="none")
    before = as_int(ctx.state.vars.get("last_confidence"), None)
    values: dict[str, object] = {"last_confidence": today,
                                 "last_confidence_at": ctx.now.isoformat()}
    if before is None:
        return ActionResult(vars=values, clear=("previous_confidence",), outcome="first")
    values["previous_confidence"] = before
    outcome = "up" if today > before else "down" if today < before else "same"
    return ActionResult(vars=values, outcome=outcome)



def register(registry: ActionRegistry) -> None:
    registry.register("recall_win", provides=("recalled_win", "recalled_win_id"),
                      outcomes=("found", "none"))(recall_win)
    registry.register("confidence_change", provides=(
        "previous_confidence", "last_confidence", "last_confidence_at"),
        outcomes=("first", "up", "same", "down", "none"))(confidence_change)
