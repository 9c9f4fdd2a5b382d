"""Labelled messages (training and held-out sets): ``{lang: {crisis: [...], everyday: [...]}}``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

LABELS = ("crisis", "everyday")


@dataclass(frozen=True)
class Labelled:
    """One message, its language and whether it should be treated as a crisis."""

    text: str
    lang: str
    crisis: bool

    @property
    def stratum(self) -> str:
        """Language and label together, so folds keep both proportions."""
        return f"{self.lang}:{'crisis' if self.crisis else 'everyday'}"


def load_labelled(path: Path) -> list[Labelled]:
    """Read a labelled set; raises ValueError naming the file on a wrong shape."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of language to crisis/everyday lists")
    messages = []
    for lang, groups in data.items():
        if not isinstance(groups, dict) or set(groups) - set(LABELS):
            raise ValueError(f"{path}: {lang} needs only the lists {', '.join(LABELS)}")
        for label in LABELS:
            for text in groups.get(label) or []:
                messages.append(Labelled(str(text), str(lang), label == "crisis"))
    return messages
