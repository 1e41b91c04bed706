"""An attribute given a new value, against the memory that gives it the old one."""

from __future__ import annotations

import pytest

from pipeline.text.attribute_frames import frame_of, restated_attribute


def _restated(statement: str, memories: list[str], language: str = "en") -> dict[int, str]:
    return {a.memory_index: a.corrected for a in restated_attribute(statement, language, memories)}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("statement", "memories", "corrected"),
    [
        # A value of no kind the extractor knows: the frame says which slot it fills.
        ("The user's blood type is O negative.", ["User's blood type is A positive.", "User's GP is Dr. Patel."],
         {0: "User's blood type is O negative."}),
        ("The user's favourite cuisine is Thai (Mexican is a close second though).",
         ["The user's favourite cuisine is Mexican.", "The user's favourite band is Blur."],
         {0: "The user's favourite cuisine is Thai."}),
        ("The user's student loan is now about $12,000.", ["The user's student loan balance is about $18,000."],
         {0: "The user's student loan balance is about $12,000."}),
        ("用户最喜欢的菜是水煮鱼。", ["用户最喜欢的菜是糖醋排骨。", "用户最喜欢的运动是游泳。"], {0: "用户最喜欢的菜是水煮鱼。"}),
    ],
)
def test_the_memory_stating_the_same_attribute_takes_the_new_value(
    statement: str, memories: list[str], corrected: dict[int, str]
) -> None:
    assert _restated(statement, memories, "zh" if "用户" in statement else "en") == corrected


@pytest.mark.parametrize(
    ("statement", "memories"),
    [
        ("The user's sister is a nurse.", ["The user's sister is a teacher."]),  # said of a person
        ("The user's favourite colour is blue.", ["The user's favourite colour is blue."]),  # the same value
        ("The user's blood type is not O negative.", ["User's blood type is O negative."]),  # a denial
        ("The user's favourite food is sushi.", ["Tom's favourite food is pizza."]),  # another person's
        ("The user's favourite colour is green.", ["The user's favourite colour is blue.",
                                                    "The user's favourite colour is red."]),  # which one?
        ("The user's car is a Honda.", ["The user's car insurance renewal date is in May."]),  # two words more
    ],
)
def test_nothing_is_restated_without_one_clear_slot(statement: str, memories: list[str]) -> None:
    assert _restated(statement, memories) == {}


def test_a_sentence_without_whose_attribute_is_no_frame() -> None:
    assert frame_of("The user is a teacher.", "en") is None
    assert frame_of("The weather is nice.", "en") is None
    assert frame_of("用户住在广州。", "zh") is None
