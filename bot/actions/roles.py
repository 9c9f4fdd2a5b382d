"""Invitations: ``redeem_invite`` gives the person the role their code carries."""

from __future__ import annotations

from bot.engine.actions import ActionContext, ActionRegistry, ActionResult


def register(registry: ActionRegistry) -> None:
    """Add the role actions to ``registry``."""

    @registry.register("redeem_invite",
                       outcomes=("mentor", "staff", "person", "already", "invalid"))
    async def redeem_invite(ctx: ActionContext) -> ActionResult:
        # The code comes from the deep link (start_payload) and is never kept after this:
        # only its hash is stored, in the invitations table.
        code = str(ctx.args.get("code") or ctx.state.vars.get("start_payload") or "").strip()
        clear = ("start_payload",)
        if not code:
            return ActionResult(outcome="invalid", clear=clear)
        redeemed = await ctx.reader.redeem_invite(code)
        # Granted: the outcome names the role, so the flow can welcome each kindly.
        granted, role = redeemed.outcome == "granted", redeemed.role
        outcome = ("mentor" if granted and role == "mentor"
                   else "staff" if granted and role == "staff"
                   else "person" if granted and role == "person"
                   else "already" if redeemed.outcome == "already" else "invalid")
        return ActionResult(clear=clear, outcome=outcome)
