"""A linear crisis model read from JSON, scored in pure Python.

The file (flows/safety/model.json) is written by ``python -m bench.safety_train``: a
vocabulary of features with one weight each, a bias and a threshold. The score is a
logistic regression over present-or-absent features scaled to unit length, exactly as
scikit-learn saw them in training; only features in the vocabulary count, in training
and here. No scikit-learn or numpy at run time: a message has a few hundred features,
and summing their weights takes well under a millisecond.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from bot.engine.matching import normalise
from bot.safety.features import features

FORMAT = 1
# Fewer words than this give the model too little to go on: "not sure", "evening" and
# "time zone" (answers to the bot's own questions) scored as crises. Short crisis
# messages ("kms", "isio marw", "want to die") are the phrases' and patterns' job.
MIN_WORDS = 3
_SENTENCE = re.compile(r"[.!?;\n]+")


class ModelError(Exception):
    """The model file is unreadable or of another format."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class CrisisModel:
    """Weights per feature, a bias, and the probability at or above which a message is crisis."""

    weights: dict[str, float]
    bias: float
    threshold: float
    c: float = 1.0  # the regularisation it was trained with, to retrain alike

    def probability(self, text: str) -> float:
        """How likely the model thinks ``text`` is a crisis message (0 to 1): the whole
        message or, if higher, any one sentence of it; 0 for fewer than MIN_WORDS words.

        Sentences count on their own because the score of a whole message is an average
        over its features: in "went to the shop. I've been saving my tablets. the kids
        had pizza" the risk is buried by the everyday words around it."""
        best = self._probability(text)
        parts = [part for part in _SENTENCE.split(text) if part.strip()]
        if len(parts) > 1:
            best = max(best, *(self._probability(part) for part in parts))
        return best

    def _probability(self, text: str) -> float:
        if len(normalise(text).split()) < MIN_WORDS:
            return 0.0
        known = [self.weights[f] for f in features(text) if f in self.weights]
        score = self.bias + (sum(known) / math.sqrt(len(known)) if known else 0.0)
        return 1.0 / (1.0 + math.exp(-score))

    def is_crisis(self, text: str) -> bool:
        """Whether the model's probability for ``text`` reaches its threshold."""
        return self.probability(text) >= self.threshold


def load_model(path: Path) -> CrisisModel:
    """Read a model file written by bench.safety_train."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not of format {FORMAT}")
        return CrisisModel({str(k): float(v) for k, v in data["weights"].items()},
                           float(data["bias"]), float(data["threshold"]), float(data["c"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelError(path, f"cannot read the crisis model ({exc}); "
                         "run python -m bench.safety_train") from None
