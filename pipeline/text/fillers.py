"""Discourse fillers around a correction ("Actually", "That's wrong,", "实际上", "请记住")."""

from __future__ import annotations

import re

from pipeline.text.normalize import spellings_of, tone_words, without_header

_EN_FILLER = re.compile(
    r"^(?:actually|in\s+fact|well|so|oh|ah|hey|hi|hello|ok|okay|oh\s+and|hmm+|um+|uh+|also|and|plus|btw|by\s+the\s+way|fyi|"
    r"ugh+|argh+|meh|welp|ugh\s+no|heads\s+up|anyway|anyways|anyhow|pls|plz|please|tbh|honestly|lol|haha|fwiw|psst|"
    r"just\s+so\s+you\s+know|for\s+the\s+record|to\s+be\s+clear|just\s+to\s+clarify|to\s+clarify|"
    r"(?:please\s+)?(?:note|remember|keep\s+in\s+mind|bear\s+in\s+mind|be\s+aware|don't\s+forget|"
    r"make\s+a\s+note|take\s+note)(?:\s+of\s+this)?|"
    r"i\s+(?:want|need|would\s+like|'d\s+like)\s+you\s+to\s+(?:remember|know|note)|"
    r"you\s+should\s+know|i\s+should\s+(?:mention|say|tell\s+you)|let\s+me\s+(?:correct\s+(?:that|this|you)|clarify)|"
    r"i\s+meant(?:\s+to\s+say)?|what\s+i\s+meant\s+(?:is|was)|sorry|oops|my\s+(?:bad|mistake)|"
    r"just\s+(?:a\s+)?(?:correction|update)|quick\s+(?:correction|update)|"
    r"please\s+(?:update|correct)(?:\s+(?:this|that|it))?)\b(?:\s*(?:that|:)(?=\s))?[\s,.!:;\-–—]*",
    re.IGNORECASE,
)
# Words that only open a correction when punctuation follows ("No, …", "Wrong - …").
_EN_MARKER = re.compile(
    r"^(?:no+|nope|nah+|wrong|incorrect|not\s+quite|not\s+true|not\s+really|false|correction|update|"
    r"(?:that|this|it)(?:'s|\s+is|\s+was)\s+(?:not\s+)?(?:wrong|incorrect|not\s+(?:right|correct|true|accurate)|"
    r"outdated|out\s+of\s+date|old\s+info(?:rmation)?|a\s+mistake)|"
    r"(?:you(?:'re|\s+are)|you've\s+got\s+it|you\s+got\s+(?:it|that))\s+(?:wrong|mistaken|incorrect)|"
    r"you\s+(?:made\s+a\s+mistake|have\s+it\s+wrong))\s*(?:[,.!:;\-–—]+|$)\s*"
    # "nah i take the train": unlike "no" ("no one", "no more"), these open a reply even unpunctuated.
    r"|^(?:nah+|nope)\s+(?=\w)",
    re.IGNORECASE,
)
_ZH_FILLER = re.compile(
    r"^(?:实际上|其实|事实上|记一下|记下来|记住了|(?:你)?(?:记|搞|弄|说)错了吧|说实话|老实说|不对|错了|不是的|不是这样的?|你说错了|你搞错了|你弄错了|你记错了|说错了|"
    r"搞错了|更正一下|纠正一下|更正|纠正|修正一下|请记住|请你记住|记住|请记得|记得|请注意|注意|需要注意的是|另外|"
    r"还有|对了|顺便说一下|顺便|补充一下|补充|我想说|我要说|我想告诉你|告诉你|跟你说一?下|跟你说|哦|嗯|啊|额|呃|哎呀|唉呀|哎哟|唉|哎|其实呢|"
    r"那个|就是|更新一下|请更新|所以|因此|因而|于是|那么|然后|不过|但是|可是|反正)[，,：:。！!、\s]*"
)
# A sentence that is only a correction marker ("That's wrong.", "不对。").
CORRECTION_MARKER = re.compile(
    r"^(?:no|nope|wrong|incorrect|not\s+quite|that(?:'s|\s+is)\s+(?:wrong|incorrect|not\s+(?:right|correct|true))|"
    r"you(?:'re|\s+are)\s+wrong|不对|错了|不是的|不是这样的?|你说错了|你搞错了|你记错了|说错了)[\s,.!。！，]*$",
    re.IGNORECASE,
)
_EN_CORRECTION_CUE = re.compile(
    r"\b(?:actually|wrong|incorrect|not\s+right|mistake|correction|no\s+longer|anymore|any\s+more|"
    r"not|instead|now|moved|switched|changed)\b|n't\b",
    re.IGNORECASE,
)
_ZH_CORRECTION_CUE = re.compile(r"实际上|其实|不对|错|不是|不再|已经不|现在|改|换|搬|以前|之前|原来")
# "不错" and "没错" ("nice", "exactly") deny the wrong, so they agree.
_ZH_AGREEMENT = re.compile(r"[不没]错")
# What only looks like a denial: a tag question closing a sentence ("… this week, hasn't it?"),
# a hedge ("not sure what it is") and the denial of a wrong ("you're not wrong").
_EN_NOT_A_DENIAL = re.compile(
    r",?\s*\b(?:is|was|are|were|do|does|did|has|have|had|can|could|would|will|should)n't\s+"
    r"(?:it|they|you|he|she|we|i|there|that|this)\b(?=\s*(?:[?.!]|$))|\bnot\s+(?:sure|wrong)\b",
    re.IGNORECASE | re.MULTILINE,
)


# Emoji and pictographs carry tone, never a fact.
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]+")
# Discourse words that may sit anywhere in a sentence ("… anymore tbh, …", "… everywhere pls").
_EN_INLINE_NOISE = re.compile(
    r"\s*\b(?:" + "|".join(sorted(tone_words() | spellings_of("please"), key=len, reverse=True)) + r")\b", re.IGNORECASE
)
# Particles closing a clause ("我已经毕业了哈，现在…"), not the 哈 of 哈尔滨.
_ZH_TAIL_NOISE = re.compile(r"(?<=[\u4e00-\u9fff])(?:哈+|哦+|啦|嘛|呀|哇)(?=[。！!，,～~\s]|$)")
# Laughter closing a sentence, whatever precedes it ("在吗～哈哈哈", "so true hahaha").
_LAUGHTER_TAIL = re.compile(r"[\s,，~～]*(?:[哈呵嘿嘻]{2,}|\b(?:ha){2,}h?\b|\bh{3,}\b)[\s。.!！~～]*$", re.IGNORECASE)
# "666" is chat slang for "nice!" when set apart from the rest ("666, …", "666 你…"), unlike
# "666 is my locker number".
_LEADING_PRAISE = re.compile(r"^6{3,}(?:\s*[,，.。!！~～]+\s*|\s+(?=[^\x00-\x7f])|\s*$)")


# "no, …", "nah …", "well …": a word of reply before what the sentence says.
_LEADING_INTERJECTION = re.compile(r"^(?:(?:no+|nope|nah|hmm+|um+|uh+|well|but)\b[\s,.!]*)+", re.IGNORECASE)


def without_leading_interjection(text: str) -> str:
    return _LEADING_INTERJECTION.sub("", text)


def without_emoji(text: str) -> str:
    return _EMOJI.sub("", text)


def strip_noise(text: str) -> str:
    """Drop emoji, inline discourse words, a leading "666" and closing laughter or particles like "哈"."""
    text = without_emoji(text)
    text = _EN_INLINE_NOISE.sub("", text)
    text = _LEADING_PRAISE.sub("", text.strip())
    text = _LAUGHTER_TAIL.sub("", text)
    text = _ZH_TAIL_NOISE.sub("", text.strip())
    return re.sub(r"\s{2,}", " ", text).strip().lstrip(",;: ")


def strip_fillers(text: str) -> str:
    """Remove leading fillers, repeatedly ("Actually, no, I …")."""
    previous = None
    text = strip_noise(text)
    while previous != text:
        previous = text
        text = without_header(text).strip()
        text = _EN_FILLER.sub("", text, count=1).strip()
        text = _EN_MARKER.sub("", text, count=1).strip()
        text = _ZH_FILLER.sub("", text, count=1).strip()
    return text


def is_correction_marker(sentence: str) -> bool:
    return bool(CORRECTION_MARKER.match(sentence.strip()))


def has_correction_cue(text: str) -> bool:
    return bool(_EN_CORRECTION_CUE.search(text) or _ZH_CORRECTION_CUE.search(text))


def attempts_a_correction(text: str) -> bool:
    """A cue of a correction that is one: not an agreement ("不错", "没错"), a closing tag question
    ("…, hasn't it") or a hedge ("not sure"), which only look like denials. Read where small talk
    must not pass for a correction (validity); the parsers keep every cue."""
    return bool(_EN_CORRECTION_CUE.search(_EN_NOT_A_DENIAL.sub(" ", text))
                or _ZH_CORRECTION_CUE.search(_ZH_AGREEMENT.sub("", text)))
