"""Memory-centric alignment: the memory a clause corrects, rewritten as its own sentence."""

from __future__ import annotations

import pytest

from pipeline.text.alignment import align, clauses, contrasts
from pipeline.text.normalize import normalize


def _corrections(feedback: str, memories: list[str], language: str = "en", answer: str = "") -> dict[int, str]:
    found = align(clauses(normalize(feedback), language), language, memories, answer)  # type: ignore[arg-type]
    return {alignment.memory_index: alignment.corrected for alignment in found}


def test_a_denied_number_word_is_substituted_in_the_memorys_own_sentence() -> None:
    memories = ["The user's parrot Kiwi is 3 years old.", "The user's parrot Kiwi eats sunflower seeds."]
    assert _corrections("kiwi's seven tbh not three 🦜", memories) == {0: "The user's parrot Kiwi is 7 years old."}


@pytest.mark.parametrize(
    ("feedback", "memory", "corrected"),
    [
        ("we've got 3 bikes not 1", "The user owns one bike.", "The user owns 3 bikes."),
        ("only 1 sister actually, not 2", "The user has 2 sisters.", "The user has 1 sister."),
    ],
)
def test_one_before_a_noun_is_an_amount_and_the_noun_agrees_with_the_new_one(
    feedback: str, memory: str, corrected: str
) -> None:
    assert _corrections(feedback, [memory, "The user lives in Hull."]) == {0: corrected}


def test_a_list_of_days_is_one_value_written_like_the_memorys() -> None:
    memories = ["The user's piano lessons are on Mondays and Wednesdays.", "The user lives in Hull."]
    assert _corrections("piano's tue n fri, not mon/wed", memories) == {
        0: "The user's piano lessons are on Tuesdays and Fridays."
    }


def test_thousands_written_with_k_replace_an_amount_in_the_memorys_style() -> None:
    memories = ["The user's rent is $2,400 a month.", "The user lives in Hull."]
    assert _corrections("rent is 2.6k now", memories) == {0: "The user's rent is $2,600 a month."}


def test_a_height_in_feet_and_inches_is_one_value() -> None:
    memories = ['The user is 5\'9" tall.', "The user weighs 150 pounds."]
    assert _corrections("6'1 not 5'9 lol", memories) == {0: 'The user is 6\'1" tall.'}
    # Its figures never stand for another amount ("5'9" is not 9 centimetres).
    assert _corrections("im 5'9 actually", ["The user is 180 cm tall.", "The user lives in Hull."]) == {}


def test_a_school_stage_is_a_grade() -> None:
    memories = ["The user's daughter is in preschool.", "The user lives in Hull."]
    assert _corrections("my daughter's in kindergarten now", memories) == {0: "The user's daughter is in kindergarten."}


def test_one_capital_is_a_letter_never_a_name() -> None:
    memories = ["The user's wife is named Ana.", "The user's car is rated B for efficiency."]
    assert _corrections("nope it's rated C, not B", memories) == {1: "The user's car is rated C for efficiency."}


def test_one_standing_for_a_thing_is_no_amount() -> None:
    assert _corrections("no, the red one", ["The user owns one bike.", "The user lives in Hull."]) == {}


def test_each_clause_of_a_message_corrects_its_own_memory() -> None:
    memories = [
        "The user's gym membership costs $45 per month.",
        "The user's phone plan costs $30 per month.",
        "The user's gym is open until 10 pm.",
    ]
    corrected = _corrections("gym went up to 52 and the phone plan is 35 now", memories)
    assert corrected == {
        0: "The user's gym membership costs $52 per month.",
        1: "The user's phone plan costs $35 per month.",
    }


def test_a_value_of_a_kind_only_one_memory_holds_needs_no_shared_word() -> None:
    memories = ["The user's dentist appointment is on May 9.", "The user's dentist is Dr. Okafor."]
    assert _corrections("it's may 11 actually", memories) == {0: "The user's dentist appointment is on May 11."}


def test_a_bare_name_replies_to_the_value_the_assistant_just_stated() -> None:
    memories = ["The user's niece is named Clara.", "The user's niece lives in Bristol."]
    corrected = _corrections("no, Carla", memories, answer="I'll remind you to send Clara a card.")
    assert corrected == {0: "The user's niece is named Carla."}


def test_a_name_the_feedback_repeats_is_what_it_talks_about_not_what_it_replaces() -> None:
    memories = ["The Leeds office opens at 9 am.", "The York office opens at 8 am."]
    assert _corrections("the Leeds office opens at 10 am now", memories) == {0: "The Leeds office opens at 10 am."}


def test_two_equally_likely_memories_are_left_alone() -> None:
    memories = ["The user's brother is 30 years old.", "The user's cousin is 30 years old."]
    assert _corrections("he's 31 now", memories) == {}


def test_a_contrast_across_a_chinese_comma_is_one_clause() -> None:
    assert clauses("是周五啦，不是周四", "zh") == ["是周五，不是周四"]
    memories = ["用户每周四去游泳。", "用户住在杭州。"]
    assert _corrections("是周五啦，不是周四", memories, "zh") == {0: "用户每周五去游泳。"}


def test_chinese_measure_words_make_values() -> None:
    memories = ["用户每天喝三杯咖啡。", "用户喜欢喝绿茶。"]
    assert _corrections("现在一天两杯了 不是三杯", memories, "zh") == {0: "用户每天喝两杯咖啡。"}


def test_the_same_attribute_frame_with_another_filler() -> None:
    memories = ["The user's shoe size is 42.", "The user's favourite colour is green."]
    assert _corrections("favourite colour is teal actually", memories) == {1: "The user's favourite colour is teal."}


def test_a_fact_that_no_longer_holds_is_replaced_by_what_the_feedback_says_instead() -> None:
    memories = ["The user is a vegetarian.", "The user lives in Cardiff."]
    corrected = _corrections("started eating fish again so not a vegetarian anymore", memories)
    assert corrected == {0: "The user started eating fish again."}


@pytest.mark.parametrize(
    ("clause", "language", "old", "new"),
    [
        ("its Hughes not Hewes", "en", "Hewes", "Hughes"),
        # A clause that is only a noun phrase is the new value whole; an emoji is no part of a value.
        ("oat milk, not soy 🥛", "en", "soy", "oat milk"),
        ("not the 5th but the 15th", "en", "5th", "15th"),
        ("the fee went from 20 to 25", "en", "20", "25"),
        # "'s" before a number is "is" ("Leo's 9"); a name, its verb and a short object give the object.
        ("Leo's 9 not 7", "en", "7", "9"),
        ("She's 4 not 5", "en", "5", "4"),
        ("Ava plays cello, not violin", "en", "violin", "cello"),
        ("不是李老师，是王老师", "zh", "李老师", "王老师"),
        ("把周二改成周三", "zh", "周二", "周三"),
    ],
)
def test_explicit_contrasts(clause: str, language: str, old: str, new: str) -> None:
    found = contrasts(clause, language)  # type: ignore[arg-type]
    assert [(c.old, c.new) for c in found] == [(old, new)]


def test_a_fact_that_ended_is_no_contrast() -> None:
    assert contrasts("I'm not a smoker anymore", "en") == []


def _changed(
    feedback: str, memories: list[str], language: str = "en", similarities: list[float] | None = None
) -> dict[int, str]:
    every = clauses(normalize(feedback), language)  # type: ignore[arg-type]
    found = align(every, language, memories, similarities=similarities, whole_message=every)  # type: ignore[arg-type]
    return {alignment.memory_index: alignment.corrected for alignment in found}


def test_a_change_of_state_ends_the_memory_stating_that_attribute() -> None:
    memories = ["用户在一家银行做柜员。", "用户喜欢爬山。"]
    # The similarities are the lookup's (the embedder's cosine of statement and memory).
    corrected = _changed("辞职了哈，现在在一家书店打工", memories, "zh", [0.42, 0.1])
    # Resigning ends the job whatever its value: the event stays part of the new memory.
    assert corrected == {0: "用户辞职了，现在在一家书店打工。"}


def test_an_event_that_ends_an_attribute_needs_no_shared_word() -> None:
    memories = ["用户在一家国企做财务。", "用户喜欢打太极。"]
    assert _changed("我上个月退休了，现在天天在家带孙子", memories, "zh", [0.25, 0.31]) == {
        0: "用户上个月退休了，现在天天在家带孙子。"
    }
    assert _changed("I went vegan in January", ["The user eats beef at most meals.", "The user is lactose intolerant."],
                    "en", [0.2, 0.4]) == {0: "The user went vegan in January."}
    # An addition ends nothing.
    assert _changed("我还戒了糖", ["用户每天抽一包烟。"], "zh", [0.1]) == {}


def test_the_change_itself_is_the_new_memory_when_nothing_states_the_new_value() -> None:
    memories = ["The user owns a red Vespa scooter.", "The user works as a librarian."]
    assert _changed("sold the vespa last week", memories) == {0: "The user sold the vespa last week."}


def test_a_change_about_the_user_leaves_a_relatives_memory_alone() -> None:
    memories = ["用户的哥哥每天抽烟。", "用户喜欢喝茶。"]
    assert _changed("烟早就戒了", memories, "zh") == {}


def test_a_change_naming_one_pet_leaves_another_pets_memory_alone() -> None:
    memories = ["The user has a dog named Pepper.", "The user lives in Leeds."]
    assert _changed("Mango passed away last month", memories) == {}


def test_the_clause_before_a_value_names_its_topic() -> None:
    memories = ["用户每月房租是3800元。", "用户每月水电费是200元。"]
    assert _changed("房租涨了，现在4100一个月", memories, "zh", [0.3, 0.1]) == {0: "用户每月房租是4100元。"}
    assert _changed("涨了，现在4100一个月", memories, "zh", [0.3, 0.1]) == {}, "without the topic, no anchor"


def test_the_answer_replied_to_bridges_a_pronoun_to_the_relatives_memory() -> None:
    memories = ["用户的姐姐在招商银行做柜员。", "用户的姐姐住在青岛。", "用户在学吉他。"]
    every = clauses(normalize("她上个月就从那辞职了，现在在一家花店帮忙"), "zh")
    found = align(every, "zh", memories, answer="你姐姐在招商银行做柜员，可以问问她。", whole_message=every)
    assert {a.memory_index: a.corrected for a in found} == {0: "用户的姐姐现在在一家花店帮忙。"}


@pytest.mark.parametrize(
    ("memory", "language", "ended"),
    [
        ("The user loves horror films.", "en", "The user no longer loves horror films."),
        ("The user is a member of the chess club.", "en", "The user is no longer a member of the chess club."),
        ("The user has a gym membership.", "en", "The user no longer has a gym membership."),
        ("用户喜欢喝奶茶。", "zh", "用户不再喜欢喝奶茶。"),
        ("用户不喝酒。", "zh", None),
    ],
)
def test_a_memory_said_to_hold_no_more(memory: str, language: str, ended: str | None) -> None:
    from pipeline.text.alignment import no_longer

    assert no_longer(memory, language) == ended


def test_an_ended_fact_with_nothing_said_instead_becomes_the_memory_no_longer_so() -> None:
    memories = ["The user loves horror films.", "The user lives in Hull."]
    corrected = _corrections("not into horror films anymore, they keep me up at night", memories)
    assert corrected == {0: "The user no longer loves horror films."}


def test_a_denied_value_is_the_leading_part_a_memory_holds() -> None:
    memories = ["The user has a parrot named Kiwi.", "The user jogs in Victoria Park."]
    corrected = _corrections("my parrots name is Mango not Kiwi silly phone", memories)
    assert corrected == {0: "The user has a parrot named Mango."}


def test_the_article_agrees_with_the_value_put_after_it() -> None:
    corrected = _corrections("my usual drink is an iced americano, not a mocha", ["The user's usual drink is a mocha."])
    assert corrected == {0: "The user's usual drink is an iced americano."}


def test_when_a_change_happened_is_not_the_value_it_corrects() -> None:
    memories = ["The user drinks three cups of coffee a day.", "The user prefers oat milk."]
    corrected = _corrections("i stopped drinking coffee like 2 months ago", memories)
    assert "drinks 2 months" not in corrected.get(0, "")
    memories = ["Employees receive 15 days of paid annual leave per year."]
    corrected = _corrections("annual leave is 20 days since the 2024 policy update, not 15", memories)
    assert "2024" not in corrected[0] and "20" in corrected[0]


def test_a_new_phrase_replaces_a_one_word_value_whole() -> None:
    memories = ["The user lives in Phoenix.", "The user works as a bookkeeper."]
    corrected = _corrections("i'm a wedding photographer, not a bookkeeper", memories)
    assert corrected == {1: "The user works as a wedding photographer."}


def test_a_new_phrase_loses_the_words_the_memory_keeps_around_the_old_one() -> None:
    memories = ["The user is a junior graphic designer at Fernway."]
    corrected = _corrections("my title is senior graphic designer now, not junior", memories)
    assert corrected == {0: "The user is a senior graphic designer at Fernway."}


@pytest.mark.parametrize(
    ("feedback", "memories", "expected"),
    [
        ("it's 40mg of omeprazole now, not 20", ["The user takes 20 mg of omeprazole daily."],
         "The user takes 40 mg of omeprazole daily."),
        ("the notice period is 60 days not 30", ["The notice period is 30 days."], "The notice period is 60 days."),
        ("单车是黑色的 不是红色", ["用户的单车是红色的。"], "用户的单车是黑色的。"),
    ],
)
def test_the_unit_the_memory_writes_after_the_value_is_not_written_twice(
    feedback: str, memories: list[str], expected: str
) -> None:
    language = "zh" if any(ord(c) > 0x4E00 for c in feedback) else "en"
    assert _corrections(feedback, memories, language) == {0: expected}


def test_a_two_digit_year_takes_the_century_of_the_year_it_replaces() -> None:
    memories = ["The user rides a 2014 Yamaha scooter."]
    assert _corrections("it's a '19 yamaha, not 2014", memories) == {0: "The user rides a 2019 Yamaha scooter."}


def test_a_preposition_before_the_new_value_is_not_part_of_it() -> None:
    memories = ["The user's electricity supplier is Octopus."]
    assert _corrections("electricity is from EDF not octopus", memories) == {0: "The user's electricity supplier is EDF."}


@pytest.mark.parametrize(("message", "signals"), [
    ("it's 800 Mbps", True),
    ("thats the Bruins, always has been", True),
    ("是周五，下午三点", True),
    ("The user runs on Saturdays.", False),
    ("我喜欢爬山", False),
    ("他是我大学同学", False),
])
def test_a_clause_whose_subject_points_back_says_what_a_known_thing_is(message: str, signals: bool) -> None:
    from pipeline.text.alignment import signals_change

    assert signals_change(message) is signals


def test_a_new_value_written_as_a_day_and_a_time_replaces_both() -> None:
    [found] = align(["儿子的游泳课改到周四晚上七点了"], "zh", ["用户儿子的游泳课在每周二下午四点。", "用户喜欢喝茶。"])
    assert found.corrected == "用户儿子的游泳课在每周四晚上七点。"


def test_a_name_given_to_something_the_clause_brings_in_replaces_no_stored_name() -> None:
    memories = ["The user's partner is named Sam.", "The user works in sales."]
    assert align(["we had a baby girl named Ava last week"], "en", memories) == []
    assert align(["我们新领养了一只叫年糕的猫"], "zh", ["用户的对象叫小林。", "用户在银行上班。"]) == []


def test_a_clause_that_says_a_filler_is_the_same_substitutes_nothing() -> None:
    assert align(["landlord is the same"], "en", ["The user's landlord is Mr. Brandt.", "The user rents a flat."]) == []


def test_a_bare_noun_takes_the_place_of_the_object_of_the_denied_phrase() -> None:
    [found] = align(["I'm not afraid of spiders, it's wasps"], "en", ["The user is afraid of spiders.", "The user likes hiking."])
    assert found.corrected == "The user is afraid of wasps."


def test_a_name_with_a_preposition_in_it_is_replaced_whole() -> None:
    [found] = align(["not the Bank of Ireland, it's Revolut"], "en", ["The user banks with the Bank of Ireland."])
    assert "Revolut" in found.corrected and "Bank of" not in found.corrected


def test_a_chinese_noun_takes_the_place_of_the_noun_the_preposition_governs() -> None:
    [found] = align(["不是对花粉过敏，是猫毛"], "zh", ["用户对花粉过敏。", "用户喜欢跑步。"])
    assert found.corrected == "用户对猫毛过敏。"



def test_a_shorter_form_of_a_stored_name_is_what_the_clause_talks_about() -> None:
    memories = ["The user rides a green Kawasaki Ninja.", "The user lives in Porto."]
    [found] = align(["traded in the Kawasaki, I ride a Vespa Primavera now"], "en", memories)
    assert found.corrected == "The user rides a green Vespa Primavera."


def test_between_equal_names_the_one_the_clause_names_in_short_stays() -> None:
    memories = ["User's GP is Dr. Brandt.", "User's dentist is Dr. Ilic.", "User rents a flat."]
    [found] = align(["my GP is Dr. Osei now"], "en", memories, similarities=[0.6, 0.3, 0.1])
    assert found.corrected == "User's GP is Dr. Osei."


def test_a_bare_number_that_counts_a_noun_takes_only_an_amount_of_it() -> None:
    memories = ["The user drinks about four beers a night.", "The user likes jazz."]
    for clause in ("two weeks sober now", "it's 6 beers a night actually"):
        assert not any("weeks beers" in found.corrected for found in align([clause], "en", memories, similarities=[0.5, 0.1]))
    [found] = align(["it's 6 beers a night actually"], "en", memories, similarities=[0.5, 0.1])
    assert found.corrected == "The user drinks about 6 beers a night."
    [found] = align(["I've lived here for 8 months"], "en", ["The user has lived in Leeds for six months."], similarities=[0.5])
    assert found.corrected == "The user has lived in Leeds for 8 months."


@pytest.mark.parametrize(("message", "signals"), [
    ("Rent is 1450, the landlord part is right", True),
    ("车位在B3，小区名字没错", True),
    ("Rent is 1450 and I pay it on the 1st", False),
])
def test_a_message_that_says_part_of_what_is_stored_is_right_corrects_the_rest(message: str, signals: bool) -> None:
    from pipeline.text.alignment import signals_change

    assert signals_change(message) is signals


def test_a_contrast_may_run_across_an_exclamation_mark() -> None:
    assert clauses("是布偶猫啊！！不是英短，名字没错", "zh") == ["是布偶猫啊，不是英短", "名字没错"]
    assert clauses("是周六！！周日我要上班", "zh") == ["是周六！", "周日我要上班"]
    assert clauses("是设计师～在上海是对的", "zh") == ["是设计师", "在上海是对的"]
    [found] = align(clauses("是布偶猫啊！！不是英短", "zh"), "zh", ["用户养了一只英短。", "用户住在苏州。"])
    assert found.corrected == "用户养了一只布偶猫。"


def test_an_adverb_before_a_denial_is_no_value_and_a_denial_may_open_its_own_sentence() -> None:
    [contrast] = contrasts("favourite sport is definitely not golf, it's squash", "en")
    assert (contrast.old, contrast.new) == ("golf", "squash")
    assert clauses("fav sport = squash. definitely not golf", "en") == ["fav sport = squash, definitely not golf"]
    assert clauses("I moved to Leeds. I don't like tea", "en") == ["I moved to Leeds.", "I don't like tea"]


@pytest.mark.parametrize(
    ("feedback", "memories", "corrected"),
    [
        # The attribute the memory states before 是 is named: what it is said to be gives way.
        ("领导换成李姐了", ["用户的直属领导是王总。", "用户每周一上午开部门例会。"], {0: "用户的直属领导是李姐。"}),
        ("手机换成iPhone 15了", ["用户的手机是华为Mate 40。", "用户戴的是小米手环。"], {0: "用户的手机是iPhone 15。"}),
        # The value itself is named: only it is replaced.
        ("大阪换成京都了", ["用户下个月去日本大阪旅游。", "用户的护照明年到期。"], {0: "用户下个月去日本京都旅游。"}),
    ],
)
def test_a_chinese_change_of_an_attribute_replaces_what_the_memory_says_it_is(
    feedback: str, memories: list[str], corrected: dict[int, str]
) -> None:
    assert _corrections(feedback, memories, "zh") == corrected


def test_a_chinese_span_keeps_a_latin_names_spaces_and_drops_the_adverb_before_the_change() -> None:
    assert [(c.old, c.new) for c in contrasts("手环也换成Apple Watch了", "zh")] == [("手环", "Apple Watch")]
    assert [(c.old, c.new) for c in contrasts("是8点啦 不是9点", "zh")] == [("9点", "8点")]


def test_a_change_of_state_takes_no_new_state_from_a_clause_correcting_another_memory() -> None:
    memories = ["The user's phone number is 415-555-0123.", "The user's work email is jortiz@contoso.com.",
                "The user's emergency contact is his brother Luis, phone 415-555-0777."]
    message = ["My number changed to 415-555-0199", "my work email is now j.ortiz@northwind.com"]
    found = align(message[:1], "en", memories, similarities=[0.8, 0.3, 0.4], whole_message=message)
    assert found and all("northwind" not in alignment.corrected for alignment in found)


def test_a_chinese_denial_and_the_value_after_it_are_one_contrast_across_sentences() -> None:
    assert clauses(normalize("豆豆不是柯基呢！！是柴犬，别再写错啦～"), "zh")[0] == "豆豆不是柯基呢，是柴犬"
    assert _corrections("豆豆不是柯基呢！！是柴犬，别再写错啦～", ["用户养了一只叫豆豆的柯基。", "用户住在成都。"], "zh") == {
        0: "用户养了一只叫豆豆的柴犬。"}
    # Two whole contrasts side by side stay apart.
    assert clauses(normalize("打的是羽毛球不是网球，而且是每周四，不是周三。"), "zh")[:2] == ["打的是羽毛球不是网球。", "是每周四，不是周三。"]


def test_a_contrast_in_a_clause_of_its_own_takes_its_value_from_its_own_words() -> None:
    assert clauses("deposit is $2,400, agent is Priya Shah, contract runs till June not May", "en") == [
        "deposit is $2,400, agent is Priya Shah", "contract runs till June not May"]
    assert contrasts("contract runs till June not May", "en")[0].new == "June"


def test_the_comma_of_a_thousands_stays_inside_a_denied_amount() -> None:
    from pipeline.analyzers.offline import OfflineAnalyzer

    [statement] = OfflineAnalyzer().classify("rent is $2,400 not $2,150", []).statements
    assert (statement.old_values, statement.new_values) == (["$2,150"], ["$2,400"])


@pytest.mark.parametrize(("text", "expected"), [
    ("its lidl, not aldi", "it's lidl, not aldi"),
    ("nah its oat milk tho", "nah it's oat milk"),
    ("lol no its brighton not hove", "no it's brighton, not hove"),
    ("the bike lost its chain", "the bike lost its chain"),
    ("its screen cracked last week", "its screen cracked last week"),
])
def test_its_opening_a_clause_before_a_name_in_lower_case_is_it_is(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(("clause", "old", "new"), [
    ("i mostly play squash these days not tennis", "tennis", "squash"),  # a time adverb ends X, no value
    ("she has three kids, not one", "one", "three"),  # a denied number word is a count
])
def test_the_asserted_side_of_a_contrast_is_its_value(clause: str, old: str, new: str) -> None:
    [contrast] = contrasts(clause, "en")
    assert (contrast.old, contrast.new) == (old, new)


def test_an_ampersand_joins_the_words_of_a_name_not_two_clauses() -> None:
    from pipeline.text.values import extract_values

    assert [v.text for v in extract_values("we shop at Marks & Spencer")] == ["Marks & Spencer"]
    assert clauses("my bank is Barclays & Co now, not HSBC", "en") == ["my bank is Barclays & Co now, not HSBC"]


@pytest.mark.parametrize(("memory", "feedback", "expected"), [
    # a whole name takes the place of the whole name the denied word begins
    ("The user drives a Kia Rio.", "it's a Ford Fiesta, not a Kia", "The user drives a Ford Fiesta."),
    # up to the word both names end with
    ("The user's son attends Oakwood Primary School.", "it's Elmfield Primary, not Oakwood",
     "The user's son attends Elmfield Primary School."),
])
def test_a_whole_new_name_replaces_the_name_the_denied_word_begins(memory: str, feedback: str, expected: str) -> None:
    from pipeline.analyzers.offline import OfflineAnalyzer
    from pipeline.models import MemoryRecord

    analyzer = OfflineAnalyzer()
    record = MemoryRecord(id="00000000-0000-0000-0000-000000000001", project_id="p", user_id="u", memory_key="",
                          memory_value=memory, create_time=0, update_time=0)
    [statement] = analyzer.classify(feedback, []).statements
    [decision] = analyzer.judge_conflicts(statement, [record], None, feedback, [])
    assert decision.supersede and decision.corrected_value == expected


def test_a_name_said_with_jiao_is_the_new_side_of_a_contrast() -> None:
    assert [(c.old, c.new) for c in contrasts("我女朋友叫林晓雨，不是林小雨", "zh")] == [("林小雨", "林晓雨")]
    assert [(c.old, c.new) for c in contrasts("不是林小雨，叫林晓雨", "zh")] == [("林小雨", "林晓雨")]


def test_a_name_beside_a_contrast_fills_only_the_memory_the_contrast_corrects() -> None:
    memories = ["The user has two kids.", "The user's oldest child is named Ella."]
    assert _corrections("smh it's three kids not 2, u forgot lil Sam", memories) == {0: "The user has three kids."}
    # An amount of the same unsplit clause still corrects its own memory.
    memories = ["The user's preferred supermarket is Tesco.", "The user's weekly grocery budget is £80."]
    assert _corrections("i go to aldi not tesco, budget's £60 a week", memories) == {
        0: "The user's preferred supermarket is Aldi.", 1: "The user's weekly grocery budget is £60."}
