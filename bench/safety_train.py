"""Train the crisis model and write flows/safety/model.json.

    python -m bench.safety_train [--flows flows] [--check]

Features come from bot.safety.features (the same function run time uses); only
features seen in at least MIN_DF training messages are kept. Training data: the
hand-written flows/safety/training.yaml, training_voices.yaml and training_voices_2.yaml
(HAND_WRITTEN), and the generated
flows/safety/generated.yaml (python -m bench.safety_generate). Logistic regression with
balanced class weights; liblinear is deterministic, so the same data gives the same
weights. The regularisation C and the probability threshold are chosen together on
out-of-fold predictions of
stratified cross-validation over the hand-written messages (the generated ones are in
every fold's training and never scored: one template's messages are near-copies): the
pair that gives the detector as a whole (phrases OR patterns OR model) the highest
recall while its false-positive rate stays within FP_BUDGET; ties go to fewer false
positives. FP_BUDGET is the 0.10 the goal accepts (it was 0.08 until issue 9's third
round): the everyday half of the training data is chosen to be tricky, so the held-out
sets that have been seen score fewer false positives than cross-validation does (0.06
over all six), and each 0.01 of budget buys about 0.015 of cross-validated recall.
``--check`` compares with the shipped file instead of writing it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

from bot.safety.features import features
from bot.safety.labelled import Labelled, load_labelled
from bot.safety.model import FORMAT

MIN_DF = 4
C_CHOICES = (0.3, 1.0, 3.0)
FOLDS = 5
SEED = 0
FP_BUDGET = 0.10
DIGITS = 4


HAND_WRITTEN = ("training.yaml", "training_voices.yaml", "training_voices_2.yaml")


def training_messages(folder: Path) -> tuple[list[Labelled], list[Labelled]]:
    """The hand-written training sets (HAND_WRITTEN, those present), and the generated
    one (empty if absent)."""
    generated = folder / "generated.yaml"
    return ([m for name in HAND_WRITTEN if (folder / name).exists()
             for m in load_labelled(folder / name)],
            load_labelled(generated) if generated.exists() else [])


def vocabulary(messages: list[Labelled]) -> list[str]:
    counts = Counter(f for m in messages for f in features(m.text))
    return sorted(f for f, n in counts.items() if n >= MIN_DF)


def fit(messages: list[Labelled], c: float) -> tuple[dict[str, float], float]:
    """Weights per feature and a bias, from these messages only."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    vocab = vocabulary(messages)
    index = {f: i for i, f in enumerate(vocab)}
    rows, cols, vals = [], [], []
    for row, message in enumerate(messages):
        present = [index[f] for f in features(message.text) if f in index]
        for col in present:
            rows.append(row)
            cols.append(col)
            vals.append(1.0 / math.sqrt(len(present)))
    matrix = csr_matrix((vals, (rows, cols)), shape=(len(messages), len(vocab)))
    labels = [int(m.crisis) for m in messages]
    model = LogisticRegression(C=c, class_weight="balanced", solver="liblinear",
                               random_state=SEED, max_iter=1000)
    model.fit(matrix, labels)
    weights = {f: round(float(w), DIGITS) for f, w in zip(vocab, model.coef_[0], strict=True)}
    return weights, round(float(model.intercept_[0]), DIGITS)


def out_of_fold(messages: list[Labelled], c: float,
                extra: list[Labelled] | None = None) -> list[float]:
    """Each message's model probability from a model trained without its fold.

    ``extra`` (the generated messages) is in every fold's training and never scored:
    messages from one template are near-copies of each other, so scoring them out of
    fold would flatter the model and pick a threshold that is too low."""
    from sklearn.model_selection import StratifiedKFold

    from bot.safety.model import CrisisModel

    probabilities = [0.0] * len(messages)
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
    for train, test in folds.split(messages, [m.stratum for m in messages]):
        weights, bias = fit([messages[i] for i in train] + (extra or []), c)
        model = CrisisModel(weights, bias, 0.5)
        for i in test:
            probabilities[i] = model.probability(messages[i].text)
    return probabilities


def choose_threshold(messages: list[Labelled], probabilities: list[float],
                     rules_fire: list[bool]) -> tuple[float, float, float]:
    """(recall, false-positive rate, threshold) of the best threshold within FP_BUDGET."""
    crisis = [i for i, m in enumerate(messages) if m.crisis]
    everyday = [i for i, m in enumerate(messages) if not m.crisis]
    best = (0.0, 1.0, 1.0)
    for threshold in [t / 100 for t in range(5, 100)]:
        said = [rules_fire[i] or probabilities[i] >= threshold for i in range(len(messages))]
        recall = sum(said[i] for i in crisis) / len(crisis)
        fpr = sum(said[i] for i in everyday) / len(everyday)
        if fpr <= FP_BUDGET and (recall, -fpr) > (best[0], -best[1]):
            best = (recall, fpr, threshold)
    return best


def choose(messages: list[Labelled], rules_fire: list[bool],
           extra: list[Labelled] | None = None) -> tuple[float, float]:
    """The (C, threshold) pair with the best cross-validated recall within FP_BUDGET."""
    scored = []
    for c in C_CHOICES:
        recall, fpr, threshold = choose_threshold(messages, out_of_fold(messages, c, extra),
                                                  rules_fire)
        scored.append(((recall, -fpr), c, threshold))
    _, c, threshold = max(scored, key=lambda s: s[0])
    return c, threshold


def train(flows: Path) -> dict[str, object]:
    from bot.app import load_checked_flows
    from bot.safety.detect import CrisisDetector, detection_folder
    from bot.safety.patterns import load_patterns

    folder = detection_folder(flows)
    messages, generated = training_messages(folder)
    rules = CrisisDetector(load_checked_flows(flows).flows["safety"].triggers.keywords,
                           load_patterns(folder / "patterns.yaml"), None)
    fired = [rules.is_crisis(m.text) for m in messages]
    c, threshold = choose(messages, fired, generated)
    weights, bias = fit(messages + generated, c)
    return {"format": FORMAT,
            "trained_on": ", ".join((*HAND_WRITTEN, "generated.yaml")),
            "messages": len(messages) + len(generated), "c": c, "threshold": threshold,
            "bias": bias,
            "weights": weights}


def dump(model: dict[str, object]) -> str:
    return json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flows", type=Path, default=Path("flows"))
    parser.add_argument("--check", action="store_true",
                        help="fail if the shipped model differs from a fresh training")
    args = parser.parse_args(argv)
    model = train(args.flows)
    path = args.flows / "safety" / "model.json"
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != dump(model):
            print(f"{path} is out of date: run python -m bench.safety_train", file=sys.stderr)
            return 1
        print(f"{path} is current")
        return 0
    path.write_text(dump(model), encoding="utf-8")
    print(f"wrote {path}: {len(model['weights'])} features, "  # type: ignore[arg-type]
          f"C {model['c']}, threshold {model['threshold']}, from {model['messages']} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
