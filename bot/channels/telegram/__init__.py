"""The Telegram channel: a thin adapter between python-telegram-bot and the engine.

    updates.py    Update -> engine event (or decline, leave, ignore)
    render.py     Reply -> messages, inline keyboards, callback data
    sequencer.py  per-chat order by arrival, chats concurrent
    polling.py    long polling that confirms updates only once handled
    limiter.py    30/s overall, 1/s per chat
    delivery.py   sends with retries; Forbidden marks the person unreachable
    channel.py    the glue: one handler, turns, keyboards
    app.py        start/stop around our App; ``goodhelp run``
"""
