"""Mentors' role-model stories (issue 12, slice 5): written in four guided answers, read
by staff before anyone sees them, then told like the library's own stories.

Mechanisms only: every word comes from the flow's YAML ``args``. The desk
(``ctx.reader.peers()``) keeps the stories and does the checks.
"""

from __future__ import annotations

from bot.actions.library import themes
from bot.engine.actions import ActionContext, ActionRegistry, ActionResult

# The guided answers, in the order the story is told.
PARTS = ("story_where", "story_step", "story_helped", "story_now")


def join_story(parts: list[str]) -> str:
    """The answers as one paragraph, each ending as a sentence, in the writer's words."""
    sentences = []
    for part in (p.strip() for p in parts):
        if part:
            part = part[0].upper() + part[1:]  # each answer starts a sentence
            sentences.append(part if part[-1] in ".!?\"'…)" else part + ".")
    return " ".join(sentences)


def register(registry: ActionRegistry) -> None:
    """Add the mentor story actions to ``registry``."""

    @registry.register("compose_story", provides=("story_text",), outcomes=("ok", "contact"))
    async def compose_story(ctx: ActionContext) -> ActionResult:
        text = join_story([str(ctx.state.vars.get(name) or "") for name in PARTS])
        if (await ctx.reader.peers().check(text)).contact:
            # A contact detail is never kept: the answers go, the mentor writes again.
            return ActionResult(clear=(*PARTS, "story_text"), outcome="contact")
        return ActionResult(vars={"story_text": text}, outcome="ok")

    @registry.register("submit_story", outcomes=("submitted", "contact", "unknown"))
    async def submit_story(ctx: ActionContext) -> ActionResult:
        found = await ctx.reader.peers().stories().submit(ctx.text("theme"), ctx.text("text"))
        outcome = ("submitted" if found == "submitted" else "contact" if found == "contact"
                   else "unknown")
        return ActionResult(clear=(*PARTS, "story_text"), outcome=outcome)

    @registry.register("list_my_stories", provides=("my_stories_list",),
                       outcomes=("some", "none"))
    async def list_my_stories(ctx: ActionContext) -> ActionResult:
        lines = []
        for number, story in enumerate(await ctx.reader.peers().stories().mine(), 1):
            words = story.text.split()
            start = " ".join(words[:8]) + ("..." if len(words) > 8 else "")
            status = ctx.text(story.status, {"reason": story.reason})
            lines.append(ctx.text("line", {"number": number, "start": start,
                                           "status": status}))
        if not lines:
            return ActionResult(clear=("my_stories_list",), outcome="none")
        return ActionResult(vars={"my_stories_list": "\n".join(lines)}, outcome="some")

    @registry.register("withdraw_story", outcomes=("done", "unknown"))
    async def withdraw_story(ctx: ActionContext) -> ActionResult:
        number = ctx.text("number").strip().rstrip(".")
        done = number.isdigit() and await ctx.reader.peers().stories().withdraw(int(number))
        return ActionResult(outcome="done" if done else "unknown")

    @registry.register("next_story", provides=("review_story_id", "review_story_text",
                                               "review_story_theme"),
                       outcomes=("some", "none"))
    async def next_story(ctx: ActionContext) -> ActionResult:
        story = await ctx.reader.peers().stories().next_for_staff()
        names = ("review_story_id", "review_story_text", "review_story_theme")
        if story is None:
            return ActionResult(clear=names, outcome="none")
        theme = themes(ctx.flows.content).get(story.theme, story.theme)
        return ActionResult(vars={"review_story_id": story.id, "review_story_text": story.text,
                                  "review_story_theme": ctx.render.raw(theme)},
                            outcome="some")

    @registry.register("decide_story", outcomes=("done", "contact", "gone"))
    async def decide_story(ctx: ActionContext) -> ActionResult:
        found = await ctx.reader.peers().stories().decide(
            int(ctx.text("id") or 0), ctx.text("decision"), ctx.text("text"),
            ctx.text("reason"))
        outcome = "done" if found == "done" else "contact" if found == "contact" else "gone"
        return ActionResult(outcome=outcome)
