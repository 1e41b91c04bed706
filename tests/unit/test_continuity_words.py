"""An addition word ("too", "也") marks a fact beside what is stored, unless the clause itself
says a value was replaced or denies one: then it is a correction like any other."""

from __future__ import annotations

import pytest

from pipeline.text.continuity import adds_beside, corrects, says_everywhere, says_replaced
from pipeline.text.life_events import changed_attributes
from pipeline.text.perspective import to_third_person


@pytest.mark.parametrize("text", [
    "我也养了一只兔子",
    "I also have a brother in Oslo",
    "the office has a gym too",
    "I go climbing too on sundays",
])
def test_an_addition_word_without_a_correction_adds_beside(text: str) -> None:
    assert adds_beside(text)


@pytest.mark.parametrize("text", ["sold the boat, too expensive to keep", "dropped pottery, way too early in the morning"])
def test_too_before_an_adjective_is_a_degree_not_an_addition(text: str) -> None:
    assert not adds_beside(text)


@pytest.mark.parametrize("text", [
    "球鞋也换成亚瑟士的了",
    "月供也涨到四千了",
    "the kids' dentist also switched to Dr Park",
    "also my bank is Monzo not Barclays",
    "我哪有也养猫嘛",
])
def test_a_clause_that_replaces_or_denies_corrects_whatever_addition_word_it_has(text: str) -> None:
    assert corrects(text)
    assert not adds_beside(text)


def test_replacement_words_are_read_in_both_languages() -> None:
    assert says_replaced("we moved off Trello to Asana")
    assert says_replaced("早饭改成燕麦了")
    assert not says_replaced("I moved to Leeds in May")


def test_a_change_of_state_with_an_addition_word_that_replaces_still_names_its_attribute() -> None:
    assert "vehicle" in changed_attributes("I sold the van and also switched to a scooter")
    assert changed_attributes("I also bought a second car") == ()


@pytest.mark.parametrize(("first_person", "third_person"), [
    ("I still at Siemens", "the user is still at Siemens"),
    ("I usually on the late shift", "the user is usually on the late shift"),
    ("I still live in Leeds", "the user still lives in Leeds"),
])
def test_a_dropped_am_comes_back_before_a_place_word(first_person: str, third_person: str) -> None:
    assert to_third_person(first_person, "en") == third_person


@pytest.mark.parametrize(("first_person", "third_person"), [
    ("We moved to Hull in May", "the user moved to Hull in May"),
    ("we have three goats", "the user has three goats"),
    ("our cat is Mochi", "the user's cat is Mochi"),
    ("we are in Derby now", "the user is in Derby now"),
])
def test_a_households_we_holds_of_the_user(first_person: str, third_person: str) -> None:
    assert to_third_person(first_person, "en") == third_person


@pytest.mark.parametrize(("text", "memory"), [
    ("sadly Pepper passed away on Friday", "The user walks Pepper every morning."),
    ("the corner cafe closed down", "The user works at the corner cafe."),
    ("咪咪上个月走了", "用户每天给咪咪喂猫粮。"),
])
def test_what_an_ending_event_happened_to_has_ended(text: str, memory: str) -> None:
    from pipeline.text.life_events import ended_terms, mentions_term

    assert any(mentions_term(memory, term) for term in ended_terms(text))


@pytest.mark.parametrize("text", ["我先走了", "I passed the exam"])
def test_leaving_or_passing_an_exam_ends_nothing(text: str) -> None:
    from pipeline.text.life_events import ended_terms

    assert ended_terms(text) == ()


@pytest.mark.parametrize(("first_person", "third_person"), [
    ("我们一家上个月搬到无锡了", "用户一家上个月搬到无锡了"),
    ("我们的狗叫豆豆", "用户的狗叫豆豆"),
])
def test_a_households_我们_holds_of_the_user(first_person: str, third_person: str) -> None:
    assert to_third_person(first_person, "zh") == third_person


@pytest.mark.parametrize(("memory", "subject"), [
    ("用户女儿的钢琴课在周日下午。", "用户的女儿"),
    ("用户和丈夫正在备孕。", "用户"),
    ("用户在做跨境电商。", "用户"),
])
def test_whom_a_chinese_memory_is_about(memory: str, subject: str) -> None:
    from pipeline.text.alignment import memory_subject

    assert memory_subject(memory, "zh") == subject


@pytest.mark.parametrize("text", ["我们又买了一辆电动车", "家里又添了两只小鸡"])
def test_one_more_of_a_numbered_thing_adds_beside(text: str) -> None:
    assert adds_beside(text, "zh")


@pytest.mark.parametrize("text", ["我又搬家了", "他又换工作了"])
def test_again_alone_is_no_addition(text: str) -> None:
    assert not adds_beside(text, "zh")


@pytest.mark.parametrize("text", ["睡前还加了一杯牛奶", "上周还开了个基金定投"])
def test_still_before_a_verb_done_adds_beside(text: str) -> None:
    assert adds_beside(text, "zh")


@pytest.mark.parametrize("text", ["我还在上海", "还是做硬件", "还没换手机"])
def test_still_as_continuation_is_no_addition(text: str) -> None:
    assert not adds_beside(text, "zh")


@pytest.mark.parametrize("text", ["please fix it in all my notes", "fix it across every record", "in all of the entries"])
def test_wherever_the_memories_are_kept_is_everywhere(text: str) -> None:
    assert says_everywhere(text, "en")
