"""Flows in Telegram: the real PTB Application against the fake Bot API over HTTP."""

from __future__ import annotations

from bot.core.keys import PersonKey
from bot.core.roles import seal_code
from tests.channels.helpers import Person, settled, text_of
from tests.fake_bot_api import FakeBotAPI


async def test_onboarding_with_buttons_and_typed_answers(api: FakeBotAPI, start_bot) -> None:
    bot = await start_bot()
    sam = Person(api, 42)
    first = await sam.say("/start")
    assert "not a person" in text_of(first).lower() or "bot" in text_of(first).lower()
    question = sam.keyboard_message()
    assert len(question.buttons) == 3 and question.parse_mode is None
    assert all(data.startswith("v1:") for data in question.callback_data)

    asked_name = await sam.press(0)  # "Yes, that's OK"
    assert api.callback_answers[-1]["message_id"] == question.message_id
    assert not api.messages_to(42)[question.message_id - 1].callback_data  # buttons gone
    assert "call you" in text_of(asked_name)

    offer = await sam.say("Sam")
    assert "Sam" in text_of(offer) and sam.keyboard_message().buttons
    await sam.say("1")  # a typed answer to a question with buttons still counts
    assert not [m for m in api.messages_to(42) if m.callback_data]  # answered: no buttons
    state = await bot.app.conversations.state_of(PersonKey("telegram", "42"))
    assert state is not None and state.flow == "purpose" and state.vars["consent"] == "yes"


async def test_text_is_sent_exactly_as_typed(api: FakeBotAPI, start_bot) -> None:
    await start_bot()
    sam = Person(api, 7)
    await sam.say("/start")
    await sam.press(0)
    tricky = "<b>bold</b> _*[x](y) &amp; `code`"
    await sam.say("skip")
    await sam.press(0)  # yes, let's talk about purpose
    reply = await sam.say(tricky)
    assert tricky in text_of(reply)
    assert all(call.params.get("parse_mode") is None for call in api.calls("sendMessage"))
    assert all("entities" not in call.params for call in api.calls("sendMessage"))


async def test_stale_button_is_answered_and_changes_nothing(api: FakeBotAPI, start_bot) -> None:
    bot = await start_bot()
    sam = Person(api, 43)
    await sam.say("/start")
    old = sam.keyboard_message()
    old_data = old.callback_data[0]
    await sam.press(1)  # "Tell me more": explains and asks again with new buttons
    key = PersonKey("telegram", "43")
    before = await bot.app.conversations.state_of(key)
    # The old message's buttons are gone from the screen, but a slow client can still
    # send its data: forge that press.
    api.press_button(43, old.message_id, old_data, strict=False)
    reply = await sam.replies()
    assert "passed" in text_of(reply).lower()
    after = await bot.app.conversations.state_of(key)
    assert after is not None and before is not None
    assert (after.flow, after.step, after.vars) == (before.flow, before.step, before.vars)
    assert len(api.callback_answers) == 2  # every press is answered, the stale one too


async def test_forged_or_foreign_button_data_is_answered_and_ignored(api: FakeBotAPI,
                                                                      start_bot) -> None:
    bot = await start_bot()
    sam = Person(api, 44)
    await sam.say("/start")
    question = sam.keyboard_message()
    for forged in ("v2:1:0", "v1:-1:0", "v1:1:99999", "x" * 64, "v1:1"):
        api.press_button(44, question.message_id, forged, strict=False)
    await settled(api)
    assert len(api.callback_answers) == 5
    state = await bot.app.conversations.state_of(PersonKey("telegram", "44"))
    assert state is not None and state.step == "privacy" and "consent" not in state.vars


async def test_deep_link_payload_reaches_the_flows(api: FakeBotAPI, start_bot) -> None:
    bot = await start_bot()
    api.send_command(45, "/start", "invite-ABC_123")
    await Person(api, 45).replies()
    state = await bot.app.conversations.state_of(PersonKey("telegram", "45"))
    # Kept sealed (an invitation code is a credential): its digest reaches the flows.
    assert state is not None and state.vars["start_payload"] == seal_code("invite-ABC_123")


async def test_command_menu_is_set_from_the_flows(api: FakeBotAPI, start_bot) -> None:
    bot = await start_bot()
    names = {command["command"] for command in api.commands or []}
    assert {"start", "win", "purpose", "menu"} <= names
    assert names == {command for command, _ in bot.app.flows.menu_commands()}


async def test_set_my_commands_failing_is_logged_and_the_bot_carries_on(
        api: FakeBotAPI, start_bot, caplog) -> None:
    api.fail_method("setMyCommands", 500)
    await start_bot()
    assert "setMyCommands failed" in caplog.text
    assert await Person(api, 46).say("/start")
