"""The ``goodhelp`` command as people run it: a real process, exit codes, stderr."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import FLOWS

BROKEN = Path(__file__).resolve().parent / "fixtures" / "broken"


def goodhelp(*args: str, cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot`` with no settings from the environment or a .env file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOODHELP_", "TELEGRAM_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "--env-file", str(cwd / "no.env"), *args],
        cwd=cwd, env=env, input=stdin.decode(), capture_output=True, text=True, timeout=60,
    )


def broken_folder(tmp_path: Path) -> Path:
    """A flows folder with three problems in two files."""
    root = tmp_path / "flows"
    (root / "config").mkdir(parents=True)
    system = BROKEN / "unreachable_step" / "config" / "system.yaml"
    (root / "config" / "system.yaml").write_text(system.read_text())
    (root / "hello.yaml").write_text((BROKEN / "next_missing_step" / "hello.yaml").read_text())
    (root / "other.yaml").write_text("flow: other\nsteps:\n  one:\n    ask: Name?\n")
    return root


def test_validate_broken_prints_each_problem_by_file_and_line_and_exits_1(tmp_path: Path) -> None:
    root = broken_folder(tmp_path)
    result = goodhelp("validate", str(root), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{root}/hello.yaml:5: step 'greet' goes to 'farewel'")
    assert lines[1] == f"{root}/hello.yaml:7: step 'farewell' can never be reached in flow 'hello'"
    assert lines[2].startswith(f"{root}/other.yaml:4: step 'one': an ask step needs 'into")
    assert lines[3] == "goodhelp: 3 problems in the flows; nothing was started"
    assert len(lines) == 4
    assert "Traceback" not in result.stderr


def test_validate_the_shipped_flows_exits_0(tmp_path: Path) -> None:
    result = goodhelp("validate", str(FLOWS), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{FLOWS}: ")
    assert "all valid" in result.stdout


def test_validate_names_an_outcome_the_action_never_returns(tmp_path: Path) -> None:
    root = tmp_path / "flows"
    shutil.copytree(FLOWS, root)
    checkin = root / "checkin.yaml"
    text = checkin.read_text(encoding="utf-8")
    assert "on: {found: remember_win, none: ask_win}" in text
    checkin.write_text(text.replace("none: ask_win", "nothing: ask_win"), encoding="utf-8")
    line = 1 + text.splitlines().index("    on: {found: remember_win, none: ask_win}")
    result = goodhelp("validate", str(root), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{checkin}:{line}: step 'recall': action 'recall_win' has no outcome 'nothing'; "
        "its outcomes are: found, none",
        "goodhelp: 1 problem in the flows; nothing was started"]


def test_validate_a_missing_folder(tmp_path: Path) -> None:
    result = goodhelp("validate", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"{tmp_path / 'nowhere'}:1: flows folder not found (is the path right?)")


def test_chat_refuses_to_start_with_broken_flows_and_the_same_list(tmp_path: Path) -> None:
    root = broken_folder(tmp_path)
    db = tmp_path / "chat.db"
    validate = goodhelp("validate", str(root), cwd=tmp_path)
    chat = goodhelp("chat", "--flows", str(root), "--db", str(db), cwd=tmp_path,
                    stdin=b"/start\nhello\n")
    assert chat.returncode == 1
    assert chat.stderr == validate.stderr
    assert chat.stdout == ""  # nothing was started: no greeting, no prompt
    assert not db.exists()
