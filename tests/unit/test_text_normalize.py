"""Informal text in one canonical form before the offline rules read it."""

from __future__ import annotations

import pytest

from pipeline.text.normalize import denial_follows_value, normalize


@pytest.mark.parametrize(("typed", "canonical"), [
    ("u forgot my bday", "you forgot my birthday"),
    ("i moved here tmr lol", "I moved here tomorrow"),
    ("ur right tbh", "you are right"),
    ("ＡＢＣ公司在１２楼", "ABC公司在12楼"),
    ("木有养猫", "没有养猫"),
])
def test_chat_spellings_become_words_and_tone_words_go(typed: str, canonical: str) -> None:
    assert normalize(typed) == canonical


@pytest.mark.parametrize(("typed", "canonical"), [
    ("I'm from York not Leeds", "I'm from York, not Leeds"),
    ("its the 3rd not the 13th", "it's the 3rd, not the 13th"),
    ("I do not like tea", "I do not like tea"),
    ("I am not sure", "I am not sure"),
])
def test_a_denial_run_into_its_value_gets_its_comma_and_a_negated_verb_does_not(typed: str, canonical: str) -> None:
    assert normalize(typed) == canonical


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("yoga's thu 6pm now", "yoga's Thursday 6pm now"),
        ("swim on sat n sun", "swim on Saturday and Sunday"),
        ("lessons r mon/fri", "lessons are Monday/Friday"),
        # A three-letter day with nothing around it that names a day stays a word.
        ("they wed in june", "they wed in june"),
        ("the sun came out", "the sun came out"),
    ],
)
def test_a_short_day_becomes_its_name_only_where_a_day_is_meant(typed: str, canonical: str) -> None:
    assert normalize(typed) == canonical


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [("一米七五 不是170", "175厘米，不是170"), ("我1米68", "我168厘米"), ("游了一米", "游了一米")],
)
def test_a_chinese_height_said_in_metres_and_digits_is_in_centimetres(typed: str, canonical: str) -> None:
    assert normalize(typed) == canonical


def test_an_opening_label_is_dropped() -> None:
    assert normalize("two fixes: I'm 41 not 40, and we moved to Leeds") == "I'm 41, not 40. We moved to Leeds"
    assert normalize("Meeting room: B2") == "Meeting room: B2"


@pytest.mark.parametrize(("typed", "canonical"), [
    ("got married last month!", "I got married last month!"),
    ("just got married", "I just got married"),
    ("switched to green tea", "I switched to green tea"),
    ("Mostly just swim now", "I mostly just swim now"),
    ("No more renting", "I do not rent anymore"),
    ("you are right, moved to leeds", "you are right, I moved to leeds"),
])
def test_the_subject_chat_leaves_out_is_restored(typed: str, canonical: str) -> None:
    assert normalize(typed) == canonical


@pytest.mark.parametrize("typed", [
    "ok got it", "never mind", "this app is so slow today, took a minute to load", "Need a hand?",
])
def test_no_subject_is_added_where_the_text_has_one_or_none_is_missing(typed: str) -> None:
    assert not normalize(typed).startswith("I ")
    assert " I took" not in normalize(typed)


def test_a_denied_value_kept_beside_the_new_one_is_recognised() -> None:
    assert denial_follows_value("The user is from York, not Leeds.")
    assert denial_follows_value("The user likes tea not coffee.")
    assert not denial_follows_value("The user does not like coffee.")
    assert not denial_follows_value("The user is not vegetarian.")


def test_a_numbered_list_in_feedback_is_one_statement_per_item() -> None:
    assert normalize("quick fixes: 1) im 40 not 41 2) leeds not york") == "I'm 40, not 41. leeds, not york"
    assert normalize("1）我住在杭州 2）猫叫花花") == "我住在杭州。猫叫花花"


def test_a_chinese_label_before_the_corrections_goes() -> None:
    assert normalize("两处更正：我34岁，住在苏州") == "我34岁，住在苏州"


def test_clauses_typed_with_spaces_and_a_tone_tilde() -> None:
    assert normalize("不是这个哦 我要的是那个～") == "不是这个哦，我要的是那个"


def test_a_space_after_a_number_ends_a_chinese_clause() -> None:
    assert normalize("你记反了 我爸65 我妈62") == "你记反了，我爸65，我妈62"
    assert normalize("手机号139 0000 1234") == "手机号139 0000 1234"


def test_a_cleft_is_said_as_a_plain_statement() -> None:
    assert normalize("It's shellfish I'm allergic to.") == "I'm allergic to shellfish."
    assert normalize("it's soy i stay away from") == "I stay away from soy"
    assert normalize("the sauce is what i'm allergic to") == "I'm allergic to the sauce"
    assert normalize("it's fine I guess") == "it's fine I guess"


def test_a_clause_after_an_emoji_gets_back_its_subject() -> None:
    assert normalize("sold the car 😢 taking the train to work now") == "I sold the car. I am taking the train to work now"


@pytest.mark.parametrize(("typed", "canonical"), [
    ("havent eaten meat since spring", "I haven't eaten meat since spring"),
    ("been vegetarian two years now", "I have been vegetarian two years now"),
    ("Small news: can't drink milk anymore", "I can't drink milk anymore"),
    ("I left the band in May — wasn't enjoying it", "I left the band in May — I wasn't enjoying it"),
])
def test_a_sentence_opening_with_a_first_person_auxiliary_gets_back_its_subject(typed: str, canonical: str) -> None:
    assert normalize(typed) == canonical


@pytest.mark.parametrize("message", [
    "can you check the dates", "Have you saved it?", "Don't keep my address", "Do not store my phone number",
    "Is the gym open late?",
])
def test_questions_and_requests_keep_their_opening(message: str) -> None:
    assert normalize(message) == message


def test_an_auxiliary_after_a_comma_leans_on_the_clause_before() -> None:
    assert normalize("sold the bike in June, haven't ridden since") == "I sold the bike in June, haven't ridden since"


def test_a_word_before_is_or_was_is_a_subject_not_a_verb_that_lost_its_own() -> None:
    assert normalize("rent is 1450 a month now") == "rent is 1450 a month now"


def test_a_clock_time_opens_no_header() -> None:
    assert normalize("the 7:45 train is now the 8:10") == "the 7:45 train is now the 8:10"


def test_a_habit_said_as_a_gerund_is_a_progressive() -> None:
    assert normalize("not a fan of jazz anymore, mostly listening to techno") == (
        "not a fan of jazz anymore, I am mostly listening to techno"
    )


@pytest.mark.parametrize(("typed", "canonical"), [
    ("its twelve hundred a month", "it's 1200 a month"),
    ("she is twenty-six", "she is 26"),
    ("the quote was four hundred and fifty dollars", "the quote was 450 dollars"),
    ("I have two cats", "I have two cats"),
    ("the dog wagged its tail", "the dog wagged its tail"),
    ("nah its Dana not Dina", "nah it's Dana, not Dina"),
])
def test_number_words_that_make_one_number_and_a_clause_opening_its(typed: str, canonical: str) -> None:
    assert normalize(typed) == canonical


def test_chinese_colloquial_numbers_and_pronouns() -> None:
    assert normalize("俺家是俩娃") == "我家是两个娃"
    assert normalize("老三出生了，现在是仨") == "老三出生了，现在是三个"


@pytest.mark.parametrize(
    ("message", "normalised"),
    [
        ("gym moved to 7am and the swim class is on sunday now", "gym moved to 7am. The swim class is on sunday now"),
        ("I sold the bike and I walk to the office now", "I sold the bike. I walk to the office now"),
        ("I have a parrot and my brother has two hamsters", "I have a parrot. My brother has two hamsters"),
    ],
)
def test_and_between_two_clauses_with_their_own_subjects_ends_a_sentence(message: str, normalised: str) -> None:
    assert normalize(message) == normalised


@pytest.mark.parametrize(
    "message",
    ["my niece and nephew are 7 now", "we have 2 cats and a rabbit named Biscuit", "I like tea and the biscuits here"],
)
def test_and_inside_one_clause_joins_no_sentences(message: str) -> None:
    assert normalize(message) == message


@pytest.mark.parametrize(
    ("message", "normalised"),
    [
        ("we just got a hamster too, her name is Nibbles", "we just got a hamster named Nibbles too"),
        ("I bought a used scooter last month, it's called Zippy", "I bought a used scooter named Zippy last month"),
        ("我们又养了一只仓鼠 叫豆豆", "我们又养了一只叫豆豆的仓鼠"),
    ],
)
def test_a_name_goes_to_the_thing_the_clause_before_brought_in(message: str, normalised: str) -> None:
    assert normalize(message) == normalised


def test_a_name_never_goes_to_a_thing_denied_or_to_no_thing() -> None:
    assert "named" not in normalize("we have a rabbit, not a guinea pig, and his name is Clover")
    assert normalize("my name is Priya") == "my name is Priya"


@pytest.mark.parametrize(("typed", "canonical"), [
    ("tablet's an iPad now", "tablet is an iPad now"),
    ("and my brother's in Glasgow", "and my brother is in Glasgow"),
    ("Omar's actually the team lead", "Omar is actually the team lead"),
    ("my sister's husband is Tom", "my sister's husband is Tom"),
    ("the cat's bowl is blue", "the cat's bowl is blue"),
])
def test_a_noun_and_s_before_an_article_or_a_preposition_is_the_noun_and_is(typed: str, canonical: str) -> None:
    assert normalize(typed) == canonical


def test_chat_words_of_tone_are_dropped_and_shorthand_is_spelled_out() -> None:
    assert normalize("bruh never had a vespa") == "I never had a vespa"
    assert normalize("omg the gym is def not on tuesday") == "the gym is definitely not on tuesday"


@pytest.mark.parametrize(("text", "normal"), [
    ("swim class is at 6 in the morning", "swim class is at 6 am"),
    ("dinner is at 7:30 in the evening", "dinner is at 7:30 pm"),
    ("we got 2 in the morning shifts", "we got 2 in the morning shifts"),
])
def test_an_hour_with_its_part_of_the_day_is_a_clock_time(text: str, normal: str) -> None:
    assert normalize(text) == normal


@pytest.mark.parametrize(("typed", "canonical"), [
    ("hannah doesnt live in leeds, its sheffield!!", "hannah lives in sheffield, not leeds!!"),
    ("i dont work at siemens. its bosch, same job", "I work at bosch, not siemens, same job"),
    ("im not allergic to peanuts at all, its shellfish", "I'm allergic to shellfish, not peanuts"),
    ("The deposit isn't 300 EUR, it's 250 EUR.", "The deposit is 250 EUR, not 300 EUR."),
    ("my sister's not in Leeds, its York", "my sister is in York, not Leeds"),
    ("it isn't peanuts, it's shellfish", "it is shellfish, not peanuts"),
])
def test_a_denied_object_then_a_value_without_a_subject_is_the_value_with_the_denial_after(typed: str, canonical: str) -> None:
    assert normalize(typed) == canonical


@pytest.mark.parametrize("text", [
    "I am not sure, it is fine",  # a verdict, no value
    "I don't know, it's weird",  # a verb alone is denied
    "I don't like sushi, it's too fishy",  # a judgement of the denied thing
    "I dont eat pork, its gross",
    "it's badminton, not tennis. It's Thursdays, not Wednesdays",  # already contrasts
])
def test_a_denial_followed_by_a_judgement_or_a_contrast_stays_as_it_is(text: str) -> None:
    assert normalize(text) == text.replace("dont", "don't").replace("its gross", "it's gross")


@pytest.mark.parametrize(("typed", "canonical"), [
    ("the wifi router is in the living room (not the office)", "the wifi router is in the living room, not the office"),
    ("地址是建国路88号（不是86号）", "地址是建国路88号，不是86号"),
    ("I'm allergic to shellfish (nuts are fine), I'm 178cm", "I'm allergic to shellfish. nuts are fine. I'm 178cm"),
    ("my son (he is 7 now) loves lego", "my son (he is 7 now) loves lego"),
    ("I switched to Hoka (the Clifton 9).", "I switched to Hoka (the Clifton 9)."),  # no clause: it stays
    ("my home airport is Newark (EWR)", "my home airport is Newark (EWR)"),
])
def test_a_bracketed_denial_or_closing_clause_is_written_out(typed: str, canonical: str) -> None:
    assert normalize(typed) == canonical
