import pytest

from pipeline.text.perspective import finish_sentence, third_person_verb, to_third_person
from pipeline.text.values import compatible_kinds, complete_unit, extract_values, same_value, styled_like, value_kind


@pytest.mark.parametrize(
    ("first_person", "expected"),
    [
        ("I live in Berlin", "The user lives in Berlin."),
        ("I'm allergic to shellfish", "The user is allergic to shellfish."),
        ("I don't like swimming", "The user does not like swimming."),
        ("my daughter is 9", "The user's daughter is 9."),
        ("I have two cats", "The user has two cats."),
        ("I go to the gym on Mondays", "The user goes to the gym on Mondays."),
        ("I also really enjoy hiking", "The user also really enjoys hiking."),
        ("I can't eat gluten", "The user cannot eat gluten."),
        ("我喜欢游泳", "用户喜欢游泳。"),
        ("我的猫叫咪咪", "用户的猫叫咪咪。"),
        ("我女儿九岁了", "用户的女儿九岁。"),
    ],
)
def test_to_third_person(first_person: str, expected: str) -> None:
    assert finish_sentence(to_third_person(first_person)) == expected


@pytest.mark.parametrize(
    ("statement", "stored"),
    [
        ("用户换工作了呢", "用户换工作。"),
        ("用户上周搬家了啦", "用户上周搬家。"),
        # A 了 after a one-character word is part of what happened: "走" alone is "walks".
        ("用户的猫上个月走了", "用户的猫上个月走了。"),
        ("用户的摩托车卖了吧", "用户的摩托车卖了。"),
        ("用户是早班的班了", "用户是早班的班。"),
    ],
)
def test_a_chinese_statement_drops_closing_particles_but_not_a_verbs_aspect(statement: str, stored: str) -> None:
    assert finish_sentence(statement, "zh") == stored


def test_third_person_verb_irregulars() -> None:
    assert [third_person_verb(v) for v in ("have", "do", "go", "be", "watch", "study", "play")] == [
        "has", "does", "goes", "is", "watches", "studies", "plays",
    ]


def test_extract_values() -> None:
    found = [(v.text, v.kind) for v in extract_values("The limit is 600 CNY, not 800 CNY, from 9 PM.")]
    assert found == [("600 CNY", "money"), ("800 CNY", "money"), ("9 PM", "time")]
    assert [v.text for v in extract_values("办公软件的采购上限为800元，下午6点关门")] == ["800元", "下午6点"]
    assert [v.text for v in extract_values("The user's manager is Jon Smith.")] == ["Jon Smith"]
    assert value_kind("14 days") == "quantity:day"
    assert value_kind("九岁") == "age"
    assert value_kind("北京") == "name"
    assert complete_unit("30", "14 days") == "30 days"


@pytest.mark.parametrize(("text", "value"), [
    ("诊所的预约电话为0755-88881234。", ("0755-88881234", "phone")),
    ("Call the front desk on (020) 79460958.", ("(020) 79460958", "phone")),
    ("As of January 2025 employees get 20 days.", ("January 2025", "date")),
    ("The lease ends in Sept 2026.", ("Sept 2026", "date")),
])
def test_a_landline_and_a_month_of_a_year_are_one_value_each(text: str, value: tuple[str, str]) -> None:
    assert (extract_values(text)[0].text, extract_values(text)[0].kind) == value


@pytest.mark.parametrize(("a", "b", "same"), [
    ("October 2025", "December 2025", False), ("March 3", "April 3", False), ("March 3", "3 March", True),
    ("Sept 9", "September 9", True), ("March 3, 1990", "3 March 1990", True), ("8月13号", "八月十三号", True),
    ("3月8日", "8月3日", False),
])
def test_a_date_is_the_same_only_in_the_same_month(a: str, b: str, same: bool) -> None:
    assert same_value(a, b) is same


def test_a_month_with_its_year_is_the_fact_not_when_it_changed() -> None:
    from pipeline.analyzers.offline import OfflineAnalyzer

    [statement] = OfflineAnalyzer(None).classify("the lease ends in October 2025", []).statements
    assert "October 2025" in statement.text
    [moved] = OfflineAnalyzer(None).classify("I moved to Leeds in March", []).statements
    assert "March" not in moved.text


def test_not_allergic_is_a_denial_though_it_starts_like_buguo() -> None:
    from pipeline.text.lexicon import is_negated

    assert is_negated("用户对花生不过敏", "zh")
    assert not is_negated("用户喜欢猫，不过更喜欢狗", "zh")


def test_an_occupation_stated_with_a_classifier_is_employment() -> None:
    from pipeline.text.life_events import stated_attributes

    assert "employment" in stated_attributes("用户是一名中学语文老师。")


@pytest.mark.parametrize(("first_person", "third_person"), [
    ("I am in my 2nd year of uni", "the user is in their 2nd year of uni"),
    ("I get my groceries delivered online", "the user gets their groceries delivered online"),
    ("I told my boss I quit", "the user told their boss the user quit"),
    ("My son drove me to school", "the user's son drove the user to school"),
])
def test_once_the_user_is_the_subject_what_is_theirs_is_their(first_person: str, third_person: str) -> None:
    assert to_third_person(first_person, "en") == third_person


@pytest.mark.parametrize(("text", "address"), [
    ("收货地址也改成浦东新区张江路88号了", "浦东新区张江路88号"),
    ("用户住在上海市闵行区莘庄镇春申路200弄5号。", "上海市闵行区莘庄镇春申路200弄5号"),
    ("公司在南京西路1266号恒隆广场", "南京西路1266号"),
    ("The user lives at 42 Elm Street.", "42 Elm Street"),
    ("we moved to 7 Baker St. last week", "7 Baker St"),
])
def test_a_street_address_is_one_value(text: str, address: str) -> None:
    from pipeline.text.values import extract_values

    assert [(v.text, v.kind) for v in extract_values(text) if v.kind == "address"] == [(address, "address")]
    assert value_kind(address) == "address" and not compatible_kinds("address", "number")


def test_a_new_address_replaces_the_stored_one_whole() -> None:
    from pipeline.text.alignment import align

    [found] = align(["收货地址也改成浦东新区张江路88号了"], "zh", ["用户的收货地址是朝阳区建国路1号。", "用户喜欢喝茶。"])
    assert found.corrected == "用户的收货地址是浦东新区张江路88号。"


@pytest.mark.parametrize(("new", "old", "written"), [
    ("19 sept", "9 September", "19 September"),
    ("oct 14", "October 4", "October 14"),
    ("May 5", "June 3", "May 5"),  # the old value spells no other month
])
def test_a_new_date_spells_its_month_as_the_old_value_did(new: str, old: str, written: str) -> None:
    assert styled_like(new, old) == written


@pytest.mark.parametrize(("text", "letter"), [
    ("The user's blood type is A positive.", "A positive"),
    ("my blood type is O+", "O+"),
    ("The user's blood type is O negative.", "O negative"),
])
def test_a_capital_with_its_sign_is_one_letter_type(text: str, letter: str) -> None:
    assert [(v.text, v.kind) for v in extract_values(text)] == [(letter, "letter")]


def test_a_dash_after_a_spaced_capital_is_no_sign() -> None:
    assert extract_values("Plan A - the backup") == []
