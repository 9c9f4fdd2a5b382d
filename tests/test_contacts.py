"""Numbers and addresses live in one place (flows/config/contacts.yaml): a deployment
changes one line there and every text that gives that number changes with it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from bot.app import open_app
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.engine.events import Text
from bot.storage.memory import MemoryStorage
from tests.conftest import FLOWS

NUMBERS = ("116 123", "0808 164 0123", "85258", "01632 960000", "support@example.org")


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
                        .replace('"01632 960000"', '"029 2018 0000"'))
    app = await open_app(flows, MemoryStorage(), clock=FakeClock())
    try:
        key = PersonKey("test", "contacts")
        crisis = await app.conversations.handle(key, Text("I want to end my life"))
        text = "\n".join(r.text for r in crisis)
        assert "call 0800 000 111" in text and "116 123" not in text
        await app.conversations.handle(key, Text("/cancel"))
        person = await app.conversations.handle(key, Text("can I talk to a real person"))
        assert "029 2018 0000" in "\n".join(r.text for r in person)
    finally:
        await app.close()
