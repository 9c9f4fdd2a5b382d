"""Peer mentoring actions: asking for a mentor, a mentor's people, relaying messages.

Each action is a mechanism; every word comes from the flow's YAML ``args``. The desk
(``ctx.reader.peers()``) does the work and the checks; these turn its answers into
outcomes and variables.
"""

from __future__ import annotations

from bot.core.mentoring import Shared
from bot.engine.actions import ActionContext, ActionRegistry, ActionResult


def _yes(value: object) -> bool:
    return str(value).strip().lower() in ("yes", "true", "1")


def register(registry: ActionRegistry) -> None:
    """Add the mentoring actions to ``registry``."""

    @registry.register("request_mentor", outcomes=("matched", "waiting", "already"))
    async def request_mentor(ctx: ActionContext) -> ActionResult:
        shared = Shared(ctx.text("first_name").strip()[:40], ctx.text("theme").strip(),
                        ctx.text("purpose").strip()[:300], _yes(ctx.text("signals")))
        outcome = await ctx.reader.peers().request_mentor(shared)
        outcome = ("matched" if outcome == "matched" else "already" if outcome == "already"
                   else "waiting")
        return ActionResult(outcome=outcome)

    @registry.register("mentor_status", outcomes=("none", "waiting", "active", "paused"))
    async def mentor_status(ctx: ActionContext) -> ActionResult:
        status = await ctx.reader.peers().mentor_status()
        outcome = ("waiting" if status == "waiting" else "active" if status == "active"
                   else "paused" if status == "paused" else "none")
        return ActionResult(outcome=outcome)

    @registry.register("set_mentor_status", outcomes=("done", "none"))
    async def set_mentor_status(ctx: ActionContext) -> ActionResult:
        status = ctx.text("status")
        changed = await ctx.reader.peers().set_mentor_status(status)
        outcome = "done" if changed else "none"
        return ActionResult(outcome=outcome)

    @registry.register("rematch_mentor", outcomes=("matched", "waiting", "none"))
    async def rematch_mentor(ctx: ActionContext) -> ActionResult:
        found = await ctx.reader.peers().rematch()
        outcome = "matched" if found == "matched" else "waiting" if found in (
            "waiting", "already") else "none"
        return ActionResult(outcome=outcome)

    @registry.register("list_mentees", provides=("mentees_list",), outcomes=("some", "none"))
    async def list_mentees(ctx: ActionContext) -> ActionResult:
        # One line per person: ref and only what they chose to share.
        lines = []
        for mentee in await ctx.reader.peers().mentees():
            extra = {"ref": mentee.ref, "first_name": mentee.shared.first_name or "-",
                     "theme": mentee.shared.theme or "-",
                     "purpose": mentee.shared.purpose or "-"}
            line = ctx.text("line", extra)
            if mentee.status == "paused":
                line += " " + ctx.text("paused")
            if mentee.win_this_week:
                line += " " + ctx.text("win_signal")
            lines.append(line)
        if not lines:
            return ActionResult(clear=("mentees_list",), outcome="none")
        return ActionResult(vars={"mentees_list": "\n".join(lines)}, outcome="some")

    @registry.register("check_peer_text", provides=("peer_directive",),
                       outcomes=("ok", "contact", "directive", "crisis"))
    async def check_peer_text(ctx: ActionContext) -> ActionResult:
        found = await ctx.reader.peers().check(ctx.text("text"))
        if found.contact:
            return ActionResult(outcome="contact")
        if found.directive and not _yes(ctx.text("directive_ok")):
            return ActionResult(vars={"peer_directive": found.directive[0]},
                                outcome="directive")
        outcome = "crisis" if found.crisis else "ok"
        return ActionResult(outcome=outcome)

    @registry.register("send_to_mentee",
                       outcomes=("queued", "held", "blocked", "limit", "paused", "unknown"))
    async def send_to_mentee(ctx: ActionContext) -> ActionResult:
        found = await ctx.reader.peers().send_to_mentee(ctx.text("ref"), ctx.text("text"))
        outcome = ("queued" if found == "queued" else "held" if found == "held"
                   else "blocked" if found == "blocked" else "limit" if found == "limit"
                   else "paused" if found == "paused" else "unknown")
        return ActionResult(outcome=outcome)

    @registry.register("reply_to_mentor", outcomes=("queued", "held", "blocked", "none"))
    async def reply_to_mentor(ctx: ActionContext) -> ActionResult:
        kind = "thanks" if ctx.text("kind") == "thanks" else "reply"
        found = await ctx.reader.peers().reply_to_mentor(ctx.text("text"), kind)
        outcome = ("queued" if found == "queued" else "held" if found == "held"
                   else "blocked" if found == "blocked" else "none")
        return ActionResult(outcome=outcome)

    @registry.register("match_next", outcomes=("matched", "nobody", "no_mentor"))
    async def match_next(ctx: ActionContext) -> ActionResult:
        found = await ctx.reader.peers().match_next()
        outcome = ("matched" if found == "matched" else "no_mentor" if found == "no_mentor"
                   else "nobody")
        return ActionResult(outcome=outcome)

    @registry.register("next_held", provides=("held_id", "held_text", "held_author",
                                              "held_flags"), outcomes=("some", "none"))
    async def next_held(ctx: ActionContext) -> ActionResult:
        held = await ctx.reader.peers().next_held()
        if held is None:
            return ActionResult(clear=("held_id", "held_text", "held_author", "held_flags"),
                                outcome="none")
        why = ctx.text("reported") if held.status == "reported" else (
            ctx.text("flags", {"flags": held.flags}) if held.flags else ctx.text("approval"))
        return ActionResult(vars={"held_id": held.id, "held_text": held.text,
                                  "held_author": ctx.text(held.author), "held_flags": why},
                            outcome="some")

    @registry.register("moderate", outcomes=("done", "contact", "gone"))
    async def moderate(ctx: ActionContext) -> ActionResult:
        found = await ctx.reader.peers().moderate(
            int(ctx.text("id") or 0), ctx.text("decision"), ctx.text("text"),
            ctx.text("reason"))
        outcome = "done" if found == "done" else "contact" if found == "contact" else "gone"
        return ActionResult(outcome=outcome)

    @registry.register("mentor_load", provides=("mentors_list",), outcomes=("some", "none"))
    async def mentor_load(ctx: ActionContext) -> ActionResult:
        lines = [ctx.text("line", {"number": n, "mentor": name, "people": people})
                 for n, name, people in await ctx.reader.peers().mentor_load()]
        if not lines:
            return ActionResult(clear=("mentors_list",), outcome="none")
        return ActionResult(vars={"mentors_list": "\n".join(lines)}, outcome="some")

    @registry.register("remove_mentor", provides=("removed_people",),
                       outcomes=("done", "unknown"))
    async def remove_mentor(ctx: ActionContext) -> ActionResult:
        number = ctx.text("number").strip()
        told = await ctx.reader.peers().remove_mentor_number(
            int(number) if number.isdigit() else 0)
        if told is None:
            return ActionResult(outcome="unknown")
        return ActionResult(vars={"removed_people": told}, outcome="done")

    @registry.register("report_mentor_message", outcomes=("done", "none"))
    async def report_mentor_message(ctx: ActionContext) -> ActionResult:
        outcome = "done" if await ctx.reader.peers().report_mentor_message() else "none"
        return ActionResult(outcome=outcome)

    @registry.register("open_relayed", provides=("relay_id", "relay_text", "relay_from",
                                                 "relay_reason", "relay_at"),
                       outcomes=("message", "reply", "thanks", "matched", "mentor_matched",
                                 "mentor_left", "rejected", "story_approved", "story_rejected",
                                 "none"))
    async def open_relayed(ctx: ActionContext) -> ActionResult:
        found = await ctx.reader.peers().next_for_me()
        if found is None:
            return ActionResult(outcome="none")
        outcome = ("message" if found.kind == "message" else "reply" if found.kind == "reply"
                   else "thanks" if found.kind == "thanks"
                   else "mentor_matched" if found.kind == "matched" and found.sender
                   else "matched" if found.kind == "matched"
                   else "mentor_left" if found.kind == "mentor_left"
                   else "rejected" if found.kind == "rejected"
                   else "story_approved" if found.kind == "story_approved"
                   else "story_rejected" if found.kind == "story_rejected" else "none")
        return ActionResult(vars={"relay_id": found.id, "relay_text": found.text,
                                  "relay_from": found.sender, "relay_reason": found.reason,
                                  "relay_at": ctx.now.isoformat()}, outcome=outcome)
