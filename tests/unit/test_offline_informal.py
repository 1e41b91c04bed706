"""Informal, real-world feedback: elliptic corrections, changes of state, noise, renames.

Phrasings, names and numbers here are our own; they exercise mechanisms, not sentences.
"""

from __future__ import annotations

import pytest

from pipeline.models import Message
from pipeline.text.keyword import contains_term
from pipeline.text.replacement import parse_keyword_replacement
from tests.unit.analyzer_support import correct


def _answer(text: str) -> list[Message]:
    return [Message(role="user", content="remind me?"), Message(role="assistant", content=text)]


# --- 1. elliptic corrections -------------------------------------------------------------


def test_bare_value_contrast_is_anchored_on_the_answer(analyzer) -> None:
    memories = ["The user's dentist appointment is on Monday.", "The user's pottery class is on Monday."]
    _, superseded = correct(
        analyzer, "nope, it's Tuesday not Monday", memories, _answer("Your dentist appointment is on Monday.")
    )
    assert list(superseded) == [memories[0]]
    assert "Tuesday" in superseded[memories[0]]


def test_named_attribute_keeps_a_memory_that_only_shares_the_schedule(analyzer) -> None:
    memories = ["用户每周五下午上游泳课。", "用户每周五下午去图书馆。"]
    _, superseded = correct(analyzer, "不对，游泳课改到周六了", memories, _answer("你的游泳课在每周五下午。"))
    assert superseded == {memories[0]: "用户每周六下午上游泳课。"}


def test_named_attribute_value_sits_next_to_it(analyzer) -> None:
    memories = ["员工每年享有12天带薪事假。", "员工每年享有7天带薪婚假。", "事假需要提前两天提交申请。"]
    _, superseded = correct(analyzer, "事假改成了9天，下个月开始", memories)
    assert superseded == {memories[0]: "员工每年享有9天带薪事假。"}


def test_kinship_without_possessive_is_the_users(analyzer) -> None:
    memories = ["用户的女儿在读初中二年级。", "用户的外甥在读初中二年级。"]
    _, superseded = correct(analyzer, "女儿今年上高一了，不是二年级", memories)
    assert list(superseded) == [memories[0]] and "高一" in superseded[memories[0]]


def test_price_that_went_up_replaces_only_its_plan(analyzer) -> None:
    memories = ["The Team plan costs $20 per month.", "The Storage add-on costs $20 per month."]
    _, superseded = correct(analyzer, "heads up, Team went up to $25/month as of this quarter", memories)
    assert superseded == {memories[0]: "The Team plan costs $25 per month."}


# --- 2. changes of state ---------------------------------------------------------------


def test_ceasing_a_habit_denies_it_for_the_user_only(analyzer) -> None:
    memories = ["The user drinks three coffees a day.", "The user's sister drinks coffee."]
    texts, superseded = correct(analyzer, "argh no, I gave up coffee back in January", memories)
    assert list(superseded) == [memories[0]]
    assert texts == ["The user gave up coffee."]


def test_switched_me_to_replaces_the_value_in_the_old_wording(analyzer) -> None:
    memories = ["The user takes lisinopril for blood pressure.", "The user's father takes lisinopril."]
    texts, superseded = correct(analyzer, "I'm off lisinopril now, the cardiologist switched me to amlodipine", memories)
    assert superseded == {memories[0]: "The user takes amlodipine for blood pressure."}
    assert not any("off" in text for text in texts)


def test_sold_and_a_new_name_replace_the_whole_old_name(analyzer) -> None:
    memories = ["The user rides a Yamaha MT-07.", "The user's neighbour rides a Yamaha MT-07."]
    texts, superseded = correct(analyzer, "sold the yamaha in june, I ride a Ducati Monster now", memories)
    assert list(superseded) == [memories[0]] and "Ducati Monster" in superseded[memories[0]]
    assert not any(text.lower().startswith("sold") for text in texts)


def test_person_who_left_is_replaced_by_the_new_contact(analyzer) -> None:
    memories = ["Refund requests are handled by Maria Lopez.", "Press questions go to press@example.org."]
    _, superseded = correct(analyzer, "Maria left the company, refunds go to Ken Ito now", memories)
    assert list(superseded) == [memories[0]] and "Ken Ito" in superseded[memories[0]]


def test_zh_quit_habit(analyzer) -> None:
    memories = ["用户每天抽一包烟。", "用户喜欢喝绿茶。", "用户的舅舅每天抽烟。"]
    texts, superseded = correct(analyzer, "我已经戒烟了，都一年没碰了", memories)
    assert list(superseded) == [memories[0]]
    assert texts == ["用户不抽烟。"]


def test_zh_job_hop_keeps_the_wording(analyzer) -> None:
    memories = ["用户在网易工作。", "用户的堂哥在网易工作。"]
    _, superseded = correct(analyzer, "之前在网易，现在跳槽去小米了", memories)
    assert superseded == {memories[0]: "用户在小米工作。"}


def test_zh_person_left_new_contact(analyzer) -> None:
    memories = ["采购问题请联系行政部的李强。", "门禁卡问题请联系行政部的赵云。"]
    texts, superseded = correct(analyzer, "李强已经离职了，采购现在找陈静", memories)
    assert superseded == {memories[0]: "采购问题请联系行政部的陈静。"}
    assert not any("离职" in text for text in texts)


def test_zh_changed_thing_takes_the_following_value(analyzer) -> None:
    memories = ["杭州门店位于西湖区文三路12号。", "宁波门店位于鄞州区中山路3号。"]
    texts, superseded = correct(analyzer, "杭州门店已经搬了，现在在滨江区江南大道88号", memories)
    assert list(superseded) == [memories[0]] and "江南大道88号" in superseded[memories[0]]
    assert len(texts) == 1


def test_zh_implied_old_value_for_a_drive(analyzer) -> None:
    memories = ["用户开一辆丰田卡罗拉。", "用户的岳父开一辆丰田卡罗拉。"]
    texts, superseded = correct(analyzer, "车早换了，现在开的是蔚来ES6", memories)
    assert list(superseded) == [memories[0]] and "蔚来" in superseded[memories[0]]
    assert len(texts) == 1


def test_en_changed_thing_takes_the_following_value(analyzer) -> None:
    memories = ["The lab door code is 4821.", "The bike shed code is 4821."]
    texts, superseded = correct(analyzer, "fyi the lab door code got changed, it's 9034 now", memories)
    assert texts == ["The lab door code is 9034."]
    assert superseded == {memories[0]: "The lab door code is 9034."}


# --- 3. noise --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "feedback", ["ugh, you keep forgetting everything", "嗯嗯 收到👌", "ok 👌👌", "meh, you never listen"]
)
def test_complaints_and_emoji_acknowledgements_are_invalid(analyzer, feedback) -> None:
    assert not analyzer.judge_validity(feedback, []).valid


def test_noise_words_and_reasons_are_not_written(analyzer) -> None:
    texts, _ = correct(analyzer, "I don't eat pork anymore tbh, my stomach can't handle it", ["The user eats pork."])
    assert texts[0] == "The user does not eat pork."
    texts, _ = correct(analyzer, "oh btw I'm gluten intolerant, so skip the bread", [])
    assert texts == ["The user is gluten intolerant."]


def test_time_adverbials_and_discourse_tails_are_dropped(analyzer) -> None:
    texts, superseded = correct(
        analyzer, "I left Oracle back in May — I'm at Atlassian now, same team though", ["The user works at Oracle."]
    )
    assert texts == ["The user is at Atlassian."]
    assert superseded == {"The user works at Oracle.": "The user works at Atlassian."}


# --- 4. keyword replacement phrasings ----------------------------------------------------


@pytest.mark.parametrize(
    "feedback, expected",
    [
        ("rename Bob to Robert everywhere pls, he prefers the long form", ("Bob", "Robert")),
        ("we renamed 'HR' to 'People Ops' last month, please update that across the board", ("HR", "People Ops")),
        ("from now on call my aunt “Auntie Mei” instead of “Meiling”, everywhere", ("Meiling", "Auntie Mei")),
        ("replace old-site.net with newsite.dev in all the partner info, we moved", ("old-site.net", "newsite.dev")),
        ("店名改叫晨光书屋了，记忆里所有的晨曦书店都改一下", ("晨曦书店", "晨光书屋")),
        ("把我记忆里的Jake都改成Jacob吧", ("Jake", "Jacob")),
    ],
)
def test_keyword_replacement_phrasings(feedback, expected) -> None:
    assert parse_keyword_replacement(feedback) == expected


def test_latin_term_inside_chinese_is_a_whole_word() -> None:
    assert contains_term("Jake是用户的邻居。", "Jake")
    assert not contains_term("用户的表妹Jakey在读大学。", "Jake")


# --- 5. nicknames and "we" -------------------------------------------------------------


def test_nickname_change_en(analyzer) -> None:
    memories = ["The user likes to be called Kat.", "The user's surname is Moreno."]
    _, superseded = correct(analyzer, "please stop calling me Kat, that was a school thing. just Katherine", memories)
    assert superseded == {memories[0]: "The user likes to be called Katherine."}


def test_nickname_change_zh(analyzer) -> None:
    memories = ["用户的昵称是小胖。", "用户的同学小胖是医生。"]
    _, superseded = correct(analyzer, "别再叫我小胖了，那是以前的外号，现在大家都叫我老王", memories)
    assert superseded == {memories[0]: "用户的昵称是老王。"}


def test_we_moved_supersedes_home_but_not_other_facts_about_the_city(analyzer) -> None:
    memories = ["The user lives in Leeds.", "The user's aunt lives in Leeds.", "The user studied in Leeds."]
    _, superseded = correct(analyzer, "we moved to York over the winter btw, so not Leeds anymore", memories)
    assert list(superseded) == [memories[0]] and "York" in superseded[memories[0]]


def test_we_no_longer_do_something_in_a_team_rule(analyzer) -> None:
    memories = ["The clinic opens Monday through Sunday.", "The clinic is closed on national holidays."]
    _, superseded = correct(analyzer, "we don't open on Sundays anymore, Mon-Sat only", memories)
    assert list(superseded) == [memories[0]]


# --- 6. other entities -----------------------------------------------------------------


def test_moved_office_does_not_touch_another_office(analyzer) -> None:
    memories = ["The Lyon office is located at 4 Rue Garibaldi.", "The Nice office is located at 9 Avenue Jean Médecin."]
    texts, superseded = correct(analyzer, "That's outdated — the Lyon office moved to 20 Quai Perrache in March.", memories)
    assert texts == ["The Lyon office is located at 20 Quai Perrache."]
    assert list(superseded) == [memories[0]]


def test_zh_new_relatives_are_other_people(analyzer) -> None:
    memories = ["用户在读大三。", "用户的表弟在读大三。", "用户的侄女在读大三。"]
    _, superseded = correct(analyzer, "我在读研一，不是大三", memories)
    assert list(superseded) == [memories[0]]
