"""A statement about another person never supersedes a memory about the user, nor one about
another relative; the user's own statements, with or without a subject, still do."""

from __future__ import annotations

import pytest

from pipeline.text.third_party import speaks_of_someone_else

SOMEONE_ELSE = [
    ("Alice does not live in Berlin.", "The user lives in Paris.", "alice doesn't live in Berlin anymore, alice lives in Rome", "en"),
    ("alice lives in Rome.", "The user lives in Paris.", "alice doesn't live in Berlin anymore, alice lives in Rome", "en"),
    ("Tom works at Amazon.", "The user works at Google.", "Tom works at Amazon, not Google.", "en"),
    ("My colleague Tom works at Amazon, not Google.", "The user works at Google.", "My colleague Tom works at Amazon, not Google.", "en"),
    ("My colleague Tom works at Amazon.", "The user's sister Alice works at Apple.", "My colleague Tom works at Amazon.", "en"),
    ("My sister moved to Rome.", "The user lives in Paris.", "My sister moved to Rome.", "en"),
    ("小王不住北京。", "用户住在上海。", "小王已经不住北京了，他现在住在杭州", "zh"),
    ("他住在杭州。", "用户住在上海。", "小王已经不住北京了，他现在住在杭州", "zh"),
    ("我妹妹搬到杭州了。", "用户住在上海。", "我妹妹搬到杭州了", "zh"),
]
THE_USERS_OWN = [
    ("I live in Rome.", "The user lives in Paris.", "I live in Rome.", "en"),
    ("Lives in Rome now.", "The user lives in Paris.", "lives in Rome now", "en"),
    ("My wife and I moved to Leeds.", "The user lives in York.", "My wife and I moved to Leeds.", "en"),
    ("Rent is 5200 now.", "The user's rent is 5000 a month.", "Rent is 5200 now.", "en"),
    ("Gym's at 7:30 on tues.", "The user's gym class starts at 6:30 pm on Tuesdays.", "gym's at 7:30 on tues not 6:30", "en"),
    ("Its the 3rd not the 13th.", "The user's appointment is on the 13th.", "its the 3rd not the 13th lol", "en"),
    ("The user's dentist appointment is on Thursday.", "The user has a dentist appointment on Tuesday.", "no, thursday", "en"),
    ("Mochi is 4 not 3.", "The user's cat Mochi is 3 years old.", "Mochi is 4 not 3", "en"),
    ("我住在杭州。", "用户住在上海。", "我住在杭州", "zh"),
    ("住在杭州了。", "用户住在上海。", "住在杭州了", "zh"),
    ("朗逸卖掉。", "用户有一辆白色的大众朗逸。", "朗逸卖掉了，换了台比亚迪海豹", "zh"),
    ("用户和小林分手。", "用户的女朋友叫小林。", "我和小林分手了", "zh"),
    ("用户的女儿老师姓孙。", "用户女儿的钢琴老师姓苏。", "还有她老师姓孙，不姓苏", "zh"),
    ("用户爸去年退休。", "用户的父亲是一名中学数学老师。", "我爸去年退休了", "zh"),
]


@pytest.mark.parametrize(("statement", "memory", "message", "language"), SOMEONE_ELSE)
def test_a_statement_about_someone_else(statement: str, memory: str, message: str, language: str) -> None:
    assert speaks_of_someone_else(statement, memory, message, language)


@pytest.mark.parametrize(("statement", "memory", "message", "language"), THE_USERS_OWN)
def test_the_users_own_statement(statement: str, memory: str, message: str, language: str) -> None:
    assert not speaks_of_someone_else(statement, memory, message, language)
