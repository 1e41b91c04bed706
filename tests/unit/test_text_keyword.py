import pytest

from pipeline.text.keyword import contains_term, replace_term


@pytest.mark.parametrize(
    ("text", "term", "expected"),
    [
        ("Ann manages the annual budget.", "Ann", True),
        ("The user met Joanne at the conference.", "Ann", False),
        ("Ann's team ships on Friday.", "Ann", True),
        ("The annual report is late.", "Ann", False),
        ("Project Falcon ships in March.", "project falcon", True),
        ("The user lives in the US.", "US", True),
        ("Let us know.", "US", False),
        ("用户喜欢吃扬州炒饭。", "扬州炒饭", True),
        ("用户住在南京。", "扬州炒饭", False),
        ("The user works at Acme Corp.", "Acme Corp", True),
        ("Call User 10 tomorrow.", "User 1", False),
    ],
)
def test_contains_term(text: str, term: str, expected: bool) -> None:
    assert contains_term(text, term) is expected


@pytest.mark.parametrize(
    ("text", "original", "target", "expected"),
    [
        ("Ann manages the annual budget.", "Ann", "Anna", "Anna manages the annual budget."),
        ("Ann's desk is by Joanne's.", "Ann", "Anna", "Anna's desk is by Joanne's."),
        ("The user works at Acme Corp.", "Acme Corp", "Acme Inc.", "The user works at Acme Inc."),
        ("扬州炒饭是用户最常点的外卖。", "扬州炒饭", "南京烤鸭", "南京烤鸭是用户最常点的外卖。"),
        ("coffee in the morning, Coffee at night", "coffee", "tea", "tea in the morning, Tea at night"),
    ],
)
def test_replace_term(text: str, original: str, target: str, expected: str) -> None:
    assert replace_term(text, original, target) == expected


def test_a_chinese_value_loses_the_ending_the_text_goes_on_with() -> None:
    from pipeline.text.keyword import without_continuation

    assert without_continuation("深圳工作", "工作。") == "深圳"
    assert without_continuation("65公斤", "公斤。") == "65"
    assert without_continuation("银色", "色的车。") == "银"
    assert without_continuation("杭州", "工作。") == "杭州"
    assert without_continuation("12", "2号楼") == "12"


def test_a_denied_place_is_replaced_without_repeating_what_follows_it() -> None:
    from pipeline.text.conflicts import StatementFacts, judge_statement_against_memory

    facts = StatementFacts(text="用户在成都上班。", language="zh", old_values=("重庆",), new_values=("成都上班",), negated=False)
    verdict = judge_statement_against_memory(facts, "用户在重庆上班。", 0.8)
    assert verdict.supersede and verdict.corrected_value == "用户在成都上班。"
