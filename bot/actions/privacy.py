"""Actions about what is kept: forgetting, showing everything stored, deleting it all.

Every word the person reads comes from the flow's args; these functions only gather,
arrange and hand over the data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from datetime import datetime, tzinfo
from typing import Any

from bot.engine.actions import ActionContext, ActionRegistry, ActionResult, Effect
from bot.engine.events import Attachment, Reply
from bot.scheduling.planning import zone as person_zone

EXPORT_FILENAME = "goodhelp-my-data.json"
SHOWN_PER_LIST = 10  # the message lists the newest few; the file holds every one


async def forget_all(ctx: ActionContext) -> ActionResult:
    """Forget every variable and every stored row; the flow then sets what it may keep
    (for a refusal of consent, only the refusal itself). Variables named in ``keep``
    survive (the language, so the reply to a refusal is still in the person's language)."""
    keep = {str(name) for name in ctx.args.get("keep") or ()}
    return ActionResult(clear=tuple(v for v in ctx.state.vars if v not in keep),
                        effects=[Effect("reset_person")])


async def delete_everything(ctx: ActionContext) -> ActionResult:
    """Erase the person: their state and every stored row, once this turn's replies are
    made (the service commits nothing for a turn that deletes). The variables stay for the
    rest of the turn, so the goodbye is still in the person's language."""
    return ActionResult(effects=[Effect("delete_person")])


def _plain(value: Any) -> Any:
    """JSON-ready copy of stored values: dataclasses to dicts, datetimes to ISO text."""
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _shown(value: Any, zone: tzinfo) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_shown(v, zone) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_shown(v, zone)}" for k, v in value.items())
    text = str(value)
    if text.startswith(", "):  # the name is kept as ", Sam" for "Hello{name}"
        text = text[2:]
    moment = _moment(text)
    if moment is not None:  # a stored time, shown in the person's own time zone
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return text


def _moment(text: str) -> datetime | None:
    if len(text) < 19 or text[4:5] != "-" or "T" not in text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None



def _date(at: datetime) -> str:
    return at.strftime("%Y-%m-%d")


async def show_my_data(ctx: ActionContext) -> ActionResult:
    """Everything stored about the person, in plain words (one message per part) and as a
    JSON file. Args are the texts: intro, about_heading, var_line, labels (variable ->
    text), purposes_heading, purpose_line, active_mark, wins_heading, win_line,
    ratings_heading, rating_line, more, nothing, events_line, file_caption."""
    export = await ctx.reader.export()
    purposes = list(export.purposes) if export else []
    wins = list(export.achievements) if export else []
    ratings = list(export.ratings) if export else []
    events = list(export.events) if export else []
    variables = {k: v for k, v in ctx.state.vars.items() if v not in (None, "", [])}
    labels = ctx.args.get("labels") or {}
    zone = person_zone(ctx.state.vars)

    def section(heading: str, lines: list[str], total: int) -> str:
        body = lines or [ctx.text("nothing")]
        if total > len(lines) and lines:
            body.append(ctx.text("more", {"count": total - len(lines)}))
        return "\n".join([ctx.text(heading, {"count": total}), *body])

    about = [ctx.text("var_line", {
        "label": ctx.render.raw(labels[name]) if name in labels else name,
        "value": _shown(value, zone)}) for name, value in sorted(variables.items())]
    purpose_lines = [" ".join(filter(None, [ctx.text("purpose_line", {"text": p.text}),
                                            ctx.text("active_mark") if p.active else ""]))
                     for p in purposes]
    win_lines = [ctx.text("win_line", {"date": _date(w.at), "text": w.text})
                 for w in wins[:SHOWN_PER_LIST]]
    rating_lines = [ctx.text("rating_line", {"date": _date(r.at), "value": r.value})
                    for r in ratings[:SHOWN_PER_LIST]]
    texts = [
        ctx.text("intro"),
        section("about_heading", about, len(about)),
        section("purposes_heading", purpose_lines, len(purposes)),
        section("wins_heading", win_lines, len(wins)),
        section("ratings_heading", rating_lines, len(ratings)),
        ctx.text("events_line", {"count": len(events)}),
    ]
    data = {
        "exported_at": ctx.now.isoformat(),
        "about_you": _plain(dict(ctx.state.vars)),
        "conversation": {"flow": ctx.state.flow, "step": ctx.state.step,
                         "counts": dict(ctx.state.counts)},
        "first_seen": _plain(export.created_at) if export else None,
        "purposes": _plain(purposes),
        "wins": _plain(wins),
        "ratings": _plain(ratings),
        "events": _plain(events),
    }
    document = Attachment("document", EXPORT_FILENAME,
                          json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"),
                          caption=ctx.text("file_caption"))
    replies = [Reply(text) for text in texts if text]
    replies.append(Reply("", attachment=document))  # the caption says what it is
    return ActionResult(replies=replies)


def register(registry: ActionRegistry) -> None:
    registry.register("forget_all")(forget_all)
    registry.register("delete_everything")(delete_everything)
    registry.register("show_my_data")(show_my_data)
