"""The flow engine: load, validate and run YAML flows.

It knows nothing of Telegram, the terminal, SQL or where the time comes from.
"""
