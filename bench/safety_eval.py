"""Evaluate crisis detection per layer and combined, in cross-validation and held out.

    python -m bench.safety_eval [--flows flows] [--only cv|heldout]

Cross-validation: stratified 5 folds (by language and label) over the hand-written
flows/safety/training.yaml; the model layer is a fresh model trained without each
message's fold (and with all of flows/safety/generated.yaml). The phrases and patterns
were written with the training set in view, so their figures there are optimistic. Held
out: tests/data/safety_heldout*.yaml, never trained on, scored with the shipped
flows/safety/model.json. Each was scored once before anything changed in response; which
were changed for afterwards, and the first-sight figures, are in docs/safety.md ("How
well it works").
Prints recall, false-positive rate and the confusion counts per layer and language.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from bench.safety_train import out_of_fold, training_messages
from bot.app import load_checked_flows
from bot.safety.detect import CrisisDetector, load_crisis_detector
from bot.safety.labelled import Labelled, load_labelled

HELDOUT = tuple(Path(f"tests/data/safety_heldout{n}.yaml")
                for n in ("", "_2", "_3", "_4", "5", "6", "7", "8", "9", "10"))
Rule = Callable[[int], bool]


def confusion(messages: list[Labelled], said: list[bool]) -> tuple[int, int, int, int]:
    """True positives, false negatives, false positives, true negatives."""
    tp = sum(s and m.crisis for m, s in zip(messages, said, strict=True))
    fn = sum(not s and m.crisis for m, s in zip(messages, said, strict=True))
    fp = sum(s and not m.crisis for m, s in zip(messages, said, strict=True))
    return tp, fn, fp, len(messages) - tp - fn - fp


def rates(messages: list[Labelled], said: list[bool]) -> tuple[float, float]:
    """Recall and false-positive rate."""
    tp, fn, fp, tn = confusion(messages, said)
    return tp / max(tp + fn, 1), fp / max(fp + tn, 1)


def layer_answers(detector: CrisisDetector, messages: list[Labelled],
                  model_probabilities: list[float] | None = None) -> dict[str, list[bool]]:
    """Each layer's yes/no per message, and the combined rule (any layer)."""
    verdicts = [detector.verdict(m.text) for m in messages]
    threshold = detector.model.threshold if detector.model is not None else 1.01
    probabilities = model_probabilities or [v.model for v in verdicts]
    answers = {"phrases": [v.phrases for v in verdicts],
               "patterns": [v.patterns is not None for v in verdicts],
               "model": [p >= threshold for p in probabilities]}
    answers["phrases+patterns"] = [a or b for a, b in zip(answers["phrases"],
                                                          answers["patterns"], strict=True)]
    answers["combined"] = [a or b for a, b in zip(answers["phrases+patterns"],
                                                  answers["model"], strict=True)]
    return answers


def table(title: str, messages: list[Labelled], answers: dict[str, list[bool]]) -> str:
    lines = [f"{title}", "| layer | lang | n (crisis/everyday) | recall | false positives "
             "| TP | FN | FP | TN |", "|---|---|---|---|---|---|---|---|---|"]
    for layer, said in answers.items():
        for lang in ("all", *sorted({m.lang for m in messages})):
            keep = [i for i, m in enumerate(messages) if lang in ("all", m.lang)]
            sub, sub_said = [messages[i] for i in keep], [said[i] for i in keep]
            tp, fn, fp, tn = confusion(sub, sub_said)
            recall, fpr = rates(sub, sub_said)
            lines.append(f"| {layer} | {lang} | {tp + fn}/{fp + tn} | {recall:.2f} | {fpr:.2f} "
                         f"| {tp} | {fn} | {fp} | {tn} |")
    return "\n".join(lines)


def misses(messages: list[Labelled], said: list[bool]) -> str:
    wrong = [f"  {'missed' if m.crisis else 'false positive'} ({m.lang}): {m.text}"
             for m, s in zip(messages, said, strict=True) if s != m.crisis]
    return "\n".join(wrong) or "  none"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flows", type=Path, default=Path("flows"))
    parser.add_argument("--only", choices=("cv", "heldout"))
    parser.add_argument("--show", action="store_true", help="list every wrong answer")
    args = parser.parse_args(argv)
    detector = load_crisis_detector(args.flows, load_checked_flows(args.flows))
    assert detector is not None, f"{args.flows}/safety/ is missing"
    if args.only != "heldout":
        training, generated = training_messages(args.flows / "safety")
        assert detector.model is not None
        answers = layer_answers(detector, training,
                                out_of_fold(training, detector.model.c, generated))
        print(table("Cross-validation (5 stratified folds, training set)", training, answers))
        if args.show:
            print(misses(training, answers["combined"]))
        print()
    if args.only != "cv":
        for path in HELDOUT:
            heldout = load_labelled(path)
            answers = layer_answers(detector, heldout)
            print(table(f"Held out: {path} (never trained on)", heldout, answers))
            if args.show:
                print(misses(heldout, answers["combined"]))
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
