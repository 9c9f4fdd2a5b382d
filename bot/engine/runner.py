"""Run flows: given a person's state and one event, return replies and the new state.

The engine is pure apart from the actions it calls: no Telegram, no SQL, no clock of
its own (the caller passes ``now``), no global randomness (the caller passes ``rng``).
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.core.records import Record
from bot.core.roles import seal_code
from bot.core.state import ConversationState
from bot.engine.actions import ActionRegistry, Effect, PersonReader
from bot.engine.answerbook import AnswerBook
from bot.engine.detect import TextDetector
from bot.engine.events import (
    Choice,
    Close,
    Command,
    Event,
    Reply,
    Reshow,
    Start,
    Text,
    Unsupported,
)
from bot.engine.hints import language_tag
from bot.engine.matching import PhraseMatcher, normalise
from bot.engine.model import CRISIS_ANSWER, Ask, Choose, FlowSet
from bot.engine.steps import StepRunner


@dataclass
class Outcome:
    """What one turn produced."""

    replies: list[Reply]
    state: ConversationState
    records: list[Record] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    started: bool = True  # False when a Start event was declined (person mid-conversation)


class Engine:
    """Runs a :class:`FlowSet` with an :class:`ActionRegistry`.

    ``detectors`` adds, per interrupt flow name, a :class:`TextDetector` consulted when
    that flow's exact keywords do not match (the safety flow's crisis detector).
    ``crisis_flows``: the interrupt flows that are the safety net (``is_crisis``); other
    interrupt flows (asking for a person, "why") step in too, but are not a crisis, and
    are tried after the crisis flows (``interrupt_order``)."""

    def __init__(self, flows: FlowSet, actions: ActionRegistry, *,
                 detectors: Mapping[str, TextDetector] | None = None,
                 crisis_flows: Collection[str] = ("safety",)) -> None:
        self.flows = flows
        self.crisis_flows = frozenset(crisis_flows)
        self.actions = actions
        self.answers = AnswerBook(flows.config.get("answers"), flows.default_language)
        detectors = dict(detectors or {})
        interrupts = {name for name, f in flows.flows.items() if f.interrupt}
        unknown = sorted(set(detectors) - interrupts)
        if unknown:
            raise ValueError(f"detectors for flows that are not interrupt flows: {unknown}")
        # Priority is explicit, not file order: the safety net first (a message that is
        # both a crisis and a request for a person must get the crisis help), then the
        # other interrupt flows by name.
        ordered = sorted((f for f in flows.flows.values() if f.interrupt),
                         key=lambda f: (f.name not in self.crisis_flows, f.name))
        self._interrupts = [(f, PhraseMatcher(f.triggers.keywords), detectors.get(f.name))
                            for f in ordered]
        self._keyword_flows = [(f, PhraseMatcher(f.triggers.keywords))
                               for f in flows.flows.values()
                               if f.triggers.keywords and not f.interrupt]

    @property
    def interrupt_order(self) -> tuple[str, ...]:
        """The interrupt flows in the order a message is tried against them."""
        return tuple(flow.name for flow, _, _ in self._interrupts)

    def is_crisis(self, event: Event) -> bool:
        """Whether ``event`` would start a safety-net flow (``crisis_flows``): its keywords
        or its detector (as in a turn) in text, or its command. Stateless and without
        storage, so a channel can check every message, even one it is about to drop."""
        if isinstance(event, Text):
            text = event.text.strip()
            normalised = normalise(text)
            return any(matcher.matches(normalised)
                       or (detector is not None and detector.detects(text))
                       for flow, matcher, detector in self._interrupts
                       if flow.name in self.crisis_flows)
        if isinstance(event, Command):
            flow = self.flows.by_command(event.name)
            return flow is not None and flow.interrupt and flow.name in self.crisis_flows
        return False

    async def handle(self, state: ConversationState | None, event: Event, *, now: datetime,
                     reader: PersonReader, rng: random.Random | None = None) -> Outcome:
        """Run one event for a person: the new state, the replies, records and effects."""
        state = state or ConversationState()
        state = replace(state, turn=state.turn + 1)
        turn = Turn(self, state, now, reader, rng or random.Random())
        await turn.dispatch(event)
        return turn.outcome()


class Turn(StepRunner):
    """One event's worth of work for one person."""

    async def dispatch(self, event: Event) -> None:
        """Route the event to its handler (command, choice, text, start...)."""
        if self.state.flow is not None and self.current_step() is None:
            # The flow changed under a waiting person (flows were edited between restarts).
            self.say_message("flow_changed")
            self.leave_flow("abandoned")
        flow = self.current_flow()
        if flow is not None and not await self.permitted(flow):
            # The role was taken away mid-conversation (a mentor removed): stop here.
            self.leave_flow("abandoned")
            self.state = replace(self.state, stack=())
            if not isinstance(event, Start):
                self.refuse(flow)
            if isinstance(event, Choice):
                return  # a button of the refused flow; text still meets the safety net
        if isinstance(event, Command):
            await self.on_command(event)
        elif isinstance(event, Choice):
            await self.on_choice(event)
        elif isinstance(event, Text):
            await self.on_text(event.text)
        elif isinstance(event, Unsupported):
            self.say_message("unsupported")
            self.repeat_question()
        elif isinstance(event, Reshow):
            self.repeat_question()
        elif isinstance(event, Close):
            if self.state.flow is not None:
                self.leave_flow("abandoned")
            self.state = replace(self.state, stack=())
        elif isinstance(event, Start):
            flow = self.engine.flows.flows[event.flow]
            if self.state.flow is not None or not self.consented_to(flow) or not (
                    await self.permitted(flow)):
                # Never interrupt a conversation, and never start anything (not even the
                # privacy question) on our own initiative for someone who has not said yes.
                self.started = False
                return
            await self.start_flow(flow)

    async def on_command(self, event: Command) -> None:
        """A /command: cancel the flow, or start the flow the command names."""
        if event.name == "cancel":
            if self.state.flow is None:
                self.say_message("nothing_to_cancel")
            else:
                self.leave_flow("abandoned")
                self.state = replace(self.state, stack=())
                self.say_message("cancelled")
            return
        flow = self.engine.flows.by_command(event.name)
        if flow is None:
            self.say_message("unknown_command")
            return
        if self.state.flow is not None:
            self.leave_flow("abandoned")
        self.state = replace(self.state, stack=())
        if event.payload:
            # Kept before consent, so never in the clear: an invitation code is a credential.
            self.set_vars({"start_payload": seal_code(event.payload)})
        consent = self.engine.flows.consent
        hint = language_tag(event.locale)
        if hint and consent is not None and flow.name == consent.flow and not self.consented():
            # Only a newcomer's welcome reads it (language first, a likely time zone), and
            # it clears it once the time zone is chosen: a settled person carries none.
            self.set_vars({"language_hint": hint})
        await self.start_flow(flow)

    async def on_choice(self, event: Choice) -> None:
        """A button press: answer the current choice, or say the button is stale."""
        step = self.current_step()
        if not isinstance(step, Choose) or event.prompt != self.state.prompt or not (
            0 <= event.index < len(step.options)
        ):
            self.say_message("stale_button")
            self.repeat_question()
            return
        await self.answer_choice(step, event.index)

    async def on_text(self, text: str) -> None:
        """Typed text: an interrupting flow, the current question's answer, or a keyword."""
        text = text.strip()
        normalised = normalise(text)
        step = self.current_step()
        if isinstance(step, Ask) and CRISIS_ANSWER in step.on and self.engine.is_crisis(
                Text(text)):
            # A question that takes crisis words itself (``on: {crisis: step}``): a
            # mentor's message to a person is held for staff with the words kept, and
            # that step signposts the writer; the safety flow would drop the words.
            self.set_vars({step.into: text})
            await self.continue_after(step, step.on[CRISIS_ANSWER])
            return
        for flow, matcher, detector in self.engine._interrupts:
            if self.state.flow != flow.name and (
                    matcher.matches(normalised)
                    or (detector is not None and detector.detects(text))):
                if self.state.position is not None:
                    self.push_position()
                await self.start_flow(flow)
                return
        if isinstance(step, Ask):
            await self.answer_ask(step, text)
            return
        if isinstance(step, Choose):
            await self.answer_typed_choice(step, text)
            return
        if not text:
            self.say_message("empty")
            return
        for flow, matcher in self.engine._keyword_flows:
            if matcher.matches(normalised):
                await self.start_flow(flow)
                return
        self.say_message("fallback")

    def push_position(self) -> None:
        """Remember where the person was so an interrupting flow can resume it."""
        position = self.state.position
        assert position is not None
        self.state = replace(self.state, stack=(*self.state.stack, position)[-5:],
                             flow=None, step=None)

    def outcome(self) -> Outcome:
        """The turn's result; before consent, only the consent variables are kept."""
        state = replace(self.state, memory=dict(self.memory))
        records = self.records
        consent = self.engine.flows.consent
        if consent is not None and not self.consented():
            # Someone who has not said yes (or said no) has nothing kept about them but
            # their answer and the variables the consent settings name: no records, not
            # even anonymous events, no counts, no bookkeeping.
            kept = {consent.variable, *consent.keep}
            state = replace(state, vars={k: v for k, v in state.vars.items() if k in kept},
                            counts={}, memory={})
            records = []
        return Outcome(self.replies, state, records, self.effects, self.started)
