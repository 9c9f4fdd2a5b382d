"""Numbers and addresses live in one place (flows/config/contacts.yaml): a deployment
changes one line there and every text that gives that number changes with it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.app import open_app
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.engine.events import Text
from bot.storage.memory import MemoryStorage
from tests.conftest import FLOWS

NUMBERS = ("116 123", "0808 164 0123", "85258")


def test_no_flow_repeats_a_number_that_contacts_yaml_holds() -> None:
    for path in sorted(FLOWS.glob("*.yaml")):
        text = re.sub(r"(?m)^\s*#.*$", "", path.read_text(encoding="utf-8"))
        for number in NUMBERS:
            assert number not in text, f"{path.name} repeats {number}; use {{contact_...}}"


async def test_changing_a_number_in_contacts_changes_the_signposting(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(FLOWS, flows)
    contacts = flows / "config" / "contacts.yaml"
    contacts.write_text(contacts.read_text().replace('"116 123"', '"0800 000 111"')
                        .replace(
        "This copy of goodhelp hasn't been given their phone number or email yet; whoever "
        "gave you the link will know how to reach them.", "Call in at the Hub and ask for Jo."))
    app = await open_app(flows, MemoryStorage(), clock=FakeClock())
    try:
        key = PersonKey("test", "contacts")
        crisis = await app.conversations.handle(key, Text("I want to end my life"))
        text = "\n".join(r.text for r in crisis)
        assert "call 0800 000 111" in text and "116 123" not in text
        await app.conversations.handle(key, Text("/cancel"))
        person = await app.conversations.handle(key, Text("can I talk to a real person"))
        assert "Call in at the Hub and ask for Jo." in "\n".join(r.text for r in person)
    finally:
        await app.close()


PLACEHOLDERS = ('"01632 960000"', '"+44 7700 900 123"', '"support@example.org"',
                '"TODO"', '"<your number>"', '"call (your number)"')


@pytest.mark.parametrize("placeholder", PLACEHOLDERS)
def test_validate_refuses_a_placeholder_contact(tmp_path: Path, placeholder: str) -> None:
    """Issue 9 (a): the shipped programme contact was a drama number and an example.org
    address, and validate let it through, so people asking for a person were sent
    nowhere. A placeholder is now a problem naming the file and line."""
    flows = tmp_path / "flows"
    shutil.copytree(FLOWS, flows)
    contacts = flows / "config" / "contacts.yaml"
    text = contacts.read_text(encoding="utf-8")
    contacts.write_text(text.replace('  programme_hours:\n',
                                     f"  programme_phone: {placeholder}\n  programme_hours:\n"),
                        encoding="utf-8")
    line = contacts.read_text(encoding="utf-8").splitlines().index(
        f"  programme_phone: {placeholder}") + 1
    result = subprocess.run([sys.executable, "-m", "bot", "validate", str(flows)],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1
    assert f"contacts.yaml:{line}: contact 'programme_phone'" in result.stderr + result.stdout


def test_the_shipped_programme_contact_is_honest_not_a_placeholder() -> None:
    from bot.engine.placeholders import placeholder_reason

    contacts = yaml.safe_load((FLOWS / "config" / "contacts.yaml").read_text())["contacts"]
    for name, value in contacts.items():
        for text in (value.values() if isinstance(value, dict) else [value]):
            assert placeholder_reason(str(text)) is None, (name, text)
    assert "hasn't been given their phone number" in contacts["programme_contact"]["en"]


def test_real_looking_contacts_are_not_placeholders() -> None:
    from bot.engine.placeholders import placeholder_reason

    for text in ("029 2000 1234", "help@cardiffworks.org.uk", "116 123", "85258",
                 "Monday to Friday, 9am to 5pm", "the programme team", "07700 912345"):
        assert placeholder_reason(text) is None, text
