"""Crisis detection in layers: exact phrases, word forms and patterns, a small model.

The engine only knows a :class:`bot.engine.detect.TextDetector`; this package is one,
wired in by ``bot.app``. See docs/safety.md, "Detection".
"""

from bot.safety.detect import CrisisDetector, load_crisis_detector

__all__ = ["CrisisDetector", "load_crisis_detector"]
