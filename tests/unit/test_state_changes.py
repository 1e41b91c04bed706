"""Changes of state read through the state-change table and the sentence encoder: an event ends the
stored state it makes untrue, with no word in common."""

from __future__ import annotations

import pytest

from pipeline.analyzers.offline import OfflineAnalyzer
from pipeline.embedding import build_embedder
from pipeline.models import MemoryRecord
from pipeline.text.normalize import is_simple_past, normalize
from pipeline.text.state_changes import changes, tells_of_an_event
from tests.unit.analyzer_support import correct


@pytest.fixture(scope="module")
def reader() -> OfflineAnalyzer:
    analyzer = OfflineAnalyzer(build_embedder())
    analyzer.prepare()
    return analyzer


def test_the_table_has_both_languages_for_every_change() -> None:
    table = changes()
    assert len(table) >= 80 and len({change.name for change in table}) == len(table)
    for change in table:
        assert any(ord(c) > 0x4E00 for text in change.events for c in text), change.name
        assert any(text.isascii() for text in change.events), change.name
        # A beginning that ends nothing lists no ended state; every other change lists several.
        assert len(change.ends) >= 4 or not change.ends, change.name
    assert sum(1 for change in table if change.ends) >= 80


@pytest.mark.parametrize(
    ("feedback", "memories", "ended"),
    [
        ("my wife gave birth to twins on tuesday!!", ["The user's wife is pregnant.", "The user works as a plumber."],
         "The user's wife is pregnant."),
        ("we finally paid off the mortgage last month", ["The user has a mortgage on their house.", "The user has a dog."],
         "The user has a mortgage on their house."),
        ("我上个月把烟彻底戒掉了", ["用户每天抽半包烟。", "用户在杭州工作。"], "用户每天抽半包烟。"),
        # A child told of its own arrival: the states it ends are its parent's.
        ("our son was born on monday!", ["The user is expecting a baby in May.", "The user lives in Leeds."],
         "The user is expecting a baby in May."),
        ("quit the gym, too pricey", ["The user has a gym membership.", "The user lives in Leeds."],
         "The user has a gym membership."),
    ],
)
def test_an_event_ends_the_state_it_makes_untrue(reader: OfflineAnalyzer, feedback: str, memories: list[str],
                                                 ended: str) -> None:
    _, superseded = correct(reader, feedback, memories)
    assert list(superseded) == [ended]


@pytest.mark.parametrize(
    ("feedback", "memories"),
    [
        # A state beside the stored one, told as no event: an addition.
        ("i'm allergic to kiwis", ["The user is allergic to penicillin.", "The user lives in Oslo."]),
        # A beginning ends nothing.
        ("started learning the banjo this autumn", ["The user plays the piano.", "The user lives in Oslo."]),
        # Someone else's event leaves the user's state alone.
        ("my sister finally passed her driving test", ["The user does not have a driving licence.", "The user lives in Oslo."]),
        # A relative whose events the table tells only of the user's own states: the sister's.
        ("my sister got married in june", ["The user is single.", "The user lives in Oslo."]),
    ],
)
def test_what_is_no_event_of_the_users_ends_nothing(reader: OfflineAnalyzer, feedback: str, memories: list[str]) -> None:
    _, superseded = correct(reader, feedback, memories)
    assert superseded == {}


@pytest.mark.parametrize(
    ("statement", "event"),
    [
        ("The user's son was born in March.", True),
        ("The user has quit the choir.", True),
        ("The user got engaged.", True),
        ("The user is no longer on the team.", True),
        ("The user is married.", False),
        ("The user is retired.", False),
        ("The user has a cat.", False),
        ("The user is allergic to kiwis.", False),
    ],
)
def test_an_event_is_told_by_tense_or_aspect(statement: str, event: bool) -> None:
    assert tells_of_an_event(statement, "", "en") is event


def test_a_chinese_event_is_told_by_its_aspect_words() -> None:
    assert tells_of_an_event("用户的女儿出生。", "女儿出生啦", "zh")
    assert not tells_of_an_event("用户对芒果过敏。", "我对芒果过敏", "zh")


@pytest.mark.parametrize(
    ("word", "past"),
    [("hung", True), ("underwent", True), ("graduated", True), ("quit", True), ("could", False), ("set", False),
     ("bed", False), ("meeting", False)],
)
def test_the_simple_past_comes_from_the_lexicon(word: str, past: bool) -> None:
    assert is_simple_past(word) is past


def test_an_adverb_and_a_past_verb_alone_are_the_speakers_event() -> None:
    assert normalize("finally graduated!!") == "I finally graduated!!"
    assert normalize("just retired.") == "I just retired."
    assert normalize("Finally.") == "Finally."



def _superseded_in_a_job(analyzer: OfflineAnalyzer, feedback: str, memories: list[str]) -> list[str]:
    """What the lookup stage gives the analyzer: each statement with the whole message."""
    records = [MemoryRecord(id=str(i), project_id="p", memory_value=m) for i, m in enumerate(memories)]
    superseded: list[str] = []
    for statement in analyzer.classify(feedback, []).statements:
        for decision, memory in zip(analyzer.judge_conflicts(statement, records, None, feedback, []), memories):
            if decision.supersede and memory not in superseded:
                superseded.append(memory)
    return superseded


@pytest.mark.parametrize(
    ("feedback", "memories", "ended"),
    [
        # Nearly as close to another change ("a child moved back home") as to an engagement: the
        # change whose ended states fit a stored memory is the one told.
        ("Jonah proposed on saturday and I said yes", ["The user is single.", "The user works as a nurse."],
         "The user is single."),
        # A message that opens without a subject tells of its speaker.
        ("去年九月退伍了，现在在老家找工作", ["用户正在部队服役。", "用户喜欢打篮球。"], "用户正在部队服役。"),
    ],
)
def test_the_change_that_fits_a_stored_state_is_the_one_told(
    reader: OfflineAnalyzer, feedback: str, memories: list[str], ended: str
) -> None:
    assert _superseded_in_a_job(reader, feedback, memories) == [ended]


@pytest.mark.parametrize(
    ("feedback", "memories"),
    [
        # A later clause without a subject goes on about the first one; it is no event of its own.
        ("吉他不弹了，实在抽不出时间练", ["用户在学吉他。", "用户每周游泳两次。"]),
    ],
)
def test_a_continuing_clause_ends_no_other_state(
    reader: OfflineAnalyzer, feedback: str, memories: list[str]
) -> None:
    superseded = _superseded_in_a_job(reader, feedback, memories)
    assert memories[1] not in superseded
