"""A statement built from the assistant's answer keeps the fact, not the words around it."""

import pytest

from pipeline.text.answer_context import reported_fact


@pytest.mark.parametrize(("sentence", "language", "fact"), [
    ("Noted — you're flying with KLM.", "en", "You're flying with KLM."),
    ("Got it, I'll remember that your locker is number 12.", "en", "Your locker is number 12."),
    ("Great — noted that you're in the Thursday choir.", "en", "You're in the Thursday choir."),
    ("Perfect! I've saved that you take the 8:05 train.", "en", "You take the 8:05 train."),
    ("好的，我记下了：你每周三去游泳。", "zh", "你每周三去游泳。"),
    ("收到！你的车位在B2层。", "zh", "你的车位在B2层。"),
])
def test_the_acknowledgement_and_the_report_of_noting_are_left_out(sentence: str, language: str, fact: str) -> None:
    assert reported_fact(sentence, language) == fact  # type: ignore[arg-type]


@pytest.mark.parametrize(("sentence", "language"), [
    ("Sure thing, here are three cafés.", "en"),  # "sure" without a break after it opens the sentence
    ("Yes you live in Leeds.", "en"),
    ("Noted.", "en"),  # nothing after it
    ("好好学习。", "zh"),
])
def test_a_sentence_without_a_preamble_stays_whole(sentence: str, language: str) -> None:
    assert reported_fact(sentence, language) == sentence  # type: ignore[arg-type]
