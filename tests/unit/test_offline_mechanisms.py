"""The offline analyzer's generalising mechanisms, on phrasings of our own (EN and ZH).

Subjects, clause merging, keyword parsing, validity of small talk and requests, values
written in words, attribute synonyms and context from the assistant's answer.
"""

from __future__ import annotations

import pytest

from pipeline.analyzers.offline import OfflineAnalyzer
from pipeline.models import Message, UpdateType
from tests.unit.analyzer_support import correct

# --- 1. subjects -----------------------------------------------------------------------

SUBJECT_CASES = [
    ("I'm 35 now, not 34.", ["The user is 34 years old.", "The user's sister is 34 years old."], "35"),
    ("My brother is 30, not 29.", ["The user's brother is 29 years old.", "The user is 29 years old."], "30"),
    (
        "The K7 router supports 12 devices, not 8.",
        ["The K7 router supports 8 devices.", "The K9 router supports 8 devices."],
        "12",
    ),
    (
        "My daughter goes to Maple School, not Oak School.",
        ["The user's daughter goes to Oak School.", "The user's son goes to Oak School."],
        "Maple",
    ),
    ("我今年28岁，不是27岁。", ["用户今年27岁。", "用户的妻子今年27岁。"], "28岁"),
    ("我儿子学的不是游泳，而是网球。", ["用户的儿子在学游泳。", "用户的女儿在学游泳。"], "网球"),
    ("我弟弟住在成都，不是重庆。", ["用户的弟弟住在重庆。", "用户住在重庆。"], "成都"),
]


@pytest.mark.parametrize("feedback, memories, new", SUBJECT_CASES)
def test_only_the_memory_about_the_same_subject_is_superseded(analyzer, feedback, memories, new) -> None:
    _, superseded = correct(analyzer, feedback, memories)
    assert list(superseded) == [memories[0]]
    assert new in superseded[memories[0]]


# --- 2. clause merging -----------------------------------------------------------------


@pytest.mark.parametrize(
    "feedback, memories, new, old_gone",
    [
        (
            "It's not a Toyota Corolla, I drive a Kia Rio.",
            ["The user drives a Toyota Corolla.", "The user's son drives a Toyota Corolla."],
            "Kia Rio",
            "Corolla",
        ),
        (
            "The Family plan went up to €18 a month, it's no longer €15.",
            ["The Family plan costs €15 per month.", "The Solo plan costs €10 per month."],
            "€18",
            "€15",
        ),
        (
            "I'm no longer a nurse - I work as a data analyst now.",
            ["The user works as a pediatric nurse.", "The user's mother is a nurse."],
            "data analyst",
            "nurse",
        ),
        (
            "We have three cats now, not two.",
            ["The user has two cats.", "The user's neighbour has two cats."],
            "three",
            "two",
        ),
        (
            "I work from home two days a week, not one.",
            ["The user works from home one day a week."],
            "two days",
            "one day",
        ),
        ("其实我不是会计，我是律师。", ["用户是一名会计。", "用户的哥哥是会计。"], "律师", "会计"),
        ("我养了三只猫，不是两只，上周又领养了一只。", ["用户养了两只猫。", "用户养了一条狗。"], "三只", "两只"),
    ],
)
def test_denials_attach_to_their_statement(analyzer, feedback, memories, new, old_gone) -> None:
    statements, superseded = correct(analyzer, feedback, memories)
    assert list(superseded) == [memories[0]]
    assert new in superseded[memories[0]] and old_gone not in superseded[memories[0]]
    # No statement of its own for the bare denial ("It is not a Toyota Corolla.").
    assert not any(s.startswith(("It is not", "It is no longer", "用户不是两只")) for s in statements)


@pytest.mark.parametrize(
    "feedback, memories",
    [
        ("我已经不抽烟了，现在改喝茶。", ["用户每天抽一包烟。", "用户喜欢喝咖啡。"]),
        ("I no longer eat meat.", ["The user eats meat every day.", "The user's husband eats meat."]),
    ],
)
def test_a_denial_supersedes_the_fuller_positive_claim(analyzer, feedback, memories) -> None:
    statements, superseded = correct(analyzer, feedback, memories)
    assert list(superseded) == [memories[0]]
    assert "改" not in "".join(statements)


def test_a_narrower_denial_keeps_a_different_claim(analyzer) -> None:
    _, superseded = correct(analyzer, "I don't drink coffee in the evening.", ["The user drinks coffee every morning."])
    assert not superseded


# --- 3. keyword replacement parsing ----------------------------------------------------


@pytest.mark.parametrize(
    "feedback, original, target",
    [
        ("Change 'Globex' to 'Initech' in all my notes, the company was acquired.", "Globex", "Initech"),
        ("Replace Jim with James everywhere - he prefers his full name.", "Jim", "James"),
        ('Swap "Foo Bar" for "Baz" in everything you know about me.', "Foo Bar", "Baz"),
        ("Replace Kay with Katherine in my memories.", "Kay", "Katherine"),
        ("Change Bob to Robert, he's my uncle.", "Bob", "Robert"),
        ("以后小李改称李经理。", "小李", "李经理"),
        ("把“蓝鲸”替换为“白鲸”，我们换了名字", "蓝鲸", "白鲸"),
        ("把青松改为翠柏，团队换名字了", "青松", "翠柏"),
    ],
)
def test_keyword_terms_are_exact(analyzer, feedback, original, target) -> None:
    classification = analyzer.classify(feedback, [])
    assert classification.update_type is UpdateType.KEYWORD_REPLACE
    assert (classification.keyword.original, classification.keyword.target) == (original, target)


@pytest.mark.parametrize(
    "feedback, memories, new",
    [
        ("图书馆现在改成晚上10点关门了。", ["图书馆晚上9点关门。", "书店晚上9点关门。"], "10点"),
        ("年假现在改成15天了。", ["员工年假为10天。", "员工病假为10天。"], "15天"),
        ("Change the gym opening time to 6 AM.", ["The gym opens at 7 AM.", "The pool opens at 7 AM."], "6 AM"),
    ],
)
def test_a_new_value_for_an_attribute_is_not_a_keyword_replacement(analyzer, feedback, memories, new) -> None:
    _, superseded = correct(analyzer, feedback, memories)
    assert list(superseded) == [memories[0]]
    assert new in superseded[memories[0]]


# --- 4. validity -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "feedback",
    ["Lol, you're a funny assistant.", "Your answers are always great.", "哈哈，你太搞笑了", "嘿嘿，你好聪明"],
)
def test_remarks_about_the_assistant_are_small_talk(analyzer, feedback) -> None:
    assert not analyzer.judge_validity(feedback, []).valid


@pytest.mark.parametrize(
    "feedback, memories, kept_text, dropped",
    [
        ("我特别讨厌榴莲，以后别给我推荐榴莲。", ["用户喜欢吃榴莲。", "用户喜欢吃芒果。"], "讨厌榴莲", "推荐"),
        (
            "I hate olives, so don't suggest dishes with olives.",
            ["The user loves olives.", "The user loves capers."],
            "hates olives",
            "suggest",
        ),
    ],
)
def test_a_statement_with_a_request_keeps_the_statement(analyzer, feedback, memories, kept_text, dropped) -> None:
    assert analyzer.judge_validity(feedback, []).valid
    statements, superseded = correct(analyzer, feedback, memories)
    assert list(superseded) == [memories[0]]
    assert any(kept_text in s for s in statements) and not any(dropped in s for s in statements)


def test_praise_clause_before_a_fact_is_dropped(analyzer) -> None:
    statements, superseded = correct(analyzer, "You're right, I live in Oslo now.", ["The user lives in Bergen."])
    assert statements == ["The user lives in Oslo."]
    assert superseded == {"The user lives in Bergen.": "The user lives in Oslo."}


# --- 5 and 6. values and attributes ----------------------------------------------------


@pytest.mark.parametrize(
    "feedback, memories, new",
    [
        ("我每周骑车30公里，不是30英里。", ["用户每周骑车30英里。"], "30公里"),
        ("会议时间改成了下午2点到3点半。", ["会议时间为14:00至15:00。"], "15:30"),
        ("你记错了，我每天喝两杯咖啡，不是三杯。", ["用户每天喝三杯咖啡。"], "两杯"),
        (
            "My favourite colour is green, not blue.",
            ["The user's favorite color is blue.", "The user's daughter's favorite color is blue."],
            "green",
        ),
        (
            "That's wrong, I'm based in Leeds now.",
            ["The user lives in York.", "The user's company is based in York."],
            "Leeds",
        ),
        (
            "Our book club moved to Thursdays at 19:00.",
            ["The book club meets on Wednesdays at 18:00.", "The user's book club reads mystery novels."],
            "Thursdays",
        ),
        ("I relocated to Denver last month.", ["The user lives in Austin.", "The user was born in Austin."], "Denver"),
        ("My sister moved to Lyon.", ["The user's sister lives in Paris.", "The user lives in Paris."], "Lyon"),
        ("我现在使用的是苹果电脑。", ["用户用的是联想电脑。", "用户喜欢苹果。"], "苹果电脑"),
        ("我搬到了杭州。", ["用户住在苏州。", "用户的父母住在苏州。"], "杭州"),
        (
            "I switched from Android to an iPhone.",
            ["The user uses an Android phone.", "The user likes Android games."],
            "iPhone",
        ),
    ],
)
def test_values_and_attribute_variants(analyzer, feedback, memories, new) -> None:
    _, superseded = correct(analyzer, feedback, memories)
    assert list(superseded) == [memories[0]]
    assert new in superseded[memories[0]]


def test_time_adverbials_are_dropped_from_the_fact(analyzer) -> None:
    statements, _ = correct(analyzer, "I relocated to Denver last month.", [])
    assert statements == ["The user lives in Denver."]
    statements, _ = correct(analyzer, "我最近搬到了杭州。", [])
    assert statements == ["用户住在杭州。"]


@pytest.mark.parametrize(
    "feedback, context, memories, new",
    [
        (
            "That's wrong, it's 12 sessions per term.",
            [("user", "How many tutoring sessions do we get?"), ("assistant", "Students get 10 sessions per term.")],
            ["Students get 10 sessions per term.", "Students get 3 exams per term."],
            "12 sessions",
        ),
        (
            "不对，周日晚上8点才关门。",
            [("user", "超市周日几点关门？"), ("assistant", "超市周日的营业时间是早上8点到晚上6点，晚上6点关门。")],
            ["超市周日的营业时间为早上8点到晚上6点。", "超市周一休息。"],
            "晚上8点",
        ),
    ],
)
def test_the_assistant_answer_gives_the_old_value(analyzer, feedback, context, memories, new) -> None:
    messages = [Message(role=role, content=content) for role, content in context]
    _, superseded = correct(analyzer, feedback, memories, messages)
    assert list(superseded) == [memories[0]]
    assert new in superseded[memories[0]]


# --- 7. embeddings ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def with_embeddings() -> OfflineAnalyzer:
    from pipeline.embedding import build_embedder

    return OfflineAnalyzer(build_embedder())


def test_similarity_confirms_a_partial_attribute_overlap(with_embeddings, analyzer) -> None:
    feedback = "My train ride to work takes 40 minutes, not 30."
    memories = ["The user's daily train commute lasts 30 minutes.", "The user's lunch break lasts 30 minutes."]
    _, superseded = correct(with_embeddings, feedback, memories)
    assert list(superseded) == [memories[0]]
    # Without the embedding the word-level rules see one shared word only; the memory is
    # still found as the single best fit for the denied value ("train" against "lunch").
    assert list(correct(analyzer, feedback, memories)[1]) == [memories[0]]


def test_similarity_alone_never_supersedes(with_embeddings) -> None:
    _, superseded = correct(with_embeddings, "The pool closes at 9 PM.", ["The gym closes at 10 PM."])
    assert not superseded


# --- more phrasings: denials placed first or last, ordinals, dates, possessed objects ---


@pytest.mark.parametrize(
    "feedback, memories, new",
    [
        (
            "Not Tuesday - the dentist appointment is on Wednesday.",
            ["The user's dentist appointment is on Tuesday.", "The user's gym class is on Tuesday."],
            "Wednesday",
        ),
        (
            "My son is in third grade, not second.",
            ["The user's son is in second grade.", "The user's daughter is in second grade."],
            "third grade",
        ),
        ("I prefer window seats now, not aisle.", ["The user prefers aisle seats on flights."], "window seats"),
        (
            "We moved our weekly sync to 4 PM.",
            ["The weekly sync is at 2 PM.", "The user's yoga class is at 2 PM."],
            "4 PM",
        ),
        (
            "The deadline was pushed to March 15.",
            ["The project deadline is March 1.", "The user's birthday is March 1."],
            "March 15",
        ),
        (
            "I live in Oslo now, I used to live in Bergen.",
            ["The user lives in Bergen.", "The user's aunt lives in Bergen."],
            "Oslo",
        ),
        ("我现在住在深圳，以前住在广州。", ["用户住在广州。", "用户的父母住在广州。"], "深圳"),
        ("我们老板叫王强，不是王刚。", ["用户的老板叫王刚。", "用户的同事叫王刚。"], "王强"),
        ("我的生日是5月3日，不是5月8日。", ["用户的生日是5月8日。", "用户妻子的生日是5月8日。"], "5月3日"),
        ("退货期限现在是30天，不是7天。", ["退货期限为7天。", "换货期限为7天。"], "30天"),
        ("说错了，我的航班是下午三点，不是两点。", ["用户的航班是下午两点。"], "下午三点"),
    ],
)
def test_more_phrasings(analyzer, with_embeddings, feedback, memories, new) -> None:
    for judge in (analyzer, with_embeddings):
        _, superseded = correct(judge, feedback, memories)
        assert list(superseded) == [memories[0]]
        assert new in superseded[memories[0]]
    assert "下午下午" not in superseded[memories[0]]


def test_the_assistant_answer_is_restated_about_the_user(analyzer) -> None:
    context = [Message(role="assistant", content="Your alarm is set for 8:00.")]
    statements, superseded = correct(
        analyzer, "Actually it's 7:30, not 8.", ["The user's alarm is set for 8:00."], context
    )
    assert statements == ["The user's alarm is set for 7:30."]
    assert superseded == {"The user's alarm is set for 8:00.": "The user's alarm is set for 7:30."}


def test_a_denial_needs_the_same_verb(analyzer) -> None:
    _, superseded = correct(analyzer, "I no longer have a car.", ["The user has a red car.", "The user's car is red."])
    assert list(superseded) == ["The user has a red car."]


@pytest.mark.parametrize(
    "feedback", ["好的，谢谢，我知道了。", "嗯嗯，你说得有道理。", "Sure, sounds good, thanks a lot!"]
)
def test_acknowledgements_in_several_clauses(analyzer, feedback) -> None:
    assert not analyzer.judge_validity(feedback, []).valid


def test_a_lookalike_name_is_the_replacement(analyzer) -> None:
    classification = analyzer.classify("It's Katarina with a K, not Catarina.", [])
    assert classification.keyword is not None
    assert (classification.keyword.original, classification.keyword.target) == ("Catarina", "Katarina")


@pytest.mark.parametrize(
    "feedback, statement",
    [
        ("You are right that the office closes at 6 now.", "the office closes at 6"),
        ("Never mind, I live in Rome.", "The user lives in Rome."),
    ],
)
def test_agreement_or_chatter_around_a_fact_keeps_the_fact(analyzer, feedback, statement) -> None:
    assert analyzer.judge_validity(feedback, []).valid
    assert any(statement in s.text for s in analyzer.classify(feedback, []).statements)


def test_a_change_to_a_new_thing_is_its_own_clause_beside_a_dosage(analyzer) -> None:
    """"降压药换成氨氯地平了，一天一片": the drug is what changed, and "酒…不喝了" ends the drinking
    alone; the dosage rewrites no memory."""
    statements, superseded = correct(
        analyzer, "降压药换成氨氯地平了，一天一片；另外酒我已经彻底不喝了",
        ["用户服用缬沙坦控制血压。", "用户每周喝两三次酒。", "用户每天早上打太极拳。"],
    )
    assert "降压药是氨氯地平。" in statements
    assert "用户每周喝两三次酒。" in superseded
    assert "用户每天早上打太极拳。" not in superseded


def test_a_change_in_a_later_clause_leaves_the_first_clause_its_own(analyzer) -> None:
    statements, _ = correct(analyzer, "年会挪到1月18号了，地点也换成万豪酒店了", ["用户公司的年会定在1月25日。"])
    assert len(statements) == 2


def test_a_weekday_after_last_week_is_when_it_happened(analyzer: OfflineAnalyzer) -> None:
    # "上周一" is last Monday: none of it belongs to the fact (it left "一正式入职大疆了").
    [statement] = analyzer.classify("上周一正式入职大疆了", []).statements
    assert statement.text == "正式入职大疆了。"
    assert [s.text for s in analyzer.classify("上星期三搬到杭州了", []).statements] == ["用户住在杭州。"]
