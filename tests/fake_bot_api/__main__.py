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
        loop = asyncio.get_running_loop()
        seen = 0
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            if line.strip():
                api.send_text(chat_id, line.rstrip("\n"))
            await asyncio.sleep(0.5)  # a human pace: give the bot a moment to answer
            for message in api.messages_to(chat_id)[seen:]:
                print(f"bot> {message.text or message.caption or message.kind}")
            seen = len(api.messages_to(chat_id))


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
