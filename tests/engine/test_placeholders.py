"""`goodhelp validate` refuses placeholder text anywhere a person could read it (issue 11:
"Example entry: your programme can add ..." was shown to people as a contact)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.app import load_checked_flows
from bot.engine.loader import InvalidFlows
from bot.engine.placeholders import PLACEHOLDER

SHIPPED = Path(__file__).resolve().parents[2] / "flows"


def test_the_shipped_flows_have_no_placeholder_text() -> None:
    load_checked_flows(SHIPPED)  # raises with the file and line of any


@pytest.mark.parametrize("text", [
    "Example entry: your programme can add the venue and meeting times here.",
    "Example: your programme can put a good course here.",
    "Enghraifft: gall eich rhaglen ychwanegu'r lleoliad yma.",
    "TODO write this",
])
def test_stand_in_wording_is_recognised(text: str) -> None:
    assert PLACEHOLDER.search(text)


@pytest.mark.parametrize("text", [
    "For example, 10am or 7.30pm.", "Your programme can help.", "I'll do it today",
])
def test_everyday_wording_is_not(text: str) -> None:
    assert not PLACEHOLDER.search(text)


@pytest.mark.parametrize("where", ["content/opportunities.yaml", "win.yaml"])
def test_validate_names_the_file_and_line(tmp_path: Path, where: str) -> None:
    root = tmp_path / "flows"
    shutil.copytree(SHIPPED, root, ignore=shutil.ignore_patterns("tests"))
    path = root / where
    text = path.read_text(encoding="utf-8")
    needle = "\"What went well? A few words is plenty.\"" if where == "win.yaml" else \
        "\"Your local library or college can tell you when and where groups meet.\""
    assert needle in text
    path.write_text(text.replace(needle, "\"Example entry: your programme can add it here.\""),
                    encoding="utf-8")
    line = text[:text.index(needle)].count("\n") + 1
    with pytest.raises(InvalidFlows) as caught:
        load_checked_flows(root)
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == (str(path), line)
    assert "placeholder" in problem.message
