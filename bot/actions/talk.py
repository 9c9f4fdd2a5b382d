"""Mechanisms for asking for a real person (flows/talk.yaml).

``raise_alert`` records a request for staff to get in touch, with only what the person
chose to share; it is written in the same transaction as the turn, and logged (with no
personal text) once committed. ``was_interrupted`` tells the flow whether there is a
question to go back to.
"""

from __future__ import annotations

from bot.core.records import Alert
from bot.engine.actions import ActionContext, ActionRegistry, ActionResult, Effect

# What a person may choose to share, by the argument that carries it.
SHAREABLE = ("first_name", "how_to_reach")
# Variables the flow used to collect the details; the alert holds them from now on.
COLLECTED = ("alert_name", "alert_reach")


async def raise_alert(ctx: ActionContext) -> ActionResult:
    """Store an alert for staff. Args: ``first_name``, ``how_to_reach`` (templates; either
    may be left out or empty, and then nothing of it is shared), ``reason``."""
    shared = {key: ctx.text(key) for key in SHAREABLE if ctx.args.get(key)}
    alert = Alert(str(ctx.args.get("reason") or "asked_for_person"), ctx.now,
                  {key: value for key, value in shared.items() if value})
    return ActionResult(records=[alert], clear=COLLECTED,
                        effects=[Effect("alert_raised", {"shared": sorted(alert.shared)})])


async def was_interrupted(ctx: ActionContext) -> ActionResult:
    """Outcome ``interrupted`` when this flow stepped in on a question it can go back to,
    unless that question belongs to one of ``except_flows`` (args)."""
    skip = {str(name) for name in ctx.args.get("except_flows") or ()}
    stack = ctx.state.stack
    back = bool(stack) and stack[-1].flow not in skip
    return ActionResult(outcome="interrupted" if back else "none")


def register(registry: ActionRegistry) -> None:
    """Let flows call ``raise_alert`` and ``was_interrupted``, declaring outcomes for validation."""
    registry.register("raise_alert", outcomes=())(raise_alert)
    registry.register("was_interrupted", outcomes=("interrupted", "none"))(was_interrupted)
