"""Remarks that say nothing to keep: the passing moment, and a verdict that names nothing."""

from __future__ import annotations

import pytest

from pipeline.text.remarks import is_passing_remark, only_a_verdict


@pytest.mark.parametrize("text", [
    "ugh the traffic this morning was brutal lol",
    "今天好困啊，哈哈",
    "so sunny today!! any plans for the weekend?",
])
def test_remarks_about_the_moment(text: str) -> None:
    assert is_passing_remark(text)


@pytest.mark.parametrize("text", [
    "I live in Bristol now",
    "my gym closes at 10",
    "今天好困啊。我老公叫李明",  # a sentence outside the moment
])
def test_statements_outside_the_moment(text: str) -> None:
    assert not is_passing_remark(text)


@pytest.mark.parametrize("text", [
    "nah, that's wrong",
    "hmm no, that is not right.",
    "错了错了，完全不对",
    "你说的不对，唉",
])
def test_a_verdict_alone(text: str) -> None:
    assert only_a_verdict(text)


@pytest.mark.parametrize("text", [
    "no that's wrong, my son is 7",
    "不对，是周三",
    "the floor is right",  # names what it judges
    "门牌号错了",
    "I moved to Leeds",
])
def test_a_verdict_with_something_said(text: str) -> None:
    assert not only_a_verdict(text)
