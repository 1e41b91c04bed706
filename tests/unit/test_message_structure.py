"""How a message is cut into the facts it states: an opening that only announces corrections is
dropped; a sentence that coordinates facts with subjects of their own gives one sentence each."""

from __future__ import annotations

import pytest

from pipeline.text.corrections import statement_sentences
from pipeline.text.fillers import without_header


@pytest.mark.parametrize(("message", "rest"), [
    ("3 fixes: my cat is Oreo", "my cat is Oreo"),
    ("a couple of updates — I moved to Hull", "I moved to Hull"),
    ("some things r wrong: I am 52", "I am 52"),
    ("三处要改：我住在无锡", "我住在无锡"),
    ("有两个地方不对哈：我女儿叫小雨", "我女儿叫小雨"),
])
def test_an_opening_that_only_announces_corrections_is_dropped(message: str, rest: str) -> None:
    assert without_header(message) == rest


@pytest.mark.parametrize("message", ["My address: 12 Mill Lane", "Gym — closed on Mondays now", "地址：人民路8号"])
def test_an_opening_that_names_something_stays(message: str) -> None:
    assert without_header(message) == message


def test_coordinated_facts_with_their_own_subjects_become_sentences() -> None:
    assert statement_sentences("my car's a Skoda not a Seat, bank is Monzo not HSBC, and I mostly run trails not roads") == [
        "my car's a Skoda not a Seat", "bank is Monzo not HSBC", "I mostly run trails not roads",
    ]
    assert statement_sentences("my coach is Dana, and practice is 6:30 not 7") == ["my coach is Dana", "practice is 6:30 not 7"]


@pytest.mark.parametrize("message", [
    "I live in Hull and work in Leeds",  # one subject, two verbs
    "my brother and I are both teachers",  # a list inside the subject
    "I don't work at Aldi anymore, I'm at Lidl now",  # what ended and what replaced it: one correction
    "It's not a Polo, I drive a Golf",
])
def test_a_sentence_that_states_one_correction_stays_whole(message: str) -> None:
    assert statement_sentences(message) == [message]


def test_a_chinese_sentence_with_two_contrasts_gives_one_sentence_each() -> None:
    assert statement_sentences("我教练是老周不是老吴，比赛在5月9号，不是19号") == ["我教练是老周不是老吴", "比赛在5月9号，不是19号"]
    assert statement_sentences("我今年30岁，不是29岁") == ["我今年30岁，不是29岁"]


def test_a_denial_after_a_comma_stays_with_its_clause() -> None:
    assert statement_sentences("my bike's a Trek, not a Giant, tablet is an ipad 9, not a galaxy tab 7") == [
        "my bike's a Trek, not a Giant", "tablet is an ipad 9, not a galaxy tab 7",
    ]


def test_an_announcing_opening_is_no_keyword_replacement() -> None:
    from pipeline.text.replacement import parse_keyword_replacement

    assert parse_keyword_replacement("small update — switched to a kindle 11, and I walk to work now") is None
    assert parse_keyword_replacement("quick fix: replace Orbit with Nova everywhere") == ("Orbit", "Nova")


@pytest.mark.parametrize(("text", "model"), [
    ("The user reads on a kindle 11.", "kindle 11"),
    ("the office moved to floor 7", "floor 7"),
    ("she is in year 5 now", "year 5"),
    ("The user owns an iPad 9.", "iPad 9"),
])
def test_a_word_and_a_number_after_a_determiner_name_one_thing(text: str, model: str) -> None:
    from pipeline.text.values import extract_values

    assert (model, "name") in [(v.text, v.kind) for v in extract_values(text)]


@pytest.mark.parametrize("text", ["The user runs 5 km a day", "The user has 3 kids", "the class is at 9"])
def test_amounts_and_times_stay_amounts(text: str) -> None:
    from pipeline.text.values import extract_values

    assert all(v.kind != "name" for v in extract_values(text))


@pytest.mark.parametrize(("message", "pair"), [
    ("argh it's Nguyen not Nguen, fix the name everywhere", ("Nguen", "Nguyen")),
    ("是王丽华不是王立华，所有地方都帮我改下", ("王立华", "王丽华")),
    ("it's a Golf not a Polo!! swap polo -> golf everywhere", ("polo", "golf")),
])
def test_a_contrast_said_to_hold_everywhere_is_a_keyword_replacement(message: str, pair: tuple[str, str]) -> None:
    from pipeline.analyzers.offline import OfflineAnalyzer

    classification = OfflineAnalyzer().classify(message, [])
    assert classification.keyword is not None
    assert (classification.keyword.original, classification.keyword.target) == pair


def test_a_contrast_without_everywhere_stays_a_semantic_update() -> None:
    from pipeline.analyzers.offline import OfflineAnalyzer

    assert OfflineAnalyzer().classify("my dentist is Dr Nguyen not Dr Nguen", []).keyword is None


def test_the_comma_of_a_thousands_joins_no_clauses() -> None:
    assert statement_sentences("the deposit is $2,400 not $2,100, and the agent is Priya Shah") == [
        "the deposit is $2,400 not $2,100", "the agent is Priya Shah"]
    assert statement_sentences("my salary is 64,500 now") == ["my salary is 64,500 now"]


def test_a_clause_with_a_verb_before_where_or_when_is_a_clause_of_its_own() -> None:
    assert statement_sentences("the coach is Priya, practice starts at 5 not 6") == [
        "the coach is Priya", "practice starts at 5 not 6"]
    # a plural noun before "and" is a list, not a verb
    assert statement_sentences("I have two cats and a dog") == ["I have two cats and a dog"]
