"""Actions for several purposes with one active: list them, and make one the active one.

The storage upserts purposes by ``ref`` and keeps one active, so switching is writing the
chosen purpose again with ``active`` set. The words come from the flow's args.
"""

from __future__ import annotations

from typing import Any

from bot.core.records import Purpose
from bot.engine.actions import ActionContext, ActionRegistry, ActionResult
from bot.engine.events import Reply

CHOICES = "purpose_choices"  # the refs in the order they were listed, for activate_purpose


async def list_purposes(ctx: ActionContext) -> ActionResult:
    """Reply with the stored purposes, numbered (``intro``, then ``line`` for each, with
    ``active_mark`` after the active one). Outcome ``none``, ``one`` or ``many``."""
    purposes = await ctx.reader.purposes()
    if not purposes:
        return ActionResult(outcome="none")
    lines = [ctx.text("intro")]
    for number, purpose in enumerate(purposes, start=1):
        line = ctx.text("line", {"number": number, "text": purpose.text})
        lines.append(f"{line} {ctx.text('active_mark')}" if purpose.active else line)
    return ActionResult(
        vars={CHOICES: [p.ref for p in purposes]},
        replies=[Reply("\n".join(line for line in lines if line))],
        outcome="one" if len(purposes) == 1 else "many",
    )


async def activate_purpose(ctx: ActionContext) -> ActionResult:
    """Make purpose number ``number`` (as listed by list_purposes) the active one and set
    ``purpose``, ``purpose_ref``, ``purpose_theme``, ``purpose_obstacles`` and
    ``purpose_helpers`` from it. Outcome ``ok``/``missing``."""
    refs: list[Any] = list(ctx.state.vars.get(CHOICES) or [])
    try:
        index = int(float(ctx.text("number"))) - 1
    except ValueError:
        index = -1
    chosen = next((p for p in await ctx.reader.purposes()
                   if 0 <= index < len(refs) and p.ref == refs[index]), None)
    if chosen is None:
        return ActionResult(outcome="missing")
    record = Purpose(chosen.ref, chosen.text, ctx.now, chosen.theme, dict(chosen.details),
                     active=True)
    details = chosen.details or {}
    return ActionResult(
        # What might get in the way and who could help are the chosen purpose's own, so
        # a check-in or a dip never brings back another purpose's words.
        vars={"purpose": chosen.text, "purpose_ref": chosen.ref, "purpose_theme": chosen.theme,
              "purpose_set_at": ctx.now.isoformat(),
              "purpose_obstacles": str(details.get("obstacles") or ""),
              "purpose_helpers": str(details.get("helpers") or "")},
        clear=(CHOICES, "obstacle_lately"),
        records=[record],
        outcome="ok",
    )


def register(registry: ActionRegistry) -> None:
    """Let flows list and switch purposes, declaring what each action sets and returns."""
    registry.register("list_purposes", provides=(CHOICES,),
                      outcomes=("none", "one", "many"))(list_purposes)
    registry.register("activate_purpose", provides=(
        "purpose", "purpose_ref", "purpose_theme", "purpose_set_at", "purpose_obstacles",
        "purpose_helpers"),
        outcomes=("missing", "ok"))(activate_purpose)
