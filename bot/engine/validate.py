"""Check a loaded flow set as a whole: targets, reachability, actions, variables."""

from __future__ import annotations

from collections.abc import Iterator

from bot.engine.kinds import CheckContext, kind_of
from bot.engine.model import Flow, FlowSet, Step, Text
from bot.engine.parse import template_names
from bot.engine.yamlsource import Problem

BUILTIN_COMMANDS = frozenset({"cancel"})
# Filled in when a question is asked again, for messages and `invalid:` texts.
REASK_VARIABLES = frozenset({"min", "max", "max_length", "length", "question"})
# Variables the engine itself provides to every template and condition.
BUILTIN_VARIABLES = frozenset({
    "now", "today", "language", "purpose_ref", "start_payload", "answer", "language_hint",
    "count_achievements", "count_ratings", "count_purposes",
})


def targets(step: Step) -> Iterator[tuple[str, int]]:
    """Every step name this step can go to, with the line that names it."""
    kind = kind_of(step)
    if step.next is not None and kind.follows_next:
        yield step.next, step.next_line or step.line
    yield from kind.targets(step)


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
        context = CheckContext(flow, flowset, known_actions, action_outcomes or {}, not partial)
        problems.extend(_check_flow(flow, context, None if partial else assigned))
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


def _assigned(flow: Flow, actions: dict[str, frozenset[str]]) -> Iterator[str]:
    for step in flow.steps.values():
        yield from kind_of(step).sets(step, actions)


def _check_flow(flow: Flow, context: CheckContext,
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
        kind = kind_of(step)
        for line, message in kind.check(step, context):
            add(line, message)
        if assigned is None:
            continue
        for where, text in kind.texts(step):
            allowed = assigned | REASK_VARIABLES if where.endswith("invalid") else assigned
            problems.extend(_check_text(text, allowed, flow.file, where))
        for name, line in kind.uses(step):
            if name not in assigned:
                add(line, f"step '{step.id}' uses variable '{name}', which nothing sets")
    reached = _reachable(flow)
    for step in flow.steps.values():
        if step.id not in reached:
            add(step.line, f"step '{step.id}' can never be reached in flow '{flow.name}'")
    return problems


def _check_text(text: Text, assigned: set[str], file: str, where: str) -> list[Problem]:
    problems = []
    for variants in text.variants.values():
        for variant in variants:
            for name in template_names(variant):
                if name not in assigned:
                    problems.append(Problem(file, text.line, f"{where} uses variable '{name}', "
                                            "which nothing sets"))
    return problems


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
