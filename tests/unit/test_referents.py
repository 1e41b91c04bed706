"""Replies that point into the conversation: listed items, pronouns, "there", and the memory behind them."""

from __future__ import annotations

import pytest

from pipeline.text.keyword import shortened_form_span
from pipeline.text.references import resolve_pointer
from pipeline.text.referents import (
    changed_by_frame,
    changed_item,
    enumerated_items,
    find_pointer,
    listed_items,
    numbered_items,
    pointed_item,
    refer,
    rewrite_for,
)


@pytest.fixture(scope="module")
def likeness():  # noqa: ANN201 - a referents.Similarity over the bundled sentence encoder
    from pipeline.embedding import build_embedder
    from pipeline.embedding.base import cosines

    embedder = build_embedder()

    def similar(text: str, others) -> list[float]:  # noqa: ANN001
        vectors = embedder.embed([text, *others])
        return [c or 0.0 for c in cosines(vectors[0], vectors[1:])]

    return similar


def test_numbered_items_are_read_in_order() -> None:
    answer = "You have three on file. 1) Lisbon 2) Porto 3) Faro. Want directions?"
    assert numbered_items(answer) == ["Lisbon", "Porto", "Faro"]
    assert numbered_items("我记得：1. 你每天喝咖啡；2. 你养了一只猫；3. 你住在成都。") == ["你每天喝咖啡", "你养了一只猫", "你住在成都"]
    assert numbered_items("It is 3.5 km away.") == []
    # An item that closes with a bracket runs straight into the next number.
    assert numbered_items("常去的有三个：1. 乐刻（望京店）2. 超级猩猩（三里屯店）3. 威尔士（国贸店）。") == [
        "乐刻（望京店）", "超级猩猩（三里屯店）", "威尔士（国贸店）"]


def test_enumerations_come_from_one_clause_of_the_answer() -> None:
    assert enumerated_items("You take yoga, pilates and spin classes, right?", "en") == ["You take yoga", "pilates", "spin classes"]
    assert enumerated_items("你喜欢火锅、烧烤和川菜，对吧？", "zh") == ["你喜欢火锅", "烧烤", "川菜"]


@pytest.mark.parametrize(
    ("reply", "language", "index"),
    [("the third option pls", "en", 2), ("the last one's wrong", "en", -1), ("option 2", "en", 1),
     ("第三条不对", "zh", 2), ("最后那个早就不用了", "zh", -1), ("我选第2个", "zh", 1)],
)
def test_pointers(reply: str, language: str, index: int) -> None:
    pointer = find_pointer(reply, language)
    assert pointer is not None and pointer.index == index


def test_a_reply_without_a_pointer_points_at_nothing() -> None:
    assert find_pointer("at first I liked it", "en") is None
    assert pointed_item("the second one", "en", "") is None


@pytest.mark.parametrize(
    ("clause", "language", "memory", "corrected"),
    [
        ("it's oat milk", "en", "The user is allergic to almond milk.", "The user is allergic to oat milk."),
        ("that one's with dr nguyen", "en", "The user has a checkup with Dr. Brown on Monday.",
         "The user has a checkup with Dr Nguyen on Monday."),
        ("she's a pilot now", "en", "The user's aunt Rosa works at the post office.", "The user's aunt is a pilot now."),
        ("它是布偶", "zh", "用户的猫咪咪是橘猫。", "用户的猫咪咪是布偶。"),
        ("他考的是五级", "zh", "用户的儿子在准备围棋三级考试。", "用户的儿子在准备围棋五级考试。"),
    ],
)
def test_a_clause_that_refers_to_a_memory_rewrites_it(clause: str, language: str, memory: str, corrected: str) -> None:
    assert rewrite_for(clause, language, memory) == corrected


def test_a_denied_item_is_replaced_by_what_the_reply_says_instead() -> None:
    answer = "You're subscribed to Hulu, Max and Paramount+. Dropping one could save money."
    memories = ["The user subscribes to Hulu.", "The user subscribes to Max.", "The user subscribes to Paramount+."]
    [alignment] = refer(["the last one's outdated", "it's peacock now"], [], "en", memories, answer)
    assert alignment.memory_index == 2
    assert alignment.corrected == "The user subscribes to Peacock."


def test_a_chosen_item_takes_the_place_of_the_one_the_answer_held() -> None:
    answer = "你在华为和小米之间犹豫，最后说买华为。"
    [alignment] = refer(["不是，选的是后面那个"], [], "zh", ["用户打算买华为手机。", "用户的预算是四千元。"], answer)
    assert alignment.memory_index == 0 and alignment.corrected == "用户打算买小米手机。"


def test_a_pronoun_reply_corrects_the_memory_the_answer_was_drawn_from() -> None:
    answer = "Since your brother Tom teaches at Leeds High, maybe a book voucher?"
    memories = ["The user's brother Tom teaches at Leeds High.", "The user likes chess."]
    [alignment] = refer(["he doesn't work there anymore", "he's a nurse now"], [], "en", memories, answer)
    assert alignment.memory_index == 0 and alignment.corrected == "The user's brother is a nurse now."


def test_a_reply_that_only_restates_a_memory_corrects_nothing() -> None:
    answer = "你对花生和海鲜过敏。"
    assert refer(["那个不对", "我就海鲜过敏"], [], "zh", ["用户对花生过敏。", "用户对海鲜过敏。"], answer) == []


def test_two_memories_the_answer_speaks_of_equally_are_no_referent() -> None:
    answer = "Sam works at the bakery and at the bar."
    memories = ["The user's partner Sam works at the bakery.", "The user's partner Sam works at the bar."]
    assert refer(["it's the cafe now"], [], "en", memories, answer) == []


def test_a_new_fact_about_a_person_replaces_nothing_unless_the_reply_says_the_old_one_ended() -> None:
    answer = "Since Sam is vegetarian and loves Thai food, try a green curry with tofu."
    memories = ["The user's partner Sam is vegetarian.", "The user's partner Sam loves Thai food."]
    assert refer(["she eats fish too"], [], "en", memories, answer) == []


@pytest.mark.parametrize(
    ("text", "short", "found"),
    [("用户的狗是金毛寻回犬。", "金毛", None), ("用户的猫是英国短毛猫。", "英短", "英国短毛猫"),
     ("The user drives a Volvo.", "volkswagen", None), ("The user likes Harrison Ford.", "harvard", None),
     ("The user has a Bonneville.", "bonnie", "Bonneville"), ("Meeting on Thursday.", "thurs", "Thursday")],
)
def test_shortened_forms(text: str, short: str, found: str | None) -> None:
    span = shortened_form_span(text, short)
    assert (text[span[0]:span[1]] if span else None) == found


def test_without_a_conversation_a_denial_names_what_the_pronoun_refers_to() -> None:
    memories = ["用户的女儿周六学舞蹈。", "用户住在厦门。"]
    [alignment] = refer(["她早不学舞蹈了", "改学画画了"], [], "zh", memories, "")
    assert alignment.memory_index == 0 and alignment.corrected == "用户的女儿改学画画。"
    # Values are the value alignment's to read; a pronoun alone names nothing.
    assert refer(["他换号了", "尾号是5521"], [], "zh", ["用户的手机尾号是1234。"], "") == []
    assert refer(["她在学画画"], [], "zh", memories, "") == []


def test_a_reply_pointing_at_the_other_member_of_a_list_takes_it() -> None:
    from pipeline.text.references import resolve_pointer

    turns = [("user", "我想去的那家火锅店叫啥？"),
             ("assistant", "你提到过两家：海底捞（万达店）和小龙坎（春熙路店），我这边记的是海底捞。")]
    assert resolve_pointer("不对 是另一家", "zh", turns) == [("海底捞", "小龙坎")]
    turns = [("user", "Which hotel did I book, I was torn between the Hilton and the Marriott"),
             ("assistant", "You booked the Hilton.")]
    assert resolve_pointer("no, the other one", "en", turns) == [("Hilton", "Marriott")]


def test_a_pointer_picks_from_a_list_without_repeats_or_addresses() -> None:
    from pipeline.text.references import resolve_pointer

    listed = [("assistant", "You mentioned Netflix, Hulu and Disney+, and said you wanted to cancel Netflix.")]
    assert resolve_pointer("nope the middle one", "en", listed) == [("Netflix", "Hulu")]
    located = [("assistant", "You were choosing between FitZone on Elm Street and PowerHouse on King Road, "
                             "and my notes say you joined FitZone.")]
    assert resolve_pointer("the second one", "en", located) == [("FitZone", "PowerHouse")]


def test_a_pointer_at_options_the_assistant_only_asked_about_replaces_what_it_stated_before() -> None:
    from pipeline.text.references import resolve_pointer

    turns = [("assistant", "Lily's dance recital is on June 5."), ("user", "no they moved it"),
             ("assistant", "Ah, sorry! Was it moved to June 12 or June 19?")]
    assert resolve_pointer("the second one", "en", turns) == [("June 5", "June 19")]


@pytest.mark.parametrize(("reply", "language", "pointer"), [
    ("第二个才对", "zh", 1),
    ("no, the first one is the one I like. the pasta place was meh", "en", 0),
    ("是另外那家，那边我好久没去了", "zh", "other"),
    ("the first one is wrong", "en", None),  # says which option is wrong, not which is meant
    ("第一个不对", "zh", None),
    ("第二个改到下周三", "zh", None),  # brings a value of its own: the other rules read it
    ("the second one is at 7pm", "en", None),
])
def test_a_reply_points_at_an_option_when_one_clause_points_and_brings_no_value(
    reply: str, language: str, pointer: int | str | None,
) -> None:
    from pipeline.text.references import pointer_of

    assert pointer_of(reply, language) == pointer  # type: ignore[arg-type]


def test_pointing_at_one_of_two_numbered_options_says_the_other_was_wrong() -> None:
    from pipeline.text.references import resolve_pointer

    turns = [("user", "where should we eat on friday?"),
             ("assistant", "Two ideas: 1. Golden Wok, your usual. 2. Bella Napoli - the pizza place on Main St.")]
    assert resolve_pointer("no, the second one is our usual", "en", turns) == [("Golden Wok", "Bella Napoli")]


def test_options_of_one_shape_replace_the_memorys_parts_one_by_one() -> None:
    answer = "You were deciding between Arch on Mill Lane and Crux on Bridge Street, and I noted Arch."
    memories = ["The user climbs at Arch gym on Mill Lane.", "The user lives in Leeds."]
    [alignment] = refer(["nah the second one"], ["nah the second one"], "en", memories, answer)
    assert alignment.memory_index == 0 and alignment.corrected == "The user climbs at Crux gym on Bridge Street."


def test_dates_listed_by_the_answer_are_options() -> None:
    assert enumerated_items("我记了两个时间：5月2日和5月9日，你选的是5月9日。", "zh") == ["5月2日", "5月9日"]


def test_the_question_tells_apart_two_memories_the_answer_speaks_of_equally() -> None:
    answer = "你说过两个日期：5月2日和5月9日，我记的是5月9日。"
    memories = ["用户5月9日飞成都看演唱会。", "用户5月9日要去公司年会。"]
    assert refer(["第一个才对"], ["第一个才对"], "zh", memories, answer) == []
    [alignment] = refer(["第一个才对"], ["第一个才对"], "zh", memories, answer, (), "我哪天飞成都来着？")
    assert alignment.memory_index == 0 and alignment.corrected == "用户5月2日飞成都看演唱会。"


@pytest.mark.parametrize(
    ("reply", "language", "answer", "memories", "corrected"),
    [
        ("the first one is my brother's, not mine", "en", "You're allergic to walnuts, and you're also allergic to dust.",
         ["The user is allergic to walnuts.", "The user is allergic to dust."], "The user's brother is allergic to walnuts."),
        ("第一个是我弟的，不是我的", "zh", "你的过敏记录有两条：芒果、尘螨。", ["用户对芒果过敏。", "用户对尘螨过敏。"],
         "用户的弟弟对芒果过敏。"),
    ],
)
def test_a_listed_fact_said_to_be_a_relatives_becomes_the_relatives(
    reply: str, language: str, answer: str, memories: list[str], corrected: str
) -> None:
    [alignment] = refer([reply], [reply], language, memories, answer)  # type: ignore[arg-type]
    assert alignment.memory_index == 0 and alignment.corrected == corrected


# --- a listed item that changed ------------------------------------------------------------

def test_an_ordinal_without_a_head_points_when_a_verb_follows() -> None:
    pointer = find_pointer("the 3rd was cancelled last week", "en")
    assert pointer is not None and pointer.index == 2
    assert find_pointer("the first of May works", "en") is None


def test_facts_side_by_side_are_items_only_when_asked_for() -> None:
    answer = "你的表哥在杭州上班，姐姐在苏州读研。"
    assert listed_items(answer, "zh") == []
    assert listed_items(answer, "zh", side_by_side=True) == ["你的表哥在杭州上班", "姐姐在苏州读研"]


@pytest.mark.parametrize(
    ("reply", "language", "answer", "memories", "corrected"),
    [
        (
            "the 2nd got pushed to wednesday",
            "en",
            "You have the vet on Monday and a haircut on Thursday.",
            ["The user takes the cat to the vet on Monday.", "The user has a haircut booked on Thursday."],
            "The user has a haircut booked on Wednesday.",
        ),
        (
            "the first one got swapped for a Kobo",
            "en",
            "Your Kindle Paperwhite and your Sony headphones.",
            ["The user reads on a Kindle Paperwhite.", "The user listens with Sony headphones."],
            "The user reads on a Kobo.",
        ),
        (
            "后面那个改到周五了",
            "zh",
            "周一下午开周会，周三上午做体检。",
            ["用户每周一下午开周会。", "用户周三上午做体检。"],
            "用户周五上午做体检。",
        ),
    ],
)
def test_the_item_a_reply_points_at_takes_what_it_changed_into(
    reply: str, language: str, answer: str, memories: list[str], corrected: str
) -> None:
    [found] = changed_item([reply], [reply], language, memories, answer)
    assert memories[found.memory_index] != corrected and found.corrected == corrected


def test_the_part_of_the_item_most_like_the_new_value_is_replaced(likeness) -> None:  # noqa: ANN001
    memories = ["The user drinks oat milk in coffee.", "The user's sister lives in Porto."]
    answer = "You drink oat milk in coffee and your sister lives in Porto."
    [found] = changed_item(["the second one moved to Lisbon"], ["the second one moved to Lisbon"], "en", memories,
                           answer, likeness)
    assert found.memory_index == 1 and found.corrected == "The user's sister lives in Lisbon."
    [found] = changed_item(["第一个换成燕麦奶了"], ["第一个换成燕麦奶了"], "zh", ["用户喝咖啡加牛奶。", "用户的妹妹住在波尔图。"],
                           "你喝咖啡加牛奶，妹妹住在波尔图。", likeness)
    assert found.corrected == "用户喝咖啡加燕麦奶。"


def test_a_reply_that_says_nothing_new_about_the_item_changes_nothing() -> None:
    answer = "You have the vet on Monday and a haircut on Thursday."
    memories = ["The user takes the cat to the vet on Monday.", "The user has a haircut booked on Thursday."]
    assert changed_item(["nah the 2nd one"], ["nah the 2nd one"], "en", memories, answer) == []
    assert changed_item(["the first one is my mum's"], ["the first one is my mum's"], "en", memories, answer) == []


# --- what a clause says something changed into ----------------------------------------------


def test_a_change_that_names_what_it_left_replaces_that_value() -> None:
    memories = ["The user's band rehearses at Studio 9.", "The user's team tracks bugs in Trello."]
    said = "we switched away from trello to Asana last month"
    [found] = changed_by_frame([said], [said], "en", memories, explicit_only=True)
    assert found.memory_index == 1 and found.corrected == "The user's team tracks bugs in Asana."


@pytest.mark.parametrize(
    ("clauses", "memories", "corrected"),
    [
        (["教练换成老周了"], ["用户的健身教练是小吴。", "用户每天跑步五公里。"], "用户的健身教练是老周。"),
        (["那家驾校退了", "改成了城东驾校"], ["用户报的驾校是蓝天驾校。", "用户的车是白色的。"], "用户报的驾校是城东驾校。"),
    ],
)
def test_a_change_takes_the_object_of_the_memory_its_topic_names(clauses: list[str], memories: list[str], corrected: str) -> None:
    [found] = changed_by_frame(clauses[-1:], clauses, "zh", memories)
    assert memories[found.memory_index] != corrected and found.corrected == corrected
    assert changed_by_frame(clauses[-1:], clauses, "zh", memories, explicit_only=True) == []


def test_a_change_of_time_is_left_to_the_value_rules_and_a_plain_statement_changes_nothing() -> None:
    memories = ["用户每周三晚上7点练书法。", "用户的书法老师姓刘。"]
    assert changed_by_frame(["书法课改到周四晚上8点了"], ["书法课改到周四晚上8点了"], "zh", memories) == []
    assert changed_by_frame(["老师是王老师"], ["老师是王老师"], "zh", memories) == []
    assert changed_by_frame(["she goes to Oakwood now"], ["she goes to Oakwood now"], "en",
                            ["The user's daughter attends Pine Hill."]) == []


def test_the_options_are_those_the_or_joins_not_every_name_of_the_question() -> None:
    turns = [("user", "for the Porto trip, which flat did I rent, Casa Azul or The Ribeira Loft?"),
             ("assistant", "You rented Casa Azul Porto for 4 nights.")]
    assert resolve_pointer("no, went with the other one. the nights are right", "en", turns) == [("Casa Azul", "Ribeira Loft")]
    assert resolve_pointer("不对 是另一家", "zh", [("assistant", "可以去滨江的乐刻，或者西湖边的超级猩猩。"),
                                                  ("user", "以后就去那家了"), ("assistant", "好的，你常去滨江的乐刻。")]) \
        == [("滨江的乐刻", "西湖边的超级猩猩")]


def test_a_bare_value_takes_the_place_of_the_word_of_its_kind(likeness) -> None:  # noqa: ANN001
    answer = "Your bike is a red Specialized Allez, locked at the station."
    memories = ["The user's bike is a red Specialized Allez.", "The user commutes by train."]
    [alignment] = refer(["no, it's green now"], [], "en", memories, answer, similar=likeness)
    assert alignment.memory_index == 0 and alignment.corrected == "The user's bike is a green Specialized Allez."
    # Without the encoder the whole object gives way, as before.
    [plain] = refer(["no, it's green now"], [], "en", memories, answer)
    assert plain.corrected == "The user's bike is a green."


def test_a_chinese_reply_without_a_pronoun_refers_to_what_the_answer_said(likeness) -> None:  # noqa: ANN001
    answer = "你的沙发是米色的布艺沙发。"
    memories = ["用户家的沙发是米色的布艺沙发。", "用户养了一只猫。"]
    [alignment] = refer(["是深蓝色的"], ["颜色不对", "是深蓝色的"], "zh", memories, answer, similar=likeness)
    assert alignment.memory_index == 0 and alignment.corrected == "用户家的沙发是深蓝色的布艺沙发。"
    # "是另一家" points at an option: not this rule's to read.
    assert refer(["是另一家"], ["不对", "是另一家"], "zh", ["用户常去的超市是永辉。"], "你常去永辉超市。",
                 similar=likeness) == []


def test_a_chinese_change_keeps_a_latin_name_whole_and_its_place_is_a_word_of_its_own() -> None:
    memories = ["用户的手机是小米Note 12。", "用户戴的是华为手环。"]
    everything = ["手机换成iPhone 16了", "手环没换"]
    [found] = changed_by_frame(["手机换成iPhone 16了"], everything, "zh", memories)
    assert found.memory_index == 0 and found.corrected == "用户的手机是iPhone 16。"


def test_a_chosen_option_that_differs_in_one_part_takes_that_part_s_place() -> None:
    answer = "有两个选项：1. 靠走廊包间 2. 靠楼梯包间。按你的习惯，建议选第一个。"
    memories = ["用户订餐厅喜欢靠走廊的包间。", "用户不吃辣。"]
    [found] = refer(["要第二个"], ["要第二个"], "zh", memories, answer)
    assert found.memory_index == 0 and found.corrected == "用户订餐厅喜欢靠楼梯的包间。"


def test_a_reply_may_point_at_an_option_by_what_was_said_beside_it() -> None:
    context = [("user", "Which pharmacy did I pick, Boots on Queen Street or Lloyds by the station?"),
               ("assistant", "You picked Boots.")]
    assert resolve_pointer("nope, the one by the station", "en", context) == [("Boots", "Lloyds")]
    assert resolve_pointer("nope, the one by the river", "en", context) is None


def test_clauses_that_point_alike_point_once() -> None:
    turns = [("assistant", "The Kindle Paperwhite and the Kobo Clara are both good."),
             ("assistant", "Nice! I'll remember that you bought the Kobo Clara.")]
    assert resolve_pointer("nope, the first one. yeah I took the first one", "en", turns) == [
        ("Kobo Clara", "Kindle Paperwhite")]


def test_what_a_turn_says_in_brackets_beside_an_option_is_no_option() -> None:
    turns = [("assistant", "Two good picks: the Acer Swift 5 (light, Windows) and the Lenovo Yoga 7 (long battery)."),
             ("assistant", "Noted — you're getting the Acer Swift 5.")]
    assert resolve_pointer("went with the other one", "en", turns) == [("Acer Swift 5", "Lenovo Yoga 7")]


def test_every_member_of_a_comma_list_is_an_option_and_ends_before_what_is_said_of_it() -> None:
    turns = [("assistant", "You could try oat milk, almond milk, or soy milk for a creamier texture."),
             ("assistant", "I'll remember you're using oat milk.")]
    assert resolve_pointer("no, the last one", "en", turns) == [("oat milk", "soy milk")]


def test_a_superlative_picks_the_option_whose_value_is_least_or_most() -> None:
    turns = [("assistant", "Options:\n- Hotel Rivoli – €180/night, near the station\n- Hotel Sol – €95/night\n"
                           "- Casa Verde – €130/night, quiet"),
             ("assistant", "I've saved that you're at Hotel Rivoli.")]
    assert resolve_pointer("I booked the cheapest of those", "en", turns) == [("Hotel Rivoli", "Hotel Sol")]
    assert resolve_pointer("I booked the priciest of those", "en", turns) is None  # that is the one held


def test_words_before_one_describe_the_option_they_stand_beside() -> None:
    turns = [("assistant", "There are two buses: a morning bus leaving 8:10 AM and an evening bus leaving 5:30 PM."),
             ("assistant", "Got it, you're on the 8:10 AM bus.")]
    assert resolve_pointer("I'm on the evening one", "en", turns) == [("8:10 AM", "5:30 PM")]


def test_the_meant_option_brings_the_other_values_of_its_side() -> None:
    turns = [("assistant", "Pilates runs Tuesday at 7 PM and Saturday at 9 AM."),
             ("assistant", "Noted — you're in the Tuesday 7 PM class.")]
    assert resolve_pointer("I picked the early one", "en", turns) == [("Tuesday", "Saturday"), ("7 PM", "9 AM")]


def test_the_other_of_two_names_across_the_answer_is_the_one_not_said_to_be_the_users() -> None:
    answer = "Your prescription is at Walgreens on Main Street. If that's far, CVS in the Plaza also has it."
    assert resolve_pointer("no it's at the other one", "en", [("assistant", answer)]) == [("Walgreens", "CVS")]


def test_chinese_pointers_are_made_with_every_counter() -> None:
    from pipeline.text.references import pointer_of

    assert pointer_of("我坐的是第二趟", "zh") == 1
    assert pointer_of("我在看中间那本", "zh") == 1
    assert pointer_of("另一辆才是我的", "zh") == "other"


def test_a_chinese_list_joined_by_pause_commas_offers_its_members() -> None:
    turns = [("assistant", "可以看这三部：《霸王别姬》、《活着》、《芙蓉镇》。"), ("assistant", "好的，已记下你在看《霸王别姬》。")]
    assert resolve_pointer("不对，我在看最后那部", "zh", turns) == [("《霸王别姬》", "《芙蓉镇》")]


def test_the_first_chinese_option_is_what_the_answer_says_of_its_phrase() -> None:
    turns = [("user", "我上周试驾了比亚迪汉和小鹏P7，最后订了哪辆？"), ("assistant", "你最后订了比亚迪汉。")]
    assert resolve_pointer("不对，是第二辆", "zh", turns) == [("比亚迪汉", "小鹏P7")]


@pytest.mark.parametrize(("text", "pointing"), [
    ("用户常去的理发店是另一家。", True),
    ("用户报的是第三期。", False),  # 期 is no counter of a pointer
    ("用户选的是后面那个。", True),
    ("用户的另一辆车是白色的。", False),
    ("The user's favourite bakery is the other one.", True),
    ("The user picked the third one.", True),
    ("The user sits in the third row.", False),
    ("The user has another cat.", False),
])
def test_a_memory_that_ends_on_a_pointer_names_nothing(text: str, pointing: bool) -> None:
    from pipeline.text.references import ends_pointing
    from pipeline.text.wellformed import memory_defect

    language = "zh" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en"
    assert ends_pointing(text, language) is pointing  # type: ignore[arg-type]
    assert (memory_defect(text) is not None) is pointing


def test_a_verb_ending_what_comes_before_a_denial_is_no_value() -> None:
    from pipeline.text.alignment import contrasts

    assert not [c for c in contrasts("I took the one you suggested, not the bagel", "en") if c.new == "suggested"]
    assert [(c.old, c.new) for c in contrasts("it's rye bread, not sourdough", "en")] == [("sourdough", "rye bread")]


def test_a_street_after_on_is_no_option_of_the_answer() -> None:
    answer = "Yes, the other bakery on Mill Lane is Crumb Corner. By my notes, yours is Hearth Bakery."
    assert resolve_pointer("no, the other one", "en", [("assistant", answer)]) == [("Hearth Bakery", "Crumb Corner")]


def test_a_number_written_against_a_name_is_part_of_the_option() -> None:
    turns = [("assistant", "你之前在荣耀90和一加Ace 3之间犹豫，最后说打算买荣耀90。")]
    assert resolve_pointer("不是，是后面那个", "zh", turns) == [("荣耀90", "一加Ace 3")]


def test_a_chinese_either_or_offers_two_options_and_the_meant_one_keeps_the_answers_wording() -> None:
    from pipeline.text.answer_context import resolve_with_context

    turns = [("user", "我的车险是哪家的来着？不是平安就是太平洋保险。"), ("assistant", "你的车险是在平安保险买的。")]
    pointed = resolve_pointer("不是那个，是后面那家", "zh", turns)
    assert pointed == [("平安", "太平洋保险")]
    statement = resolve_with_context("不是那个，是后面那家", ["平安"], ["太平洋保险"], "zh", turns)
    assert "太平洋保险" in statement.text and "保险保险" not in statement.text
