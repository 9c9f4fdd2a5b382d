"""The crisis detector: three layers, and a message is a crisis if any of them says so.

1. ``phrases``: the safety flow's exact ``triggers.keywords`` (bot/engine/matching.py).
   Always on; the engine checks them itself too, so they work without this package.
2. ``patterns``: word forms and slot patterns from flows/safety/patterns.yaml.
3. ``model``: a small linear model from flows/safety/model.json.

Recall comes first: a missed crisis costs far more than signposting someone who did not
need it, so the layers are OR-ed and the model's threshold is set for recall in
cross-validation (docs/safety.md, "Detection"). One object, cheap on a bare text: the
engine calls :meth:`CrisisDetector.detects` for the safety flow, and a channel can call
:meth:`CrisisDetector.is_crisis` on any message (for example to spot crises in a flood).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.engine.matching import PhraseMatcher, normalise
from bot.engine.model import FlowSet
from bot.safety.model import CrisisModel, load_model
from bot.safety.patterns import PatternSet, load_patterns
from bot.safety.text import warm_up

LAYERS = ("phrases", "patterns", "model")
SAFETY_FLOW = "safety"


@dataclass(frozen=True)
class Verdict:
    """What each layer said about one message."""

    phrases: bool
    patterns: str | None  # the kind of pattern that matched
    model: float  # the model's probability

    @property
    def fired(self) -> tuple[str, ...]:
        """The names of the layers that found a crisis."""
        return tuple(name for name, on in zip(LAYERS, self._on(), strict=True) if on)

    threshold: float = 0.5

    def _on(self) -> tuple[bool, bool, bool]:
        return self.phrases, self.patterns is not None, self.model >= self.threshold

    @property
    def crisis(self) -> bool:
        """Whether any layer found a crisis."""
        return any(self._on())


class CrisisDetector:
    """Says whether a message is a crisis message; see the module docstring."""

    def __init__(self, phrases: Iterable[str], patterns: PatternSet | None,
                 model: CrisisModel | None) -> None:
        self._phrases = PhraseMatcher(phrases)
        self.patterns = patterns
        self.model = model
        warm_up()

    def is_crisis(self, text: str) -> bool:
        """Whether any layer fires; the cheap layers first, the model only if they do not."""
        if self._phrases.matches(normalise(text)):
            return True
        if self.patterns is not None and self.patterns.match(text) is not None:
            return True
        return self.model is not None and self.model.is_crisis(text)

    def detects(self, text: str) -> bool:
        """The engine's :class:`bot.engine.detect.TextDetector` entry point."""
        return self.is_crisis(text)

    def verdict(self, text: str) -> Verdict:
        """Every layer's answer, for evaluation and for explaining a decision."""
        found = self.patterns.match(text) if self.patterns is not None else None
        return Verdict(self._phrases.matches(normalise(text)),
                       found.kind if found is not None else None,
                       self.model.probability(text) if self.model is not None else 0.0,
                       self.model.threshold if self.model is not None else 1.01)


def detection_folder(flows_root: Path) -> Path:
    """The folder that holds the crisis detection data beside the flows."""
    return Path(flows_root) / SAFETY_FLOW


def load_crisis_detector(flows_root: Path, flows: FlowSet) -> CrisisDetector | None:
    """The detector for ``flows_root``, or None where there is no safety flow. Without
    ``safety/patterns.yaml`` or ``safety/model.json`` those layers are off, so a flows
    folder without them gets the safety flow's exact phrases only, as before.

    Raises PatternError or ModelError when the files are there but wrong."""
    folder = detection_folder(flows_root)
    flow = flows.flows.get(SAFETY_FLOW)
    if flow is None:
        return None
    patterns_path, model_path = folder / "patterns.yaml", folder / "model.json"
    return CrisisDetector(
        flow.triggers.keywords,
        _patterns(str(patterns_path), _stamp(patterns_path)) if patterns_path.exists() else None,
        _model(str(model_path), _stamp(model_path)) if model_path.exists() else None)


# Compiling the patterns takes a good part of a second, and every App (each test, each
# `goodhelp` command) loads them; keyed by the file's path, size and modification time,
# an edited file is always read again.
def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=8)
def _patterns(path: str, stamp: tuple[int, int]) -> PatternSet:
    return load_patterns(Path(path))


@lru_cache(maxsize=8)
def _model(path: str, stamp: tuple[int, int]) -> CrisisModel:
    return load_model(Path(path))
