"""One turn's replies on the chat's sends queue (see channel.py): sent in order after the
turn has committed, or dropped when a crisis reply supersedes them."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.channels.telegram.render import decode, render
from bot.channels.telegram.updates import Inbound
from bot.engine.events import Reply

if TYPE_CHECKING:
    from bot.channels.telegram.channel import TelegramChannel


class Delivery:
    """One turn's replies, queued on the chat's sends; its message counts as pending (for
    the per-person limit) until they are sent or dropped."""

    def __init__(self, channel: TelegramChannel, chat_id: int, inbound: Inbound,
                 replies: list[Reply], owed: list[tuple[str, str]],
                 shown: list[asyncio.Future[None]]) -> None:
        self.channel, self.chat_id, self.inbound = channel, chat_id, inbound
        self.replies, self.owed, self.shown = replies, owed, shown

    async def __call__(self) -> None:
        channel, chat_id = self.channel, self.chat_id
        try:
            if self.shown:  # "typing..." must not land after the reply (it would show 5 s)
                await asyncio.wait(self.shown, timeout=2.0)
            retired = channel.retire_keyboards(chat_id, self.inbound.pressed_message_id,
                                               bool(self.replies))
            if self.owed:
                await channel.owed_sender.send(
                    chat_id, [(decode(payload), ref) for ref, payload in self.owed])
            else:
                await channel.send_replies(chat_id, self.replies)
            for message_id in retired:  # after the replies: they are what the person waits for
                await channel.outbox.remove_keyboard(chat_id, message_id)
        finally:
            self._release()

    async def drop(self) -> int:
        """Superseded by a crisis reply: never sent, its owed rows deleted; how many
        messages that was."""
        self._release()
        for ref, _payload in self.owed:
            if self.channel.owed is not None:
                await self.channel.owed.mark_sent(ref)
        return len(self.owed) or sum(len(render(reply)) for reply in self.replies)

    def _release(self) -> None:
        self.channel.limit.done(self.chat_id)
