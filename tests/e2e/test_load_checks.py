"""The load's checks catch what they are for: two turns of one person the other way
round, a reply missing, a message sent twice, a check-in sent twice, a 429."""

from __future__ import annotations

from tests.e2e.load import CHECKIN, Run, Script, busiest_second, check, newcomer, returning
from tests.fake_bot_api import BotMessage, FakeBotAPI
from tests.fake_bot_api.state import Call

NEWCOMER = ["Which language would you like?", "I'm goodhelp, a bot.",
            "Before we start, a word on privacy.", "What would you like me to call you?",
            "Lovely to meet you, Sam 9.", "What matters most to you right now?"]


def sent(api: FakeBotAPI, chat_id: int, texts: list[str]) -> None:
    for n, text in enumerate(texts, start=1):
        api.world.add_bot_message(BotMessage(chat_id, n, "text", text=text))


def problems(texts: list[str], script: Script) -> list[str]:
    api = FakeBotAPI()
    sent(api, script.chat_id, texts)
    return check(api, Run([script])).problems


def test_replies_in_order_pass() -> None:
    assert problems(NEWCOMER, newcomer(9, burst=True)) == []


def test_two_turns_the_other_way_round_fail() -> None:
    # The name handled before the yes: the name step's replies come first.
    swapped = [*NEWCOMER[:3], NEWCOMER[4], NEWCOMER[5], NEWCOMER[3]]
    assert problems(swapped, newcomer(9, burst=True))


def test_another_persons_words_fail() -> None:
    assert problems([*NEWCOMER[:4], "Lovely to meet you, Sam 90.", NEWCOMER[5]],
                    newcomer(9, burst=False))


def test_a_missing_reply_fails() -> None:
    assert problems(NEWCOMER[:-1], newcomer(9, burst=False))


def test_a_message_sent_twice_is_counted() -> None:
    api = FakeBotAPI()
    sent(api, 9, [*NEWCOMER[:2], NEWCOMER[1], *NEWCOMER[2:]])
    verdict = check(api, Run([newcomer(9, burst=False)]))
    assert verdict.problems == [] and verdict.duplicates == {9: 1}


def test_a_checkin_twice_fails() -> None:
    person = returning(5)
    once = ["You've got through hard days before.", f"Would you like a {CHECKIN}, Robin 5?",
            "That's fine.", "What went well?", '"I phoned the job centre 5" counts.',
            "how confident do you feel", "7 out of 10 is kept"]
    assert problems(once, person) == []
    twice = [*once[:2], once[0], once[1], *once[2:]]
    assert any("2 check-in greetings" in p for p in problems(twice, person))


def test_a_429_fails() -> None:
    api = FakeBotAPI()
    api.faults.count_429 = 1
    assert check(api, Run([])).problems == ["the fake answered 1 sends with 429"]


def test_busiest_second_counts_a_sliding_window() -> None:
    api = FakeBotAPI()
    for at in (0.0, 0.5, 0.9, 1.0, 1.95, 5.0):
        api.world.record_call(Call("sendMessage", 1, {}, at))
    assert busiest_second(api) == 3  # 0.5, 0.9, 1.0 (or 1.0, 1.95)
