"""Turn line-aware YAML values into model objects, reporting problems with their line.

Each ``parse_*`` function appends to ``problems`` instead of raising, so that one run
of ``goodhelp validate`` lists every problem at once.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from bot.engine.kinds import StepSource, kinds
from bot.engine.model import (
    Ask,
    Branch,
    Case,
    ChoiceOption,
    Choose,
    Condition,
    RecordStep,
    Step,
    Text,
    Validation,
)
from bot.engine.yamlsource import LineDict, LineList, Problem, line_of

RECORD_FIELDS = {
    "achievement": ({"text"}, {"text", "purpose", "confidence", "prompted"}),
    "rating": ({"value"}, {"value", "context"}),
    "purpose": ({"text"}, {"text", "theme", "ref", "details", "active"}),
}
NUMERIC_OPS = ("gt", "gte", "lt", "lte")
VAR_OPS = frozenset({"equals", "not_equals", "in", "set", "contains", *NUMERIC_OPS})
COUNT_OPS = frozenset({"equals", *NUMERIC_OPS})
NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class Parser:
    """Collects problems for one file while parsing it."""

    def __init__(self, file: str, languages: frozenset[str], problems: list[Problem]) -> None:
        self.file = file
        self.languages = languages
        self.problems = problems

    def problem(self, line: int, message: str) -> None:
        """Note a problem at ``line`` of this file."""
        self.problems.append(Problem(self.file, line, message))

    def keys(self, mapping: LineDict, allowed: frozenset[str] | set[str], where: str) -> None:
        """Report every key of ``mapping`` that is not allowed, naming the allowed ones."""
        for key in mapping:
            if key not in allowed:
                names = ", ".join(sorted(allowed)) or "nothing else"
                self.problem(mapping.line_of(key),
                             f"unknown key '{key}' in {where}; allowed: {names}")

    def text(self, value: Any, line: int, where: str) -> Text | None:
        """A string, a list of variants, or a mapping of language to either."""
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            if not str(value).strip():
                self.problem(line, f"{where} is empty")
                return None
            return self._variants({"en": value}, line, where)
        if isinstance(value, LineList):
            return self._variants({"en": value}, line, where)
        if isinstance(value, LineDict):
            for lang in value:
                if lang not in self.languages:
                    allowed = ", ".join(sorted(self.languages))
                    self.problem(value.line_of(lang), f"{where}: unknown language '{lang}'; "
                                 f"languages are: {allowed}")
            return self._variants(dict(value), line_of(value, line), where)
        self.problem(line, f"{where} must be text, a list of variants, or a mapping of language "
                     "to text")
        return None

    def _variants(self, by_lang: dict[str, Any], line: int, where: str) -> Text | None:
        variants: dict[str, tuple[str, ...]] = {}
        for lang, raw in by_lang.items():
            items = list(raw) if isinstance(raw, list) else [raw]
            texts = tuple(str(item) for item in items if isinstance(item, str | int | float))
            if not texts or any(not t.strip() for t in texts) or len(texts) != len(items):
                self.problem(line, f"{where} has an empty or non-text variant")
                return None
            for t in texts:
                check_template(t, line, where, self)
            variants[lang] = texts
        if "en" not in variants and variants:
            self.problem(line, f"{where} has no English ('en') text to fall back on")
        return Text(variants, line) if variants else None

    def name(self, value: Any, line: int, what: str) -> str:
        """``value`` as a variable or step name, reporting it if it is not lower_case."""
        if not isinstance(value, str) or not NAME.match(value):
            self.problem(line, f"{what} must be a lower-case name like 'my_answer' (got {value!r})")
            return str(value)
        return value

    def step(self, step_id: str, raw: Any, line: int, implicit_next: str | None) -> Step | None:
        """One step, parsed by its kind from the registry; None (reported) if it is wrong."""
        step = self._step(step_id, raw, line, implicit_next)
        if step is not None and isinstance(raw, LineDict) and "next" in raw:
            step = replace(step, next_line=raw.line_of("next"))
        return step

    def _step(self, step_id: str, raw: Any, line: int, implicit_next: str | None) -> Step | None:
        registered = kinds()
        if not isinstance(raw, LineDict):
            self.problem(line, f"step '{step_id}' must be a mapping with one of: "
                         + ", ".join(registered))
            return None
        found = [k for k in raw if k in registered]
        if len(found) != 1:
            names = "none" if not found else ", ".join(found)
            self.problem(raw.line, f"step '{step_id}' needs exactly one of "
                         f"{', '.join(registered)} (found {names})")
            return None
        kind = registered[found[0]]
        self.keys(raw, kind.keys | {kind.name}, f"a '{kind.name}' step")
        nxt = raw.get("next", implicit_next) if kind.follows_next else None
        if "next" in raw and not isinstance(nxt, str):
            self.problem(raw.line_of("next"), f"step '{step_id}': next must be a step name")
            nxt = None
        source = StepSource(step_id, raw, raw[kind.name], raw.line_of(kind.name), nxt,
                            f"step '{step_id}'")
        step: Step | None = kind.parse(self, source)
        return step

    def ask_step(self, step_id: str, raw: LineDict, at: int, nxt: str | None) -> Ask | None:
        """An ``ask:`` step: a question whose typed answer goes into a variable."""
        where = f"step '{step_id}'"
        text = self.text(raw["ask"], at, where)
        if "into" not in raw:
            self.problem(raw.line, f"{where}: an ask step needs 'into: VARIABLE' to keep "
                         "the answer")
            return None
        into = self.name(raw["into"], raw.line_of("into"), "into")
        validation = Validation()
        rule = raw.get("validate")
        if rule is not None:
            if not isinstance(rule, LineDict):
                self.problem(raw.line_of("validate"), f"{where}: validate must be a mapping")
            else:
                self.keys(rule, {"min_length", "max_length", "number", "min", "max"}, "validate")
                nums = [rule.get(k) for k in ("min_length", "max_length", "min", "max")]
                if any(n is not None and not isinstance(n, int | float) for n in nums):
                    self.problem(rule.line, f"{where}: validate limits must be numbers")
                    return None
                validation = Validation(
                    min_length=int(rule.get("min_length", 1)),
                    max_length=int(rule.get("max_length", 2000)),
                    number=bool(rule.get("number", False)) or "min" in rule or "max" in rule,
                    minimum=rule.get("min"),
                    maximum=rule.get("max"),
                )
                lo, hi = validation.minimum, validation.maximum
                if (lo is not None and hi is not None and lo > hi) or (
                    validation.min_length > validation.max_length
                ):
                    self.problem(rule.line, f"{where}: validate minimum is above its maximum")
        invalid = self._invalid(raw, where)
        on = self._on(raw, where)
        return Ask(step_id, raw.line, nxt, text, into, validation, invalid, on) if text else None

    def _on(self, raw: LineDict, where: str) -> dict[str, str]:
        """A question's ``on: {classifier: step}``; the classifiers are checked later."""
        value = raw.get("on", {})
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            self.problem(raw.line_of("on"), f"{where}: on must map a classifier (such as "
                         "low_mood) to a step")
            return {}
        return {str(k): v for k, v in value.items()}

    def _invalid(self, raw: LineDict, where: str) -> Text | None:
        if "invalid" not in raw:
            return None
        return self.text(raw["invalid"], raw.line_of("invalid"), where)

    def choose_step(self, step_id: str, raw: LineDict, at: int,
                    nxt: str | None) -> Choose | None:
        """A ``choose:`` step: a question with options (buttons, or typed)."""
        where = f"step '{step_id}'"
        text = self.text(raw["choose"], at, where)
        options_raw = raw.get("options")
        if not isinstance(options_raw, LineList) or not options_raw:
            self.problem(raw.line, f"{where}: a choose step needs a non-empty list of options")
            return None
        options: list[ChoiceOption] = []
        seen: set[str] = set()
        for item, line in zip(options_raw, options_raw.item_lines, strict=True):
            if isinstance(item, str):
                item = LineDict({"label": item})
                item.line, item.key_lines = line, {}
            if not isinstance(item, LineDict) or "label" not in item:
                self.problem(line, f"{where}: each option needs a label")
                continue
            self.keys(item, {"label", "value", "next"}, "an option")
            label = self.text(item["label"], line, f"{where} option")
            value = str(item.get("value", label.variants["en"][0] if label and "en" in
                                  label.variants else ""))
            if value.casefold() in seen:
                self.problem(line, f"{where}: two options have the value '{value}'")
            seen.add(value.casefold())
            if label:
                options.append(ChoiceOption(label, value, item.get("next"), item.line_of("next")))
        into = self.name(raw["into"], raw.line_of("into"), "into") if "into" in raw else None
        invalid = self._invalid(raw, where)
        on = self._on(raw, where)
        free = raw.get("free") is True
        if free and (into is None or nxt is None):
            self.problem(raw.line_of("free"), f"{where}: 'free: true' needs 'into' and 'next', "
                         "where a typed answer goes")
        return (Choose(step_id, raw.line, nxt, text, tuple(options), into, invalid, on, free)
                if text else None)

    def branch_step(self, step_id: str, raw: LineDict, at: int,
                    nxt: str | None) -> Branch | None:
        """A ``branch:`` step: the first case whose condition holds says where to go."""
        where = f"step '{step_id}'"
        items = raw["branch"]
        if not isinstance(items, LineList) or not items:
            self.problem(at, f"{where}: branch takes a list of 'when:'/'next:' cases")
            return None
        cases: list[Case] = []
        for item, line in zip(items, items.item_lines, strict=True):
            if not isinstance(item, LineDict) or set(item) != {"when", "next"}:
                self.problem(line, f"{where}: each case needs exactly 'when' and 'next'")
                continue
            cond = self.condition(item["when"], item.line_of("when"))
            if cond:
                cases.append(Case(cond, str(item["next"]), item.line_of("next")))
        otherwise = raw.get("otherwise", nxt)
        return Branch(step_id, raw.line, nxt, tuple(cases), otherwise)

    def condition(self, raw: Any, line: int) -> Condition | None:
        """A branch condition (var, count, days_since, all, any, not), or None (reported)."""
        if not isinstance(raw, LineDict):
            self.problem(line, "a condition must be a mapping such as {var: x, equals: y}")
            return None
        line = raw.line
        for group in ("all", "any"):
            if group in raw:
                self.keys(raw, {group}, f"an '{group}' condition")
                if not isinstance(raw[group], list):
                    self.problem(line, f"'{group}' takes a list of conditions")
                    return None
                kids = tuple(c for c in (self.condition(x, line) for x in raw[group]) if c)
                return Condition(group, {}, kids, line)
        if "not" in raw:
            self.keys(raw, {"not"}, "a 'not' condition")
            kid = self.condition(raw["not"], line)
            return Condition("not", {}, (kid,), line) if kid else None
        for subject, ops in (("var", VAR_OPS), ("count", COUNT_OPS), ("days_since", COUNT_OPS)):
            if subject in raw:
                self.keys(raw, ops | {subject}, f"a '{subject}' condition")
                chosen = [op for op in raw if op in ops]
                if len(chosen) != 1:
                    self.problem(line, f"a '{subject}' condition needs one test of: "
                                 + ", ".join(sorted(ops)))
                    return None
                op = chosen[0]
                if op in NUMERIC_OPS and not isinstance(raw[op], int | float):
                    self.problem(raw.line_of(op), f"'{op}' compares with a number")
                    return None
                return Condition(op, {"subject": subject, "name": str(raw[subject]),
                                      "value": raw[op]}, (), line)
        self.problem(line, "a condition starts with one of: var, count, days_since, all, any, not")
        return None

    def record_step(self, step_id: str, raw: LineDict, at: int,
                    nxt: str | None) -> RecordStep | None:
        """A ``record:`` step: keep a win, a rating or a purpose."""
        kind = raw["record"]
        if kind not in RECORD_FIELDS:
            self.problem(at, f"step '{step_id}': cannot record '{kind}'; kinds are: "
                         + ", ".join(RECORD_FIELDS))
            return None
        fields = raw.get("fields", LineDict())
        if not isinstance(fields, LineDict):
            self.problem(raw.line_of("fields"), f"step '{step_id}': fields must be a mapping")
            return None
        required, allowed = RECORD_FIELDS[kind]
        self.keys(fields, allowed, f"a '{kind}' record")
        for name in sorted(required - set(fields)):
            self.problem(raw.line, f"step '{step_id}': a '{kind}' record needs the field '{name}'")
        return RecordStep(step_id, raw.line, nxt, kind, dict(fields))


TEMPLATE_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def template_names(text: str) -> list[str]:
    """Variable names a template uses: ``{name}`` or ``{name|fallback}``."""
    return [m.group(1).split("|", 1)[0].strip() for m in TEMPLATE_FIELD.finditer(text)
            if m.group(1) is not None]


def check_template(text: str, line: int, where: str, parser: Parser) -> None:
    """Report unbalanced braces and placeholders that are not variable names."""
    stripped = TEMPLATE_FIELD.sub("", text)
    if "{" in stripped or "}" in stripped:
        parser.problem(line, f"{where}: unbalanced '{{' or '}}' (write '{{{{' for a literal brace)")
    for name in template_names(text):
        if not NAME.match(name):
            parser.problem(line, f"{where}: '{{{name}}}' is not a variable name")
