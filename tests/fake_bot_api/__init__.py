"""A fake Telegram Bot API server for tests and benchmarks; see `api.FakeBotAPI`.

Surface, in short:
    FakeBotAPI(token="123:ABC", *, port=0, enforce_limits=False, global_per_second=30,
               per_chat_per_second=1, clock=time.monotonic)
    people:     send_text, send_command, press_button, send_sticker, send_photo_from_person,
                send_voice, send_location, send_document_from_person, edit_text,
                send_in_group, send_channel_post (alias channel_post) -> the update dict
    recording:  sent, calls(method), messages_to(chat_id), wait_for_messages(chat_id, n),
                wait_for_calls(method, n), callback_answers, commands, pending_updates,
                count_429
    faults:     fail_next, fail_method, heal, block, unblock, slow, drop_connection_next
"""

from .api import FakeBotAPI
from .state import BotMessage, Call

__all__ = ["BotMessage", "Call", "FakeBotAPI"]
