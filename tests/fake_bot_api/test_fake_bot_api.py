# PTB types nearly every update field as Optional; these tests assert they are present.
# mypy: disable-error-code="union-attr,index"
"""The fake's answers parse in the real python-telegram-bot 22, and it records what was sent."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time

import aiohttp
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from tests.fake_bot_api import FakeBotAPI

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Yes", callback_data="yes"),
            InlineKeyboardButton("No", callback_data="no"),
        ]
    ]
)


async def test_base_url_follows_ptb_convention(api: FakeBotAPI, bot: telegram.Bot) -> None:
    assert api.base_url == f"http://127.0.0.1:{api.port}/bot"
    assert bot.base_url == f"{api.base_url}{api.token}"


async def test_get_me_is_the_bot(bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123, True, "goodhelp_test_bot")


async def test_send_message_with_keyboard(api: FakeBotAPI, bot: telegram.Bot) -> None:
    message = await bot.send_message(42, "Would you like to start?", reply_markup=KEYBOARD)
    assert message.chat.id == 42 and message.from_user.id == 123
    assert message.text == "Would you like to start?"
    assert message.reply_markup == KEYBOARD
    [recorded] = api.messages_to(42)
    assert recorded.message_id == message.message_id
    assert recorded.callback_data == ["yes", "no"]
    assert [call.method for call in api.sent] == ["getMe", "sendMessage"]
    assert api.sent[-1].params["reply_markup"]["inline_keyboard"][0][0]["text"] == "Yes"


async def test_edits_are_reflected_and_unchanged_edits_refused(
    api: FakeBotAPI, bot: telegram.Bot
) -> None:
    message = await bot.send_message(42, "Pick one", reply_markup=KEYBOARD)
    edited = await bot.edit_message_text("You picked yes", 42, message.message_id)
    assert isinstance(edited, telegram.Message) and edited.edit_date is not None
    [recorded] = api.messages_to(42)
    assert (recorded.text, recorded.reply_markup, recorded.edits) == ("You picked yes", None, 1)
    await bot.edit_message_reply_markup(42, message.message_id, reply_markup=KEYBOARD)
    assert api.messages_to(42)[0].callback_data == ["yes", "no"]
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(42, message.message_id, reply_markup=KEYBOARD)
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", 42, 999)


async def test_button_press_arrives_and_is_answered(api: FakeBotAPI, bot: telegram.Bot) -> None:
    message = await bot.send_message(42, "Pick one", reply_markup=KEYBOARD)
    api.press_button(42, message.message_id, "no")
    [update] = await bot.get_updates()
    query = update.callback_query
    assert query.data == "no" and query.message.message_id == message.message_id
    assert query.from_user.id == 42
    assert await bot.answer_callback_query(query.id, text="Noted")
    assert api.callback_answers[0]["text"] == "Noted"
    assert api.callback_answers[0]["data"] == "no"
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)query id is invalid"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(ValueError, match="not on message"):
        api.press_button(42, message.message_id, "maybe")


async def test_commands_round_trip(api: FakeBotAPI, bot: telegram.Bot) -> None:
    commands = [telegram.BotCommand("start", "Begin"), telegram.BotCommand("pause", "Pause")]
    assert await bot.set_my_commands(commands)
    assert api.commands == [
        {"command": "start", "description": "Begin"},
        {"command": "pause", "description": "Pause"},
    ]
    assert await bot.get_my_commands() == tuple(commands)
    assert await bot.get_my_commands(language_code="cy") == ()
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


async def test_uploads_record_filename_and_bytes(api: FakeBotAPI, bot: telegram.Bot) -> None:
    photo = await bot.send_photo(42, b"\x89PNG fake", filename="chart.png", caption="Progress")
    document = await bot.send_document(42, b"name,wins\n", filename="export.csv")
    assert photo.photo[-1].file_size == len(b"\x89PNG fake") and photo.caption == "Progress"
    assert document.document.file_name == "export.csv"
    assert await bot.send_chat_action(42, telegram.constants.ChatAction.TYPING)
    sent_photo, sent_document = api.messages_to(42)
    assert (sent_photo.kind, sent_photo.filename, sent_photo.data) == (
        "photo",
        "chart.png",
        b"\x89PNG fake",
    )
    assert (sent_document.filename, sent_document.data) == ("export.csv", b"name,wins\n")
    assert api.calls("sendDocument")[0].files["document"] == ("export.csv", b"name,wins\n")


async def test_long_poll_wakes_when_a_person_writes(api: FakeBotAPI, bot: telegram.Bot) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    update = api.send_text(42, "hello", first_name="Sam", username="sam")
    [received] = await poll
    assert time.monotonic() - started < 1
    assert received.update_id == update["update_id"]
    assert received.message.text == "hello" and received.effective_user.username == "sam"


async def test_long_poll_times_out_empty_and_offset_confirms(
    api: FakeBotAPI, bot: telegram.Bot
) -> None:
    assert await bot.get_updates(timeout=dtm.timedelta(milliseconds=100)) == ()
    first = api.send_text(42, "one")
    second = api.send_text(42, "two")
    assert len(await bot.get_updates(limit=1)) == 1
    [left] = await bot.get_updates(offset=first["update_id"] + 1)
    assert left.update_id == second["update_id"]
    assert await bot.get_updates(offset=second["update_id"] + 1) == ()
    assert api.pending_updates == []


async def test_every_person_action_parses(api: FakeBotAPI, bot: telegram.Bot) -> None:
    message = await bot.send_message(42, "hi", reply_markup=KEYBOARD)
    start = api.send_command(42, "/start", payload="INVITE1")
    api.send_sticker(42)
    api.send_photo_from_person(42, caption="me")
    api.send_voice(42)
    api.send_location(42)
    api.send_document_from_person(42)
    api.edit_text(42, start["message"]["message_id"], "/start INVITE2")
    api.send_in_group(-100, "hello group")
    api.channel_post(-200, "news")
    api.press_button(42, message.message_id, "yes")
    updates = await bot.get_updates()
    assert len(updates) == 10
    command = updates[0].message
    assert command.text == "/start INVITE1"
    assert command.parse_entities(["bot_command"]) == {command.entities[0]: "/start"}
    assert updates[1].message.sticker.emoji == "👍"
    assert updates[2].message.photo[-1].width == 800 and updates[2].message.caption == "me"
    assert updates[3].message.voice.mime_type == "audio/ogg"
    assert updates[4].message.location.latitude == pytest.approx(51.5072)
    assert updates[5].message.document.file_name == "notes.pdf"
    assert updates[6].edited_message.text == "/start INVITE2"
    assert updates[7].effective_chat.type == "group" and updates[7].effective_chat.id == -100
    assert updates[8].channel_post.chat.type == "channel"
    assert updates[9].callback_query.data == "yes"


async def test_raw_http_json_get_and_errors(api: FakeBotAPI) -> None:
    async with aiohttp.ClientSession() as session:
        url = f"{api.base_url}{api.token}"
        async with session.post(f"{url}/sendMessage", json={"chat_id": 7, "text": "hi"}) as r:
            assert (r.status, (await r.json())["result"]["text"]) == (200, "hi")
        async with session.get(f"{url}/getMe") as r:
            assert (await r.json())["result"]["is_bot"] is True
        async with session.get(f"{url}/sendNonsense") as r:
            assert r.status == 404
            assert await r.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        async with session.get(f"{api.base_url}999:WRONG/getMe") as r:
            assert r.status == 401
            assert (await r.json())["description"] == "Unauthorized"


async def test_webhook_blocks_polling_until_deleted(bot: telegram.Bot) -> None:
    assert await bot.set_webhook("https://example.invalid/hook")
    assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
    with pytest.raises(telegram.error.Conflict):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates() == ()


async def test_wait_for_messages_says_what_arrived(api: FakeBotAPI, bot: telegram.Bot) -> None:
    await bot.send_message(42, "only one")
    with pytest.raises(TimeoutError, match="only one"):
        await api.wait_for_messages(42, 2, timeout=0.05)


async def test_a_real_application_talks_to_it(api: FakeBotAPI) -> None:
    async def start(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(f"Welcome, code {context.args[0]}")

    application = ApplicationBuilder().token(api.token).base_url(api.base_url).build()
    application.add_handler(CommandHandler("start", start))
    async with application:
        await application.updater.start_polling(poll_interval=0, timeout=1)
        await application.start()
        api.send_command(42, "/start", payload="abc")
        [reply] = await api.wait_for_messages(42, 1)
        await application.updater.stop()
        await application.stop()
    assert reply.text == "Welcome, code abc"
