"""Load a flows folder in stages: read YAML, build the model, check the graph.

``load_flows`` raises :class:`InvalidFlows` with every problem found; the CLI prints
them as ``file:line: message`` and refuses to start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.core.roles import ROLES
from bot.engine.classify import load_classifiers
from bot.engine.model import Consent, Flow, FlowSet, Text, Triggers
from bot.engine.parse import Parser
from bot.engine.placeholders import find_placeholders, placeholder_reason
from bot.engine.validate import check_flowset
from bot.engine.yamlsource import LineDict, LineList, Problem, YamlError, load_yaml

FLOW_KEYS = frozenset({"flow", "description", "menu", "triggers", "interrupt", "open", "roles",
                       "steps"})
SYSTEM_KEYS = frozenset({"languages", "default_language", "messages", "variables", "consent"})
REQUIRED_MESSAGES = (
    "fallback", "empty", "too_long", "too_short", "not_a_number", "number_range",
    "invalid_choice", "unknown_command", "stale_button", "unsupported", "cancelled",
    "nothing_to_cancel", "error", "flow_changed",
)


class InvalidFlows(Exception):
    """The flows folder has problems; ``problems`` lists each with its file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def load_flows(root: Path | str, *, known_actions: dict[str, frozenset[str]] | None = None,
               action_outcomes: dict[str, frozenset[str]] | None = None) -> FlowSet:
    """Load and check every flow under ``root``.

    ``known_actions`` maps each registered action to the variables it sets; with None,
    action names are not checked (useful for tools that only read flows).
    ``action_outcomes`` maps actions to the outcomes they can return: an outcome under
    ``on:`` that its action never returns is a problem.
    """
    root = Path(root)
    problems: list[Problem] = []
    if not root.is_dir():
        raise InvalidFlows([Problem(str(root), 1, "flows folder not found (is the path right?)")])
    system_path = root / "config" / "system.yaml"
    system = _load_system(root, system_path, problems)
    languages, default_language, messages, declared, consent = system
    flows: dict[str, Flow] = {}
    flow_files = sorted(root.glob("*.yaml")) + sorted(root.glob("*.yml"))
    if not flow_files:
        problems.append(Problem(str(root), 1, "no flow files (*.yaml) in this folder"))
    for path in flow_files:
        flow = _load_flow(path, frozenset(languages), problems)
        if flow is None:
            continue
        if flow.name in flows:
            problems.append(Problem(flow.file, flow.line, f"flow '{flow.name}' is already defined "
                                    f"in {flows[flow.name].file}"))
            continue
        flows[flow.name] = flow
    content = _load_folder(root / "content", problems)
    config = _load_folder(root / "config", problems)
    classifiers = load_classifiers(config, str(root / "config"), problems)
    contacts = _contacts(config, root / "config", frozenset(languages), problems)
    flowset = FlowSet(flows, messages, languages, default_language, content, config, consent,
                      classifiers, contacts)
    problems.extend(_placeholders(root, flow_files, content, config))
    # Check the graph even when some files failed, so one run lists every problem; but only
    # in files that read cleanly, and not what a failed file might have provided.
    failed = {problem.file for problem in problems}
    problems.extend(problem for problem in check_flowset(
        flowset, known_actions, declared, str(system_path), partial=bool(failed),
        action_outcomes=action_outcomes)
        if problem.file not in failed)
    if problems:
        # By file and line, as an author reads them; the sort is stable within a line.
        raise InvalidFlows(sorted(problems, key=lambda p: (p.file, p.line)))
    return flowset


def _load_system(root: Path, path: Path, problems: list[Problem]
                 ) -> tuple[dict[str, str], str, dict[str, Text], frozenset[str], Consent | None]:
    name = str(path)
    if not path.is_file():
        problems.append(Problem(name, 1, "system settings file is missing "
                                "(it holds languages and messages)"))
        return {"en": "English"}, "en", {}, frozenset(), None
    try:
        raw = load_yaml(path)
    except YamlError as exc:
        problems.append(exc.problem)
        return {"en": "English"}, "en", {}, frozenset(), None
    parser = Parser(name, frozenset({"en"}), problems)
    if not isinstance(raw, LineDict):
        parser.problem(1, "must be a mapping with: " + ", ".join(sorted(SYSTEM_KEYS)))
        return {"en": "English"}, "en", {}, frozenset(), None
    parser.keys(raw, SYSTEM_KEYS, "system settings")
    languages = raw.get("languages", {"en": "English"})
    if not isinstance(languages, dict) or "en" not in languages:
        parser.problem(raw.line_of("languages"), "languages must map codes to names and include en")
        languages = {"en": "English"}
    languages = {str(k): str(v) for k, v in languages.items()}
    parser.languages = frozenset(languages)
    default = str(raw.get("default_language", "en"))
    if default not in languages:
        parser.problem(raw.line_of("default_language"), f"default_language '{default}' is not "
                       "one of the languages")
    messages: dict[str, Text] = {}
    raw_messages = raw.get("messages", LineDict())
    if not isinstance(raw_messages, LineDict):
        parser.problem(raw.line_of("messages"), "messages must be a mapping")
        raw_messages = LineDict()
    for key, value in raw_messages.items():
        text = parser.text(value, raw_messages.line_of(key), f"message '{key}'")
        if text:
            messages[key] = text
    for key in REQUIRED_MESSAGES:
        if key not in raw_messages:
            parser.problem(raw_messages.line or 1, f"message '{key}' is missing")
    declared = raw.get("variables", [])
    if not isinstance(declared, list):
        parser.problem(raw.line_of("variables"), "variables must be a list of names")
        declared = []
    consent = None
    raw_consent = raw.get("consent")
    if raw_consent is not None:
        required = {"variable", "equals", "flow"}
        if not isinstance(raw_consent, LineDict) or not required <= set(raw_consent) or (
                set(raw_consent) - required - {"keep"}):
            parser.problem(raw.line_of("consent"), "consent needs: variable, equals, flow "
                           "(and may have: keep)")
        else:
            keep = raw_consent.get("keep", ["language"])
            if not isinstance(keep, list) or not all(isinstance(k, str) for k in keep):
                parser.problem(raw_consent.line_of("keep"), "consent keep must be a list of "
                               "variable names")
                keep = ["language"]
            consent = Consent(str(raw_consent["variable"]), str(raw_consent["equals"]),
                              str(raw_consent["flow"]), tuple(keep))
    return languages, default, messages, frozenset(map(str, declared)), consent


def _load_flow(path: Path, languages: frozenset[str], problems: list[Problem]) -> Flow | None:
    name = str(path)
    try:
        raw = load_yaml(path)
    except YamlError as exc:
        problems.append(exc.problem)
        return None
    parser = Parser(name, languages, problems)
    if raw is None:
        parser.problem(1, "the file is empty; a flow needs 'flow:' and 'steps:'")
        return None
    if not isinstance(raw, LineDict):
        parser.problem(1, "a flow file must be a mapping with 'flow:' and 'steps:'")
        return None
    parser.keys(raw, FLOW_KEYS, "a flow")
    if "flow" not in raw:
        parser.problem(raw.line, "missing 'flow: NAME'")
        return None
    flow_name = parser.name(raw["flow"], raw.line_of("flow"), "the flow name")
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, LineDict) or not steps_raw:
        parser.problem(raw.line_of("steps"), f"flow '{flow_name}' needs 'steps:' with at least "
                       "one step")
        return None
    ids = list(steps_raw)
    steps = {}
    for index, step_id in enumerate(ids):
        parser.name(step_id, steps_raw.line_of(step_id), "a step name")
        implicit = ids[index + 1] if index + 1 < len(ids) else None
        step = parser.step(step_id, steps_raw[step_id], steps_raw.line_of(step_id), implicit)
        if step is not None:
            steps[step_id] = step
    triggers = _triggers(raw, parser)
    menu = parser.text(raw["menu"], raw.line_of("menu"), "menu") if "menu" in raw else None
    flags = {}
    for flag in ("interrupt", "open"):
        flags[flag] = raw.get(flag, False)
        if not isinstance(flags[flag], bool):
            parser.problem(raw.line_of(flag), f"{flag} must be true or false")
    if flags["interrupt"] is True and not triggers.keywords:
        parser.problem(raw.line_of("interrupt"), "an interrupt flow needs triggers.keywords to "
                       "know when to step in")
    return Flow(flow_name, name, raw.line_of("flow"), steps, ids[0], triggers,
                flags["interrupt"] is True, menu, str(raw.get("description", "")),
                flags["open"] is True, _roles(raw, parser))


def _roles(raw: LineDict, parser: Parser) -> tuple[str, ...]:
    """The flow's ``roles:``, each one of :data:`bot.core.roles.ROLES`."""
    if "roles" not in raw:
        return ()
    value, line = raw["roles"], raw.line_of("roles")
    if not isinstance(value, list) or not value:
        parser.problem(line, f"roles must be a list of one or more of: {', '.join(ROLES)}")
        return ()
    roles: list[str] = []
    for item in value:
        if item not in ROLES:
            parser.problem(line, f"unknown role {item!r}; roles are: {', '.join(ROLES)}")
        else:
            roles.append(str(item))
    return tuple(roles)


def _triggers(raw: LineDict, parser: Parser) -> Triggers:
    value = raw.get("triggers", LineDict())
    if not isinstance(value, LineDict):
        parser.problem(raw.line_of("triggers"), "triggers must be a mapping")
        return Triggers()
    parser.keys(value, {"commands", "keywords"}, "triggers")
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("commands", "keywords"):
        items = value.get(key, LineList())
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            parser.problem(value.line_of(key), f"triggers.{key} must be a list of words")
            items = []
        lists[key] = tuple(i.strip().lstrip("/").lower() if key == "commands" else i
                           for i in items)
    for command in lists["commands"]:
        if not command.replace("_", "").isalnum() or not command.isascii() or len(command) > 32:
            parser.problem(value.line_of("commands"), f"command '{command}' must be 1-32 "
                           "letters, digits or underscores (Telegram's rule)")
    line = value.line_of("commands") if "commands" in value else 0
    return Triggers(lists["commands"], lists["keywords"], line)


def _contacts(config: dict[str, Any], folder: Path, languages: frozenset[str],
              problems: list[Problem]) -> dict[str, Text]:
    """Numbers and addresses from any config file's ``contacts:`` block, kept in one place
    and used in texts as ``{contact_NAME}``."""
    found: dict[str, Text] = {}
    for stem, raw in sorted(config.items()):
        if not isinstance(raw, LineDict) or "contacts" not in raw:
            continue
        parser = Parser(str(folder / f"{stem}.yaml"), languages, problems)
        block = raw["contacts"]
        if not isinstance(block, LineDict):
            parser.problem(raw.line_of("contacts"), "contacts must map a name to its text")
            continue
        for name, value in block.items():
            parser.name(name, block.line_of(name), "a contact name")
            text = parser.text(value, block.line_of(name), f"contact '{name}'")
            if name in found:
                parser.problem(block.line_of(name), f"contact '{name}' is defined twice")
            elif text is not None:
                found[name] = text
                if reason := _placeholder(text):
                    parser.problem(block.line_of(name), f"contact '{name}' is {reason}: "
                                   "people would be sent nowhere; write your programme's "
                                   "own (docs/safety.md, 'Your programme's details')")
    return found


def _placeholder(text: Text) -> str | None:
    return next((reason for variants in text.variants.values() for variant in variants
                 if (reason := placeholder_reason(variant))), None)


def _placeholders(root: Path, flow_files: list[Path], content: dict[str, Any],
                  config: dict[str, Any]) -> list[Problem]:
    """Placeholder text anywhere a person could read it: flows, content, system messages."""
    found: list[Problem] = []
    for path in flow_files:
        try:
            found.extend(find_placeholders(load_yaml(path), str(path)))
        except YamlError:
            pass  # already reported when the flow was read
    for stem, document in content.items():
        found.extend(find_placeholders(document, str(root / "content" / f"{stem}.yaml")))
    if "system" in config:
        found.extend(find_placeholders(config["system"], str(root / "config" / "system.yaml")))
    return found


def _load_folder(folder: Path, problems: list[Problem]) -> dict[str, Any]:
    """Every YAML file in a folder by its stem: content and configuration."""
    found: dict[str, Any] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.yaml")):
        try:
            found[path.stem] = load_yaml(path)
        except YamlError as exc:
            problems.append(exc.problem)
    return found
