"""Run conversation tests against the real engine and service, in memory."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.app import App, open_app
from bot.channels.terminal import parse_line
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.engine.events import Choice, Event, Reply, Start, Unsupported
from bot.engine.matching import normalise
from bot.storage.base import TurnWrite
from bot.storage.memory import MemoryStorage
from bot.testing.script import Case, Line

KEY = PersonKey("test", "person")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass
class Failure:
    """A conversation test line whose reply was not what the script expected."""

    case: Case
    line: Line
    message: str

    def __str__(self) -> str:
        return f"{self.line.file}:{self.line.line}: [{self.case.name}] {self.message}"


async def run_case(case: Case, flows_path: Path) -> Failure | None:
    """Run one case; None when it passes."""
    clock = FakeClock()
    app = await open_app(flows_path, MemoryStorage(), clock=clock, rng=random.Random(7))
    try:
        if case.vars:
            state = ConversationState(vars=dict(case.vars))
            await app.storage.commit_turn(TurnWrite(KEY, state))
        roles = app.conversations.roles
        for role in case.roles:
            await roles.grant(KEY, role, clock.now())
        codes: dict[str, str] = {}
        for number, spec in enumerate(case.invites, 1):
            days = -1 if spec.get("expired") else 7
            invite, code = await roles.create_invite(
                str(spec["role"]), clock.now(), clock.now() + timedelta(days=days),
                int(spec.get("uses", 1)), spec.get("cohort"))
            if spec.get("revoked"):
                await roles.revoke_invite(invite.id, clock.now())
            codes[f"{{invite{number}}}"] = code
        mentoring = app.conversations.mentoring
        for number, spec in enumerate(case.mentees, 1):
            link = await mentoring.store.create_link(
                PersonKey("test", f"mentee{number}"), clock.now(),
                first_name=str(spec.get("first_name", "")), theme=str(spec.get("theme", "")),
                purpose=str(spec.get("purpose", "")), signals=bool(spec.get("signals")))
            if not await mentoring.assign(link, KEY, clock.now()):
                return Failure(case, case.lines[0], "mentees: the test needs roles: [mentor]")
            codes[f"{{mentee{number}}}"] = link.ref
        replies: list[Reply] = []
        last_options: Reply | None = None
        for line in case.lines:
            if line.action == "stored":
                problem = await _check_stored(app, line.value)
                if problem:
                    return Failure(case, line, problem)
                continue
            if line.action == "wait":
                clock.advance(_duration(line.value))
                replies = []
            else:
                event = _event(_with_codes(line, codes), last_options, case.locale)
                if isinstance(event, str):
                    return Failure(case, line, event)
                replies = await app.conversations.handle(KEY, event)
                last_options = next((r for r in reversed(replies) if r.options), last_options)
            problem = _check_replies(line.expect, replies)
            if problem:
                return Failure(case, line, problem)
        return None
    finally:
        await app.close()


def _with_codes(line: Line, codes: dict[str, str]) -> Line:
    """The line with ``{inviteN}`` replaced by the Nth invitation's code (and ``{menteeN}``
    by the Nth mentee's)."""
    if line.action != "say" or not any(p in str(line.value) for p in codes):
        return line
    text = str(line.value)
    for placeholder, code in codes.items():
        text = text.replace(placeholder, code)
    return replace(line, value=text)


def _duration(value: Any) -> timedelta:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*", str(value))
    if not match:
        raise ValueError(f"wait takes a duration like 30m, 2h, 3d or 1w, not {value!r}")
    return timedelta(**{UNITS[match.group(2)]: float(match.group(1))})


def _event(line: Line, last_options: Reply | None, locale: str = "") -> Event | str:
    if line.action == "say":
        return parse_line(str(line.value), locale)
    if line.action == "send":
        return Unsupported(str(line.value))
    if line.action == "start":
        return Start(str(line.value))
    if last_options is None:
        return f"press '{line.value}': there is no question with buttons to press"
    for option in last_options.options:
        if normalise(option.label) == normalise(str(line.value)):
            return Choice(last_options.prompt, option.index)
    labels = ", ".join(repr(o.label) for o in last_options.options)
    return f"press '{line.value}': no such button; buttons are: {labels}"


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _check_replies(expect: dict[str, Any], replies: list[Reply]) -> str | None:
    text = "\n".join(r.text for r in replies)
    got = "\n  got: " + (text.replace("\n", "\n       ") if text else "(no reply)")
    buttons = [o.label for r in replies for o in r.options]
    for wanted in _as_list(expect.get("contains", [])):
        if wanted.casefold() not in text.casefold():
            return f"expected a reply containing {wanted!r}{got}"
    for unwanted in _as_list(expect.get("not_contains", [])):
        if unwanted.casefold() in text.casefold():
            return f"expected no reply containing {unwanted!r}{got}"
    for pattern in _as_list(expect.get("matches", [])):
        if not re.search(pattern, text, re.IGNORECASE | re.DOTALL):
            return f"expected a reply matching /{pattern}/{got}"
    for label in _as_list(expect.get("buttons", [])):
        if normalise(label) not in {normalise(b) for b in buttons}:
            return f"expected a button {label!r}; buttons were {buttons}{got}"
    if expect.get("no_buttons") and buttons:
        return f"expected no buttons; got {buttons}"
    if "replies" in expect and len(replies) != int(expect["replies"]):
        return f"expected {expect['replies']} replies, got {len(replies)}{got}"
    if "attachment" in expect:
        kinds = [r.attachment.kind for r in replies if r.attachment]
        if str(expect["attachment"]) not in kinds:
            return f"expected an attachment of kind {expect['attachment']!r}, got {kinds}"
    return None


async def _check_stored(app: App, check: Any) -> str | None:
    if not isinstance(check, dict):
        return "stored takes a mapping"
    state = await app.storage.load(KEY) or ConversationState()
    if "var" in check:
        name = str(check["var"])
        value = state.vars.get(name)
        if "equals" in check and str(value) != str(check["equals"]):
            return f"expected {name} = {check['equals']!r}, got {value!r}"
        if "set" in check and (value not in (None, "")) != bool(check["set"]):
            return f"expected {name} {'set' if check['set'] else 'unset'}, got {value!r}"
        if "contains" in check and str(check["contains"]).casefold() not in str(value).casefold():
            return f"expected {name} to contain {check['contains']!r}, got {value!r}"
        return None
    if "flow" in check and state.flow != check["flow"]:
        return f"expected to be in flow {check['flow']!r}, but in {state.flow!r}"
    if "step" in check and state.step != check["step"]:
        return f"expected to be at step {check['step']!r}, but at {state.step!r}"
    for kind in ("achievements", "ratings", "purposes"):
        if kind in check:
            rows = await getattr(app.storage, kind)(KEY)
            if len(rows) != int(check[kind]):
                return f"expected {check[kind]} {kind} stored, found {len(rows)}"
    if "alerts" in check:
        export = await app.storage.export_person(KEY)
        found = len(export.alerts) if export else 0
        if found != int(check["alerts"]):
            return f"expected {check['alerts']} alerts stored, found {found}"
    if "roles" in check:
        held = await app.conversations.roles.roles_of(KEY)
        if set(_as_list(check["roles"])) != held - {"person"} and set(
                _as_list(check["roles"])) != held:
            return f"expected roles {sorted(_as_list(check['roles']))}, got {sorted(held)}"
    if "cohort" in check:
        cohort = await app.conversations.roles.cohort_of(KEY)
        if str(cohort) != str(check["cohort"]):
            return f"expected cohort {check['cohort']!r}, got {cohort!r}"
    if "count" in check:
        name = str(check["count"])
        if state.counts.get(name, 0) != int(check.get("equals", 0)):
            return f"expected count {name} = {check.get('equals')}, got {state.counts.get(name, 0)}"
    return None


