"""Word-level normalisation: stopwords, light stemming, synonyms, negation cues."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pipeline.text.language import Language, has_cjk

EN_STOPWORDS = frozenset(
    """a an the this that these those it its it's is are was were be been being am do does did
    done doing has have had having will would shall should can could may might must to of in on
    at by for with from into onto about as than then so and or but if while because also too very
    really just still already now currently anymore any more longer no not never n't user user's
    users the's i me my mine myself we our us you your he him his she her they them their there
    here what which who whom whose when where why how all some every each other such only own same
    again further once up down out over under per within via actually please remember note that's
    get got gets now though although even always usually often sometimes yet around""".split()
)

ZH_STOPWORDS = frozenset(
    """的 了 是 在 为 和 与 及 也 都 很 就 还 又 用户 我 我的 我们 你 你的 他 她 它 他们 她们 一名 一个 一位
    名 位 个 吗 呢 吧 啊 呀 着 过 把 被 将 已经 已 现在 目前 如今 以前 之前 原来 曾经 其实 实际上 事实上
    不 没 没有 不再 再 从 于 而 而是 就是 这 那 这个 那个 对 啦 哦 嗯 最近 以后 今后 从此 了解 记住 请
    特别 非常 十分 超级 真的 挺 比较 相当 至 到""".split()
)

_EN_IRREGULAR = {
    "is": "be", "are": "be", "was": "be", "were": "be", "am": "be", "been": "be",
    "has": "have", "had": "have", "does": "do", "did": "do", "goes": "go", "went": "go",
    "gone": "go", "lives": "live", "lived": "live", "children": "child", "men": "man",
    "women": "woman", "people": "person", "feet": "foot", "teeth": "tooth", "mice": "mouse",
    "ate": "eat", "eaten": "eat", "drank": "drink", "drunk": "drink", "drove": "drive",
    "driven": "drive", "bought": "buy", "taught": "teach", "told": "tell", "left": "leave",
    "moved": "move", "spoke": "speak", "spoken": "speak", "wrote": "write", "written": "write",
}

# Synonyms folded onto one lemma so "enjoys hiking" and "likes hiking" share an attribute.
_EN_SYNONYMS = {
    "enjoy": "like", "love": "like", "adore": "like", "fond": "like", "prefer": "prefer",
    "reside": "live", "stay": "live", "employ": "work", "job": "work", "occupation": "work",
    "dad": "father", "mom": "mother", "mum": "mother", "wife": "spouse", "husband": "spouse",
    "kid": "child", "son": "child", "daughter": "daughter", "boss": "manager",
    "close": "close", "shut": "close", "cap": "limit", "maximum": "limit", "max": "limit",
    "cost": "price", "fee": "price", "phone": "phone", "mobile": "phone", "cell": "phone",
    "base": "live", "household": "home",
}
# Verbs that deny a preference: "dislikes X" is "does not like X".
EN_NEGATIVE_VERBS = {"dislike": "like", "hate": "like", "detest": "like", "loathe": "like"}

_ZH_SYNONYMS = {
    "爱": "喜欢", "喜爱": "喜欢", "爱好": "喜欢", "热爱": "喜欢", "居住": "住", "住在": "住",
    "使用": "用", "采用": "用", "跑步": "跑", "游泳": "游泳", "开车": "开", "驾驶": "开",
    "老婆": "妻子", "太太": "妻子", "老公": "丈夫", "妈妈": "母亲", "爸爸": "父亲",
    "午饭": "午餐", "晚饭": "晚餐", "早饭": "早餐", "中饭": "午餐",
}
ZH_NEGATIVE_VERBS = {"讨厌": "喜欢", "厌恶": "喜欢", "反感": "喜欢"}

# A denial says something is not the case; an aversion ("hates", "讨厌") states a fact about a dislike.
_EN_DENIAL = re.compile(r"\b(?:not|never|no|cannot|nobody|nothing|neither|nor)\b|n't\b", re.IGNORECASE)
_EN_AVERSION = re.compile(r"\b(?:dislikes?|disliked|hates?|hated|detests?|loathes?)\b", re.IGNORECASE)
_ZH_NEGATION_FALSE_FRIENDS = re.compile(
    r"不错|不过(?!敏)|不同|不少|不断|不仅|不管|不久|不得不|不但|差不多|不一定|无论|非常|并且|不用说"
)
# "我哪有对海鲜过敏": a rhetorical "where is there" denies.
_ZH_DENIAL = re.compile(r"不|没有|没|从未|未曾|并非|哪有|哪儿有|哪里有")
_ZH_AVERSION = re.compile("|".join(ZH_NEGATIVE_VERBS))


def phrase_alternation(phrases: object) -> str:
    """A regex alternation of literal phrases, longest first, any run of spaces inside matching."""
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True))  # type: ignore[call-overload]


# Whole English words of a 30k WordPiece vocabulary (bert-base-uncased's, Apache-2.0).
_ENGLISH_WORDS_FILE = Path(__file__).parent / "data" / "en_words.txt"


@lru_cache(maxsize=1)
def english_vocabulary() -> frozenset[str]:
    return frozenset(_ENGLISH_WORDS_FILE.read_text(encoding="utf-8").split())


def base_form(gerund: str) -> str | None:
    """"renting" → "rent", "driving" → "drive", "running" → "run": the first spelling that is a word."""
    lower = gerund.lower()
    if not lower.endswith("ing") or len(lower) < 5:
        return None
    root = lower[:-3]
    vocabulary = english_vocabulary()
    candidates = [root, root + "e"] + ([root[:-1]] if len(root) > 2 and root[-1] == root[-2] else [])
    return next((word for word in candidates if word in vocabulary), None)


_POSSESSIVE_END = re.compile(r"['’]s$")
_BRITISH_OUR = re.compile(r"([a-z]{2,})our(ite|s|ed|ing|hood|able)?$")
_BRITISH_ISE = re.compile(r"([a-z]{4,})is(e|es|ed|ing|ation)$")
_ELY_END = re.compile(r"(?<=[a-z]{3})(?:ely)$")
_ALLY_END = re.compile(r"(?<=[a-z]{3})ally$")


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """A deliberately light stemmer: consistent, not linguistically perfect."""
    w = word.lower().strip("'’")
    w = _POSSESSIVE_END.sub("", w)
    # British and American spellings fold together: favourite/favorite, colour/color.
    w = _BRITISH_OUR.sub(r"\1or\2", w)
    w = _BRITISH_ISE.sub(r"\1iz\2", w)
    w = _ELY_END.sub("e", w)
    w = _ALLY_END.sub("al", w)
    if w in _EN_IRREGULAR:
        w = _EN_IRREGULAR[w]
    elif len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if len(w) > len(suffix) + 2 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]
    return w


@lru_cache(maxsize=4096)
def lemma(word: str) -> str:
    """Stem plus synonym folding: the unit attribute overlap is measured in."""
    lower = word.lower()
    if re.fullmatch(r"[a-z]{1,3}-[a-z]{1,3}", lower):
        lower = lower.replace("-", "")  # "Wi-Fi" and "wifi" are one word
    base = stem(lower)
    for table in (_EN_SYNONYMS, EN_NEGATIVE_VERBS):
        for surface, canonical in table.items():
            if base == stem(surface):
                return stem(canonical)
    return base


def zh_canonical(token: str) -> str:
    """One spelling for Chinese synonyms ("使用" → "用")."""
    return _ZH_SYNONYMS.get(token, token)


def en_words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z][A-Za-z'’\-]*|\d+(?:\.\d+)?", text)


def zh_tokens(text: str) -> list[str]:
    return list(_zh_tokens(text))


def zh_token_spans(text: str) -> list[tuple[int, int]]:
    """Where each of jieba's words of a Chinese text stands."""
    spans, position = [], 0
    for token in zh_tokens(text):
        start = text.find(token, position)
        if start >= 0:
            spans.append((start, start + len(token)))
            position = start + len(token)
    return spans


@lru_cache(maxsize=1)
def quiet_jieba():  # noqa: ANN201 - the jieba module
    import jieba  # imported lazily: building its dictionary takes about a second

    jieba.setLogLevel(60)  # once: setting a level clears every logger's cache
    return jieba


@lru_cache(maxsize=1)
def jieba_tagger():  # noqa: ANN201 - the jieba.posseg module
    """jieba's part-of-speech tagger, quiet like jieba itself."""
    import jieba.posseg

    quiet_jieba()
    return jieba.posseg


@lru_cache(maxsize=4096)
def _zh_tokens(text: str) -> tuple[str, ...]:
    tokens: list[str] = []
    for token in quiet_jieba().lcut(text):
        token = token.strip()
        if not token:
            continue
        # jieba glues negation onto verbs ("不住"); split it so 住 matches 住.
        if len(token) > 1 and token[0] in "不没" and token not in ("不错", "不过", "不同", "不少"):
            tokens.append(token[0])
            token = token[1:]
        tokens.append(token)
    return tuple(tokens)


def is_negated(text: str, language: Language | None = None) -> bool:
    """Whether the sentence denies its predicate or states an aversion ("does not like", "hates", "不喜欢")."""
    return _negative(text, language, (_ZH_DENIAL, _ZH_AVERSION), (_EN_DENIAL, _EN_AVERSION))


def denies(text: str, language: Language | None = None) -> bool:
    """Whether the sentence says something is not the case ("is not allergic to peanuts", "不在中学教书")."""
    return _negative(text, language, (_ZH_DENIAL,), (_EN_DENIAL,))


def _negative(
    text: str, language: Language | None, chinese: tuple[re.Pattern[str], ...], english: tuple[re.Pattern[str], ...]
) -> bool:
    if language == "zh" or (language is None and has_cjk(text)):
        cleaned = _ZH_NEGATION_FALSE_FRIENDS.sub("", text)  # words that only look negative ("不错")
        if any(p.search(cleaned) for p in chinese):
            return True
    return any(p.search(text) for p in english)


def content_terms(text: str, language: Language, exclude: list[str] | None = None) -> list[str]:
    """Content lemmas of `text` in order, without stopwords, negation or the values in `exclude`."""
    return list(_content_terms(text, language, tuple(exclude or ())))


def _without(text: str, value: str) -> str:
    """`text` with every occurrence of `value` (in any case) blanked out. A plain search where
    casefolding keeps every length: a pattern compiled per value would crowd re's own cache."""
    folded, wanted = text.casefold(), value.casefold()
    if len(folded) != len(text) or len(wanted) != len(value):
        return re.sub(re.escape(value), " ", text, flags=re.IGNORECASE)
    pieces, start = [], 0
    while (found := folded.find(wanted, start)) >= 0:
        pieces.append(text[start:found])
        start = found + len(wanted)
    pieces.append(text[start:])
    return " ".join(pieces)


# A lookup compares each statement with a dozen memories, and each memory with several statements.
@lru_cache(maxsize=8192)
def _content_terms(text: str, language: Language, exclude: tuple[str, ...]) -> tuple[str, ...]:
    masked = text
    for value in sorted(exclude or [], key=len, reverse=True):
        if value.strip():
            masked = _without(masked, value)
    terms: list[str] = []
    if language == "zh" or has_cjk(masked):
        for token in zh_tokens(masked):
            if re.fullmatch(r"[\W_]+", token) or token in ZH_STOPWORDS or token.isdigit():
                continue
            if re.fullmatch(r"[A-Za-z][A-Za-z'’\-]*", token):
                if token.lower() in EN_STOPWORDS:
                    continue
                terms.append(lemma(token))
                continue
            token = ZH_NEGATIVE_VERBS.get(token, _ZH_SYNONYMS.get(token, token))
            terms.append(token)
        return tuple(terms)
    for word in en_words(masked):
        lower = word.lower()
        if lower in EN_STOPWORDS or lower.endswith("n't") or lower.isdigit():
            continue
        terms.append(lemma(lower))
    return tuple(terms)
