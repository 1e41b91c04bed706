"""Subjects of statements, and numbers and times however they are written."""

from __future__ import annotations

import pytest

from pipeline.text.numbers import clock_minutes, format_clock_like, leading_number, zh_numeral
from pipeline.text.subjects import same_subject, subject_of
from pipeline.text.values import compatible_kinds, extract_values, same_value, value_kind


@pytest.mark.parametrize(
    "text, language, chain",
    [
        ("The user plays the cello.", "en", ("user",)),
        ("The user's stepfather plays golf.", "en", ("user", "stepfather")),
        ("The user's husband plays golf.", "en", ("user", "spouse")),
        ("The user's wife's brother lives in Graz.", "en", ("user", "spouse", "brother")),
        ("The user's favourite drink is mate.", "en", ("user",)),
        ("My grandma is 90.", "en", ("user", "grandmother")),
        ("Our choir rehearses on Sundays.", "en", ("we",)),
        ("The Lite tier allows 3 seats.", "en", ()),
        ("用户的哥哥在银行上班。", "zh", ("user", "brother")),
        ("用户的小女儿叫朵朵。", "zh", ("user", "daughter")),
        ("我在银行上班。", "zh", ("user",)),
    ],
)
def test_subject_chain(text: str, language: str, chain: tuple[str, ...]) -> None:
    assert subject_of(text, language).chain == chain


@pytest.mark.parametrize(
    "statement, memory, language, same",
    [
        ("The user plays golf.", "The user's husband plays golf.", "en", False),
        ("The user's niece studies law.", "The user's niece studies medicine.", "en", True),
        ("The user's niece studies law.", "The user's nephew studies medicine.", "en", False),
        ("The Z10 drone flies 25 minutes.", "The Z12 drone flies 20 minutes.", "en", False),
        ("The Z10 drone flies 25 minutes.", "The Z10 drone's camera records 4K video.", "en", True),
        ("The Lite tier allows 5 seats.", "The Max tier allows 3 seats.", "en", False),
        ("Our choir rehearses on Mondays.", "The choir rehearses on Sundays.", "en", True),
        ("We have four dogs.", "The user's cousin has three dogs.", "en", False),
        ("用户在银行上班。", "用户的哥哥在银行上班。", "zh", False),
        ("用户的女儿学画画。", "用户的儿子学画画。", "zh", False),
        ("用户的老公是厨师。", "用户的丈夫是司机。", "zh", True),
    ],
)
def test_same_subject(statement: str, memory: str, language: str, same: bool) -> None:
    assert same_subject(subject_of(statement, language), subject_of(memory, language)) is same


def test_denied_values_do_not_count_as_subject_names() -> None:
    statement = subject_of("Nora Vance is the user's dentist.", "en")
    memory = subject_of("Nora Vane is the user's dentist.", "en")
    assert same_subject(statement, memory, ("Nora Vane", "Nora Vance"))


@pytest.mark.parametrize(
    "text, number",
    [("seventeen", 17), ("a dozen", 12), ("$1,250.50", 1250.5), ("两", 2), ("十二", 12), ("一百零五", 105)],
)
def test_leading_number(text: str, number: float) -> None:
    assert leading_number(text) == number


def test_zh_numeral_rejects_other_text() -> None:
    assert zh_numeral("十二") == 12
    assert zh_numeral("星期") is None


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("8点", "8:00", True),
        ("晚上8点", "20:00", True),
        ("2点半", "14:30", True),
        ("下午4点", "4:00", False),
        ("7 PM", "19:00", True),
        ("10 AM", "10:00", True),
        ("four weeks", "4 weeks", True),
        ("三本", "3本", True),
        ("三本", "4本", False),
        ("Fridays", "Friday", True),
        ("Fridays", "Saturday", False),
        ("WSJ", "The Wall Street Journal", True),
        ("Mondays and Fridays", "Monday/Friday", True),
        ("Mondays and Fridays", "Monday", False),
        ("周一和周三", "周一、周三", True),
        ("University of Texas Austin", "UTA", True),
        ("UTA", "University of Tokyo", False),
        ("IT", "in the", False),
    ],
)
def test_same_value_across_spellings(a: str, b: str, same: bool) -> None:
    assert same_value(a, b) is same


def test_clock_formatting_follows_the_memory() -> None:
    assert clock_minutes("下午3点") == {15 * 60}
    assert format_clock_like("5点半", "16:00") == "17:30"
    assert format_clock_like("8点", "9:00") == "8:00"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("We meet four times a month.", ["four times"]),
        ("The trial lasts a dozen days.", ["a dozen days"]),
        ("用户有两辆车。", ["两辆"]),
        ("每周三和周六开放。", ["周三和周六"]),  # a list of days is one value
        ("The model is the R2-D4 kit.", ["R2-D4"]),
        ("每周五天上班。", ["五天"]),
        ("That was a nice one.", []),
    ],
)
def test_extract_values_number_words_measure_words_weekdays(text: str, expected: list[str]) -> None:
    assert [v.text for v in extract_values(text)] == expected


def test_value_kinds_of_units_that_measure_the_same_thing() -> None:
    assert compatible_kinds(value_kind("12公里"), value_kind("12英里"))
    assert compatible_kinds(value_kind("3 km"), value_kind("2 miles"))
    assert compatible_kinds(value_kind("两个月"), value_kind("90天"))
    assert not compatible_kinds(value_kind("3 km"), value_kind("3 kg"))
    assert value_kind("R2-D4") == "name"
    assert value_kind("Thursdays") == "weekday"


@pytest.mark.parametrize(("text", "value"), [
    ("一万五", 15000), ("三千二", 3200), ("两百五", 250), ("五万八", 58000),
    ("一万零五", 10005), ("三千二百", 3200), ("十五", 15), ("一千", 1000),
])
def test_a_digit_after_a_unit_counts_the_next_unit_down(text: str, value: int) -> None:
    assert zh_numeral(text) == value


@pytest.mark.parametrize(("text", "value"), [
    ("现在房租四千八了", "四千八"), ("他的年薪是三十五万", "三十五万"), ("月供两千三，不是两千", "两千三"),
])
def test_a_colloquial_chinese_amount_is_one_value(text: str, value: str) -> None:
    assert value in [v.text for v in extract_values(text)]


def test_a_date_in_chinese_numerals_is_a_date_like_its_digits() -> None:
    assert [(v.kind, v.text) for v in extract_values("纪念日是九月二十六号")] == [("date", "九月二十六号")]
    assert same_value("九月二十六号", "9月26日")
    assert not same_value("九月六号", "9月26日")


def test_a_name_after_a_chinese_verb_is_its_object_not_the_subject() -> None:
    assert subject_of("换了台MacBook Pro。", "zh").identifiers == frozenset()
    assert same_subject(subject_of("换了台MacBook Pro。", "zh"), subject_of("用户的电脑是Windows笔记本。", "zh"))
    assert subject_of("Pro套餐的价格是99元。", "zh").identifiers == {"pro"}
