"""How users really phrase "replace X with Y everywhere", and what only looks like it."""

import pytest

from pipeline.text.replacement import parse_keyword_replacement

ENGLISH_REPLACEMENTS = [
    # Asides and trailing clauses are not part of the target.
    ("replace Jon with John (typo, sorry)", ("Jon", "John")),
    ("change Cathy to Kathy pls (she hates the C)", ("Cathy", "Kathy")),
    ("Replace Jim with James! thanks", ("Jim", "James")),
    # Arrow notations.
    ("Jon → John everywhere pls", ("Jon", "John")),
    ("Acme -> Acme Corp", ("Acme", "Acme Corp")),
    ("Globex => Initech in all my notes", ("Globex", "Initech")),
    ("Rob➡Robert", ("Rob", "Robert")),
    ("Sue ➡️ Susan", ("Sue", "Susan")),
    ("Tom --> Thomas", ("Tom", "Thomas")),
    ("typo: Jonh → John", ("Jonh", "John")),
    # Other ways of saying it.
    ("swap every Jen for Jennifer", ("Jen", "Jennifer")),
    ("swap Pete out for Peter", ("Pete", "Peter")),
    ("s/colour/color/g", ("colour", "color")),
    ("s/Mr. Lee/Dr. Lee/", ("Mr. Lee", "Dr. Lee")),
    ("Nate should be Nathan everywhere", ("Nate", "Nathan")),
    ("change all Alex to Alexander", ("Alex", "Alexander")),
    ("can you rename Beta Team to Core Team in my notes?", ("Beta Team", "Core Team")),
    ("every time it says Jon it should say John", ("Jon", "John")),
    ("wherever you see Contoso, write Fabrikam", ("Contoso", "Fabrikam")),
    ("The project got renamed from Falcon to Osprey", ("Falcon", "Osprey")),
    ("call Bob 'Robert' instead", ("Bob", "Robert")),
    # A third person's name is still a term to replace; "IT" is a department, not a pronoun.
    ("call her Liz instead of Elizabeth", ("Elizabeth", "Liz")),
    ("replace IT with Tech Support everywhere", ("IT", "Tech Support")),
    # Whom the request is for is no part of the target.
    ("swap Asana for Trello on me", ("Asana", "Trello")),
    ("can you change Zoom to Meet for us in all my notes", ("Zoom", "Meet")),
]

CHINESE_REPLACEMENTS = [
    # Corner-bracket quotes, with other words around them.
    ("项目代号『青鸟』以后统一叫『鲲鹏』，帮我把记忆里的都换掉", ("青鸟", "鲲鹏")),
    ("「白塔」以后都叫「灯塔」", ("白塔", "灯塔")),
    ("把所有的“老张”一律改成“张总”吧～", ("老张", "张总")),
    # Asides and trailing clauses are not part of the target.
    ("把记忆里的 Li 全部换成 Lee（导师的姓一直拼错了）", ("Li", "Lee")),
    ("小美→美美，全部改一下哈", ("小美", "美美")),
    ("记忆里的阿强→强哥", ("阿强", "强哥")),
    # Scope adverbs and naming verbs.
    ("把老王都改叫王总", ("老王", "王总")),
    ("把所有的小明改为明明", ("小明", "明明")),
    ("阿花一律改成花花", ("阿花", "花花")),
    ("记忆里的大壮都改成壮壮吧", ("大壮", "壮壮")),
    ("蓝海全部替换成深蓝", ("蓝海", "深蓝")),
    ("老李全都换成李老师", ("老李", "李老师")),
    ("小周统一改叫周工", ("小周", "周工")),
    ("以后阿珍都叫阿珠", ("阿珍", "阿珠")),
    ("火星计划以后统一写成天问计划", ("火星计划", "天问计划")),
    ("麻烦把记忆里的Jake全部替换为Jacob", ("Jake", "Jacob")),
    # A rename that already happened is still a rename; a scope makes "…了" an instruction.
    ("小红改叫红红了", ("小红", "红红")),
    ("把所有北京都改成上海了", ("北京", "上海")),
]

NOT_REPLACEMENTS = [
    # "call me X" is the user's own name: a semantic update, not a term to find.
    "pls call me Beth from now on, nobody calls me Liz anymore",
    "call me Beth instead of Liz",
    "call me 'Bea' from now on",
    "call him Bob from now on",
    "以后都叫我小美",
    "小王以后都叫我小美",
    "叫我美美，别叫小美了",
    # A change of the user's own state, with no scope over the memories.
    "I changed my job to teaching",
    "my sister moved to Montreal",
    "the meeting changed to 3pm",
    "I replaced my phone with a Pixel",
    "I renamed my dog to Max",
    "我把车换成了比亚迪",
    "我把车换成比亚迪",
    "他把手机换成华为",
    "早餐换成燕麦了",
    "我现在把咖啡换成茶了",
    # An attribute getting a new value.
    "把会议改成周三",
    "meeting: 3pm moved to 4pm",
]


@pytest.mark.parametrize(("feedback", "expected"), ENGLISH_REPLACEMENTS + CHINESE_REPLACEMENTS)
def test_replacement_phrasings(feedback: str, expected: tuple[str, str]) -> None:
    assert parse_keyword_replacement(feedback) == expected


@pytest.mark.parametrize("feedback", NOT_REPLACEMENTS)
def test_lookalikes_are_not_replacements(feedback: str) -> None:
    assert parse_keyword_replacement(feedback) is None


@pytest.mark.parametrize(("text", "original", "target"), [
    ("my cat's name is spelled 'Mochi', not 'Moochi' — pls fix it in all my notes", "Moochi", "Mochi"),
    ("我儿子是“子轩”，不是“子萱”，所有地方都改一下", "子萱", "子轩"),
])
def test_two_quoted_terms_with_the_second_denied_put_the_new_one_first(text: str, original: str, target: str) -> None:
    assert parse_keyword_replacement(text) == (original, target)


def test_everywhere_a_term_is_mentioned_it_may_be_changed_to_another() -> None:
    assert parse_keyword_replacement(
        "FYI we renamed the project — everywhere you mention Project Falcon, change it to Project Osprey."
    ) == ("Project Falcon", "Project Osprey")
