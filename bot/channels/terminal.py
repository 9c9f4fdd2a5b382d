"""A terminal chat on streams the caller passes in: for trying goodhelp with no token,
and as a harness for tests.

Lines starting with ``/`` are commands; choices are shown numbered and may be answered
by number or by label. ``:as NAME`` switches to another person, ``:quit`` leaves.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from bot.engine.events import Command, Event, Reply, Reshow, Text
from bot.storage.base import PersonKey

Handle = Callable[[PersonKey, Event], Awaitable[list[Reply]]]
COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)


def parse_line(line: str) -> Event:
    """Turn one typed line into an event."""
    match = COMMAND.match(line.strip())
    if match:
        return Command(match.group(1).lower(), (match.group(2) or "").strip())
    return Text(line.rstrip("\r\n"))


class TerminalChat:
    def __init__(self, handle: Handle, *, person: str, stdin: TextIO, stdout: TextIO,
                 files_dir: Path, prompt: str = "you> ") -> None:
        self.handle = handle
        self.person = person
        self.stdin = stdin
        self.stdout = stdout
        self.files_dir = files_dir
        self.prompt = prompt

    def write(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def show(self, replies: list[Reply]) -> None:
        for reply in replies:
            if not reply.text and reply.attachment is not None:
                self._save(reply)  # a file alone: its caption is the message
                continue
            self.write("\n".join(f"goodhelp> {line}" if i == 0 else f"          {line}"
                                 for i, line in enumerate(reply.text.splitlines() or [""])) + "\n")
            for option in reply.options:
                self.write(f"    {option.index + 1}. {option.label}\n")
            if reply.attachment is not None:
                self._save(reply)

    def _save(self, reply: Reply) -> None:
        """Save an attachment where the person can open it, and say where."""
        attachment = reply.attachment
        assert attachment is not None
        folder = self.files_dir / _safe(self.person)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / _safe(attachment.filename)
        path.write_bytes(attachment.data)
        caption = f"{attachment.caption} " if attachment.caption else ""
        self.write(f"goodhelp> {caption}(saved to {path})\n")

    async def read_line(self) -> str | None:
        line = await asyncio.to_thread(self.stdin.readline)
        return line if line else None

    async def pick_up(self) -> None:
        """Show the question this person was answering last time, if any."""
        self.show(await self.handle(PersonKey("terminal", self.person), Reshow()))

    async def run(self) -> None:
        self.write(f"goodhelp chat as '{self.person}'. Type /start to begin, :as NAME to be "
                   "someone else, :quit to leave.\n")
        await self.pick_up()
        while True:
            self.write(self.prompt)
            line = await self.read_line()
            if line is None or line.strip() == ":quit":
                self.write("\n")
                return
            if line.strip().startswith(":as "):
                self.person = line.strip()[4:].strip() or self.person
                self.write(f"(now chatting as '{self.person}')\n")
                await self.pick_up()
                continue
            replies = await self.handle(PersonKey("terminal", self.person), parse_line(line))
            self.show(replies)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80] or "person"
