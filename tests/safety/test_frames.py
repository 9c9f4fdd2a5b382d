"""Crisis kinds by intent frame (docs/safety.md, "Detection"), each in wordings of our
own (never a held-out message), caught by the PATTERNS alone; and everyday messages
that borrow the same frames, caught by no layer. All of these failed before the frames."""

from __future__ import annotations

import pytest

from bot.safety.detect import CrisisDetector

FRAMES = {
    "farewell": [
        "please tell my brother I'm sorry",
        "I won't need my phone after tonight",
        "gave my records away, I won't need them where I'm going",
        "I've sorted my affairs and tied up loose ends",
        "this is the last message you'll ever get from me",
        "I'm done for good, thanks for trying",
        "heading to the viaduct, goodbye",
        "ffarwel bawb",
        "fydda i ddim angen y ffôn ar ôl heno",
    ],
    "burden": [
        "i'm just a burden to my family",
        "the kids would be better off with me gone",
        "it'd be easier for everyone if I disappeared",
        "my family deserve a better dad than me",
        "dwi'n faich ar bawb",
        "byddan nhw'n hapusach hebdda i",
    ],
    "plan and means": [
        "the pills are lined up on my bedside table",
        "got a razor in my hand",
        "looking up how many co-codamol would be lethal",
        "what's the most painless way to die",
        "I keep thinking about the railway line",
        "planning to od on my insulin",
        "mae'r tabledi gen i'n barod",
    ],
    "self harm": [
        "burned myself with a lighter again",
        "I cut my legs up last night",
        "i relapsed and did sh",
        "there's blood everywhere and I did it on purpose",
    ],
    "wanting to die": [
        "I just want to stop existing",
        "wish i could go to sleep and never wake up",
        "i'm going to unalive myself",
        "honestly I want to finish my life",
        "I won't be around much longer",
        "dwi isio i bob dim stopio am byth",
        "dwi 'di cael llond bol o fyw",
    ],
    "hopeless": [
        "they'd all be relieved if I died",
        "honestly what's the point anymore",
        "I can't see a way out",
        "nobody would even miss me",
        "I deserve to die",
        "dwi ddim yn gweld dyfodol",
        "dwi'n mynd i neidio off y bont",  # English inside Welsh
    ],
    # Issue 9: warning signs without crisis words (patterns kind warning_signs).
    "warning signs": [
        "the voices keep telling me I should die",
        "something keeps saying jump",
        "left a letter for whoever finds me",
        "my dog will be sorted when I'm gone",
        "writing my last letters to the kids",
        "razor blades laid out next to me",
        "sat in my garage with the engine on again",
        "the car park roof is high enough",
        "wouldn't mind if a lorry ran me over",
        "I relapsed with a razor again",
        "mae'r lleisiau'n dweud wrtha i am neidio",
    ],
    "bent words": [
        "thinking about s*icide",
        "i want to diiiie",
        "su1c1de is all i think about",
        "dis is goodbye",
        "no1 wud care if i died",
        "i want to end my lfie",
    ],
}

EVERYDAY = [
    "I'll be gone all day tomorrow, at my nan's",
    "I won't be here next week, I'm on holiday",
    "I'm leaving for good, moving to Swansea",
    "I could sleep forever after that shift",
    "this is my last message tonight, night night",
    "tonight's the night, first date in ages",
    "I'm a burden on nobody, I pay my own way",
    "nobody would notice if I left the party early",
    "it would be easier if I got the bus",
    "my pills are ready to collect at the pharmacy",
    "bought a rope for the washing line",
    "signed up for the first aid course at the library",
    "wrote a letter to my nan for her birthday",
    "I'm putting myself first for once",
    "not sure",  # answers to the bot's own questions: too short for the model
    "time zone",
    "how often",
    "there's no point in worrying about it",
    "it'd be easier if I did it online",
    "I'm ready to go to the canal walk, sorry I'm late",
    "I won't need my coat after today, it's warm",
    "sat on the bridge eating chips",
    "I want to sleep forever on Sundays lol",
    "gave my old phone away, I won't need it now I've got the new one",
    "I've got my meds lined up in my dosette box for the week",
    "I deserve to die of embarrassment after that",
    "I took everything in the cupboard to the charity shop",
    "alla i ddim diodde'r glaw ma dim mwy",
    # look-alikes of the warning signs (issue 9)
    "the voice on the radio keeps saying the road is closed",
    "wrote a note for the cleaner, whoever comes tomorrow",
    "my last letter to the council got no answer",
    "the kitchen knife is out for the veg",
    "sat in the car with the engine on waiting for the kids",
    "went up the multi storey, the view from the top is amazing",
    "a bus nearly hit me this morning, gave me a fright",
    "mae'r llais bach yn dweud wrtha i am drio eto",
    "fyddai neb yn sylwi pe bawn i'n gadael yn gynnar",
]


@pytest.mark.parametrize("text", [t for texts in FRAMES.values() for t in texts])
def test_each_frame_is_caught_by_the_patterns(detector: CrisisDetector, text: str) -> None:
    assert detector.patterns is not None
    assert detector.patterns.match(text) is not None, text


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_messages_in_the_same_frames_are_not(detector: CrisisDetector,
                                                      text: str) -> None:
    assert not detector.is_crisis(text), detector.verdict(text)
