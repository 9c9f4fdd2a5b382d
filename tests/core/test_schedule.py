"""The one mapping between the typed scheduling state and the flows' variables."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.schedule import ScheduleState, changes, from_vars, join, split, to_vars
from bot.core.state import ConversationState


def test_flags_are_booleans_and_the_flows_see_yes() -> None:
    schedule = from_vars({"paused": "yes", "rhythm_chosen": "", "checkin_replied": True})
    assert schedule.paused is True and schedule.rhythm_chosen is False
    assert schedule.checkin_replied is True and schedule.still_want_asked is None
    assert to_vars(schedule) == {"paused": "yes", "rhythm_chosen": "", "checkin_replied": "yes"}


def test_times_and_counts_are_typed() -> None:
    schedule = from_vars({"prompt_at": "2026-01-04T09:00:00+00:00", "unanswered": "2",
                          "safety_pause_until": "not a time"})
    assert schedule.prompt_at == datetime(2026, 1, 4, 9, tzinfo=UTC)
    assert schedule.unanswered == 2 and schedule.safety_pause_until is None


def test_split_and_join_give_back_the_same_state() -> None:
    state = ConversationState(flow="nudge", vars={"name": "Sam", "checkin_rhythm": "daily",
                                                  "encouragement_recent": ["x"]})
    rest, schedule = split(state)
    assert dict(rest.vars) == {"name": "Sam"} and schedule.rhythm == "daily"
    assert join(rest, schedule) == state


def test_changes_names_only_what_differs() -> None:
    old = ScheduleState(rhythm="daily", unanswered=1)
    new = ScheduleState(rhythm="daily", unanswered=0, checkin_replied=True)
    assert changes(old, new) == {"unanswered": 0, "checkin_replied": "yes"}
