import pytest

from pipeline.text.corrections import parse_statements
from pipeline.text.language import detect_language
from pipeline.text.sentences import split_clauses, split_sentences


def test_detect_language() -> None:
    assert detect_language("I don't like swimming.") == "en"
    assert detect_language("实际上我不喜欢游泳") == "zh"
    assert detect_language("将'Project Falcon'替换为'Project Osprey'") == "zh"
    assert detect_language("Replace '扬州炒饭' with '南京烤鸭' everywhere") == "en"
    # Names in Chinese grammar are no English: it has its function words.
    assert detect_language("换了台MacBook Pro") == "zh"
    assert detect_language("我english name是Kelvin不是kevin哦") == "zh"
    assert detect_language("I love 火锅") == "en"


def test_split_sentences_mixed_punctuation() -> None:
    assert split_sentences("I moved. I live in Munich now!") == ["I moved.", "I live in Munich now!"]
    assert split_sentences("我搬家了。现在住在上海！") == ["我搬家了。", "现在住在上海！"]
    assert split_sentences("Acme Inc.'s office is in Austin.") == ["Acme Inc.'s office is in Austin."]


def test_a_bare_denial_after_an_exclamation_is_the_second_half_of_one_contrast() -> None:
    assert split_sentences("oat milk!! not soy 🥛") == ["oat milk, not soy 🥛"]
    assert split_sentences("是乌龙！不是红茶") == ["是乌龙，不是红茶"]
    # A denial that stands as a sentence of its own stays one.
    assert split_sentences("Thanks! Not sure about the rest, though.") == ["Thanks!", "Not sure about the rest, though."]


def test_split_clauses() -> None:
    assert split_clauses("我已经不住在北京了，现在搬到上海了") == ["我已经不住在北京了", "现在搬到上海了"]


@pytest.mark.parametrize(("feedback", "statements"), [
    ("上个月搬回老家长沙了", ["用户住在老家长沙。"]),  # a move with no subject is the speaker's
    ("在老家成都买了套房，上周已经搬回去了", ["用户在老家成都买了套房。", "搬回去。"]),  # 回去 names no place
])
def test_a_chinese_move_says_where_only_when_a_place_follows(feedback: str, statements: list[str]) -> None:
    assert [s.text for s in parse_statements(feedback)] == statements
