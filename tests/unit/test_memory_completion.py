"""Clauses that lean on the memory they correct: a bare value ("it's the 13th", "是九月十五号") or a
pronoun's predicate ("他在杭州读大三")."""

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
    ("nope it's the 21st lol", "en", BareFiller("it", "21st")),
    ("it's 7:45", "en", BareFiller("it", "7:45")),
    ("she's a dentist now", "en", BareFiller("she", "dentist")),
    ("it's Meagan with an A", "en", BareFiller("it", "Meagan")),  # the spelling note is no part of it
    ("is a vet", "en", None),
    ("it's been ages since I went", "en", None),
    ("it's fine", "en", None),
    ("its more like 10k", "en", None),
    ("it's just the van now", "en", None),
    ("she's home", "en", None),
    ("搞错啦，是九月十五号", "zh", BareFiller("", "九月十五号")),
    ("他玩的是贝斯呀", "zh", BareFiller("他", "贝斯")),
    ("是一只柯基", "zh", BareFiller("", "柯基")),
    ("我是湖人球迷好吧", "zh", BareFiller("我", "湖人球迷")),
    ("是对的", "zh", None),
    ("他在北京上班", "zh", None),
    ("是个女儿", "zh", None),  # a person tells of a birth, it fills no attribute
    ("而且是坐高铁", "zh", None),  # it adds, it corrects nothing
    ("老周开的是一辆宝马", "zh", None),  # said of someone else
])
def test_bare_fillers(clause: str, language: str, expected: BareFiller | None) -> None:
    assert bare_filler(clause, language) == expected


@pytest.mark.parametrize(("clauses", "everything", "language", "memories", "closeness", "corrected"), [
    # a value replaces a value of its kind in the memory the rest of the message names; Chinese
    # numerals are written as the memory writes them
    (["是九月十五号"], ["纪念日记错了", "是九月十五号"], "zh",
     ["用户的结婚纪念日是9月5日。", "用户的护照10月8日到期。"], [0.3, 0.3], {0: "用户的结婚纪念日是9月15号。"}),
    # or the one the search found closest
    (["it's 7:45"], ["nope", "it's 7:45"], "en",
     ["The user's train leaves at 7:15.", "The user has two sisters."], [0.5, 0.2],
     {0: "The user's train leaves at 7:45."}),
    # a predicate said of "他" replaces what the memory held of the one man it can be
    (["他在杭州读大三"], ["不对", "他在杭州读大三"], "zh",
     ["用户的弟弟在南京读大二。", "用户的妹妹在上海工作。"], [0.6, 0.3], {0: "用户的弟弟在杭州读大三。"}),
    # a filler that is no value is left to the other rules
    (["it's a kia sportage"], ["wrong car", "it's a kia sportage"], "en",
     ["The user drives a Nissan Qashqai.", "The user works in Leeds."], [0.5, 0.1], {}),
])
def test_a_leaning_clause_completes_its_memory(
    clauses: list[str], everything: list[str], language: str, memories: list[str], closeness: list[float],
    corrected: dict[int, str], likeness,  # noqa: ANN001
) -> None:
    found = complete_by_memory(clauses, everything, language, memories, "", closeness, likeness)
    assert {a.memory_index: a.corrected for a in found} == corrected


def test_a_value_needs_something_to_point_at_its_memory(likeness) -> None:  # noqa: ANN001
    # not the topic, not the answer, not the search: two dates, and nothing says which
    memories = ["The user's train leaves at 7:15 am.", "The user's gym opens at 6 am."]
    assert complete_by_memory(["it's 7:45"], ["it's 7:45"], "en", memories, "", [0.0, 0.0], likeness) == []


def test_a_message_that_points_leaves_the_memory_to_its_pointer(likeness) -> None:  # noqa: ANN001
    memories = ["The user's yoga class is at 6 pm.", "The user's swim class is at 7 pm."]
    everything = ["the second one is wrong", "it's 8 pm"]
    assert complete_by_memory(["it's 8 pm"], everything, "en", memories, "", [0.5, 0.4], likeness) == []


def test_a_denial_takes_no_value(likeness) -> None:  # noqa: ANN001
    memories = ["用户的会员不是3月1日到期。", "用户住在苏州。"]
    assert complete_by_memory(["是5月1日"], ["到期日记错了", "是5月1日"], "zh", memories, "", [0.6, 0.1],
                              likeness) == []


def test_a_clause_about_the_name_held_gives_no_new_value(likeness) -> None:  # noqa: ANN001
    memories = ["The user's brother is named Tom.", "The user lives in Derby."]
    clause = "he hates being called Tom"
    assert complete_by_memory([clause], [clause], "en", memories, "", [0.6, 0.1], likeness) == []


def test_he_is_nobody_when_the_memories_speak_only_of_the_user(likeness) -> None:  # noqa: ANN001
    memories = ["The user studies law in Glasgow."]
    assert complete_by_memory(["he studies medicine in Dundee"], ["he studies medicine in Dundee"], "en",
                              memories, "", [0.6], likeness) == []


def test_the_analyzer_writes_the_memory_with_the_value(embedding_analyzer: OfflineAnalyzer) -> None:
    feedback = "生日记错了，是五月二十二号"
    memories = ["用户的生日是5月20日。", "用户住在杭州。"]
    records = [MemoryRecord(id=str(i), project_id="p", memory_value=m) for i, m in enumerate(memories)]
    corrected = {}
    for statement in embedding_analyzer.classify(feedback, []).statements:
        for decision in embedding_analyzer.judge_conflicts(statement, records, feedback=feedback):
            if decision.supersede:
                corrected[decision.memory_id] = decision.corrected_value
    assert corrected == {"0": "用户的生日是5月22号。"}
