"""Transparency: what the programme's staff see, told to the person who asks.

The figures come from the storage's anonymous report reader (the same protected
headline as the staff report); every word around them is in flows/programme.yaml.
"""

from __future__ import annotations

from bot.engine.actions import ActionContext, ActionRegistry, ActionResult


async def programme_summary(ctx: ActionContext) -> ActionResult:
    """Set programme_* variables (empty: fewer than 8, or not enough yet).
    Outcome ``unavailable`` when the storage has no report reader."""
    figures = getattr(ctx.reader, "programme", None)
    if figures is None:
        return ActionResult(outcome="unavailable")
    found = await figures(ctx.now)
    if found is None:
        return ActionResult(outcome="unavailable")
    return ActionResult(vars=dict(found))


def register(registry: ActionRegistry) -> None:
    """Let the /programme flow call ``programme_summary``, declaring its variables."""
    registry.register("programme_summary", provides=(
        "programme_weeks", "programme_joined", "programme_active", "programme_retained",
        "programme_confidence", "programme_change", "programme_paired"),
        outcomes=("unavailable",))(programme_summary)
