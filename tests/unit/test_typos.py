"""Misspellings of the words a memory holds, read as those words."""

from __future__ import annotations

import pytest

from pipeline.text.typos import repaired


@pytest.mark.parametrize(
    ("text", "memories", "expected"),
    [
        ("nah its a toyta camry not a corola", ["The user drives a Toyota Corolla."],
         "nah its a Toyota camry not a Corolla"),
        ("im not alergic to penuts", ["The user is allergic to peanuts."], "im not allergic to peanuts"),
        ("my favrite colour is green", ["The user's favorite color is blue."], "my favorite colour is green"),
    ],
)
def test_a_misspelt_word_of_a_memory_is_written_as_the_memory_writes_it(
    text: str, memories: list[str], expected: str
) -> None:
    assert repaired(text, memories) == expected


@pytest.mark.parametrize(
    ("text", "memories"),
    [
        ("its sarah not sara", ["The user's sister is Sara."]),  # the message writes both
        ("It's Sarah, not Sara", ["The user's sister is Sara."]),  # a capitalised name is meant
        ("marcus not marco", ["The user's boyfriend is Marco."]),  # two edits: another name
        ("its thursdays now", ["The user has therapy on Tuesdays."]),  # an English word
        ("gave up watercolors", ["The user's hobby is watercolor painting."]),  # a plural, no misspelling
        ("the bike", ["The user rides a bike."]),  # short words are left alone
        ("its a camry", ["The user drives a Toyota Corolla.", "The user drives a Toyota Corona."]),
        ("its a corola", ["The user drives a Corolla.", "The user once had a Coroll."]),  # which one?
    ],
)
def test_words_meant_as_written_are_left_alone(text: str, memories: list[str]) -> None:
    assert repaired(text, memories) == text
