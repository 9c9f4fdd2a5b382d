"""Write flows/safety/generated.yaml: templated training messages for the crisis model.

    python -m bench.safety_generate [--flows flows] [--check]

Hand-written messages (flows/safety/training.yaml) teach the model the words people
use; these teach it the FRAMES (wanting death, farewell, burden, plans and means,
self-harm, hopelessness, and everyday messages that borrow the same words), in many
wordings, tenses and voices, with the noise of real chat: lower case, no punctuation,
text-speak, a dropped or swapped letter. The slots and templates are in
bench/safety_templates.py; the same seed gives the same file, and
tests/safety/test_model.py fails while the committed file is not what this writes.
Never put a held-out message (tests/data/) into a template.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

import yaml

from bench.safety_templates import TEMPLATES

SEED = 0
PER_TEMPLATE = 12
TEXTSPEAK = {"you": "u", "are": "r", "your": "ur", "tonight": "2nite", "because": "cos",
             "would": "wud", "to": "2", "please": "pls", "people": "ppl", "this": "dis",
             "going to": "gonna", "want to": "wanna", "i am": "im", "i'm": "im",
             "don't": "dont", "can't": "cant", "won't": "wont"}


def fill(template: str, slots: dict[str, list[str]], rng: random.Random) -> str:
    """One message from ``template``: each {slot} replaced by one of its phrases."""
    return re.sub(r"\{(\w+)\}", lambda m: rng.choice(slots[m.group(1)]), template)


def noise(text: str, rng: random.Random) -> str:
    """Chat noise, each kind with its own chance: case, punctuation, text-speak, a typo."""
    roll = rng.random()
    if roll < 0.35:
        text = text.lower()
    elif roll < 0.42:
        text = text.upper()
    if rng.random() < 0.4:
        text = re.sub(r"[.,!?;:]", "", text)
    if rng.random() < 0.25:
        for plain, speak in TEXTSPEAK.items():
            if rng.random() < 0.6:
                text = re.sub(rf"\b{re.escape(plain)}\b", speak, text, flags=re.IGNORECASE)
    if rng.random() < 0.2:
        words = text.split()
        long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if long_words:
            i = rng.choice(long_words)
            w, j = words[i], rng.randrange(1, len(words[i]) - 1)
            words[i] = (w[:j] + w[j + 1:]) if rng.random() < 0.5 else (
                w[:j - 1] + w[j] + w[j - 1] + w[j + 1:])
            text = " ".join(words)
    return text.strip()


def generate() -> dict[str, dict[str, list[str]]]:
    """Every language's crisis and everyday messages, deterministic for SEED."""
    rng = random.Random(SEED)
    out: dict[str, dict[str, list[str]]] = {}
    for lang, groups in TEMPLATES.items():
        slots = groups["slots"]
        assert isinstance(slots, dict)
        for label in ("crisis", "everyday"):
            seen: set[str] = set()
            messages: list[str] = []
            for template in groups[label]:
                assert isinstance(template, str)
                for _ in range(PER_TEMPLATE):
                    text = noise(fill(template, slots, rng), rng)
                    if text.casefold() not in seen:
                        seen.add(text.casefold())
                        messages.append(text)
            out.setdefault(lang, {})[label] = messages
    return out


def dump(data: dict[str, dict[str, list[str]]]) -> str:
    head = ("# Written by python -m bench.safety_generate from bench/safety_templates.py;\n"
            "# do not edit by hand. Read with flows/safety/training.yaml by the trainer.\n")
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flows", type=Path, default=Path("flows"))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    path = args.flows / "safety" / "generated.yaml"
    text = dump(generate())
    if args.check:
        ok = path.exists() and path.read_text(encoding="utf-8") == text
        print(f"{path} is {'current' if ok else 'out of date'}")
        return 0 if ok else 1
    path.write_text(text, encoding="utf-8")
    counts = {lang: {k: len(v) for k, v in g.items()} for lang, g in generate().items()}
    print(f"wrote {path}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
