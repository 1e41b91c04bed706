"""Clauses that lean on the memory they correct: a bare filler ("it's X", "是X") or a pronoun's predicate."""

from __future__ import annotations

import pytest

from pipeline.analyzers.offline import OfflineAnalyzer
from pipeline.models import MemoryRecord
from pipeline.text.memory_completion import BareFiller, bare_filler, complete_by_memory


@pytest.fixture(scope="module")
def likeness():  # noqa: ANN201 - a memory_completion.Likeness over the bundled sentence encoder
    from pipeline.embedding import build_embedder
    from pipeline.embedding.base import cosines

    embedder = build_embedder()

    def similar(text: str, others) -> list[float]:  # noqa: ANN001
        vectors = embedder.embed([text, *others])
        return cosines(vectors[0], vectors[1:])

    return similar


@pytest.fixture(scope="module")
def embedding_analyzer() -> OfflineAnalyzer:
    from pipeline.embedding import build_embedder

    return OfflineAnalyzer(embedder=build_embedder())


@pytest.mark.parametrize(("clause", "language", "expected"), [
    ("nope it's a kia sportage lol", "en", BareFiller("it", "kia sportage")),
    ("she's a dentist now", "en", BareFiller("she", "dentist")),
    ("is a vet", "en", None),
    ("it's been ages since I went", "en", None),
    ("it's fine", "en", None),
    ("搞错啦，是九月十五号", "zh", BareFiller("", "九月十五号")),
    ("他玩的是贝斯呀", "zh", BareFiller("他", "贝斯")),
    ("是一只柯基", "zh", BareFiller("", "柯基")),
    ("是对的", "zh", None),
    ("it's Meagan with an A", "en", BareFiller("it", "Meagan")),
    ("its more like 10k", "en", None),  # the spelling note is no part of it
    ("我是湖人球迷好吧", "zh", BareFiller("我", "湖人球迷")),
    ("是个女儿", "zh", None),  # a person tells of a birth, it fills no attribute
    ("而且是坐高铁", "zh", None),  # it adds, it corrects nothing
    ("it's just the van now", "en", None),
    ("she's home", "en", None),
    ("老周开的是一辆宝马", "zh", None),  # said of someone else
    ("他在北京上班", "zh", None),
])
def test_bare_fillers(clause: str, language: str, expected: BareFiller | None) -> None:
    assert bare_filler(clause, language) == expected


@pytest.mark.parametrize(("clauses", "everything", "language", "memories", "corrected"), [
    # an untyped filler replaces the phrase most like it, at the end of the sentence first
    (["it's a kia sportage"], ["wrong car", "it's a kia sportage"], "en",
     ["The user drives a Nissan Qashqai.", "The user works in Leeds."], {0: "The user drives a Kia sportage."}),
    (["是菠萝"], ["记错了", "是菠萝"], "zh",
     ["用户最喜欢的水果是香蕉。", "用户住在成都。"], {0: "用户最喜欢的水果是菠萝。"}),
    # a value replaces a value of its kind; Chinese numerals are written as the memory writes them
    (["是九月十五号"], ["纪念日记错了", "是九月十五号"], "zh",
     ["用户的结婚纪念日是9月5日。", "用户每周跑步三次。"], {0: "用户的结婚纪念日是9月15号。"}),
    # the whole phrase it replaces, and the characters it repeats at its edges
    (["我开的是蔚来ES6"], ["我开的是蔚来ES6"], "zh",
     ["用户开一辆特斯拉Model Y。", "用户住在苏州。"], {0: "用户开一辆蔚来ES6。"}),
    (["是李雨菡"], ["名字写错了", "是李雨菡"], "zh",
     ["用户的女儿名字是李雨涵。", "用户的女儿在学游泳。"], {0: "用户的女儿名字是李雨菡。"}),
    (["it's the Oilers"], ["it's the Oilers"], "en",
     ["The user's favourite hockey team is the Calgary Flames.", "The user skates on Sundays."],
     {0: "The user's favourite hockey team is the Oilers."}),
    # what the clause says beside the filler is the attribute, not what it replaces
    (["我过敏的是芒果"], ["我过敏的是芒果"], "zh",
     ["用户对花生过敏。", "用户每天喝两杯咖啡。"], {0: "用户对芒果过敏。"}),
    # "she" is a person of the memories, never the user
    (["she's a dentist now"], ["she's a dentist now"], "en",
     ["The user is a teacher.", "The user's aunt works as a pharmacist in York."],
     {1: "The user's aunt works as a dentist in York."}),
    # a predicate said of "他" replaces what the memory held of the one man it can be
    (["他在杭州读大三"], ["不对", "他在杭州读大三"], "zh",
     ["用户的弟弟在南京读大二。", "用户的妹妹在上海工作。"], {0: "用户的弟弟在杭州读大三。"}),
])
def test_a_leaning_clause_completes_its_memory(
    clauses: list[str], everything: list[str], language: str, memories: list[str], corrected: dict[int, str],
    likeness,  # noqa: ANN001
) -> None:
    found = complete_by_memory(clauses, everything, language, memories, "", [0.0] * len(memories), likeness)
    assert {a.memory_index: a.corrected for a in found} == corrected


def test_it_is_the_user_not_another_person(likeness) -> None:  # noqa: ANN001
    memories = ["用户的同事养了一只金毛。", "用户养了一只猫。"]
    found = complete_by_memory(["我养的是一只柴犬"], ["我养的是一只柴犬"], "zh", memories, "", [0.0, 0.0], likeness)
    assert {a.memory_index: a.corrected for a in found} == {1: "用户养了一只柴犬。"}


def test_a_message_that_points_leaves_the_memory_to_its_pointer(likeness) -> None:  # noqa: ANN001
    memories = ["The user is learning Italian.", "The user is learning Greek."]
    everything = ["the second one is wrong", "it's Turkish"]
    assert complete_by_memory(["it's Turkish"], everything, "en", memories, "", [0.0, 0.0], likeness) == []


def test_a_filler_replaces_no_part_of_itself(likeness) -> None:  # noqa: ANN001
    memories = ["用户对牛奶没有过敏。"]
    found = complete_by_memory(["是虾过敏"], ["是虾过敏"], "zh", memories, "", [0.0], likeness)
    assert all("没有虾过敏" not in a.corrected for a in found)


def test_a_denial_takes_no_filler(likeness) -> None:  # noqa: ANN001
    memories = ["The user never owned a Jeep.", "The user lives in Bath."]
    assert complete_by_memory(["it's a kia sportage"], ["it's a kia sportage"], "en", memories, "", [0.0, 0.0],
                              likeness) == []


def test_two_memories_holding_alike_fillers_are_no_decision(likeness) -> None:  # noqa: ANN001
    memories = ["The user's sister drives a Ford Fiesta.", "The user's brother drives a Ford Focus."]
    assert complete_by_memory(["it's a vw golf"], ["it's a vw golf"], "en", memories, "", [0.0, 0.0], likeness) == []


def test_a_clause_about_the_name_held_gives_no_new_value(likeness) -> None:  # noqa: ANN001
    memories = ["The user's brother is named Tom.", "The user lives in Derby."]
    clause = "he hates being called Tom"
    assert complete_by_memory([clause], [clause], "en", memories, "", [0.0, 0.0], likeness) == []


def test_he_is_nobody_when_the_memories_speak_only_of_the_user(likeness) -> None:  # noqa: ANN001
    memories = ["The user studies law in Glasgow."]
    assert complete_by_memory(["he studies medicine in Dundee"], ["he studies medicine in Dundee"], "en",
                              memories, "", [0.0], likeness) == []


def test_the_analyzer_writes_the_memory_with_the_filler(embedding_analyzer: OfflineAnalyzer) -> None:
    feedback = "nah its a kia sportage lol"
    memories = ["The user drives a Nissan Qashqai.", "The user lives in Hull."]
    [statement] = embedding_analyzer.classify(feedback, []).statements
    records = [MemoryRecord(id=str(i), project_id="p", memory_value=m) for i, m in enumerate(memories)]
    decisions = embedding_analyzer.judge_conflicts(statement, records, feedback=feedback)
    assert [(d.supersede, d.corrected_value) for d in decisions] == [
        (True, "The user drives a Kia sportage."), (False, None)]
