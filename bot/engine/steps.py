"""Execute steps until the flow waits for the person or ends."""

from __future__ import annotations

import random
import secrets
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.core.records import Achievement, FlowEvent, Purpose, Rating, Record
from bot.core.state import ConversationState, Position
from bot.engine.actions import ActionContext, ActionResult, Effect, PersonReader
from bot.engine.answers import OptionText, choose_option, typed_time, typed_zone
from bot.engine.events import Option, Reply
from bot.engine.kinds import WAIT, kind_of
from bot.engine.model import (
    Ask,
    CallAction,
    Choose,
    Flow,
    RecordStep,
    Resume,
    Step,
)
from bot.engine.render import Renderer, fill

if TYPE_CHECKING:
    from bot.engine.runner import Engine

MAX_STEPS_PER_TURN = 200  # steps without waiting for the person: more means a goto loop
COUNTED = {"achievement": "achievements", "rating": "ratings", "purpose": "purposes"}


class FlowLoopError(RuntimeError):
    """A flow ran too many steps without waiting: a goto loop."""


class StepRunner:
    """Runs a person's steps for one turn, collecting replies, records and effects."""

    def __init__(self, engine: Engine, state: ConversationState, now: datetime,
                 reader: PersonReader, rng: random.Random) -> None:
        self.engine = engine
        self.state = state
        self.now = now
        self.reader = reader
        self.rng = rng
        self.replies: list[Reply] = []
        self.records: list[Record] = []
        self.effects: list[Effect] = []
        self.memory: dict[str, Any] = dict(state.memory)
        self.started = True
        self._roles: frozenset[str] | None = None

    def current_flow(self) -> Flow | None:
        """The flow the person is in, or None."""
        return self.engine.flows.flows.get(self.state.flow) if self.state.flow else None

    def current_step(self) -> Step | None:
        """The step the person is at (usually a question waiting), or None."""
        flow = self.current_flow()
        return flow.steps.get(self.state.step) if flow and self.state.step else None

    def renderer(self) -> Renderer:
        """A renderer with this turn's variables (state, contacts, now, counts)."""
        flows = self.engine.flows
        language = str(self.state.vars.get("language") or flows.default_language)
        variables: dict[str, Any] = {
            **(flows.contact_variables.get(language) or {}),
            **self.state.vars,
            "now": self.now.isoformat(),
            "today": self.now.date().isoformat(),
            **{f"count_{k}": v for k, v in self.state.counts.items()},
        }
        return Renderer(language, flows.default_language, variables, self.memory, self.rng,
                        on_variant=self.variant_shown)

    def variant_shown(self, key: str, index: int) -> None:
        """Note which wording of a flow's text was shown (its index, never the text), so
        staff reports can compare what followed each variant."""
        flow, _, step = key.partition(".")
        self.event("variant_shown", flow, f"{step}#{index}")

    def event(self, name: str, flow: str, step: str) -> None:
        """Record an anonymous flow event (started, answered, finished...)."""
        self.records.append(FlowEvent(name, flow, step, self.now))

    async def call_action(self, name: str, args: dict[str, Any]) -> Any:
        """Run a registered action with this turn's context; its ActionResult."""
        spec = self.engine.actions.get(name)
        if spec is None:
            raise LookupError(f"action '{name}' is not registered")
        ctx = ActionContext(self.state, args, self.now, self.engine.flows, self.reader,
                            self.renderer(), self.rng)
        return await spec.func(ctx)

    def back_to(self, position: Position) -> bool:
        """Whether the person can go back to ``position``: it still exists, and they may
        run its flow (resuming is a way into a flow too)."""
        flow = self.engine.flows.flows.get(position.flow)
        return flow is not None and position.step in flow.steps and self.consented_to(flow)

    def say(self, text: str, **kwargs: Any) -> None:
        """Add a reply (nothing for empty text)."""
        if text:
            self.replies.append(Reply(text, **kwargs))

    def say_message(self, key: str) -> None:
        """Add the system message ``key`` in the person's language."""
        self.say(self.renderer().text(self.engine.flows.messages[key], key=f"msg.{key}"))

    def set_vars(self, values: dict[str, Any]) -> None:
        """Set the person's variables."""
        self.state = self.state.with_vars(**values)

    def leave_flow(self, how: str) -> None:
        """Leave the current flow, recording how (finished, abandoned...)."""
        if self.state.flow is not None:
            self.event(f"flow_{how}", self.state.flow, self.state.step or "")
        self.state = replace(self.state, flow=None, step=None, retries=0)

    def consented(self) -> bool:
        """Whether the person has said yes to the privacy note (or no consent is asked)."""
        consent = self.engine.flows.consent
        return consent is None or str(
            self.state.vars.get(consent.variable, "")) == consent.value

    def consented_to(self, flow: Flow) -> bool:
        """Whether the person may run ``flow``: open flows always, others after consent."""
        return flow.open or self.consented()

    def gate(self, flow: Flow) -> Flow:
        """The flow that runs when ``flow`` is asked for: itself, or the consent flow.

        A command, a keyword and a goto from another flow pass here, so the menu (an
        open flow) cannot lead past consent; a system start and going back to an
        interrupted question check :meth:`consented_to` and do nothing instead.
        """
        consent = self.engine.flows.consent
        if consent is not None and not self.consented_to(flow):
            return self.engine.flows.flows[consent.flow]
        return flow

    async def permitted(self, flow: Flow) -> bool:
        """Whether the person holds one of the roles ``flow`` declares (read once a turn,
        and only when a flow with ``roles:`` is asked for)."""
        if not flow.roles:
            return True
        if self._roles is None:
            self._roles = await self.reader.roles()
        return bool(self._roles & set(flow.roles))

    def refuse(self, flow: Flow) -> None:
        """Say kindly that ``flow`` is not for this person; it never starts."""
        self.event("flow_refused", flow.name, flow.first)
        messages = self.engine.flows.messages
        self.say_message("not_for_your_role" if "not_for_your_role" in messages
                         else "unknown_command")

    async def start_flow(self, flow: Flow) -> None:
        """Start ``flow`` (or the consent flow first) if the person may run it."""
        flow = self.gate(flow)
        if not await self.permitted(flow):
            self.refuse(flow)
            return
        self.event("flow_started", flow.name, flow.first)
        self.state = replace(self.state, flow=flow.name, step=flow.first, retries=0)
        await self.run_from(flow, flow.first)

    def repeat_question(self) -> None:
        """Ask the current question again, if the person is at one."""
        step = self.current_step()
        if isinstance(step, Ask | Choose):
            self.ask_question(step, repeat=True)

    def ask_question(self, step: Ask | Choose, *, repeat: bool = False) -> None:
        """Send a question (with its options for a choice) and count the prompt."""
        render = self.renderer()
        text = render.text(step.text, key=None if repeat else f"{self.state.flow}.{step.id}")
        if isinstance(step, Choose):
            if not repeat:
                self.state = replace(self.state, prompt=self.state.prompt + 1)
            options = tuple(Option(render.text(o.label), i) for i, o in enumerate(step.options))
            self.say(text, options=options, prompt=self.state.prompt)
        else:
            self.say(text)

    async def run_from(self, flow: Flow, step_id: str | None) -> None:
        """Run steps from ``step_id`` until one waits for the person or the flow ends;
        each step's kind (bot/engine/kinds.py) says what running it does."""
        for _ in range(MAX_STEPS_PER_TURN):
            if step_id is None:
                self.leave_flow("finished")
                self.state = replace(self.state, stack=())
                return
            step = flow.steps[step_id]
            self.state = replace(self.state, flow=flow.name, step=step.id)
            result = await kind_of(step).run(self, flow, step)
            if isinstance(result, Flow):
                flow = self.gate(result)
                if not await self.permitted(flow):
                    self.refuse(flow)
                    self.state = replace(self.state, stack=())
                    return
                step_id = flow.first
                self.event("flow_started", flow.name, flow.first)
            elif result is WAIT:
                return
            else:
                step_id = result
        raise FlowLoopError(f"flow '{flow.name}' ran {MAX_STEPS_PER_TURN} steps without waiting")

    def resume(self, step: Resume) -> Any:
        """A ``resume:`` step: go back to the question an interrupting flow stepped in on."""
        if step.text is not None:
            self.say(self.renderer().text(step.text))
        self.leave_flow("finished")
        stack = list(self.state.stack)
        while stack:
            position = stack.pop()
            if self.back_to(position):
                self.state = replace(self.state, stack=tuple(stack), flow=position.flow,
                                     step=position.step)
                self.repeat_question()
                return WAIT
        self.state = replace(self.state, stack=())
        return None

    async def action(self, step: CallAction) -> str | None:
        """An ``action:`` step: apply the action's result; the step its outcome leads to."""
        result: ActionResult = await self.call_action(step.action, dict(step.args))
        merged = {k: v for k, v in self.state.vars.items() if k not in result.clear}
        merged.update(result.vars)
        self.state = replace(self.state, vars=merged)
        self.replies.extend(result.replies)
        for record in result.records:
            self.add_record(record)
        self.effects.extend(result.effects)
        if result.outcome is not None and result.outcome in step.on:
            return step.on[result.outcome]
        return step.next

    def add_record(self, record: Record) -> None:
        """Keep a record and count it in the state's counts."""
        self.records.append(record)
        name = COUNTED.get(type(record).__name__.lower())
        if name:
            counts = dict(self.state.counts)
            counts[name] = counts.get(name, 0) + 1
            self.state = replace(self.state, counts=counts)

    def record(self, step: RecordStep) -> None:
        """A ``record:`` step: build the win, rating or purpose from its fields."""
        render = self.renderer()
        values = {k: render.raw(v) if isinstance(v, str) else v for k, v in step.fields.items()}
        if step.kind == "achievement":
            self.add_record(Achievement(
                text=str(values["text"]), at=self.now,
                purpose_ref=str(values["purpose"]) if values.get("purpose") else None,
                confidence=_int(values.get("confidence")),
                prompted=str(values.get("prompted", "")).lower() in ("true", "yes", "1")))
        elif step.kind == "rating":
            value = _int(values["value"])
            if value is not None:
                self.add_record(Rating(value, self.now, str(values.get("context", ""))))
        else:
            ref = str(values.get("ref") or "") or secrets.token_hex(4)
            raw_details = values.get("details")
            details = {str(k): fill(v, self.state.vars) if isinstance(v, str) else v
                       for k, v in (raw_details if isinstance(raw_details, dict) else {}).items()}
            self.add_record(Purpose(ref, str(values["text"]), self.now,
                                    str(values.get("theme") or "other"), details,
                                    bool(values.get("active", True))))
            self.set_vars({"purpose_ref": ref})

    async def classified(self, step: Ask | Choose, text: str) -> bool:
        """Send an answer one of the step's classifiers recognises (``on: {low_mood: care}``)
        to that classifier's step. The answer is not put into any variable: not kept."""
        for name, target in step.on.items():
            classifier = self.engine.flows.classifiers.get(name)
            if classifier is not None and classifier.matches(text):
                await self.continue_after(step, target)
                return True
        return False

    async def answer_ask(self, step: Ask, text: str) -> None:
        """Take a typed answer to an ask step: classify, validate, keep it, go on."""
        if text and await self.classified(step, text):
            return
        rule = step.validation
        problem: str | None = None
        value: Any = text
        if not text:
            problem = "empty"
        elif len(text) > rule.max_length:
            problem = "too_long"
        elif len(text) < rule.min_length:
            problem = "too_short"
        elif rule.number:
            number = _number(text)
            if number is None:
                problem = "not_a_number"
            elif (rule.minimum is not None and number < rule.minimum) or (
                rule.maximum is not None and number > rule.maximum
            ):
                problem = "number_range"
            else:
                value = int(number) if number == int(number) else number
        if problem is not None:
            self.reask(step, problem, {"min": rule.minimum, "max": rule.maximum,
                                       "max_length": rule.max_length, "length": len(text)})
            return
        self.set_vars({step.into: value})
        await self.continue_after(step, step.next)

    async def answer_typed_choice(self, step: Choose, text: str) -> None:
        """Take typed text at a choice: an option, a classifier, a time or zone, or ask again."""
        render = self.renderer()
        words = self.engine.answers.for_language(render.language)
        # The label shown first, then every language's, so "uk" works in Welsh too.
        options = [OptionText(tuple(dict.fromkeys((render.text(o.label), *(
            fill(v, render.variables) if "{" in v else v
            for vs in o.label.variants.values() for v in vs)))), o.value)
            for o in step.options]
        index = choose_option(text, options, words)
        if index is not None:
            await self.answer_choice(step, index)
            return
        # Not one of the options: low mood (``on: {low_mood: care}``) is heard before
        # the text is tried as a time or a zone.
        if text and await self.classified(step, text):
            return
        # A time or a time zone that none of the options offer is the answer itself.
        value = typed_time(text, options, words) or typed_zone(text, options)
        if value is None and step.free and len(text.strip()) >= 2:
            value = text.strip()  # the person answered in words (``free: true``)
        if value is not None and step.into and step.next:
            self.set_vars({step.into: value})
            await self.continue_after(step, step.next)
            return
        self.reask(step, "empty" if not text else "invalid_choice", {})

    async def answer_choice(self, step: Choose, index: int) -> None:
        """Take the chosen option: keep its value and go where it leads."""
        option = step.options[index]
        if step.into:
            self.set_vars({step.into: option.value})
        await self.continue_after(step, option.next or step.next)

    async def continue_after(self, step: Step, next_id: str | None) -> None:
        """The question was answered: record it and run on from ``next_id``."""
        flow = self.current_flow()
        assert flow is not None
        # With step_reached, this gives the anonymous drop-off at every question; and for
        # a question with several wordings, which wording was answered.
        self.event("step_answered", flow.name, step.id)
        shown = self.memory.get(f"v:{flow.name}.{step.id}")
        if isinstance(shown, int):
            self.event("variant_answered", flow.name, f"{step.id}#{shown}")
        self.state = replace(self.state, retries=0)
        await self.run_from(flow, next_id)

    def reask(self, step: Ask | Choose, problem: str, extra: dict[str, Any]) -> None:
        """Say why the answer did not fit and ask again, more helpfully each time."""
        render = self.renderer()
        self.state = replace(self.state, retries=self.state.retries + 1)
        messages = self.engine.flows.messages
        if isinstance(step, Choose) and self.state.retries >= 2 and problem != "empty":
            # Still unclear: list the options by number, then offer a way out (issue 11).
            key = "invalid_choice_list" if self.state.retries == 2 else "invalid_choice_stop"
            if key in messages:
                problem = key
        if isinstance(step, Ask) and self.state.retries >= 3 and "invalid_ask_stop" in messages:
            # A third unclear answer to a free-text question: a way out, in changing words.
            problem = "invalid_ask_stop"
        if problem.startswith(("invalid_choice_", "invalid_ask_")):
            message = render.text(messages[problem], key=f"msg.{problem}", extra=extra)
        elif step.invalid is not None and problem not in ("empty", "too_long"):
            message = render.text(step.invalid, extra=extra)
        else:
            message = render.text(messages[problem], extra=extra)
        if (isinstance(step, Ask) and self.state.retries == 2
                and "invalid_ask_again" in messages):
            # A second miss: the same help, then the question itself again (issue 11).
            question = render.text(step.text, key=f"{step.id}.again")
            again = render.text(messages["invalid_ask_again"],
                                extra={**extra, "question": question})
            message = f"{message}\n{again}"
        if isinstance(step, Choose):
            options = tuple(Option(render.text(o.label), i) for i, o in enumerate(step.options))
            if problem == "invalid_choice_list":  # numbered in the text too, for typing
                message = "\n".join((message, *(f"{o.index + 1}. {o.label}" for o in options)))
            self.say(message, options=options, prompt=self.state.prompt)
        else:
            self.say(message)



def _int(value: Any) -> int | None:
    number = _number(str(value)) if value is not None and value != "" else None
    return int(number) if number is not None else None


def _number(text: str) -> float | None:
    try:
        number = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None
