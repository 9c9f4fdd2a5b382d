"""Time crisis detection per message against the exact-phrase layer alone.

    python -m bench.safety_speed [--rounds 5]

Every message of the hand-written training sets and the held-out sets (about 2,000,
English and Welsh, half of them everyday) is timed one by one, each round in a fresh
order. Baseline: the exact phrases as the engine always checked them (normalise + one
regular expression). Then the whole detector as the engine calls it (stops at the first
layer that fires), and all three layers on every message (the worst case, what an
everyday message costs). Also the time to load the detector (patterns compiled, model
read, lemma dictionaries warmed).
p50 and p99 are wall-clock per message, so on a busy machine p99 includes time the
process was not running at all; "CPU" is this thread's own time (time.thread_time), what
the check itself costs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bot.app import load_checked_flows
from bot.engine.matching import PhraseMatcher, normalise
from bot.safety.detect import CrisisDetector, load_crisis_detector
from bot.safety.labelled import load_labelled


def per_message(check: Callable[[str], object], texts: list[str], rounds: int,
                seed: int = 0) -> tuple[list[float], list[float]]:
    """Wall-clock and this thread's CPU time of every call."""
    rng = random.Random(seed)
    wall, cpu = [], []
    for _ in range(rounds):
        order = texts[:]
        rng.shuffle(order)
        for text in order:
            start, start_cpu = time.perf_counter(), time.thread_time()
            check(text)
            cpu.append(time.thread_time() - start_cpu)
            wall.append(time.perf_counter() - start)
    return wall, cpu


def percentile(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flows", type=Path, default=Path("flows"))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    flows = load_checked_flows(args.flows)
    started = time.perf_counter()
    detector = load_crisis_detector(args.flows, flows)
    load_ms = (time.perf_counter() - started) * 1000
    assert isinstance(detector, CrisisDetector)
    paths = [args.flows / "safety" / "training.yaml",
             args.flows / "safety" / "training_voices.yaml",
             *sorted(Path("tests/data").glob("safety_heldout*.yaml"))]
    texts = [m.text for p in paths for m in load_labelled(p)]
    exact = PhraseMatcher(flows.flows["safety"].triggers.keywords)
    rows = [("exact phrases only (baseline)", lambda t: exact.matches(normalise(t))),
            ("detector, as the engine calls it", detector.is_crisis),
            ("all three layers on every message", detector.verdict)]
    results = [(name, per_message(check, texts, args.rounds)) for name, check in rows]
    base = statistics.median(results[0][1][0])
    print(f"{len(texts)} messages x {args.rounds} rounds; detector loaded in {load_ms:.0f} ms")
    print("| check | p50 | p99 | p99 CPU | max CPU | p50 vs baseline |")
    print("|---|---|---|---|---|---|")
    for name, (wall, cpu) in results:
        p50 = statistics.median(wall)
        print(f"| {name} | {p50 * 1e6:.0f} µs | {percentile(wall, 0.99) * 1e6:.0f} µs "
              f"| {percentile(cpu, 0.99) * 1e6:.0f} µs | {max(cpu) * 1e6:.0f} µs "
              f"| {p50 / base:.0f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
