"""A per-person limit on inbound messages, so one person's flood cannot hold up others.

Each admitted message is *pending* until its turn's replies are sent. A person may have at
most ``max_pending`` at once; a message beyond that is dropped (never queued, so no queue
grows with a flood), and the first drop in a run earns ONE kind notice. The run ends, and
the notice may come again, once all their pending messages are answered.

The safety net comes first: the caller checks every message, admitted or not, and a crisis
message is always admitted, whatever the count. Over the limit it is admitted as urgent:
the channel then drops the replies still waiting to answer the flood, so the signposting
goes out next rather than behind them.
"""

from __future__ import annotations

from enum import Enum

MAX_PENDING = 10  # per person; a quick typist or a pasted list has a handful at once


class Admission(Enum):
    """What to do with one inbound message under the per-person limit."""

    ADMIT = "admit"
    ADMIT_URGENT = "admit_urgent"  # a crisis message from someone over the limit
    DROP = "drop"  # dropped; the notice was already sent in this run
    DROP_AND_NOTICE = "drop_and_notice"  # dropped; send the notice now


class InboundLimit:
    """Counts pending messages per chat. Chats with none are forgotten (a bounded map)."""

    def __init__(self, max_pending: int = MAX_PENDING) -> None:
        self.max_pending = max_pending
        self._pending: dict[int, int] = {}
        self._noticed: set[int] = set()  # chats told "a lot of messages" in this run
        self.dropped = 0

    def admit(self, chat_id: int, *, crisis: bool = False) -> Admission:
        """Count a new message in, or say to drop it; a crisis message is always let in."""
        pending = self._pending.get(chat_id, 0)
        if pending < self.max_pending or crisis:
            self._pending[chat_id] = pending + 1
            return Admission.ADMIT if pending < self.max_pending else Admission.ADMIT_URGENT
        self.dropped += 1
        if chat_id in self._noticed:
            return Admission.DROP
        self._noticed.add(chat_id)
        return Admission.DROP_AND_NOTICE

    def done(self, chat_id: int) -> None:
        """An admitted message's turn has ended (replies sent, or it failed)."""
        pending = self._pending.get(chat_id, 0) - 1
        if pending > 0:
            self._pending[chat_id] = pending
        else:
            self._pending.pop(chat_id, None)
            self._noticed.discard(chat_id)

    def pending(self, chat_id: int) -> int:
        """Messages from the chat still waiting for their replies, to tell a flood early."""
        return self._pending.get(chat_id, 0)

    def __len__(self) -> int:
        """Chats with something pending or a notice standing."""
        return len(self._pending.keys() | self._noticed)
