"""Finding the one memory a change of state or an implied correction ends.

None of these feedbacks restates its memory word for word: the analyzer must see that selling
ends what one drives, that a new age replaces the old one, that "he" is the son named before.
"""

from __future__ import annotations

import pytest

from pipeline.analyzers.offline import OfflineAnalyzer
from pipeline.models import Message
from pipeline.text.corrections import parse_statements
from pipeline.text.life_events import changed_attributes, ended_terms, mentions_term, stated_attributes
from pipeline.text.subjects import person_asked_about, same_person, subject_of
from pipeline.text.values import extract_values, same_value, value_kind
from tests.unit.analyzer_support import correct

CHANGES = [
    # (feedback, memories, the one superseded, a piece of the corrected memory)
    ("traded in my Mazda for a Subaru Outback last month",
     ["The user drives a red Mazda 3.", "The user's wife drives a Honda Fit."], 0, None),
    ("I quit Acme in March, freelancing now",
     ["The user works as a designer at Acme Corp.", "The user's brother works at Acme Corp."], 0, None),
    ("our dog Rex passed away in the summer 😢",
     ["The user has a dog named Rex.", "The user's neighbor has a dog named Max."], 0, None),
    ("I'm off the metformin since my last checkup",
     ["The user takes metformin twice a day.", "The user takes vitamin D in the morning."], 0, None),
    ("my daughter graduated, she's at Lakeside Middle School now",
     ["The user's daughter attends Oak Park Elementary.", "The user's son attends Oak Park Elementary."], 0,
     "Lakeside Middle School"),
    ("the museum tickets went up to $25",
     ["Museum tickets cost $18.", "Parking at the museum costs $5."], 0, "$25"),
    ("I don't drink coffee anymore, switched to green tea",
     ["The user drinks two cups of coffee every morning.", "The user's husband drinks coffee."], 0, None),
    ("我爸去年退休了，不在银行上班了",
     ["用户的爸爸在银行上班。", "用户在银行上班。"], 0, None),
    ("那辆电动车我卖给同事了",
     ["用户骑一辆电动车上班。", "用户的同事住在城西。"], 0, None),
    ("女儿今年9岁了",
     ["用户的女儿今年8岁。", "用户的侄子今年8岁。"], 0, "9岁"),
    ("会员月卡涨价了，现在是199",
     ["会员月卡价格为159元。", "会员年卡价格为1599元。"], 0, "199元"),
    ("健身房搬了，新地址是人民路18号",
     ["健身房的地址是解放路66号。", "游泳馆的地址是解放路70号。"], 0, "人民路18号"),
]


@pytest.mark.parametrize(("feedback", "memories", "target", "piece"), CHANGES)
def test_a_change_ends_exactly_its_memory(
    analyzer: OfflineAnalyzer, feedback: str, memories: list[str], target: int, piece: str | None
) -> None:
    _, superseded = correct(analyzer, feedback, memories)
    assert list(superseded) == [memories[target]]
    if piece:
        assert piece in superseded[memories[target]]


KEPT = [
    # New facts and additions: nothing ends.
    ("I also started a part-time job at a bakery", ["The user works as a nurse at City Hospital."]),
    ("please remember I'm allergic to shellfish", ["The user is allergic to penicillin."]),
    ("we adopted a kitten!", ["The user has a dog named Rex."]),
    ("我也在学吉他", ["用户在学钢琴。"]),
    # A different person, a different thing, or a different attribute.
    ("my sister moved to Lisbon", ["The user lives in Porto.", "The user's brother lives in Madrid."]),
    ("the X7 is 1,299 dollars now", ["The X5 costs 999 dollars."]),
    ("前台电话是021-6666-0000", ["公司位于南京西路1266号。"]),
    ("the office software limit is 600 CNY, not 800 CNY", ["The hotel budget per night is 800 CNY."]),
]


@pytest.mark.parametrize(("feedback", "memories"), KEPT)
def test_nothing_ends_without_evidence(analyzer: OfflineAnalyzer, feedback: str, memories: list[str]) -> None:
    assert correct(analyzer, feedback, memories)[1] == {}


def test_two_equal_fits_keep_both(analyzer: OfflineAnalyzer) -> None:
    memories = ["The user drives a Mazda 3.", "The user drives a Honda Fit."]
    assert correct(analyzer, "I sold my car", memories)[1] == {}


def test_the_answer_being_corrected_picks_the_memory(analyzer: OfflineAnalyzer) -> None:
    context = [
        Message(role="user", content="when is my physio?"),
        Message(role="assistant", content="Your physio session is on Monday at 4 PM."),
    ]
    memories = ["The user has a physio session on Monday at 4 PM.", "The user has a team meeting on Monday at 10 AM."]
    _, superseded = correct(analyzer, "it got pushed to tuesday", memories, context)
    assert list(superseded) == [memories[0]]


def test_asides_that_say_nothing_changed_never_end_a_memory(analyzer: OfflineAnalyzer) -> None:
    memories = ["The pool is open from 6 AM to 9 PM.", "The gym is open from 6 AM to 9 PM."]
    _, superseded = correct(analyzer, "pool hours changed: it closes at 8 PM now. gym hours are the same as before", memories)
    assert superseded == {memories[0]: "The pool is open from 6 AM to 8 PM."}


# --- the parts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "attribute"),
    [("we relocated to Austin", "residence"), ("got laid off in May", "employment"), ("sold my bike", "vehicle"),
     ("他们离婚了", "relationship"), ("降压药停了", "medication"), ("航班改签到周五", "schedule")],
)
def test_changes_name_the_attribute_they_end(text: str, attribute: str) -> None:
    assert attribute in changed_attributes(text)


def test_additions_are_not_changes() -> None:
    assert changed_attributes("I also joined a book club") == ()


@pytest.mark.parametrize(
    ("memory", "attribute"),
    [("The user lives in Oslo.", "residence"), ("用户在腾讯担任产品经理。", "employment"),
     ("The user drives a Volvo.", "vehicle"), ("用户每天服用降压药。", "medication")],
)
def test_memories_state_attributes(memory: str, attribute: str) -> None:
    assert attribute in stated_attributes(memory)


@pytest.mark.parametrize(
    ("text", "ended"),
    [("sold the civic last week", "civic"), ("I don't use Slack anymore", "slack"), ("咖啡我已经戒了", "咖啡"),
     ("我从华为离职了", "华为"), ("早就不在北京了", "北京")],
)
def test_what_ended(text: str, ended: str) -> None:
    assert ended in ended_terms(text)


def test_terms_match_by_stem_and_by_characters() -> None:
    assert mentions_term("The user is allergic to penicillin.", "allergy")
    assert mentions_term("用户在苏州有一套房子。", "套房")
    assert not mentions_term("The user enjoys snorkeling.", "swimming")


def test_he_and_she_are_the_relative_named_before() -> None:
    texts = [s.text for s in parse_statements("my wife changed jobs, she's a nurse at St. Mary's now")]
    assert texts == ["The user's wife is a nurse at St. Mary's."]


def test_fronted_objects_go_back_after_their_verb() -> None:
    assert [s.text for s in parse_statements("红酒我已经戒了")] == ["用户不喝红酒。"]
    assert [s.text for s in parse_statements("猫我送给朋友了")] == ["用户把猫送给朋友。"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [("friday", "weekday"), ("10am", "time"), ("6月10号", "date"), ("四年级", "grade"), ("3rd grade", "grade"),
     ("021-5555-0188", "phone")],
)
def test_value_kinds(text: str, kind: str) -> None:
    assert value_kind(text) == kind
    assert [v.text for v in extract_values(f"it is {text} now")] == [text]


def test_dates_written_two_ways_are_the_same() -> None:
    assert same_value("6月3日", "6月3号")
    assert not same_value("6月3日", "6月10号")


def test_a_name_that_ended_gives_way_to_the_new_one(analyzer: OfflineAnalyzer) -> None:
    memories = ["团队用Jira管理任务。", "团队用Slack沟通。"]
    _, superseded = correct(analyzer, "Jira那个早就不用了，现在都在Linear上建任务", memories)
    assert superseded == {memories[0]: "团队用Linear管理任务。"}


def test_the_answer_names_who_she_is(analyzer: OfflineAnalyzer) -> None:
    context = [
        Message(role="user", content="我儿子和女儿都多大了"),
        Message(role="assistant", content="您女儿今年7岁。"),
    ]
    memories = ["用户的女儿今年7岁。", "用户的外甥女今年7岁。"]
    _, superseded = correct(analyzer, "她已经8岁了", memories, context)
    assert superseded == {memories[0]: "用户的女儿今年8岁。"}


def test_a_name_leads_to_its_person(analyzer: OfflineAnalyzer) -> None:
    memories = ["The user's daughter Ava is 10 years old.", "The user's son Max is 10 years old."]
    assert list(correct(analyzer, "Ava turned 11 last week", memories)[1]) == [memories[0]]


@pytest.mark.parametrize(
    ("text", "names"),
    [("现在对接人是周晓梅", ["周晓梅"]), ("我家猫叫年糕", ["年糕"]), ("用户是程序员", []), ("用户喜欢王者荣耀", [])],
)
def test_chinese_names(text: str, names: list[str]) -> None:
    assert [v.text for v in extract_values(text) if v.kind == "name"] == names


def test_addresses_and_lower_case_i_in_third_person() -> None:
    texts = [s.text for s in parse_statements("i use sam.lee@proton.me for everything now")]
    assert texts == ["The user uses sam.lee@proton.me for everything."]
    assert value_kind("sam.lee@proton.me") == "email"


@pytest.mark.parametrize(
    ("question", "asked"),
    [("Where does the user live?", ("user",)), ("Which school does the user's son go to?", ("user", "son")),
     ("用户的父亲现在在做什么？", ("user", "father")), ("用户住在哪里？", ("user",)), ("团子现在多重？", ())],
)
def test_the_person_a_question_asks_about(question: str, asked: tuple[str, ...]) -> None:
    assert person_asked_about(question) == asked


def test_memories_about_someone_else_do_not_answer() -> None:
    assert not same_person(("user",), subject_of("The user's sister lives in Calgary.", "en"))
    assert same_person(("user",), subject_of("The user lives in Montreal.", "en"))
    assert same_person(("user",), subject_of("We live in Leith.", "en"))
    assert same_person((), subject_of("The user's sister lives in Calgary.", "en"))


def test_the_name_to_use_may_come_before_the_one_to_drop(analyzer: OfflineAnalyzer) -> None:
    memories = ["The user likes to be called Liz.", "The user's full name is Elizabeth Carter."]
    _, superseded = correct(analyzer, "pls call me Beth from now on, nobody calls me Liz anymore", memories)
    assert superseded == {memories[0]: "The user likes to be called Beth."}


def test_a_chinese_new_value_without_a_frame_is_read_in_whole_words() -> None:
    # No 是/在/叫 before the new value: as many closing words as the old value has characters.
    statement = parse_statements("我住望京西园，不是通州")[0]
    assert statement.new_values == ["望京西园"] and statement.old_values == ["通州"]


def test_an_attribute_named_by_fewer_words_takes_the_copulas_new_name() -> None:
    from pipeline.text.conflicts import StatementFacts, judge_statement_against_memory

    facts = StatementFacts(text="Energy is Bulb Energy.", language="en", old_values=(), new_values=(), negated=False)
    verdict = judge_statement_against_memory(facts, "The user's energy supplier is Octopus.", 0.6)
    assert verdict.supersede and verdict.corrected_value == "The user's energy supplier is Bulb Energy."
    # An attribute the memory does not name is another fact.
    other = judge_statement_against_memory(facts, "The user's broadband provider is Sky.", 0.5)
    assert not other.supersede


def test_a_value_after_words_of_change_is_the_attributes_new_value() -> None:
    from pipeline.text.conflicts import StatementFacts, judge_statement_against_memory

    facts = StatementFacts(text="体检挪到3月9号了。", language="zh", old_values=(), new_values=(), negated=False)
    verdict = judge_statement_against_memory(facts, "用户的体检定在3月2日。", 0.7)
    assert verdict.supersede and verdict.corrected_value == "用户的体检定在3月9号。"


def test_values_resolved_from_the_conversation_need_no_attribute_words() -> None:
    from pipeline.text.conflicts import StatementFacts, judge_statement_against_memory

    # "不对，是另一家" after an answer naming 海底捞 and 小龙坎: the words only point.
    facts = StatementFacts(text="不对，是另一家。", language="zh", old_values=("海底捞",), new_values=("小龙坎",),
                           negated=False)
    verdict = judge_statement_against_memory(facts, "用户最喜欢的火锅店是海底捞万达店。", None)
    assert verdict.supersede and "小龙坎" in (verdict.corrected_value or "")
    # Words that name an attribute still have to be the memory's.
    named = StatementFacts(text="我的健身房是小龙坎。", language="zh", old_values=("海底捞",), new_values=("小龙坎",),
                           negated=False)
    assert not judge_statement_against_memory(named, "用户最喜欢的火锅店是海底捞万达店。", None).supersede
