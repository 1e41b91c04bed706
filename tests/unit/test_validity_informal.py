"""Validity of chatty feedback: small talk, remarks about the assistant, mash, and real facts beside them."""

from __future__ import annotations

import pytest

from pipeline.text.fillers import attempts_a_correction, strip_noise, without_emoji
from pipeline.text.intent import is_acknowledgement, is_assistant_evaluation, is_gibberish, is_question

# --- judge_validity ----------------------------------------------------------------------

INVALID = [
    "thanks thats super helpful!! 🙏",
    "perfect, exactly what i needed",
    # praise or complaints about the assistant or the app
    "ugh this app is sooo slow today, took like a full minute to load 🙄",
    "this bot is dumb lol",
    "you're the best",
    "you suck lol",
    "u r so dumb",
    "this thing keeps crashing",
    "your app is garbage",
    "I love this app!",
    "you're smarter than my husband haha",
    "666 你比我男朋友靠谱多了哈哈",
    "你真棒",
    "这个app太慢了，打开要一分钟",
    "这软件真难用",
    "小助手真贴心",
    "唉，你怎么这么笨",
    "我爱你",
    # greetings, laughter, acknowledgements
    "在吗～哈哈哈",
    "在不在",
    "你好呀",
    "早上好",
    "good morning!",
    "how are you?",
    "lol ok",
    "hmm",
    "哈哈哈哈",
    "嗯嗯好的",
    "👍👍",
    "好家伙",
    # dismissals and tests
    "never mind",
    "nvm",
    "好吧随便",
    "算了不用了",
    "test test",
    "测试一下",
    # questions about the assistant
    "你是谁",
    "what can you do?",
    "？？？",
    # keyboard mash
    "asdfgh",
    "asdkj啊啊啊qwe",
]

VALID = [
    "thats my sister, not me",
    "what i needed was a bigger car, so we got a minivan",
    "my boss is really slow at replying to emails",
    "I think the app I use for budgeting is YNAB",
    "my phone is slow, I need to get a new one",
    "我男朋友叫小林",
    "我觉得你说错了，我女儿今年上四年级",
    "actually I don't like swimming",
    "no, it's 9 not 8",
    "wrong, Tuesday",
    "不对，是周二",
    "the reimbursement limit is 600 CNY, not 800",
    "btw I'm vegan now",
    "I'm a nurse lol",
    "haha I'm allergic to cats",
    "666 is my gym locker number",
    "this bot is dumb, the meeting is at 4 not 3",
    "you said my meeting is at 3, it's at 4",
    "I like the AI features in Notion",
    "你好，我叫小明",
    "你说错了，我住在上海",
    "我爱吃火锅哈哈哈",
    "我的电脑太卡了",
    "also when booking flights i prefer window seats, can't sleep otherwise",
]


@pytest.mark.parametrize("feedback", INVALID)
def test_small_talk_and_remarks_are_invalid(analyzer, feedback: str) -> None:
    decision = analyzer.judge_validity(feedback, [])
    assert not decision.valid
    assert decision.reason


@pytest.mark.parametrize("feedback", VALID)
def test_facts_beside_chat_noise_are_valid(analyzer, feedback: str) -> None:
    assert analyzer.judge_validity(feedback, []).valid


# --- helpers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "this app is sooo slow today, took like a full minute to load",
        "the bot is useless",
        "you keep crashing",
        "I hate you",
        "你比我男朋友靠谱多了",
        "这个app一直闪退",
        "你好笨啊，反应太慢",
    ],
)
def test_assistant_evaluations(sentence: str) -> None:
    assert is_assistant_evaluation(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "my phone is slow",
        "this app is slow, my meeting is at 4",
        "this app is so slow, i switched to notion",
        "you're so slow, it's 9 not 8",
        "this app's design is great",
        "I like this café",
        "你上次说的餐厅关门了",
        "你真慢，会议是周二",
        "我喜欢你推荐的那家店",
    ],
)
def test_not_assistant_evaluations(sentence: str) -> None:
    assert not is_assistant_evaluation(sentence)


@pytest.mark.parametrize("text", ["asdkj啊啊啊qwe", "呃呃 zxcvb", "啊啊啊啊啊", "qwer asdf"])
def test_mash_is_gibberish(text: str) -> None:
    assert is_gibberish(text)


@pytest.mark.parametrize("text", ["btw I'm vegan now", "哈哈哈哈", "👍👍", "ok啊啊啊", "iPhone啊", "I'm at Atlassian now tbh"])
def test_words_laughter_and_emoji_are_not_gibberish(text: str) -> None:
    assert not is_gibberish(text)


@pytest.mark.parametrize("text", ["算了不用了", "在吗", "test test", "never mind", "好家伙"])
def test_dismissals_and_greetings_are_acknowledgements(text: str) -> None:
    assert is_acknowledgement(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("在吗～哈哈哈", "在吗"),
        ("so true hahaha", "so true"),
        ("我住在哈尔滨哈哈", "我住在哈尔滨"),
        ("666 你太强了", "你太强了"),
        ("666", ""),
        ("666 is my locker", "666 is my locker"),
        ("666号房间", "666号房间"),
        ("I live in Omaha", "I live in Omaha"),
    ],
)
def test_strip_noise_drops_laughter_and_praise_slang(text: str, expected: str) -> None:
    assert strip_noise(text) == expected


def test_without_emoji() -> None:
    assert without_emoji("ok 👌👌") == "ok "
    assert without_emoji("👍") == ""


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("when booking flights i prefer window seats", False),
        ("when we travel we take the train", False),
        ("when is my appointment", True),
        ("where do I park", True),
        ("where exactly is it", True),
    ],
)
def test_when_and_where_open_questions_only_before_a_verb(sentence: str, expected: bool) -> None:
    assert is_question(sentence) is expected


# --- what only looks like a correction ----------------------------------------------------


@pytest.mark.parametrize("text", [
    "周末天气不错，出去走走吧~",  # 不错: "nice", a wrong denied
    "没错，就是这样",
    "what a long week it's been, hasn't it",  # a tag question
    "it was a fun trip, wasn't it?",
    "not sure what to make for dinner tonight",  # a hedge
    "you're not wrong there",
])
def test_agreement_tag_questions_and_hedges_are_no_correction_cue(text: str) -> None:
    assert not attempts_a_correction(text)


@pytest.mark.parametrize("text", [
    "不对，是周三", "记错了，是三楼", "it isn't Tuesday", "I'm not in Leeds anymore", "he doesn't work there, does he",
])
def test_denials_stay_correction_cues(text: str) -> None:
    assert attempts_a_correction(text)


@pytest.mark.parametrize("text", ["你讲得挺好的", "说得蛮对的", "特别有用的"])
def test_praise_with_degree_words_is_an_acknowledgement(text: str) -> None:
    assert is_acknowledgement(text)


@pytest.mark.parametrize(("text", "praises"), [
    ("thanks, that packing list was just what I needed!", True),
    ("this meal plan is really useful, cheers", True),
    ("thanks, that packing list was just what I needed, I leave on Friday", False),
    ("my dentist is great", False),
])
def test_praise_of_what_the_assistant_gave_named_by_a_demonstrative(text: str, praises: bool) -> None:
    from pipeline.text.intent import praises_what_was_given

    assert praises_what_was_given(text) is praises


@pytest.mark.parametrize("text", ["my dentist is great", "用户挺喜欢游泳的", "the gym near my office is great for yoga"])
def test_praise_of_something_named_is_no_acknowledgement(text: str) -> None:
    assert not is_acknowledgement(text)


@pytest.mark.parametrize("feedback", [
    "周末天气不错，出去走走吧~", "what a long week it's been, hasn't it", "蛮有用的，谢谢",
    "thanks, that packing list was just what I needed!",
])
def test_small_talk_with_a_false_cue_is_invalid(embedded_analyzer, feedback: str) -> None:
    assert not embedded_analyzer.judge_validity(feedback, []).valid


@pytest.mark.parametrize("feedback", ["这家店不错，不过我已经不去那儿了，现在去万达那家",
                                      "I'm not sure, but I think I moved in 2019, not 2018"])
def test_corrections_beside_agreement_or_hedges_stay_valid(embedded_analyzer, feedback: str) -> None:
    assert embedded_analyzer.judge_validity(feedback, []).valid


@pytest.mark.parametrize(("text", "acknowledges"), [
    ("yes that's the one, cheers", True),
    ("it's the one near the station", False),  # an option pointed at by what is said of it
])
def test_agreeing_with_the_option_given_is_an_acknowledgement(text: str, acknowledges: bool) -> None:
    assert is_acknowledgement(text) is acknowledges
