"""Actions about what is kept: forgetting, showing everything stored, deleting it all.

Every word the person reads comes from the flow's args; these functions only gather,
arrange and hand over the data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from bot.actions.library import themes
from bot.core.schedule import from_vars
from bot.engine.actions import ActionContext, ActionRegistry, ActionResult, Effect
from bot.engine.events import Attachment, Reply
from bot.scheduling.planning import zone as person_zone

EXPORT_FILENAME = "goodhelp-my-data.json"
SHOWN_PER_LIST = 10  # the message lists the newest few; the file holds every one
WIN_RATING_WITHIN = timedelta(days=1)  # a win's confidence is asked for at once


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


def _name(value: Any) -> Any:
    """The name as the person gave it: it is kept as ", Sam" for "Hello{name}"."""
    text = str(value) if value is not None else ""
    return text[2:] if text.startswith(", ") else value


def _moment(text: str) -> datetime | None:
    if len(text) < 19 or text[4:5] != "-" or "T" not in text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _when(at: datetime, zone: tzinfo, *, time: bool = False) -> str:
    """A stored moment as the person's own calendar reads it (never UTC's date)."""
    local = at.astimezone(zone) if at.tzinfo is not None else at
    return local.strftime("%Y-%m-%d %H:%M" if time else "%Y-%m-%d")


class _Words:
    """How /mydata says a stored value: labels, value words and dates, from the args."""

    def __init__(self, ctx: ActionContext, zone: tzinfo) -> None:
        self.ctx = ctx
        self.zone = zone
        self.groups: dict[str, Any] = {"theme": themes(ctx.flows.content),
                                       **dict(ctx.args.get("value_words") or {})}
        self.value_group: Mapping[str, str] = ctx.args.get("values") or {}

    def label(self, name: str) -> str:
        labels = self.ctx.args.get("labels") or {}
        return self.ctx.render.raw(labels[name]) if name in labels else name

    def value(self, name: str, value: Any) -> str:
        if isinstance(value, list | tuple):  # lists of ids: how many, never the ids
            return str(len(value))
        if name == "name":
            return str(_name(value))
        words = self.groups.get(self.value_group.get(name, ""), {})
        if isinstance(words, Mapping) and str(value) in words:
            return self.ctx.render.raw(words[str(value)])
        moment = _moment(str(value))
        if moment is not None:
            return _when(moment, self.zone, time=True)
        return str(value)


def _about(ctx: ActionContext, words: _Words) -> tuple[list[str], int]:
    """Lines about the person's settings and choices, in the order the labels are listed
    (unlabelled variables after them, by name, so nothing is left out), and how many
    working notes are kept but not listed (they are in the file)."""
    hidden = {str(name) for name in ctx.args.get("hidden") or ()}
    stored = {k: v for k, v in ctx.state.vars.items() if v not in (None, "", [])}
    order = [name for name in ctx.args.get("labels") or {} if name in stored]
    order += sorted(name for name in stored if name not in order)
    shown = [name for name in order if name not in hidden]
    lines = [ctx.text("var_line", {"label": words.label(name),
                                   "value": words.value(name, stored[name])})
             for name in shown]
    return lines, len(stored) - len(shown)


def _purpose_lines(ctx: ActionContext, words: _Words, purpose: Any) -> list[str]:
    head = " ".join(filter(None, [ctx.text("purpose_line", {"text": purpose.text}),
                                  ctx.text("active_mark") if purpose.active else ""]))
    details = {"theme": purpose.theme, **(purpose.details or {})}
    detail_labels = ctx.args.get("purpose_details") or {}
    lines = [head]
    for key, label in detail_labels.items():
        value = details.get(key)
        if value in (None, ""):
            continue
        shown = words.value("purpose_theme", value) if key == "theme" else str(value)
        lines.append(ctx.text("purpose_detail", {"label": ctx.render.raw(label),
                                                 "value": shown}))
    return lines


def _win_confidences(wins: list[Any], ratings: list[Any]) -> list[int | None]:
    """Each win's confidence (newest first): its own, or the rating the win flow asks for
    right after it (context "win", given before the next win and within a day)."""
    found: list[int | None] = []
    newer: datetime | None = None
    for win in wins:
        own = win.confidence
        if own is None:
            own = next((r.value for r in reversed(ratings) if r.context == "win"
                        and win.at <= r.at <= win.at + WIN_RATING_WITHIN
                        and (newer is None or r.at < newer)), None)
        found.append(own)
        newer = win.at
    return found


def _export_vars(vars: Mapping[str, Any]) -> dict[str, Any]:
    about = dict(vars)
    if "name" in about:
        about["name"] = _name(about["name"])
    return about


async def show_my_data(ctx: ActionContext) -> ActionResult:
    """Everything stored about the person, in plain words (one message per part) and as a
    JSON file. Args are the texts: intro, about_heading, var_line, labels (variable ->
    text), values (variable -> a group of value_words; "theme" is content/themes.yaml),
    value_words, hidden (working notes counted, not listed), notes_line, purposes_heading,
    purpose_line, active_mark, purpose_details (detail -> label), purpose_detail,
    wins_heading, win_line, win_confidence, ratings_heading, rating_line, alerts_heading,
    alert_line, alert_nothing, alert_open, alert_handled, more, nothing, events_line,
    file_caption."""
    export = await ctx.reader.export()
    purposes = list(export.purposes) if export else []
    wins = list(export.achievements) if export else []
    ratings = list(export.ratings) if export else []
    events = list(export.events) if export else []
    alerts = list(export.alerts) if export else []
    zone = person_zone(from_vars(ctx.state.vars))
    words = _Words(ctx, zone)

    def section(heading: str, lines: list[str], total: int) -> str:
        body = lines or [ctx.text("nothing")]
        if total > len(lines) and lines:
            body.append(ctx.text("more", {"count": total - len(lines)}))
        return "\n".join([ctx.text(heading, {"count": total}), *body])

    about, notes = _about(ctx, words)
    purpose_lines = [line for p in purposes for line in _purpose_lines(ctx, words, p)]
    confidence = _win_confidences(wins, ratings)
    win_lines = [" ".join(filter(None, [
        ctx.text("win_line", {"date": _when(w.at, zone), "text": w.text}),
        ctx.text("win_confidence", {"value": confidence[i]}) if confidence[i] is not None
        else ""])) for i, w in enumerate(wins[:SHOWN_PER_LIST])]
    rating_lines = [ctx.text("rating_line", {"date": _when(r.at, zone), "value": r.value})
                    for r in ratings[:SHOWN_PER_LIST]]
    alert_lines = [ctx.text("alert_line", {
        "date": _when(a.created_at, zone),
        "shared": ", ".join(str(v) for v in a.shared.values()) or ctx.text("alert_nothing"),
        "status": ctx.text("alert_handled" if a.handled_at else "alert_open")})
        for a in alerts]
    texts = [
        ctx.text("intro"),
        section("about_heading", about, len(about)),
        ctx.text("notes_line", {"count": notes}) if notes else "",
        section("purposes_heading", purpose_lines, len(purposes)),
        section("wins_heading", win_lines, len(wins)),
        section("ratings_heading", rating_lines, len(ratings)),
        section("alerts_heading", alert_lines, len(alerts)) if alerts else "",
        ctx.text("events_line", {"count": len(events)}),
    ]
    data = {
        "exported_at": ctx.now.isoformat(),
        "about_you": _plain(_export_vars(ctx.state.vars)),
        "conversation": {"flow": ctx.state.flow, "step": ctx.state.step,
                         "counts": dict(ctx.state.counts)},
        "first_seen": _plain(export.created_at) if export else None,
        "purposes": _plain(purposes),
        "wins": _plain(wins),
        "ratings": _plain(ratings),
        "events": _plain(events),
        "requests_to_talk_to_a_person": _plain(alerts),
    }
    document = Attachment("document", EXPORT_FILENAME,
                          json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"),
                          caption=ctx.text("file_caption"))
    replies = [Reply(text) for text in texts if text]
    replies.append(Reply("", attachment=document))  # the caption says what it is
    return ActionResult(replies=replies)


def register(registry: ActionRegistry) -> None:
    """Add the privacy actions (/mydata, /delete, forgetting) to ``registry``."""
    registry.register("forget_all", outcomes=())(forget_all)
    registry.register("delete_everything", outcomes=())(delete_everything)
    registry.register("show_my_data", outcomes=())(show_my_data)
