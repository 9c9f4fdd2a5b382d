"""Actions about what is kept: forgetting a person who declined consent."""

from __future__ import annotations

from bot.engine.actions import ActionContext, ActionRegistry, ActionResult, Effect


async def forget_all(ctx: ActionContext) -> ActionResult:
    """Forget every variable and every stored row; the flow then sets what it may keep
    (for a refusal of consent, only the refusal itself)."""
    return ActionResult(clear=tuple(ctx.state.vars), effects=[Effect("reset_person")])


def register(registry: ActionRegistry) -> None:
    registry.register("forget_all")(forget_all)
