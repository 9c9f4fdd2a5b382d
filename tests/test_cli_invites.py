"""``goodhelp invite`` and ``goodhelp invites``: a real process, then the code in a chat."""

from __future__ import annotations

import re
from pathlib import Path

from tests.test_cli import goodhelp

CODE = re.compile(r"/start (\S+)")


def onboarding(code: str) -> bytes:
    """A terminal newcomer who comes with ``code``, agrees and opens the staff tools."""
    return f"/start {code}\n1\n1\nskip\n1\n1\n/staff\n:quit\n".encode()


def test_the_first_staff_member_comes_from_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    made = goodhelp("invite", "staff", "--db", str(db), "--bot", "@good_test_bot",
                    cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    code = CODE.search(made.stdout)
    assert code is not None
    assert f"https://t.me/good_test_bot?start={code.group(1)}" in made.stdout
    chat = goodhelp("chat", "--db", str(db), "--as", "ana", cwd=tmp_path,
                    stdin=onboarding(code.group(1)))
    assert "for programme staff" in chat.stdout
    assert "These are the staff tools" in chat.stdout


def test_a_withdrawn_code_reaches_no_one_and_the_list_never_shows_codes(
        tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    made = goodhelp("invite", "mentor", "--cohort", "spring", "--uses", "3", "--expires", "2",
                    "--db", str(db), cwd=tmp_path)
    code = CODE.search(made.stdout)
    assert code is not None
    listed = goodhelp("invites", "--db", str(db), cwd=tmp_path)
    assert "#1  mentor, cohort spring, open, 3 uses left" in listed.stdout
    assert code.group(1) not in listed.stdout
    withdrawn = goodhelp("invites", "--db", str(db), "--revoke", "1", cwd=tmp_path)
    assert withdrawn.returncode == 0 and "withdrawn" in withdrawn.stdout
    assert "revoked" in goodhelp("invites", "--db", str(db), cwd=tmp_path).stdout
    chat = goodhelp("chat", "--db", str(db), "--as", "bo", cwd=tmp_path,
                    stdin=onboarding(code.group(1)))
    assert "doesn't work any more" in chat.stdout
    assert "for the programme's mentors or staff" in chat.stdout  # /staff refused
    again = goodhelp("invites", "--db", str(db), "--revoke", "9", cwd=tmp_path)
    assert again.returncode == 1 and "no invitation 9" in again.stderr


def test_invite_refuses_nonsense_numbers(tmp_path: Path) -> None:
    result = goodhelp("invite", "mentor", "--uses", "0", "--db", str(tmp_path / "x.db"),
                      cwd=tmp_path)
    assert result.returncode == 2 and "--uses" in result.stderr
    bad_role = goodhelp("invite", "admin", cwd=tmp_path)
    assert bad_role.returncode == 2
