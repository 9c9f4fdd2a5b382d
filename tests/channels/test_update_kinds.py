"""Non-text updates, edits, groups, channels and attachments."""

from __future__ import annotations

from bot.core.keys import PersonKey
from bot.engine.events import Attachment, Option, Reply
from tests.channels.helpers import Person, settled, text_of
from tests.conftest import FLOWS
from tests.fake_bot_api import FakeBotAPI


async def test_non_text_gets_the_kind_reply_and_the_question_again(api: FakeBotAPI,
                                                                   start_bot) -> None:
    bot = await start_bot()
    sam = Person(api, 50)
    await sam.say("/start")
    sends = {
        "sticker": api.send_sticker,
        "photo": api.send_photo_from_person,
        "voice": api.send_voice,
        "document": api.send_document_from_person,
        "location": api.send_location,
    }
    for send in sends.values():
        send(50)
        reply = await sam.replies()
        assert "text" in text_of(reply).lower()  # the engine's "I can only read text" reply
        assert sam.keyboard_message().buttons  # the question stands, with one live keyboard
    state = await bot.app.conversations.state_of(PersonKey("telegram", "50"))
    assert state is not None and state.step == "privacy"


async def test_edited_messages_are_ignored(api: FakeBotAPI, start_bot) -> None:
    bot = await start_bot()
    sam = Person(api, 51)
    await sam.say("/start")
    await sam.press(0)
    name = api.send_text(51, "Sam")["message"]["message_id"]
    await sam.replies()
    before = await bot.app.conversations.state_of(PersonKey("telegram", "51"))
    api.edit_text(51, name, "Samantha")
    await settled(api)
    assert sam.new_messages() == []  # a documented silence
    after = await bot.app.conversations.state_of(PersonKey("telegram", "51"))
    assert after == before


async def test_groups_are_declined_politely_and_left(api: FakeBotAPI, start_bot) -> None:
    bot = await start_bot()
    api.send_in_group(-100, "/start")
    await settled(api)
    [decline] = api.messages_to(-100)
    assert "private" in decline.text.lower() or "one to one" in decline.text.lower()
    assert -100 in api.world.left_chats
    assert await bot.app.storage.load(PersonKey("telegram", "-100")) is None


async def test_channel_posts_make_the_bot_leave_without_posting(api: FakeBotAPI,
                                                                start_bot) -> None:
    await start_bot()
    api.send_channel_post(-200, "hello channel")
    await settled(api)
    assert api.messages_to(-200) == []
    assert -200 in api.world.left_chats


async def test_attachments_are_sent_as_photo_and_document(api: FakeBotAPI, start_bot) -> None:
    bot = await start_bot()
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    await bot.channel.send_replies(60, [
        Reply("Your progress", attachment=Attachment("image", "progress.png", png, "Wins")),
        Reply("", attachment=Attachment("document", "mydata.json", b'{"a": 1}', "Your data")),
        Reply("Anything else?", options=(Option("Yes", 0), Option("No", 1)), prompt=3),
    ])
    text, photo, document, question = api.messages_to(60)
    assert [m.kind for m in (text, photo, document, question)] == [
        "text", "photo", "document", "text"]
    assert text.text == "Your progress"
    assert photo.data == png and photo.filename == "progress.png" and photo.caption == "Wins"
    assert document.data == b'{"a": 1}' and document.filename == "mydata.json"
    assert question.callback_data == ["v1:3:0", "v1:3:1"]


async def test_the_app_language_reaches_onboarding_as_a_hint_and_nothing_else_personal(
        api: FakeBotAPI, start_bot) -> None:
    """Telegram's language_code is passed with /start as a neutral hint (issue 11): Welsh
    is offered first; the name and username Telegram also sends are never kept."""
    bot = await start_bot(flows=FLOWS)  # the shipped onboarding, which reads the hint
    api.send_text(60, "/start", first_name="Siân", username="sian_cy", language_code="cy")
    await settled(api)
    welcome = api.messages_to(60)[-1]  # the language question, with its buttons
    assert welcome.text.startswith("Helo, a chroeso")
    assert [label for row in welcome.buttons for label, _ in row][:2] == ["Cymraeg", "English"]
    state = await bot.app.conversations.state_of(PersonKey("telegram", "60"))
    assert state is not None and state.vars.get("language_hint") == "cy"
    assert "Siân" not in repr(state) and "sian_cy" not in repr(state)


async def test_only_commands_carry_the_app_language(api: FakeBotAPI, start_bot) -> None:
    bot = await start_bot()
    api.send_text(61, "hello", language_code="ur")
    await settled(api)
    state = await bot.app.conversations.state_of(PersonKey("telegram", "61"))
    assert state is None or "language_hint" not in state.vars
