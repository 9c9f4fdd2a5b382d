"""Role-model stories from peers (witnessing: "people like you" getting there).

``offer_story`` picks a story from ``content/stories.yaml`` (and the mentors' stories
staff approved, bot/actions/mentor_stories.py) that matches the person's
themes and has not been shown to them yet; once every matching story has been shown it
starts over, never opening the new round with the story just told. The ids shown are
kept in the person's ``stories_shown`` variable, so they survive restarts and /mydata
can show them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.actions.library import ANY_THEME, STORY_KEYS, entries, person_themes
from bot.core.records import FlowEvent
from bot.engine.actions import ActionContext, ActionRegistry, ActionResult
from bot.engine.events import Reply


def matching_stories(stories: Sequence[Mapping[str, Any]], wanted: set[str]
                     ) -> list[Mapping[str, Any]]:
    """Stories sharing a theme with the person; all stories if none match or no theme
    is known (a purpose themed "other" counts as no particular theme)."""
    wanted = wanted - {ANY_THEME}
    found = [s for s in stories if wanted & set(s["themes"])]
    return found or list(stories)


def pick_story(candidates: Sequence[Mapping[str, Any]], shown: list[str], rng: Any
               ) -> tuple[Mapping[str, Any], list[str]]:
    """The next story and the new list of shown ids."""
    unseen = [s for s in candidates if s["id"] not in shown]
    if not unseen:  # every match has been told: start a new round for these stories
        last = shown[-1] if shown else None
        ids = {s["id"] for s in candidates}
        shown = [i for i in shown if i not in ids]
        unseen = [s for s in candidates if s["id"] != last] or list(candidates)
    story = rng.choice(unseen)
    return story, [*shown, story["id"]]


async def mentor_stories(ctx: ActionContext) -> list[Mapping[str, Any]]:
    """The mentors' stories staff approved, told like the library's own, when the flow
    gives ``mentor_who`` (who they are from, with no name: a peer mentor). Braces in a
    mentor's words are kept as written, never read as a template."""
    who = ctx.args.get("mentor_who")
    if not who:
        return []
    return [{"id": f"mentor-{s.id}", "themes": [s.theme], "who": who,
             "text": s.text.replace("{", "{{").replace("}", "}}")}
            for s in await ctx.reader.peers().stories().library()]


async def offer_story(ctx: ActionContext) -> ActionResult:
    """Tell one story. Args: ``text`` (template with {who} and {story}), ``none`` (said
    when the library is empty), ``mentor_who`` (the {who} of a mentor's story; without
    it, only the library's own). Outcomes: ``shown``, ``none``."""
    stories = entries(ctx.flows.content, "stories", "stories", STORY_KEYS)
    stories += await mentor_stories(ctx)
    if not stories:
        none = ctx.text("none")
        return ActionResult(replies=[Reply(none)] if none else [], outcome="none")
    wanted = await person_themes(ctx)
    candidates = matching_stories(stories, wanted)
    ids = {str(s["id"]) for s in stories}  # forget stories staff have since removed
    shown = [str(i) for i in ctx.state.vars.get("stories_shown") or [] if str(i) in ids]
    story, shown = pick_story(candidates, shown, ctx.rng)
    text = ctx.text("text", extra={"who": ctx.render.raw(story["who"]),
                                   "story": ctx.render.raw(story["text"])})
    themes = [str(t) for t in story["themes"]]
    theme = next((t for t in themes if t in wanted), themes[0] if themes else ANY_THEME)
    # Counted by theme for staff reports: which theme, never which person or story text.
    shown_event = FlowEvent("story_shown", "story", theme, ctx.now)
    return ActionResult(vars={"stories_shown": shown}, replies=[Reply(text)],
                        records=[shown_event], outcome="shown")


def register(registry: ActionRegistry) -> None:
    """Let flows call ``offer_story``, declaring what it sets and returns for validation."""
    registry.register("offer_story", provides=("stories_shown",), outcomes=("none", "shown"))(
        offer_story)
