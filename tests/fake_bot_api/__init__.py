"""A fake Telegram Bot API server for tests and benchmarks; see `api.FakeBotAPI`.

Surface, in short:
    FakeBotAPI(token="123:ABC", *, port=0, enforce_limits=False, global_per_second=30,
               per_chat_per_second=1, per_chat_burst=1, clock=time.monotonic,
               deliver_webhooks=False, webhook_retry_delay=0.2); `async with` starts/stops it
    webhook:    with deliver_webhooks, a setWebhook to 127.0.0.1 makes the fake POST queued
                updates there (see webhook.py); webhook_posts records every POST
    address:    token, port, url, base_url (".../bot", for PTB's base_url), base_file_url
    people:     send_text, send_command, press_button, send_sticker, send_photo_from_person,
                send_voice, send_location, send_document_from_person, edit_text,
                send_in_group, send_channel_post (alias channel_post); synchronous, each
                returns the update dict it queued
    recording:  sent, calls(method), messages_to(chat_id) -> [BotMessage],
                await wait_for_messages(chat_id, n), await wait_for_calls(method, n),
                callback_answers, commands, pending_updates, count_429
    faults:     fail_next, fail_method, heal, block, unblock, slow, drop_connection_next

Under filterwarnings=error, set PTB_TIMEDELTA=1: PTB 22.2+ warns when it builds RetryAfter.
"""

from .api import FakeBotAPI
from .state import BotMessage, Call

__all__ = ["BotMessage", "Call", "FakeBotAPI"]
