"""The dispatcher respects the person: time zone, time of day, quiet hours, /pause, the
safety pause, conversations in progress, their rhythm choice and their silence.
Time is a FakeClock moved by the test; nothing sleeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.records import Achievement, Rating
from bot.engine.events import Choice, Command, Text
from bot.storage.base import TurnWrite
from tests.scheduling.conftest import MONDAY, SAM, Rig


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


async def test_first_checkin_comes_at_their_time_in_their_time_zone(rig: Rig) -> None:
    await rig.person(timezone="America/New_York", checkin_time="09:30")
    # At least 12 hours after saying yes, at 09:30 New York time (14:30 UTC in January).
    assert await rig.due() == [utc(6, 14, 30)]
    await rig.dispatcher.tick(utc(6, 14, 29))
    assert rig.sent == []
    rig.clock.set(utc(6, 14, 30))
    report = await rig.dispatcher.tick()
    assert report.sent == 1
    [(key, replies)] = rig.sent
    assert key == SAM
    labels = [o.label for r in replies for o in r.options]
    assert "Why am I getting this?" in labels
    assert await rig.due() == [utc(7, 14, 30)]  # daily, the next day


async def test_never_in_quiet_hours(rig: Rig) -> None:
    await rig.person(checkin_time="22:30")  # inside the default quiet hours 21:00-08:00
    assert await rig.due() == [utc(6, 8, 0)]


async def test_a_message_due_in_quiet_hours_waits_for_the_morning(rig: Rig) -> None:
    await rig.person()
    await rig.set_vars(quiet_start="09:00", quiet_end="11:30")  # changed, not yet replanned
    report = await rig.dispatcher.tick(utc(6, 10))
    assert report.counts == {"waiting": 1} and rig.sent == []
    assert await rig.due() == [utc(6, 11, 30)]


async def test_pause_stops_them_and_resume_plans_again(rig: Rig) -> None:
    await rig.person(paused="yes")
    assert await rig.due() == []
    await rig.person(paused="")
    assert await rig.due() == [utc(6, 10)]
    await rig.set_vars(paused="yes")  # paused after the plan was made
    report = await rig.dispatcher.tick(utc(6, 10))
    assert report.counts == {"dropped": 1} and rig.sent == []


async def test_safety_pause_holds_automated_messages(rig: Rig) -> None:
    await rig.person(safety_pause_until="2026-01-07T15:00:00+00:00")
    assert await rig.due() == [utc(8, 10)]
    await rig.person(safety_pause_until="")
    await rig.set_vars(safety_pause_until="2026-01-06T18:00:00+00:00")
    report = await rig.dispatcher.tick(utc(6, 10))
    assert report.counts == {"waiting": 1} and rig.sent == []
    assert await rig.due() == [utc(6, 18)]


async def test_never_interrupts_a_conversation_in_progress(rig: Rig) -> None:
    await rig.person()
    rig.clock.set(utc(6, 9, 55))
    await rig.app.conversations.handle(SAM, Command("win"))
    rig.clock.set(utc(6, 10))
    report = await rig.dispatcher.tick()
    assert report.counts == {"busy": 1} and rig.sent == []
    state = await rig.app.storage.load(SAM)
    assert state is not None and state.flow == "win"
    rig.clock.set(utc(6, 10, 5))
    await rig.app.conversations.handle(SAM, Text("walked to the shop"))
    for _ in range(4):  # answer whatever the win flow asks next, until it is done
        state = await rig.app.storage.load(SAM)
        if state is None or state.flow is None:
            break
        await rig.app.conversations.handle(SAM, Text("skip"))
    rig.clock.set(utc(6, 10, 15))
    assert (await rig.dispatcher.tick()).sent == 1


async def test_a_conversation_left_hours_ago_is_closed_quietly(rig: Rig) -> None:
    await rig.person()
    rig.clock.set(utc(6, 7))
    await rig.app.conversations.handle(SAM, Command("win"))
    rig.clock.set(utc(6, 10))
    assert (await rig.dispatcher.tick()).sent == 1
    assert "cancelled" not in "\n".join(rig.texts()).lower()
    state = await rig.app.storage.load(SAM)
    assert state is not None and state.flow == "nudge"


async def test_their_rhythm_choice_wins_over_the_policy(rig: Rig) -> None:
    await rig.person(checkin_rhythm="weekly", rhythm_chosen="yes")
    # Confidence rising fast and wins logged unprompted: the policy would step down.
    records = [Rating(v, MONDAY - timedelta(days=10 - i), "checkin") for i, v in enumerate(
        [5, 6, 7, 8, 9])] + [Achievement("did it", MONDAY - timedelta(days=1))]
    state = await rig.app.storage.load(SAM)
    assert state is not None
    await rig.app.storage.commit_turn(TurnWrite(SAM, state, tuple(records)))
    await rig.run_until(MONDAY + timedelta(days=29), step_minutes=60)
    assert len(rig.sent) == 4  # once a week, exactly as chosen
    state = await rig.app.storage.load(SAM)
    assert state is not None and state.vars["checkin_rhythm"] == "weekly"


async def test_silence_brings_fewer_messages_one_gentle_question_then_none(rig: Rig) -> None:
    await rig.person()
    await rig.run_until(MONDAY + timedelta(days=60), step_minutes=60)
    texts = rig.texts()
    asked = [t for t in texts if "still like these" in t]
    assert len(asked) == 1
    assert texts.index(asked[0]) == 3  # after three unanswered
    assert len(texts) == 9  # 4 daily, then every 3 days, then nothing
    assert await rig.due() == []
    for text in texts:
        for word in ("missed", "streak", "must", "should"):
            assert word not in text.lower()


async def test_an_unanswered_checkin_is_replaced_not_stacked(rig: Rig) -> None:
    await rig.person()
    await rig.run_until(utc(7, 10, 30), step_minutes=30)
    assert len(rig.sent) == 2
    state = await rig.app.storage.load(SAM)
    assert state is not None and state.flow == "nudge" and state.vars["unanswered"] == 1


async def test_after_a_dip_their_own_past_wins_are_played_back(rig: Rig) -> None:
    await rig.person(purpose="get back into work")
    await rig.dip_after_old_win("phoned the job centre")
    await rig.dispatcher.tick(utc(6, 10))
    [text] = rig.texts()
    assert "phoned the job centre" in text and "three weeks ago" in text.lower()


async def test_a_step_down_is_told_with_the_reason_and_an_offer_to_keep(rig: Rig) -> None:
    await rig.person(rhythm_since=(MONDAY - timedelta(days=12)).isoformat(),
                     reply_history="yyyyy", prompt_at=(MONDAY - timedelta(days=1)).isoformat(),
                     checkin_replied="yes")
    records = [Rating(v, MONDAY - timedelta(days=8 - 2 * i), "checkin")
               for i, v in enumerate([5, 6, 7, 8])]
    records.append(Achievement("went to the library", MONDAY - timedelta(days=2)))
    state = await rig.app.storage.load(SAM)
    assert state is not None
    await rig.app.storage.commit_turn(TurnWrite(SAM, state, tuple(records)))
    await rig.dispatcher.replan(SAM)
    [due] = await rig.due()
    rig.clock.set(due)
    await rig.dispatcher.tick()
    [(_, replies)] = rig.sent
    text = "\n".join(r.text for r in replies)
    assert "every 3 days instead of once a day" in text and "growing" in text
    assert "from 6 to 8" in text
    keep = [r for r in replies if r.options][-1]
    labels = [o.label for o in keep.options]
    assert "Keep once a day" in labels
    await rig.app.conversations.handle(SAM, Choice(keep.prompt, labels.index("Keep once a day")))
    state = await rig.app.storage.load(SAM)
    assert state is not None
    assert (state.vars["checkin_rhythm"], state.vars["rhythm_chosen"]) == ("daily", "yes")
    assert await rig.due() == [due + timedelta(days=1)]


async def test_a_confidence_dip_brings_the_next_checkin_forward(rig: Rig) -> None:
    from bot.engine.runner import Outcome

    await rig.person(checkin_rhythm="weekly", prompt_at=utc(5, 10).isoformat())
    assert await rig.due() == [utc(12, 10)]
    ratings = [Rating(8, utc(5, 10) - timedelta(days=d), "checkin") for d in (21, 14, 7)]
    dip = Rating(4, utc(5, 10, 5), "checkin")
    state = await rig.app.storage.load(SAM)
    assert state is not None
    await rig.app.storage.commit_turn(TurnWrite(SAM, state, (*ratings, dip)))
    await rig.dispatcher.on_turn(SAM, Text("4"), Outcome([], state, [dip]))
    assert await rig.due() == [utc(8, 10)]  # every 3 days instead of a week


async def test_the_first_message_after_a_safety_pause_asks_how_they_are_once(rig: Rig) -> None:
    """Through the real dispatcher: a crisis message at 10:00, no check-in for 24 hours,
    then a gentle question (not a routine check-in), then routine check-ins again."""
    await rig.person()
    rig.clock.set(utc(5, 10))
    await rig.app.conversations.handle(SAM, Text("I want to end it all"))
    await rig.app.conversations.handle(SAM, Command("cancel"))
    await rig.run_until(utc(6, 9, 30))
    assert rig.sent == []  # the next morning's check-in is held by the pause
    await rig.run_until(utc(6, 12))
    [first] = rig.texts()
    assert "how you are now" in first and "quick check-in" not in first
    state = await rig.app.storage.load(SAM)
    assert state is not None and not state.vars.get("safety_pause_until")
    await rig.app.conversations.handle(SAM, Command("cancel"))
    await rig.run_until(utc(8, 12))
    assert rig.texts()[1:] and all("how you are now" not in t for t in rig.texts()[1:])
