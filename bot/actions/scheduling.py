"""Actions for scheduled check-ins (flows/nudge.yaml, flows/why.yaml).

``scheduled_opening`` runs in the turn a scheduled message starts, so everything it
decides (the new rhythm, the encouragement sent, the reply history) is committed
atomically with that turn. Words come from flows/config/policy.yaml and
flows/content/encouragement.yaml; this module only chooses among them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.core.schedule import ScheduleState, changes, from_vars, to_vars
from bot.engine.actions import ActionContext, ActionRegistry, ActionResult
from bot.engine.events import Reply
from bot.scheduling import encouragement
from bot.scheduling.planning import rhythm
from bot.scheduling.policy import Decision, Policy, Signals, decide

HISTORY = 30  # reply letters kept
_policies: dict[int, Policy] = {}


def policy_of(ctx: ActionContext) -> Policy:
    """The step-down policy from the flows' config; LookupError if policy.yaml is missing."""
    raw = ctx.flows.config.get("policy")
    if raw is None:
        raise LookupError("flows/config/policy.yaml is missing")
    key = id(raw)
    if key not in _policies:
        _policies[key] = Policy.from_mapping(raw)
    return _policies[key]


def _words(ctx: ActionContext, section: str, key: str, extra: Mapping[str, Any]) -> str:
    value = policy_of(ctx).words.get(section, {}).get(key, "")
    return ctx.render.raw(value, extra=extra)


def _rhythm_words(ctx: ActionContext, name: str) -> str:
    return _words(ctx, "rhythm_words", name, {})



async def _engaged_since(ctx: ActionContext, since: datetime) -> bool:
    """Did the person answer the last check-in, or act on their own since it?"""
    schedule = from_vars(ctx.state.vars)
    if schedule.checkin_replied:
        return True
    asked_at = schedule.prompt_rhythm or ""
    if asked_at and asked_at != rhythm(schedule, policy_of(ctx)):
        return True  # they changed their rhythm in /settings since
    wins = await ctx.reader.achievements(1)
    ratings = await ctx.reader.ratings(1)
    return any(row.at >= since for row in wins) or any(row.at >= since for row in ratings)


async def scheduled_opening(ctx: ActionContext) -> ActionResult:
    """The start of a scheduled check-in: apply the policy, then encourage.

    Outcomes: ``changed`` (the rhythm changed; the flow offers to keep the old one),
    ``still_want`` (three unanswered: ask gently), ``stop`` (a long silence: send
    nothing), ``plain``.
    """
    policy = policy_of(ctx)
    old = from_vars(ctx.state.vars)
    current = rhythm(old, policy)
    last_prompt = old.prompt_at
    history = old.reply_history or ""
    unanswered = old.unanswered or 0
    if last_prompt is not None:
        engaged = await _engaged_since(ctx, last_prompt)
        unanswered = 0 if engaged else unanswered + 1
        history = (history + ("y" if engaged else "n"))[-HISTORY:]
    ratings = [(r.at, int(r.value)) for r in await ctx.reader.ratings(20)]
    wins = await ctx.reader.achievements(50)
    decision = decide(
        policy, current, level_since=old.rhythm_since, now=ctx.now,
        signals=Signals(ratings, [(w.at, bool(w.prompted)) for w in wins], history, unanswered),
        chosen=old.is_chosen(), last_dip_rating_at=old.dip_rating_at)
    new = replace(old, prompt_at=ctx.now, prompt_turn=ctx.state.turn,
                  prompt_rhythm=decision.level, checkin_replied=False, unanswered=unanswered,
                  reply_history=history, rhythm_reason=decision.reason)
    if decision.dip and ratings:
        new = replace(new, dip_rating_at=ratings[0][0])
    if old.rhythm_since is None:
        new = replace(new, rhythm_since=ctx.now)
    changed = decision.changed_from(current)
    if changed:
        new = replace(new, rhythm=decision.level, previous_rhythm=current,
                      rhythm_since=ctx.now)
    if decision.ask_still_want and not decision.stop:
        new = replace(new, still_want_asked=True)
    values: dict[str, Any] = {**changes(old, new),
                              "rhythm_words": _rhythm_words(ctx, decision.level),
                              "old_rhythm_words": _rhythm_words(ctx, current)}
    if decision.stop:
        return ActionResult(vars=values, outcome="stop")
    if decision.ask_still_want:
        return ActionResult(vars=values, outcome="still_want")
    replies = [await _opening_text(ctx, decision, wins, values)]
    if changed:
        replies.append(Reply(_change_text(ctx, decision, current)))
    return ActionResult(vars=values, replies=[r for r in replies if r.text],
                        outcome="changed" if changed else "plain")


def _change_text(ctx: ActionContext, decision: Decision, old: str) -> str:
    extra = {"rhythm": _rhythm_words(ctx, decision.level), "old_rhythm": _rhythm_words(ctx, old),
             "from_rating": decision.from_rating, "to_rating": decision.to_rating}
    reason = _words(ctx, "reasons", decision.reason, extra)
    policy = policy_of(ctx)
    direction = "less" if policy.index(decision.level) > policy.index(old) else "more"
    return _words(ctx, "change", direction, {**extra, "reason": reason})


async def _opening_text(ctx: ActionContext, decision: Decision, wins: list[Any],
                        values: dict[str, Any]) -> Reply:
    content = ctx.flows.content.get("encouragement") or {}
    policy = policy_of(ctx)
    if decision.dip:
        old_enough = [w for w in wins
                      if w.at <= ctx.now - timedelta(days=policy.playback_min_age_days)]
        if old_enough:
            win = ctx.rng.choice(old_enough[:10])
            when = encouragement.ago(content, win.at, ctx.now, ctx.render.language)
            text = ctx.render.raw(content.get("playback", ""), key="playback", extra={
                "win": win.text, "win_when": when, "win_when_lower": when[:1].lower() + when[1:]})
            return Reply(text)
    recent_win = wins[0] if wins and wins[0].at >= ctx.now - timedelta(days=30) else None
    vars = ctx.state.vars
    have = {"purpose"} if vars.get("purpose") else set()
    if recent_win is not None:
        have.add("win")
    recent = list(from_vars(vars).encouragement_recent)
    item = encouragement.pick(content, have=have, theme=str(vars.get("purpose_theme") or ""),
                              recent=recent, rng=ctx.rng)
    if item is None:
        return Reply("")
    values.update(changes(ScheduleState(), ScheduleState(
        encouragement_recent=tuple([*recent, item.id][-encouragement.RECENT:]))))
    extra: dict[str, Any] = {"purpose": vars.get("purpose", "")}
    if recent_win is not None:
        extra.update(win=recent_win.text,
                     win_when=encouragement.ago(content, recent_win.at, ctx.now,
                                                ctx.render.language))
    return Reply(ctx.render.raw(item.text, extra=extra))


async def explain_rhythm(ctx: ActionContext) -> ActionResult:
    """For "Why am I getting this?": the current rhythm and the reason, in words."""
    policy = policy_of(ctx)
    schedule = from_vars(ctx.state.vars)
    current = rhythm(schedule, policy)
    reason = "chosen" if schedule.is_chosen() else (schedule.rhythm_reason or "start")
    if reason not in policy.words.get("reasons", {}):
        reason = "steady"
    last = await ctx.reader.ratings(3)
    extra = {"rhythm": _rhythm_words(ctx, current),
             "from_rating": last[-1].value if last else "",
             "to_rating": last[0].value if last else ""}
    return ActionResult(vars={"rhythm_words": extra["rhythm"],
                              "rhythm_reason_words": _words(ctx, "reasons", reason, extra)})


def _shift(ctx: ActionContext, more: bool) -> ActionResult:
    """Move one level; the person asked, so it is their choice from now on."""
    policy = policy_of(ctx)
    old = from_vars(ctx.state.vars)
    current = rhythm(old, policy)
    if more:
        target = policy.more_support(current)
    else:
        target = policy.levels[min(policy.index(current) + 1, len(policy.levels) - 1)].name
    answered = replace(old, checkin_replied=True, unanswered=0, still_want_asked=False)
    words = {"rhythm_words": _rhythm_words(ctx, target)}
    if target == current:
        return ActionResult(vars={**_set(old, answered), **words}, outcome="unchanged")
    new = replace(answered, rhythm=target, previous_rhythm=current, rhythm_chosen=True,
                  rhythm_reason="asked" if more else "chosen", rhythm_since=ctx.now)
    return ActionResult(vars={**_set(old, new), **words}, outcome="changed")


def _set(old: ScheduleState, new: ScheduleState) -> dict[str, Any]:
    """The flows' variables for ``new``: every field that differs, and (as before the
    typed state) the reply flags and count even when unchanged."""
    always = ("checkin_replied", "unanswered", "still_want_asked")
    return {**{k: v for k, v in to_vars(new).items() if k in always}, **changes(old, new)}


async def more_often(ctx: ActionContext) -> ActionResult:
    """The person asked for check-ins more often: move one rhythm step up."""
    return _shift(ctx, more=True)


async def less_often(ctx: ActionContext) -> ActionResult:
    """The person asked for check-ins less often: move one rhythm step down."""
    return _shift(ctx, more=False)


async def keep_rhythm(ctx: ActionContext) -> ActionResult:
    """Keep the rhythm the policy just changed: the person's choice wins from now on."""
    policy = policy_of(ctx)
    schedule = from_vars(ctx.state.vars)
    old = schedule.previous_rhythm or rhythm(schedule, policy)
    kept = replace(schedule, rhythm=old, rhythm_chosen=True, rhythm_reason="chosen",
                   checkin_replied=True, prompt_rhythm=old, rhythm_since=ctx.now)
    return ActionResult(vars={**changes(schedule, kept), "rhythm_words": _rhythm_words(ctx, old)})


def register(registry: ActionRegistry) -> None:
    """Add the scheduling actions (planning, rhythm, pausing) with the variables they set."""
    registry.register("scheduled_opening", provides=(
        "prompt_at", "prompt_turn", "prompt_rhythm", "checkin_replied", "unanswered",
        "reply_history", "rhythm_reason", "dip_rating_at", "rhythm_since", "checkin_rhythm",
        "previous_rhythm", "rhythm_words", "old_rhythm_words", "still_want_asked",
        "encouragement_recent"), outcomes=("changed", "still_want", "stop", "plain"))(
        scheduled_opening)
    registry.register("explain_rhythm", provides=("rhythm_words", "rhythm_reason_words"),
                      outcomes=())(explain_rhythm)
    shift = ("checkin_replied", "unanswered", "still_want_asked", "rhythm_words",
             "checkin_rhythm", "previous_rhythm", "rhythm_chosen", "rhythm_reason",
             "rhythm_since")
    registry.register("more_often", provides=shift, outcomes=("changed", "unchanged"))(
        more_often)
    registry.register("less_often", provides=shift, outcomes=("changed", "unchanged"))(
        less_often)
    registry.register("keep_rhythm", provides=(
        "checkin_rhythm", "rhythm_chosen", "rhythm_reason", "checkin_replied", "rhythm_words",
        "prompt_rhythm", "rhythm_since"), outcomes=())(keep_rhythm)
