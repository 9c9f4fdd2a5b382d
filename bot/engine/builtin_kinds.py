"""The built-in step kinds, registered as any new kind would be (see bot/engine/kinds.py).

Each entry says how its YAML is parsed, what running it does and what the validator
checks. The larger parsers (ask, choose, branch, record) and the runner's larger parts
(questions and their answers, records, actions, resume) stay in the Parser and the
StepRunner, which every kind can use.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from bot.engine.conditions import evaluate
from bot.engine.kinds import WAIT, CheckContext, StepKind, StepSource, register
from bot.engine.model import (
    CRISIS_ANSWER,
    Ask,
    Branch,
    CallAction,
    Choose,
    Condition,
    End,
    Flow,
    Goto,
    RecordStep,
    Resume,
    Say,
    SetVars,
    Text,
)
from bot.engine.parse import Parser, template_names
from bot.engine.steps import StepRunner
from bot.engine.yamlsource import LineDict

# --- say -------------------------------------------------------------------------------


def _parse_say(parser: Parser, source: StepSource) -> Say | None:
    text = parser.text(source.value, source.at, source.where)
    return Say(source.step_id, source.raw.line, source.next, text) if text else None


async def _run_say(runner: StepRunner, flow: Flow, step: Say) -> str | None:
    runner.say(runner.renderer().text(step.text, key=f"{flow.name}.{step.id}"))
    return step.next


# --- questions: ask and choose -------------------------------------------------------


async def _run_question(runner: StepRunner, flow: Flow, step: Ask | Choose) -> Any:
    """Ask, and wait: the answer comes as the person's next event (see the runner)."""
    runner.event("step_reached", flow.name, step.id)
    runner.state = replace(runner.state, retries=0)
    runner.ask_question(step)
    return WAIT


def _question_targets(step: Ask | Choose) -> Iterator[tuple[str, int]]:
    if isinstance(step, Choose):
        for option in step.options:
            if option.next is not None:
                yield option.next, option.line
    for target in step.on.values():
        yield target, step.line


def _question_texts(step: Ask | Choose) -> Iterator[tuple[str, Text]]:
    where = f"step '{step.id}'"
    yield where, step.text
    if step.invalid is not None:
        yield f"{where} invalid", step.invalid
    if isinstance(step, Choose):
        for option in step.options:
            yield f"{where} option", option.label


def _question_sets(step: Ask | Choose, _: Mapping[str, frozenset[str]]) -> Iterator[str]:
    if step.into:
        yield step.into


def _classifiers_known(step: Ask | Choose, ctx: CheckContext) -> Iterator[tuple[int, str]]:
    for name in step.on:
        if name == CRISIS_ANSWER and isinstance(step, Ask):
            continue  # the safety net's own detection (a question that keeps crisis words)
        if name not in ctx.flowset.classifiers:
            known = ", ".join(sorted(ctx.flowset.classifiers)) or "none are defined"
            yield step.line, (f"step '{step.id}' branches on unknown classifier '{name}'; "
                              f"classifiers are: {known}")


# --- branch ----------------------------------------------------------------------------


async def _run_branch(runner: StepRunner, flow: Flow, step: Branch) -> str | None:
    variables = {**runner.state.vars}
    for case in step.cases:
        if evaluate(case.when, variables, runner.state.counts, runner.now):
            return case.next
    return step.otherwise


def _branch_targets(step: Branch) -> Iterator[tuple[str, int]]:
    for case in step.cases:
        yield case.next, case.line
    if step.otherwise is not None:
        yield step.otherwise, step.line


def _condition_variables(cond: Condition) -> Iterator[tuple[str, int]]:
    if cond.args.get("subject") in ("var", "days_since"):
        yield str(cond.args["name"]), cond.line
    for child in cond.children:
        yield from _condition_variables(child)


def _branch_uses(step: Branch) -> Iterator[tuple[str, int]]:
    for case in step.cases:
        yield from _condition_variables(case.when)


def _template_uses(values: Mapping[str, Any], line: int) -> Iterator[tuple[str, int]]:
    for value in values.values():
        if isinstance(value, str):
            for name in template_names(value):
                yield name, line


# --- set -------------------------------------------------------------------------------


def _parse_set(parser: Parser, source: StepSource) -> SetVars | None:
    value, raw = source.value, source.raw
    if not isinstance(value, LineDict):
        parser.problem(source.at, f"{source.where}: set takes a mapping of variable to value")
        return None
    for var in value:
        parser.name(var, value.line_of(var), "a variable")
    clear = raw.get("clear", [])
    if not isinstance(clear, list):
        parser.problem(raw.line_of("clear"), f"{source.where}: clear takes a list of variables")
        clear = []
    return SetVars(source.step_id, raw.line, source.next, dict(value), tuple(map(str, clear)))


async def _run_set(runner: StepRunner, flow: Flow, step: SetVars) -> str | None:
    render = runner.renderer()
    values = {k: render.raw(v) if isinstance(v, str) else v for k, v in step.values.items()}
    merged = {k: v for k, v in runner.state.vars.items() if k not in step.clear}
    merged.update(values)
    runner.state = replace(runner.state, vars=merged)
    return step.next


# --- record ----------------------------------------------------------------------------


async def _run_record(runner: StepRunner, flow: Flow, step: RecordStep) -> str | None:
    runner.record(step)
    return step.next


# --- action ----------------------------------------------------------------------------


def _parse_action(parser: Parser, source: StepSource) -> CallAction | None:
    raw, at = source.raw, source.at
    args = raw.get("args", {})
    on = raw.get("on", {})
    if not isinstance(args, dict) or not isinstance(on, dict):
        parser.problem(at, f"{source.where}: args and on must be mappings")
        return None
    on_lines = {str(k): on.line_of(k) if isinstance(on, LineDict) else at for k in on}
    return CallAction(source.step_id, raw.line, source.next,
                      parser.name(source.value, at, "an action"), args,
                      {str(k): str(v) for k, v in on.items()}, on_lines)


async def _run_action(runner: StepRunner, flow: Flow, step: CallAction) -> str | None:
    return await runner.action(step)


def _action_targets(step: CallAction) -> Iterator[tuple[str, int]]:
    for target in step.on.values():
        yield target, step.line


def _action_sets(step: CallAction, actions: Mapping[str, frozenset[str]]) -> Iterator[str]:
    yield from actions.get(step.action, frozenset())


def _action_check(step: CallAction, ctx: CheckContext) -> Iterator[tuple[int, str]]:
    known = ctx.known_actions
    if known is not None and step.action not in known:
        yield step.line, (f"step '{step.id}' calls unknown action '{step.action}'; actions "
                          f"are: {', '.join(sorted(known))}")
    # An outcome under ``on:`` that its action never returns would never be taken.
    outcomes = ctx.action_outcomes.get(step.action)
    if outcomes is None:
        return
    for name in step.on:
        if name not in outcomes:
            yield step.on_lines.get(name, step.line), (
                f"step '{step.id}': action '{step.action}' has no outcome '{name}'; its "
                f"outcomes are: {', '.join(sorted(outcomes)) or 'none'}")


# --- goto, end, resume -----------------------------------------------------------------


def _parse_goto(parser: Parser, source: StepSource) -> Goto | None:
    value = source.value
    if isinstance(value, str):
        return Goto(source.step_id, source.raw.line, None, step=value)
    if isinstance(value, LineDict) and set(value) == {"flow"}:
        return Goto(source.step_id, source.raw.line, None, flow=str(value["flow"]))
    parser.problem(source.at, f"{source.where}: goto takes a step name, or 'flow: NAME' "
                   "for another flow")
    return None


async def _run_goto(runner: StepRunner, flow: Flow, step: Goto) -> str | Flow | None:
    if step.flow is not None:
        runner.leave_flow("finished")
        return runner.engine.flows.flows[step.flow]
    return step.step


def _goto_targets(step: Goto) -> Iterator[tuple[str, int]]:
    if step.step is not None:
        yield step.step, step.line


def _goto_check(step: Goto, ctx: CheckContext) -> Iterator[tuple[int, str]]:
    flows = ctx.flowset.flows
    if ctx.complete and step.flow is not None and step.flow not in flows:
        yield step.line, (f"step '{step.id}' goes to flow '{step.flow}', which does not "
                          f"exist; flows are: {', '.join(sorted(flows))}")


def _closing_text(parser: Parser, source: StepSource) -> Text | None:
    """``end:`` / ``resume:`` take optional words (``true`` or nothing: none)."""
    value = source.value
    return None if value in (None, True) else parser.text(value, source.at, source.where)


def _parse_end(parser: Parser, source: StepSource) -> End | None:
    return End(source.step_id, source.raw.line, None, _closing_text(parser, source))


def _parse_resume(parser: Parser, source: StepSource) -> Resume | None:
    return Resume(source.step_id, source.raw.line, None, _closing_text(parser, source))


async def _run_end(runner: StepRunner, flow: Flow, step: End) -> None:
    if step.text is not None:
        runner.say(runner.renderer().text(step.text, key=f"{flow.name}.{step.id}"))


async def _run_resume(runner: StepRunner, flow: Flow, step: Resume) -> Any:
    return runner.resume(step)


def _closing_texts(step: End | Resume) -> Iterator[tuple[str, Text]]:
    if step.text is not None:
        yield f"step '{step.id}'", step.text


def _say_texts(step: Say) -> Iterator[tuple[str, Text]]:
    yield f"step '{step.id}'", step.text


for _kind in (
    StepKind("say", Say, _parse_say, _run_say, texts=_say_texts),
    StepKind("ask", Ask, lambda p, s: p.ask_step(s.step_id, s.raw, s.at, s.next),
             _run_question, frozenset({"into", "validate", "invalid", "on", "next"}),
             targets=_question_targets, texts=_question_texts, sets=_question_sets,
             check=_classifiers_known),
    StepKind("choose", Choose, lambda p, s: p.choose_step(s.step_id, s.raw, s.at, s.next),
             _run_question, frozenset({"options", "into", "invalid", "on", "next", "free"}),
             targets=_question_targets, texts=_question_texts, sets=_question_sets,
             check=_classifiers_known),
    StepKind("branch", Branch, lambda p, s: p.branch_step(s.step_id, s.raw, s.at, s.next),
             _run_branch, frozenset({"otherwise", "next"}), targets=_branch_targets,
             uses=_branch_uses),
    StepKind("set", SetVars, _parse_set, _run_set, frozenset({"clear", "next"}),
             uses=lambda step: _template_uses(step.values, step.line),
             sets=lambda step, _: iter(step.values)),
    StepKind("record", RecordStep, lambda p, s: p.record_step(s.step_id, s.raw, s.at, s.next),
             _run_record, frozenset({"fields", "next"}),
             uses=lambda step: _template_uses(step.fields, step.line)),
    StepKind("action", CallAction, _parse_action, _run_action,
             frozenset({"args", "on", "next"}), targets=_action_targets, sets=_action_sets,
             check=_action_check),
    StepKind("goto", Goto, _parse_goto, _run_goto, frozenset(), follows_next=False,
             targets=_goto_targets, check=_goto_check),
    StepKind("end", End, _parse_end, _run_end, frozenset(), follows_next=False,
             texts=_closing_texts),
    StepKind("resume", Resume, _parse_resume, _run_resume, frozenset(), follows_next=False,
             texts=_closing_texts),
):
    register(_kind)
