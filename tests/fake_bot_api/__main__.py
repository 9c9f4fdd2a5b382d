"""Run the fake Bot API by hand: `python -m tests.fake_bot_api --port 8081`.

Point a bot at the printed base URL, then type lines to act as a person in chat 42;
the bot's replies are printed as they arrive.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from .api import FakeBotAPI


async def serve(port: int, token: str, chat_id: int) -> None:
    async with FakeBotAPI(token, port=port) as api:
        print(f"base_url: {api.base_url}  token: {token}", flush=True)
        print(f"Type a line to send it as a person in chat {chat_id}; Ctrl-D to stop.")
        printer = asyncio.create_task(print_replies(api, chat_id))
        loop = asyncio.get_running_loop()
        try:
            while line := await loop.run_in_executor(None, sys.stdin.readline):
                if line.strip():
                    api.send_text(chat_id, line.rstrip("\n"))
        finally:
            printer.cancel()


async def print_replies(api: FakeBotAPI, chat_id: int) -> None:
    """Print the bot's messages as they arrive (edits are not reprinted)."""
    seen = 0
    while True:
        messages = await api.wait_for_messages(chat_id, seen + 1, timeout=None)
        for message in messages[seen:]:
            print(f"bot> {message.text or message.caption or message.kind}", flush=True)
        seen = len(messages)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123:ABC")
    parser.add_argument("--chat-id", type=int, default=42)
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve(args.port, args.token, args.chat_id))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
