"""The content libraries (stories, opportunities, themes): reading and checking them.

Content lives in ``flows/content/*.yaml`` and reaches actions as ``FlowSet.content``
keyed by file stem. This module is not an actions module itself; the story and
opportunity actions use it, and ``check_*`` let a test (and any tool) report a broken
entry as ``file:line: what is wrong`` before a person ever meets it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.engine.actions import ActionContext
from bot.engine.yamlsource import Problem, line_of

STORY_KEYS = ("id", "themes", "who", "text")
OPPORTUNITY_KEYS = ("id", "name", "description", "themes", "place", "contact")
# Fields a person reads: these must be text, or a mapping of language to text with English.
STORY_TEXTS = ("who", "text")
OPPORTUNITY_TEXTS = ("name", "description", "contact")
ANY_THEME = "other"  # a purpose themed "other" says nothing about which stories fit


def themes(flows_content: Mapping[str, Any]) -> dict[str, Any]:
    """Theme code -> display name (text or a language mapping), from content/themes.yaml."""
    raw = (flows_content.get("themes") or {}).get("themes") or {}
    return dict(raw) if isinstance(raw, Mapping) else {}


def entries(flows_content: Mapping[str, Any], file: str, key: str,
            required: Iterable[str]) -> list[Mapping[str, Any]]:
    """The usable entries of a content list: mappings with every required key.

    A broken entry is skipped here (the content test names it); a person is never
    shown half an entry."""
    raw = (flows_content.get(file) or {}).get(key) or []
    wanted = tuple(required)
    return [e for e in raw if isinstance(e, Mapping) and all(e.get(k) for k in wanted)]


async def person_themes(ctx: ActionContext) -> set[str]:
    """The themes of the person's purposes: ``purpose_theme`` and every stored purpose."""
    found: set[str] = set()
    current = str(ctx.state.vars.get("purpose_theme") or "").strip()
    if current:
        found.add(current)
    for purpose in await ctx.reader.purposes():
        theme = str(getattr(purpose, "theme", "") or "").strip()
        if theme:
            found.add(theme)
    return found


async def active_theme(ctx: ActionContext) -> str:
    """The theme of the active purpose: ``purpose_theme``, else the stored active purpose."""
    current = str(ctx.state.vars.get("purpose_theme") or "").strip()
    if current:
        return current
    for purpose in await ctx.reader.purposes():  # active first, then newest
        if getattr(purpose, "active", False) and getattr(purpose, "theme", ""):
            return str(purpose.theme)
    return ""


# ---- checking content files -------------------------------------------------------------

def check_themes(raw: Any, file: str) -> list[Problem]:
    """Problems in themes.yaml (no table, a name empty or without English), by line."""
    problems: list[Problem] = []
    table = raw.get("themes") if isinstance(raw, Mapping) else None
    if not isinstance(table, Mapping) or not table:
        return [Problem(file, line_of(raw), "needs 'themes:', a mapping of code to name")]
    for code, name in table.items():
        where = table.line_of(code) if hasattr(table, "line_of") else line_of(table)
        problems.extend(_check_text(name, file, where, f"theme '{code}'"))
    return problems


def check_entries(raw: Any, file: str, key: str, required: tuple[str, ...],
                  texts: tuple[str, ...], known_themes: Iterable[str]) -> list[Problem]:
    """Every entry has the required keys, known themes, unique ids and English text."""
    known = set(known_themes)
    items = raw.get(key) if isinstance(raw, Mapping) else None
    if not isinstance(items, list) or not items:
        return [Problem(file, line_of(raw), f"needs '{key}:', a non-empty list")]
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    item_lines = getattr(items, "item_lines", [line_of(items)] * len(items))
    for item, line in zip(items, item_lines, strict=True):
        if not isinstance(item, Mapping):
            problems.append(Problem(file, line, "each entry must be a mapping"))
            continue
        ident = str(item.get("id", ""))
        label = f"entry '{ident}'" if ident else "an entry"
        for name in required:
            if not item.get(name):
                problems.append(Problem(file, line, f"{label} has no '{name}'; entries need: "
                                        + ", ".join(required)))
        extra = sorted(set(item) - set(required))
        if extra:
            problems.append(Problem(file, line, f"{label}: unknown key(s) {', '.join(extra)}; "
                                    "allowed: " + ", ".join(required)))
        if ident:
            if ident in seen:
                problems.append(Problem(file, line, f"id '{ident}' is used twice (first on line "
                                        f"{seen[ident]})"))
            seen.setdefault(ident, line)
        tags = item.get("themes")
        if tags is not None:
            if not isinstance(tags, list) or not tags:
                problems.append(Problem(file, line, f"{label}: themes must be a non-empty list"))
            else:
                for tag in tags:
                    if tag not in known:
                        problems.append(Problem(file, _line(item, "themes", line),
                                                f"{label}: unknown theme '{tag}'; themes are: "
                                                + ", ".join(sorted(known))))
        for name in texts:
            if item.get(name):
                problems.extend(_check_text(item[name], file, _line(item, name, line),
                                            f"{label} {name}"))
    return problems


def _line(item: Mapping[str, Any], key: str, default: int) -> int:
    return int(item.line_of(key)) if hasattr(item, "line_of") else default


def _check_text(value: Any, file: str, line: int, where: str) -> list[Problem]:
    if isinstance(value, str):
        return [] if value.strip() else [Problem(file, line, f"{where} is empty")]
    if isinstance(value, Mapping):
        problems = [Problem(file, line, f"{where}: '{lang}' text is empty or not text")
                    for lang, text in value.items()
                    if not isinstance(text, str) or not text.strip()]
        if "en" not in value:
            problems.append(Problem(file, line, f"{where} has no English ('en') text"))
        return problems
    return [Problem(file, line, f"{where} must be text or a mapping of language to text")]
