"""The step-down policy over 90 simulated days (the real policy.yaml and planner)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.scheduling.planning import in_quiet_hours
from bot.scheduling.policy import Policy
from bot.scheduling.simulate import PERSONAS, START, Run, simulate
from tests.conftest import FLOWS

POLICY = Policy.load(FLOWS / "config" / "policy.yaml")
BY_NAME = {p.name: p for p in PERSONAS}


def run(name: str, **vars: str) -> Run:
    persona = BY_NAME[name]
    return simulate(POLICY, replace(persona, vars={**persona.vars, **vars}))


def test_prompts_fall_as_confidence_rises() -> None:
    weeks = run("rising").per_week(13)
    assert sum(weeks[:3]) > 2 * sum(weeks[-3:])
    assert weeks[-1] <= 1


def test_prompts_rise_again_after_a_dip() -> None:
    result = run("dip then recovery")
    weeks = result.per_week(13)
    before_dip, after_dip = weeks[4:6], weeks[7:10]  # the dip is days 40-56
    assert max(after_dip) > max(before_dip)
    assert weeks[-1] < max(after_dip)  # and step down again on recovery


@pytest.mark.parametrize("persona", [p.name for p in PERSONAS])
def test_never_more_often_than_a_chosen_rhythm(persona: str) -> None:
    result = run(persona, checkin_rhythm="weekly", rhythm_chosen="yes")
    gaps = [b.at - a.at for a, b in zip(result.prompts, result.prompts[1:], strict=False)]
    assert all(gap >= timedelta(days=7) - timedelta(hours=1) for gap in gaps)
    assert {p.level for p in result.prompts} == {"weekly"}


@pytest.mark.parametrize("persona", [p.name for p in PERSONAS])
@pytest.mark.parametrize("settings", [{}, {"checkin_time": "22:30"},
                                      {"timezone": "Asia/Tokyo", "checkin_time": "07:00"},
                                      {"quiet_start": "09:00", "quiet_end": "12:00"}])
def test_none_in_quiet_hours(persona: str, settings: dict[str, str]) -> None:
    result = run(persona, **settings)
    assert result.prompts
    assert not [p.at for p in result.prompts if in_quiet_hours(result.schedule, p.at)]


def test_disengaging_people_are_not_nagged() -> None:
    result = run("disengaging")
    silent_from = START + timedelta(days=14)
    after = [p for p in result.prompts if p.at >= silent_from]
    assert [p.kind for p in after].count("still_want") == 1
    assert len(after) <= POLICY.disengagement["stop_after"]
    assert not [p for p in result.prompts if p.at >= silent_from + timedelta(days=30)]
    weeks = result.per_week(13)
    assert weeks[3] < weeks[1]  # fewer, not more


def test_the_cli_writes_a_chart_and_prints_a_table(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "sim.png"
    assert main(["simulate", "--out", str(out), "--flows", str(FLOWS)], environ={}) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = capsys.readouterr().out
    for persona in PERSONAS:
        assert persona.name in printed
