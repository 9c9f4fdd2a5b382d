"""Broken flows are refused with ``file:line: message``, one line per problem.

Each folder under tests/fixtures/broken/ is a small complete flows folder (its own
config/system.yaml) with one thing wrong; the table below says where and what.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.engine.loader import InvalidFlows, load_flows
from bot.engine.model import Choose, SetVars
from bot.engine.yamlsource import Problem

BROKEN = Path(__file__).resolve().parent.parent / "fixtures" / "broken"
SYSTEM = BROKEN / "unreachable_step" / "config" / "system.yaml"
ACTIONS = {"say_thanks": frozenset({"thanked"})}
OUTCOMES = {"say_thanks": frozenset({"thanked", "shy"})}

# case folder, file inside it (or "" for the folder itself), line, part of the message
CASES: list[tuple[str, str, int, str]] = [
    ("tab_indent", "hello.yaml", 4, "not valid YAML: found character '\\t'"),
    ("unclosed_bracket", "hello.yaml", 3, "the [ opened on this line is never closed"),
    ("not_utf8", "hello.yaml", 4, "is not UTF-8 text"),
    ("empty_file", "hello.yaml", 1, "the file is empty"),
    ("list_not_mapping", "hello.yaml", 1, "a flow file must be a mapping with 'flow:'"),
    ("missing_flow", "hello.yaml", 1, "missing 'flow: NAME'"),
    ("missing_steps", "hello.yaml", 1, "flow 'hello' needs 'steps:'"),
    ("unknown_top_key", "hello.yaml", 2, "unknown key 'trigger' in a flow; allowed: description, "
     "flow, interrupt, menu, open, roles, steps, triggers"),
    ("two_kinds", "hello.yaml", 6, "step 'name' needs exactly one of say, ask, choose"),
    ("no_kind", "hello.yaml", 6, "step 'later' needs exactly one of say, ask"),
    ("unknown_step_key", "hello.yaml", 5, "unknown key 'text' in a 'say' step; allowed: next, say"),
    ("next_missing_step", "hello.yaml", 5, "step 'greet' goes to 'farewel', which is not a step"),
    ("goto_missing_flow", "hello.yaml", 6, "goes to flow 'menuu', which does not exist"),
    ("unreachable_step", "hello.yaml", 6, "step 'orphan' can never be reached"),
    ("unknown_action", "hello.yaml", 6, "calls unknown action 'send_thanks'; actions are: "
     "say_thanks"),
    ("unknown_outcome", "hello.yaml", 7, "step 'thank': action 'say_thanks' has no outcome "
     "'thankd'; its outcomes are: shy, thanked"),
    ("unset_variable_in_text", "hello.yaml", 4, "uses variable 'nickname', which nothing sets"),
    ("unset_variable_in_condition", "hello.yaml", 5, "uses variable 'mood', which nothing sets"),
    ("unbalanced_brace", "hello.yaml", 7, "unbalanced '{' or '}'"),
    ("ask_without_into", "hello.yaml", 4, "an ask step needs 'into: VARIABLE'"),
    ("choose_without_options", "hello.yaml", 4, "a choose step needs a non-empty list of options"),
    ("duplicate_option_values", "hello.yaml", 9, "two options have the value 'OK'"),
    ("branch_case_missing_next", "hello.yaml", 5, "each case needs exactly 'when' and 'next'"),
    ("bad_condition_operator", "hello.yaml", 7, "unknown key 'above' in a 'count' condition; "
     "allowed: count, equals, gt, gte, lt, lte"),
    ("compare_with_non_number", "hello.yaml", 7, "'gte' compares with a number"),
    ("validate_min_above_max", "hello.yaml", 7, "validate minimum is above its maximum"),
    ("duplicate_flow_name", "b_hello.yaml", 2, "flow 'hello' is already defined in"),
    ("duplicate_command", "b_brag.yaml", 3, "/win already starts flow 'win'"),
    ("cancel_claimed", "hello.yaml", 3, "/cancel is built in and cannot start a flow"),
    ("unknown_language", "hello.yaml", 6, "unknown language 'fr'; languages are: en"),
    ("text_without_english", "hello.yaml", 5, "has no English ('en') text"),
    ("interrupt_without_keywords", "safety.yaml", 2, "an interrupt flow needs triggers.keywords"),
    ("missing_system_yaml", "config/system.yaml", 1, "system settings file is missing"),
    ("system_message_missing", "config/system.yaml", 7, "message 'stale_button' is missing"),
    ("no_flow_files", "", 1, "no flow files (*.yaml) in this folder"),
    ("duplicate_key", "hello.yaml", 8, "'greet' appears twice in the same mapping"),
    ("record_kind_unknown", "hello.yaml", 7, "cannot record 'triumph'; kinds are: achievement"),
    ("bad_command_name", "hello.yaml", 3, "command 'say-hello' must be 1-32 letters"),
]


def problems_in(root: Path) -> list[Problem]:
    with pytest.raises(InvalidFlows) as caught:
        load_flows(root, known_actions=ACTIONS, action_outcomes=OUTCOMES)
    assert str(caught.value) == "\n".join(str(p) for p in caught.value.problems)
    return caught.value.problems


@pytest.mark.parametrize(("case", "file", "line", "message"), CASES, ids=[c[0] for c in CASES])
def test_broken_flow_is_reported_at_its_line(case: str, file: str, line: int,
                                             message: str) -> None:
    root = BROKEN / case
    problems = problems_in(root)
    expected = f"{root / file if file else root}:{line}: "
    lines = [str(p) for p in problems]
    assert any(text.startswith(expected) and message in text for text in lines), (
        f"wanted {expected}...{message}\ngot:\n" + "\n".join(lines))
    # The one broken file is the only one blamed: the shared system file is fine.
    assert {Path(p.file) for p in problems} == {root / file if file else root}


def test_every_fixture_has_a_case() -> None:
    folders = {path.name for path in BROKEN.iterdir() if path.is_dir()}
    assert folders == {case for case, *_ in CASES}
    assert len(folders) >= 20


def test_missing_flows_folder(tmp_path: Path) -> None:
    problems = problems_in(tmp_path / "nowhere")
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'nowhere'}:1: flows folder not found (is the path right?)"]


def copy_system(root: Path) -> Path:
    (root / "config").mkdir(parents=True)
    shutil.copy(SYSTEM, root / "config" / "system.yaml")
    return root


def test_every_problem_in_a_folder_is_reported_in_one_run(tmp_path: Path) -> None:
    root = copy_system(tmp_path / "flows")
    (root / "a_tabs.yaml").write_text("flow: a\nsteps:\n  one:\n\tsay: hi\n")
    (root / "b_key.yaml").write_text("flow: b\nstep:\n  one:\n    say: hi\n")
    (root / "c_into.yaml").write_text("flow: c\nsteps:\n  one:\n    ask: Name?\n")
    # Files that read cleanly still get their graph checked beside the broken ones.
    (root / "d_orphan.yaml").write_text("flow: d\nsteps:\n  one:\n    end: bye\n"
                                        "  two:\n    say: never\n")
    (root / "e_target.yaml").write_text("flow: e\nsteps:\n  one:\n    say: hi\n"
                                        "    next: nowhere\n")
    lines = [str(p) for p in problems_in(root)]
    assert lines[:3] == [
        f"{root}/a_tabs.yaml:4: not valid YAML: found character '\\t' that cannot start any token",
        f"{root}/b_key.yaml:1: flow 'b' needs 'steps:' with at least one step",
        f"{root}/b_key.yaml:2: unknown key 'step' in a flow; allowed: description, flow, "
        "interrupt, menu, open, roles, steps, triggers",
    ]
    assert lines[3].startswith(f"{root}/c_into.yaml:4: step 'one': an ask step needs 'into")
    assert lines[4] == f"{root}/d_orphan.yaml:6: step 'two' can never be reached in flow 'd'"
    assert lines[5].startswith(f"{root}/e_target.yaml:5: step 'one' goes to 'nowhere'")
    assert len(lines) == 6


def test_no_guesses_about_other_files_while_one_is_broken(tmp_path: Path) -> None:
    """A flow that uses a variable or flow from a file that failed is not blamed for it."""
    root = copy_system(tmp_path / "flows")
    (root / "a_sets.yaml").write_text("flow: a\nsteps:\n  one:\n    ask: Name?\n"
                                      "    into: nickname\n    bogus: 1\n")
    (root / "b_uses.yaml").write_text("flow: b\nsteps:\n  one:\n    say: 'Hi {nickname}'\n"
                                      "  two:\n    goto: {flow: a}\n")
    lines = [str(p) for p in problems_in(root)]
    assert len(lines) == 1
    assert lines[0].startswith(f"{root}/a_sets.yaml:6: unknown key 'bogus'")


def test_yaml_1_1_words_stay_strings(tmp_path: Path) -> None:
    root = copy_system(tmp_path / "flows")
    (root / "words.yaml").write_text(
        "flow: words\n"
        "open: true\n"
        "steps:\n"
        "  pick:\n"
        "    choose: Which?\n"
        "    into: picked\n"
        "    options:\n"
        "      - {label: Yes, value: yes}\n"
        "      - {label: No, value: no}\n"
        "      - {label: On, value: on}\n"
        "      - {label: Off, value: off}\n"
        "      - y\n"
        "      - n\n"
        "  remember:\n"
        "    set: {answered: yes, sure: true, country: NO}\n"
    )
    flows = load_flows(root, known_actions=ACTIONS)
    pick = flows.flows["words"].steps["pick"]
    assert isinstance(pick, Choose)
    assert [o.value for o in pick.options] == ["yes", "no", "on", "off", "y", "n"]
    assert [o.label.variants["en"] for o in pick.options][:4] == [
        ("Yes",), ("No",), ("On",), ("Off",)]
    remember = flows.flows["words"].steps["remember"]
    assert isinstance(remember, SetVars)
    assert remember.values == {"answered": "yes", "sure": True, "country": "NO"}
    assert flows.flows["words"].open is True

