"""Keyword replacements, whatever the wording around two quoted terms; never an attribute change."""

from __future__ import annotations

import pytest

from pipeline.text.replacement import parse_keyword_replacement


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("all the places it says 'Acme Ltd' should read 'Acme Group' now", ("Acme Ltd", "Acme Group")),
        ("wherever u put “Jon” make it “John” pls", ("Jon", "John")),
        ("everywhere: write 'Bobby' instead of 'Robert'", ("Robert", "Bobby")),
        ("记忆里所有的'小刘'都写成'刘经理'", ("小刘", "刘经理")),
        ("顺便把记忆里的老王统一改成王总", ("老王", "王总")),
    ],
)
def test_two_quoted_terms_and_a_scope_are_a_replacement(text: str, expected: tuple[str, str]) -> None:
    assert parse_keyword_replacement(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "给我升个级，顺便把我的会员等级改成钻石",  # a request about the speaker's own attribute
        "my sister is 'Kate' not 'Katie'",  # a correction, not a replacement everywhere
        "帮我查一下天气，然后把闹钟改成7点",
    ],
)
def test_what_is_not_a_replacement(text: str) -> None:
    assert parse_keyword_replacement(text) is None
