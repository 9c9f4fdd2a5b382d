"""The pattern language of flows/safety/patterns.yaml, and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety.patterns import PatternError, PatternSet, load_patterns

SLOTS = {"pills": ["pills", "tablets"], "with": ["with", "between"], "lots": ["too many"]}


def matches(pattern: str, text: str) -> bool:
    return PatternSet({"kind": [pattern]}, SLOTS).match(text) is not None


def test_a_word_matches_its_other_forms() -> None:
    assert matches("take {lots} {pills}", "I took too many tablets")
    assert matches("take {lots} {pills}", "I've taken too many pills")
    assert not matches("take {lots} {pills}", "I took too many photos")


def test_a_gap_allows_up_to_three_words_and_a_long_gap_six() -> None:
    assert matches("take * {pills}", "took all of my pills")
    assert not matches("take * {pills}", "took the dog and then the pills")
    assert matches("take ** {pills}", "took the dog and then the pills")


def test_a_negated_word_may_not_follow() -> None:
    assert matches("end it !{with}", "I want to end it")
    assert matches("end it !{with}", "I want to end it tonight")
    assert not matches("end it !{with}", "I want to end it with him")


def test_an_exact_word_has_no_other_forms() -> None:
    assert matches("=kms", "kms")
    assert not matches("=kms", "I walked 5 km")


def test_the_end_of_the_message() -> None:
    assert matches("cant go on $", "I can't go on.")
    assert not matches("cant go on $", "I can't go on holiday")


def test_welsh_mutations_are_undone() -> None:
    assert matches("bywyd", "dod â fy mywyd i ben")
    assert matches("lladd fy hun", "dw i'n mynd i ladd fy hun")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "patterns.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_unknown_slot_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "slots:\n  pills: [pills]\npatterns:\n  overdose:\n"
                 "    - \"take {tablets}\"\n")
    with pytest.raises(PatternError) as caught:
        load_patterns(path)
    assert f"{path}:4: " in str(caught.value)
    assert "unknown slot 'tablets'; slots: pills" in str(caught.value)


def test_unknown_keys_and_empty_lists_are_problems(tmp_path: Path) -> None:
    path = write(tmp_path, "slot:\n  a: [b]\npatterns:\n  kind: []\n")
    with pytest.raises(PatternError) as caught:
        load_patterns(path)
    message = str(caught.value)
    assert "unknown key 'slot'; allowed: slots, textspeak, vocabulary, patterns" in message
    assert "patterns.kind must be a non-empty list of text" in message


def test_validate_reports_pattern_problems(tmp_path: Path) -> None:
    import shutil

    from bot.cli import main

    flows = tmp_path / "flows"
    shutil.copytree(Path(__file__).resolve().parents[2] / "flows", flows)
    (flows / "safety" / "patterns.yaml").write_text(
        "slots: {}\npatterns:\n  x: [\"{nope}\"]\n", encoding="utf-8")
    assert main(["validate", str(flows)], environ={}) != 0
