"""The safety net's one mechanism: pausing automated messages after a crisis phrase."""

from __future__ import annotations

from datetime import UTC, timedelta

from bot.engine.actions import ActionContext, ActionRegistry, ActionResult

DEFAULT_HOURS = 24


async def safety_pause(ctx: ActionContext) -> ActionResult:
    """Set ``safety_pause_until`` to now + ``hours`` (UTC) so no scheduled message is sent
    until then, and ``safety_can_return`` to "yes" when a conversation was interrupted
    (the engine pushed its position before starting the safety flow)."""
    try:
        hours = float(ctx.args.get("hours", DEFAULT_HOURS))
    except (TypeError, ValueError):
        hours = DEFAULT_HOURS
    until = (ctx.now + timedelta(hours=hours)).astimezone(UTC)
    return ActionResult(vars={
        "safety_pause_until": until.isoformat(timespec="seconds"),
        "safety_can_return": "yes" if ctx.state.stack else "",
    })


def register(registry: ActionRegistry) -> None:
    """Let the safety flow call ``safety_pause``, declaring the variables it sets."""
    registry.register("safety_pause",
                      provides=("safety_pause_until", "safety_can_return"),
                      outcomes=())(safety_pause)
