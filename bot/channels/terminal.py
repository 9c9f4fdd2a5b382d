"""A terminal chat on streams the caller passes in: for trying goodhelp with no token,
and as a harness for tests.

Lines starting with ``/`` are commands; choices are shown numbered and may be answered
by number or by label. ``:as NAME`` switches to another person, ``:quit`` leaves.

Files (an export, a chart) are saved 0600 in a folder of the person's own, 0700, named
from a readable part of their name and a hash of all of it, so no name can reach outside
the files folder or share another's. Deleting the person deletes their folder.
Control characters a person typed are printed visibly (``\x1b``), never obeyed.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from bot.core.keys import PersonKey
from bot.engine.events import Command, Event, Reply, Reshow, Text
from bot.engine.runner import Outcome
from bot.files import private_folder, write_private

Handle = Callable[[PersonKey, Event], Awaitable[list[Reply]]]
COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)
# C0 controls but tab and newline, DEL and C1 controls: a terminal would act on them
# (colours, cursor moves, a cleared screen, a changed title), so they are shown instead.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FORGETS_FILES = ("delete_person", "reset_person")  # effects after which nothing is kept


def parse_line(line: str, locale: str = "") -> Event:
    """Turn one typed line into an event; a command carries ``locale`` (``--locale``),
    the app language a Telegram person's commands carry, to try the hint it gives."""
    match = COMMAND.match(line.strip())
    if match:
        return Command(match.group(1).lower(), (match.group(2) or "").strip(), locale)
    return Text(line.rstrip("\r\n"))


class TerminalChat:
    """A chat in a terminal on the caller's streams: for trying the bot, and for tests."""

    def __init__(self, handle: Handle, *, person: str, stdin: TextIO, stdout: TextIO,
                 files_dir: Path, prompt: str = "you> ", locale: str = "") -> None:
        self.handle = handle
        self.locale = locale
        self.person = person
        self.stdin = stdin
        self.stdout = stdout
        self.files_dir = files_dir
        self.prompt = prompt

    def write(self, text: str) -> None:
        """Print at once (flushed), so the prompt shows before the program waits for input."""
        self.stdout.write(text)
        self.stdout.flush()

    def folder_of(self, person: str) -> Path:
        """The person's own folder under ``files_dir``."""
        return self.files_dir / folder_name(person)

    async def on_turn(self, key: PersonKey, event: Event, outcome: Outcome) -> None:
        """A turn listener: when a person is deleted, so are the files saved for them."""
        if key.channel == "terminal" and any(e.name in FORGETS_FILES for e in outcome.effects):
            await asyncio.to_thread(shutil.rmtree, self.folder_of(key.external_id), True)

    def show(self, replies: list[Reply]) -> None:
        """Print replies with their choices numbered; files are saved and their place named."""
        for reply in replies:
            if not reply.text and reply.attachment is not None:
                self._save(reply)  # a file alone: its caption is the message
                continue
            lines = reply.text.removesuffix("\n").split("\n")
            self.write("\n".join(("goodhelp> " if i == 0 else " " * 10) + visible(line)
                                 for i, line in enumerate(lines)) + "\n")
            numbered = [f"{option.index + 1}. {option.label}" for option in reply.options]
            if not all(line in lines for line in numbered):  # not already listed in the text
                for line in numbered:
                    self.write(f"    {visible(line)}\n")
            if reply.attachment is not None:
                self._save(reply)

    def _save(self, reply: Reply) -> None:
        """Save an attachment where the person can open it, and say where."""
        attachment = reply.attachment
        assert attachment is not None
        folder = self.folder_of(self.person)
        private_folder(folder)
        path = folder / _safe(attachment.filename)
        write_private(path, attachment.data)
        caption = f"{visible(attachment.caption)} " if attachment.caption else ""
        self.write(f"goodhelp> {caption}(saved to {path})\n")

    async def read_line(self) -> str | None:
        """The next typed line, or None at end of input; read in a thread, not blocking the bot."""
        line = await asyncio.to_thread(self.stdin.readline)
        return line if line else None

    async def pick_up(self) -> None:
        """Show the question this person was answering last time, if any."""
        self.show(await self.handle(PersonKey("terminal", self.person), Reshow()))

    async def run(self) -> None:
        """Chat until ``:quit`` or end of input; ``:as NAME`` switches person."""
        self.write(f"goodhelp chat as '{visible(self.person)}'. Type /start to begin, "
                   ":as NAME to be someone else, :quit to leave.\n")
        await self.pick_up()
        while True:
            self.write(self.prompt)
            line = await self.read_line()
            if line is None or line.strip() == ":quit":
                self.write("\n")
                return
            if line.strip().startswith(":as "):
                self.person = line.strip()[4:].strip() or self.person
                self.write(f"(now chatting as '{visible(self.person)}')\n")
                await self.pick_up()
                continue
            replies = await self.handle(PersonKey("terminal", self.person),
                                        parse_line(line, self.locale))
            self.show(replies)


def visible(text: str) -> str:
    """``text`` with control characters written out (``\\x1b``), so printing it cannot
    recolour, move or clear the terminal."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def folder_name(person: str) -> str:
    """A folder name for ``person`` that is safe and theirs alone: a readable part
    (letters, digits, ``_`` and ``-``) and a short hash of the exact name, so ``..`` or
    ``a/b`` stay inside the files folder and "a b" and "a_b" get different folders."""
    readable = re.sub(r"[^A-Za-z0-9_-]+", "_", person).strip("_")[:40] or "person"
    digest = hashlib.sha256(person.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{readable}-{digest}"


def _safe(name: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80].lstrip(".")
    return safe or "file"
