"""The shipped model: current with its training data, and light at run time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.safety.labelled import load_labelled
from tests.conftest import FLOWS, ROOT

MODEL = FLOWS / "safety" / "model.json"
TRAINING = FLOWS / "safety" / "training.yaml"
GENERATED = FLOWS / "safety" / "generated.yaml"
VOICES = FLOWS / "safety" / "training_voices.yaml"
VOICES_2 = FLOWS / "safety" / "training_voices_2.yaml"
HELDOUT = sorted((ROOT / "tests" / "data").glob("safety_heldout*.yaml"))


def test_the_training_set_is_big_enough_and_balanced() -> None:
    messages = load_labelled(TRAINING)
    for lang, least in (("en", 300), ("cy", 100)):
        mine = [m for m in messages if m.lang == lang]
        crisis = sum(m.crisis for m in mine)
        assert len(mine) >= least
        assert abs(crisis - (len(mine) - crisis)) <= len(mine) * 0.1


def test_no_held_out_message_is_in_the_training_set() -> None:
    """Counts only: a failure must not print a held-out message (some sets are never read;
    docs/safety.md, "How well it works")."""
    training = {m.text.casefold() for path in (TRAINING, VOICES, VOICES_2, GENERATED)
                for m in load_labelled(path)}
    for path in HELDOUT:
        # A one-word message ("kms", set 9's author wrote it too) is a word both authors
        # know, not a copied message.
        copied = sum(m.text.casefold() in training for m in load_labelled(path)
                     if len(m.text.split()) > 1)
        assert copied == 0, f"{copied} messages of {path.name} are in the training data"


def test_the_generated_messages_are_what_the_templates_give() -> None:
    """Edit bench/safety_templates.py, and this fails until generated.yaml is rewritten."""
    from bench.safety_generate import dump, generate

    assert GENERATED.read_text(encoding="utf-8") == dump(generate()), (
        "run python -m bench.safety_generate, then python -m bench.safety_train")


def test_the_generated_messages_are_many_and_balanced() -> None:
    messages = load_labelled(GENERATED)
    assert len(messages) + len(load_labelled(TRAINING)) >= 2500
    for lang in ("en", "cy"):
        mine = [m for m in messages if m.lang == lang]
        crisis = sum(m.crisis for m in mine)
        assert abs(crisis - (len(mine) - crisis)) <= len(mine) * 0.1


def test_the_shipped_weights_are_a_fresh_training() -> None:
    """Edit training.yaml or patterns.yaml, and this fails until the model is retrained."""
    pytest.importorskip("sklearn")
    from bench.safety_train import train

    fresh = train(FLOWS)
    shipped = json.loads(MODEL.read_text(encoding="utf-8"))
    assert (shipped["c"], shipped["threshold"]) == (fresh["c"], fresh["threshold"]), (
        "run python -m bench.safety_train")
    weights = fresh["weights"]
    assert isinstance(weights, dict)
    assert set(shipped["weights"]) == set(weights)
    assert max(abs(shipped["weights"][f] - w) for f, w in weights.items()) <= 1e-3
    assert abs(shipped["bias"] - fresh["bias"]) <= 1e-3  # type: ignore[operator]


def test_run_time_needs_neither_scikit_learn_nor_numpy() -> None:
    code = ("import sys; from pathlib import Path; from bot.app import load_checked_flows, "
            "load_checked_detector as d; f = Path(sys.argv[1]); "
            "assert d(f, load_checked_flows(f)).is_crisis('kms'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'numpy', "
            "'scipy')))")
    out = subprocess.run([sys.executable, "-c", code, str(FLOWS)], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_the_model_file_is_small() -> None:
    assert MODEL.stat().st_size < 200_000


def test_a_broken_model_file_is_a_problem_naming_it(tmp_path: Path) -> None:
    from bot.safety.model import ModelError, load_model

    path = tmp_path / "model.json"
    path.write_text("{\"format\": 99}", encoding="utf-8")
    with pytest.raises(ModelError, match=r"run python -m bench\.safety_train"):
        load_model(path)


def test_a_crisis_sentence_inside_a_long_everyday_message_is_not_averaged_away() -> None:
    """Issue 9: the model averaged over the whole message, so a risk in the middle of a
    long, everyday message ("went to the shop ... the kids had pizza") scored low. Each
    sentence now counts on its own too."""
    from bot.safety.model import load_model

    model = load_model(MODEL)
    risk = "I have been saving my tablets for weeks and I will take them all tonight"
    long = (f"Went to the job centre this morning and then to the shop for bread and milk. "
            f"{risk}. The kids had pizza for tea and we watched a film together after.")
    assert model.probability(long) >= model.probability(risk) >= model.threshold
    assert model.probability("Went to the shop. The kids had pizza. We watched a film.") < (
        model.threshold)
