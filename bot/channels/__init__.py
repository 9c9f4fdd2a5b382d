"""Channels: thin adapters that turn their updates into engine events and draw replies.

A channel gets one callable, ``handle(key, event) -> list[Reply]``, never the core.
"""
