"""A mentor encourages a person through the bot: matching, the checks, delivery, replies,
limits, pausing, and the invariants (issue 12)."""

from __future__ import annotations

from bot.core.keys import PersonKey
from bot.reports.build import gather
from bot.reports.page import html_page
from bot.reports.weeks import window
from bot.storage.reports import ReportScope
from tests.mentoring.conftest import MENTOR, PERSON, STAFF, Chats, matched


async def write(chats: Chats, ref: str, text: str) -> str:
    await chats.say(MENTOR, "/mentoring")
    await chats.press(MENTOR, "Write some encouragement")
    await chats.say(MENTOR, ref)
    return await chats.say(MENTOR, text)


async def test_matching_tells_both_and_the_mentor_sees_only_what_was_shared(
        chats: Chats) -> None:
    ref = await matched(chats)
    assert "a peer mentor has been matched with you" in chats.everything_sent_to(PERSON)
    seen = chats.everything_sent_to(MENTOR)
    assert f"Sam ({ref})" in seen
    # Never their Telegram id, nor the name they gave the bot.
    for secret in (PERSON.external_id, "Samantha", "Jones"):
        assert secret not in seen


async def test_encouragement_reaches_the_person_with_buttons_and_a_reply_comes_back(
        chats: Chats) -> None:
    ref = await matched(chats)
    assert "pass it on" in await write(chats, ref, "Really glad you're here. What helped?")
    await chats.tick(minutes=61)
    got = chats.last[PERSON][-1]
    assert "Really glad you're here" in got.text
    assert [o.label for o in got.options] == ["Thank them", "Reply", "Not now",
                                              "Stop mentor messages", "Report this"]
    await chats.press(PERSON, "Reply")
    assert "can't pass on" in await chats.say(PERSON, "call me on 07700 900123")
    assert "Sent on" in await chats.say(PERSON, "Thank you, the walk helped")
    await chats.tick(minutes=1)
    assert "replied to your message" in chats.last[MENTOR][-1].text
    assert "the walk helped" in chats.last[MENTOR][-1].text
    assert PERSON.external_id not in chats.everything_sent_to(MENTOR)


async def test_contact_details_never_pass_from_a_mentor(chats: Chats) -> None:
    ref = await matched(chats)
    for text in ("Text me on +44 7700 900123", "mail max@example.org", "I'm @max_helps",
                 "see t.me/maxhelps", "www.example.com has tips"):
        assert "can't pass on phone numbers" in await write(chats, ref, text), text
    await chats.tick(minutes=61)
    for text in ("7700", "example", "max_helps", "t.me"):
        assert text not in chats.everything_sent_to(PERSON)


async def test_directive_phrasing_gets_a_gentle_suggestion_with_the_reason(
        chats: Chats) -> None:
    ref = await matched(chats)
    answer = await write(chats, ref, "You should apply for that job")
    assert '"you should" can sound like an instruction' in answer
    assert "a question often helps more" in answer
    await chats.press(MENTOR, "Write it again")
    assert "pass it on" in await chats.say(MENTOR, "Would you like to talk about that job?")


async def test_crisis_words_from_a_mentor_are_held_for_staff_and_the_mentor_told_kindly(
        chats: Chats) -> None:
    ref = await matched(chats)
    answer = await write(chats, ref, "I know how it is to want to die, I was there too")
    # Told kindly, with help for themselves in case the words are about them.
    assert "the programme's staff will read your message before it goes" in answer
    assert "Samaritans" in answer and "about how you feel yourself" in answer
    mentor_state = await chats.app.storage.load(MENTOR)
    assert mentor_state is not None and mentor_state.flow is None
    assert mentor_state.vars.get("safety_pause_until")  # no reminders to the writer for a day
    for name in ("peer_text", "mentee_ref", "safety_can_return"):
        assert name not in mentor_state.vars
    mentoring = chats.app.conversations.mentoring
    held = await mentoring.store.held()
    assert [(m.text, m.status, m.flags) for m, _ in held] == [
        ("I know how it is to want to die, I was there too", "held", "crisis")]
    await chats.tick(minutes=61)
    assert "want to die" not in chats.everything_sent_to(PERSON)  # never unreviewed
    # Staff read it and decide; only then may it reach the person.
    await chats.say(STAFF, "/staff")
    review = await chats.press(STAFF, "Review held messages")
    assert "want to die" in review and "crisis" in review
    await chats.press(STAFF, "Approve it")
    await chats.tick(minutes=61)
    assert "I was there too" in chats.everything_sent_to(PERSON)


async def test_crisis_words_are_held_even_when_paused_or_over_the_daily_limit(
        chats: Chats) -> None:
    ref = await matched(chats)
    await write(chats, ref, "Hello from me.")
    await write(chats, ref, "Hope the day went OK.")  # today's limit reached
    answer = await write(chats, ref, "some days I want to end my life too")
    assert "staff will read your message" in answer
    await chats.say(PERSON, "/mentor")
    await chats.press(PERSON, "Pause mentor messages")
    assert "staff will read your message" in await write(chats, ref, "feeling suicidal?")
    held = await chats.app.conversations.mentoring.store.held()
    assert len(held) == 2 and all(m.flags == "crisis" for m, _ in held)


async def test_crisis_words_with_a_contact_detail_are_never_kept(chats: Chats) -> None:
    ref = await matched(chats)
    answer = await write(chats, ref, "if you want to die call me on 07700 900123")
    assert "Samaritans" in answer and "I haven't kept it" in answer
    assert await chats.app.conversations.mentoring.store.held() == []
    assert "pass it on" in await chats.say(MENTOR, "Thinking of you today.")


async def test_crisis_words_the_safety_net_misses_are_held_for_staff(chats: Chats) -> None:
    ref = await matched(chats)
    mentoring = chats.app.conversations.mentoring
    mentoring.crisis = lambda text: "hold-me" in text  # a deployment's stricter list
    assert "staff look at this one" in await write(chats, ref, "hold-me please")
    await chats.tick(minutes=61)
    assert "hold-me" not in chats.everything_sent_to(PERSON)
    held = await mentoring.store.held()
    assert len(held) == 1 and "crisis" in held[0][0].flags


async def test_a_crisis_in_a_reply_runs_the_persons_safety_net(chats: Chats) -> None:
    ref = await matched(chats)
    await write(chats, ref, "Thinking of you today.")
    await chats.tick(minutes=61)
    await chats.press(PERSON, "Reply")
    answer = await chats.say(PERSON, "I want to end my life")
    assert "Samaritans" in answer or "116 123" in answer
    await chats.tick(minutes=1)
    assert "end my life" not in chats.everything_sent_to(MENTOR)


async def test_a_pair_has_a_daily_limit(chats: Chats) -> None:
    ref = await matched(chats)
    assert "pass it on" in await write(chats, ref, "Hello from me.")
    assert "pass it on" in await write(chats, ref, "Hope the day went OK.")
    assert "today's messages" in await write(chats, ref, "One more thing.")


async def test_not_twice_in_an_hour_and_never_into_a_conversation(chats: Chats) -> None:
    ref = await matched(chats)
    await write(chats, ref, "First note.")
    await write(chats, ref, "Second note.")
    await chats.tick(minutes=61)
    assert "First note" in chats.last[PERSON][-1].text
    await chats.press(PERSON, "Not now")
    await chats.tick(minutes=10)
    assert "Second note" not in chats.everything_sent_to(PERSON)  # within the hour
    await chats.say(PERSON, "/win")  # in a conversation
    await chats.tick(minutes=61)
    assert "Second note" not in chats.everything_sent_to(PERSON)
    await chats.say(PERSON, "/cancel")
    await chats.tick(minutes=1)
    assert "Second note" in chats.everything_sent_to(PERSON)


async def test_paused_waits_and_stopped_drops(chats: Chats) -> None:
    ref = await matched(chats)
    await chats.say(PERSON, "/mentor")
    assert "no mentor messages for now" in await chats.press(PERSON, "Pause mentor messages")
    assert "paused mentor messages" in await write(chats, ref, "Hello!")
    await chats.say(PERSON, "/mentor")
    await chats.press(PERSON, "Start them again")
    await write(chats, ref, "Welcome back!")
    await chats.say(PERSON, "/mentor")
    await chats.press(PERSON, "Stop mentoring")
    await chats.tick(minutes=61)
    assert "Welcome back" not in chats.everything_sent_to(PERSON)
    assert "Nobody is matched" in await chats.say(MENTOR, "/mentoring")


async def test_thanks_and_report(chats: Chats) -> None:
    ref = await matched(chats)
    await write(chats, ref, "You did well to ask.")
    await chats.tick(minutes=61)
    assert "passed on your thanks" in await chats.press(PERSON, "Thank them")
    await chats.tick(minutes=1)
    assert f"Sam ({ref}) said thank you" in chats.last[MENTOR][-1].text
    await write(chats, ref, "Another note.")
    await chats.tick(minutes=61)
    assert "staff will look at it" in await chats.press(PERSON, "Report this")
    held = await chats.app.conversations.mentoring.store.held()
    assert [m.status for m, _ in held] == ["reported"]


async def test_a_removed_mentor_reaches_no_one_and_their_people_are_offered_someone_else(
        chats: Chats) -> None:
    ref = await matched(chats)
    await write(chats, ref, "Unsent words.")
    mentoring = chats.app.conversations.mentoring
    assert await mentoring.remove_mentor(MENTOR, chats.clock.now()) == 1
    await chats.tick(minutes=61)
    got = chats.everything_sent_to(PERSON)
    assert "Unsent words" not in got
    assert "no longer with the programme" in got and "nothing to do with you" in got
    assert "for the programme's mentors or staff" in await chats.say(MENTOR, "/mentoring")
    link = await mentoring.store.current_link(PERSON)
    assert link is not None and link.status == "waiting" and link.first_name == "Sam"


async def test_a_persons_delete_removes_their_side_at_once(chats: Chats) -> None:
    ref = await matched(chats)
    await write(chats, ref, "Kind words here.")
    await chats.say(PERSON, "/delete")
    await chats.press(PERSON, chats.last[PERSON][-1].options[0].label)
    store = chats.app.conversations.mentoring.store
    assert await store.current_link(PERSON) is None
    assert await store.queued() == []
    assert "Nobody is matched" in await chats.say(MENTOR, "/mentoring")


def _key_texts(key: PersonKey) -> tuple[str, ...]:
    return (key.external_id,)


async def test_staff_see_nobody_waiting_when_the_queue_is_empty(chats: Chats) -> None:
    await chats.say(STAFF, "/staff")
    assert "Nobody is waiting" in await chats.press(STAFF, "Match the next person waiting")


async def test_the_staff_report_counts_the_match_and_the_message_never_its_words(
        chats: Chats) -> None:
    ref = await matched(chats)
    await write(chats, ref, "Proud of you for the phone call today.")
    await chats.tick(minutes=61)
    source = chats.app.storage.report_source()  # type: ignore[attr-defined]
    await source.open()
    try:
        now = chats.clock.now()
        scope = ReportScope(*window(None, None, now.date()))  # as /report asks
        weekly = await source.weekly(scope)
        report, _ = await gather(source, scope)
    finally:
        await source.close()
    assert sum(weekly["mentor_matches"].values()) == 1
    assert sum(weekly["mentor_messages"].values()) == 1
    page = html_page(report)
    assert "Fewer than 8 times a person was matched with a peer mentor" in page
    assert "Proud of you" not in page and "Sam" not in page
