"""The seam through which an interrupt flow gets detection beyond its exact keywords.

The engine checks an interrupt flow's ``triggers.keywords`` itself (bot/engine/matching.py).
Whoever builds the engine may add a :class:`TextDetector` per interrupt flow; the engine
then starts that flow when either says yes. The crisis detector (bot/safety/) is one;
the engine knows nothing of how it decides.
"""

from __future__ import annotations

from typing import Protocol


class TextDetector(Protocol):
    """Says whether a message, as the person typed it, should start a flow."""

    def detects(self, text: str) -> bool:
        """True to start the flow; must be cheap (it runs on every text message)."""
        ...
