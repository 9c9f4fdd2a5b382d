"""Per person strictly in order, different people concurrently: 200 people send bursts
whose updates are interleaved, and each ends exactly where their own messages lead."""

from __future__ import annotations

import time

from bot.core.keys import PersonKey
from bot.storage.sqlite import SQLiteStorage
from tests.channels.helpers import settled
from tests.fake_bot_api import FakeBotAPI

PEOPLE = 200


def burst(i: int) -> list[str]:
    """Onboarding and most of a purpose, all typed: choices answered by number. Every
    answer lands in a different variable, so any reordering shows in the state."""
    return ["/start", "1", f"name{i}", "1", f"goal {i}", f"why {i}"]


async def test_200_people_interleaved_each_get_their_own_result(api: FakeBotAPI, start_bot,
                                                                tmp_path) -> None:
    bot = await start_bot(storage=SQLiteStorage(tmp_path / "goodhelp.db"))
    people = range(1000, 1000 + PEOPLE)
    scripts = {chat_id: burst(chat_id) for chat_id in people}
    started = time.monotonic()
    for step in range(len(burst(0))):  # round robin: everyone's 1st, then everyone's 2nd...
        for chat_id in people:
            api.send_text(chat_id, scripts[chat_id][step])
    await settled(api, timeout=40)
    elapsed = time.monotonic() - started
    await bot.sequencer.drain(5)
    for chat_id in people:
        key = PersonKey("telegram", str(chat_id))
        state = await bot.app.storage.load(key)
        assert state is not None and state.flow == "purpose", (chat_id, state)
        assert state.vars["name"] == f", name{chat_id}"
        assert state.vars["purpose_answer"] == f"goal {chat_id}"
        assert state.vars["purpose_why"] == f"why {chat_id}"
        texts = [m.text or "" for m in api.messages_to(chat_id)]
        named = next(i for i, text in enumerate(texts) if f"name{chat_id}" in text)
        goal = next(i for i, text in enumerate(texts) if f"goal {chat_id}" in text)
        assert named < goal == len(texts) - 2  # the replies went out in order too
    assert not bot.outbox.failures
    print(f"{PEOPLE * len(burst(0))} updates in {elapsed:.1f}s")
