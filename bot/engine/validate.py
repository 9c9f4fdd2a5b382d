"""Check a loaded flow set as a whole: targets, reachability, actions, variables."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.engine.model import (
    CRISIS_ANSWER,
    Ask,
    Branch,
    CallAction,
    Choose,
    Condition,
    End,
    Flow,
    FlowSet,
    Goto,
    RecordStep,
    Resume,
    Say,
    SetVars,
    Step,
    Text,
)
from bot.engine.parse import template_names
from bot.engine.yamlsource import Problem

BUILTIN_COMMANDS = frozenset({"cancel"})
# Filled in when a question is asked again, for messages and `invalid:` texts.
REASK_VARIABLES = frozenset({"min", "max", "max_length", "length", "question"})
# Variables the engine itself provides to every template and condition.
BUILTIN_VARIABLES = frozenset({
    "now", "today", "language", "purpose_ref", "start_payload", "answer",
    "count_achievements", "count_ratings", "count_purposes",
})


def targets(step: Step) -> Iterator[tuple[str, int]]:
    """Every step name this step can go to, with the line that names it."""
    if step.next is not None and not isinstance(step, Goto | End | Resume):
        yield step.next, step.next_line or step.line
    if isinstance(step, Choose):
        for option in step.options:
            if option.next is not None:
                yield option.next, option.line
    if isinstance(step, Branch):
        for case in step.cases:
            yield case.next, case.line
        if step.otherwise is not None:
            yield step.otherwise, step.line
    if isinstance(step, CallAction | Ask | Choose):
        for target in step.on.values():
            yield target, step.line
    if isinstance(step, Goto) and step.step is not None:
        yield step.step, step.line


def check_flowset(flowset: FlowSet, known_actions: dict[str, frozenset[str]] | None,
                  declared: frozenset[str], system_file: str = "config/system.yaml",
                  *, partial: bool = False,
                  action_outcomes: dict[str, frozenset[str]] | None = None) -> list[Problem]:
    """Every problem in the flow set as a whole.

    ``partial`` means some files failed to load: checks that depend on other flows (other
    flows exist, something sets each variable) are skipped, as they would be guesses.
    """
    problems: list[Problem] = []
    assigned = set(BUILTIN_VARIABLES) | set(declared)
    assigned |= {f"contact_{name}" for name in flowset.contacts}
    for flow in flowset.flows.values():
        assigned |= set(_assigned(flow, known_actions or {}))
    claimed: dict[str, str] = {}
    for flow in flowset.flows.values():
        for command in flow.triggers.commands:
            line = flow.triggers.line or flow.line
            if command in BUILTIN_COMMANDS:
                problems.append(Problem(flow.file, line, f"/{command} is built in and "
                                        "cannot start a flow"))
            elif command in claimed:
                problems.append(Problem(flow.file, line, f"/{command} already starts flow "
                                        f"'{claimed[command]}'"))
            claimed.setdefault(command, flow.name)
        problems.extend(_check_flow(flow, flowset, known_actions, None if partial else assigned))
        problems.extend(_check_outcomes(flow, action_outcomes or {}))
    if partial:
        return problems
    consent = flowset.consent
    if consent is not None:
        if consent.flow not in flowset.flows:
            problems.append(Problem(system_file, 1, f"consent flow '{consent.flow}' "
                                    "does not exist"))
        elif not flowset.flows[consent.flow].open:
            consent_flow = flowset.flows[consent.flow]
            problems.append(Problem(consent_flow.file, consent_flow.line, f"flow '{consent.flow}' "
                                    "asks for consent, so it must be 'open: true'"))
    for key, text in flowset.messages.items():
        problems.extend(_check_text(text, assigned | REASK_VARIABLES, system_file,
                                    f"message '{key}'"))
    return problems


def _check_outcomes(flow: Flow, action_outcomes: dict[str, frozenset[str]]) -> list[Problem]:
    """An outcome under ``on:`` that its action never returns would never be taken."""
    problems = []
    for step in flow.steps.values():
        if not isinstance(step, CallAction) or step.action not in action_outcomes:
            continue
        outcomes = action_outcomes[step.action]
        for name in step.on:
            if name not in outcomes:
                problems.append(Problem(flow.file, step.on_lines.get(name, step.line),
                                        f"step '{step.id}': action '{step.action}' has no "
                                        f"outcome '{name}'; its outcomes are: "
                                        f"{', '.join(sorted(outcomes)) or 'none'}"))
    return problems


def _assigned(flow: Flow, actions: dict[str, frozenset[str]]) -> Iterator[str]:
    for step in flow.steps.values():
        if isinstance(step, Ask | Choose) and step.into:
            yield step.into
        elif isinstance(step, SetVars):
            yield from step.values
        elif isinstance(step, CallAction):
            yield from actions.get(step.action, frozenset())


def _check_flow(flow: Flow, flowset: FlowSet, known_actions: dict[str, frozenset[str]] | None,
                assigned: set[str] | None) -> list[Problem]:
    """Problems within one flow; ``assigned`` None skips the checks that need every flow."""
    problems: list[Problem] = []

    def add(line: int, message: str) -> None:
        problems.append(Problem(flow.file, line, message))

    for step in flow.steps.values():
        for target, line in targets(step):
            if target not in flow.steps:
                add(line, f"step '{step.id}' goes to '{target}', which is not a step of flow "
                    f"'{flow.name}'; steps are: {', '.join(flow.steps)}")
        if isinstance(step, Ask | Choose):
            for name in step.on:
                if name == CRISIS_ANSWER and isinstance(step, Ask):
                    continue  # the safety net's detection, not a classifier
                if name not in flowset.classifiers:
                    known = ", ".join(sorted(flowset.classifiers)) or "none are defined"
                    add(step.line, f"step '{step.id}' branches on unknown classifier "
                        f"'{name}'; classifiers are: {known}")
        if isinstance(step, CallAction) and known_actions is not None:
            if step.action not in known_actions:
                add(step.line, f"step '{step.id}' calls unknown action '{step.action}'; actions "
                    f"are: {', '.join(sorted(known_actions))}")
        if assigned is None:
            continue
        if isinstance(step, Goto) and step.flow is not None and step.flow not in flowset.flows:
            add(step.line, f"step '{step.id}' goes to flow '{step.flow}', which does not exist; "
                f"flows are: {', '.join(sorted(flowset.flows))}")
        for where, text in _texts(step):
            allowed = assigned | REASK_VARIABLES if where.endswith("invalid") else assigned
            problems.extend(_check_text(text, allowed, flow.file, where))
        for name, line in _used_variables(step):
            if name not in assigned:
                add(line, f"step '{step.id}' uses variable '{name}', which nothing sets")
    reached = _reachable(flow)
    for step in flow.steps.values():
        if step.id not in reached:
            add(step.line, f"step '{step.id}' can never be reached in flow '{flow.name}'")
    return problems


def _texts(step: Step) -> Iterator[tuple[str, Text]]:
    where = f"step '{step.id}'"
    if isinstance(step, Say | Ask | Choose):
        yield where, step.text
    if isinstance(step, Ask | Choose) and step.invalid is not None:
        yield f"{where} invalid", step.invalid
    if isinstance(step, Choose):
        for option in step.options:
            yield f"{where} option", option.label
    if isinstance(step, End | Resume) and step.text is not None:
        yield where, step.text


def _check_text(text: Text, assigned: set[str], file: str, where: str) -> list[Problem]:
    problems = []
    for variants in text.variants.values():
        for variant in variants:
            for name in template_names(variant):
                if name not in assigned:
                    problems.append(Problem(file, text.line, f"{where} uses variable '{name}', "
                                            "which nothing sets"))
    return problems


def _used_variables(step: Step) -> Iterator[tuple[str, int]]:
    if isinstance(step, Branch):
        for case in step.cases:
            yield from _condition_variables(case.when)
    if isinstance(step, SetVars | RecordStep):
        values: dict[str, Any] = dict(step.values if isinstance(step, SetVars) else step.fields)
        for value in values.values():
            if isinstance(value, str):
                for name in template_names(value):
                    yield name, step.line


def _condition_variables(cond: Condition) -> Iterator[tuple[str, int]]:
    if cond.args.get("subject") in ("var", "days_since"):
        yield str(cond.args["name"]), cond.line
    for child in cond.children:
        yield from _condition_variables(child)


def _reachable(flow: Flow) -> set[str]:
    seen: set[str] = set()
    todo = [flow.first]
    while todo:
        current = todo.pop()
        if current in seen or current not in flow.steps:
            continue
        seen.add(current)
        todo.extend(target for target, _ in targets(flow.steps[current]))
    return seen
