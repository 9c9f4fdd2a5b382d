"""Opportunity making: offer services and opportunities matching a purpose's theme.

``offer_opportunities`` lists a few entries from ``content/opportunities.yaml`` for one
theme, services found in most areas and online first. Its words come from that file's
``messages:`` and may be overridden by the calling step's args, so /opportunities and
the purpose flow can both call it.
"""

from __future__ import annotations

from bot.actions.library import OPPORTUNITY_KEYS, active_theme, entries, themes
from bot.core.records import FlowEvent
from bot.engine.actions import ActionContext, ActionRegistry, ActionResult, as_int
from bot.engine.events import Reply

DEFAULT_LIMIT = 3
PLACE_ORDER = {"any": 0, "online": 1}  # then named towns, in file order


async def offer_opportunities(ctx: ActionContext) -> ActionResult:
    """List opportunities for a theme.

    Args (all optional):
      ``theme``  a template such as "{opportunity_theme}"; when it renders empty the
                 theme of the person's active purpose is used;
      ``more``   true to carry on after the entries shown last time (same theme);
      ``limit``  how many to show at once (default 3);
      ``intro``, ``item``  override the words in opportunities.yaml ``messages``
                 (intro may use {theme_name}, lower case, or {theme_title}).
    Outcomes: ``more`` (others are left to show), ``all_shown``, ``no_theme`` (no theme
    known yet, or one the directory does not know: the flow can ask which to look at).
    Sets ``opportunities_theme`` and ``opportunities_offset``.
    """
    known = themes(ctx.flows.content)
    more = _flag(ctx.args.get("more"))
    if more:
        theme = str(ctx.state.vars.get("opportunities_theme") or "")
        offset = as_int(ctx.state.vars.get("opportunities_offset"), 0)
    else:
        theme = ctx.text("theme") if "theme" in ctx.args else ""
        theme = theme or await active_theme(ctx)
        offset = 0
    if theme not in known:
        return ActionResult(outcome="no_theme")
    listed = entries(ctx.flows.content, "opportunities", "opportunities", OPPORTUNITY_KEYS)
    matching = [e for e in listed if theme in e["themes"]]
    matching.sort(key=lambda e: PLACE_ORDER.get(str(e["place"]), len(PLACE_ORDER)))
    limit = max(1, as_int(ctx.args.get("limit"), DEFAULT_LIMIT))
    if offset >= len(matching):
        offset = 0
    page = matching[offset:offset + limit]
    if not page:
        return ActionResult(outcome="no_theme")
    messages = (ctx.flows.content.get("opportunities") or {}).get("messages") or {}
    places = messages.get("places") or {}
    render = ctx.render
    name = render.raw(known[theme])
    intro = render.raw(ctx.args.get("intro", messages.get("intro", "")),
                       extra={"theme_name": name.lower(), "theme_title": name})
    lines = [intro] if intro else []
    item_template = ctx.args.get("item", messages.get("item", "{name}"))
    for entry in page:
        place = str(entry["place"])
        lines.append(render.raw(item_template, extra={
            "name": render.raw(entry["name"]),
            "description": render.raw(entry["description"]),
            "contact": render.raw(entry["contact"]),
            "place": render.raw(places[place]) if place in places else place,
        }))
    offset += len(page)
    return ActionResult(
        vars={"opportunities_theme": theme, "opportunities_offset": offset},
        replies=[Reply("\n\n".join(lines))],
        # Counted by theme for staff reports: which theme, never which person or entry.
        records=[FlowEvent("opportunities_shown", "opportunities", theme, ctx.now)],
        outcome="more" if offset < len(matching) else "all_shown",
    )


def _flag(value: object) -> bool:
    return value is True or str(value).strip().lower() in ("true", "yes", "1")



def register(registry: ActionRegistry) -> None:
    """Let flows call ``offer_opportunities``, declaring what it sets and returns."""
    registry.register("offer_opportunities",
                      provides=("opportunities_theme", "opportunities_offset"),
                      outcomes=("no_theme", "more", "all_shown"))(offer_opportunities)
