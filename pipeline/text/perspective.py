"""First person → third person ("I live in Berlin" → "The user lives in Berlin.")."""

from __future__ import annotations

import re

from pipeline.text.language import Language, detect_language, has_cjk
from pipeline.text.lexicon import zh_tokens
from pipeline.text.normalize import is_simple_past

_EN_SECOND_PERSON = re.compile(r"\b(?i:you|your|yours|yourself|yourselves)\b|\b(?:u|ur)\b")
_ZH_SECOND_PERSON = re.compile(r"(?<!迷)你|您")


def speaks_to_someone(text: str) -> bool:
    """The text is in the second person: said to someone ("I'm authorizing you", "我是你们的开发人员")."""
    return bool((_ZH_SECOND_PERSON if has_cjk(text) else _EN_SECOND_PERSON).search(text))


_IRREGULAR_THIRD_PERSON = {"have": "has", "do": "does", "go": "goes", "be": "is", "am": "is"}
# Forms that do not change with the subject (modals and past tenses).
_INVARIANT = set("can cannot could will would shall should may might must used ought".split())
ADVERBS = set(
    """also really still usually always never now often mostly actually just only sometimes
    definitely absolutely currently rarely generally normally typically mainly truly totally
    honestly seriously already recently no longer even""".split()
)
_CONTRACTIONS = [
    (r"\bI\s*(?:'|’)m\b", "I am"),
    (r"\bI\s*(?:'|’)ve\b", "I have"),
    (r"\bI\s*(?:'|’)d\b", "I would"),
    (r"\bI\s*(?:'|’)ll\b", "I will"),
    (r"\b([Dd])on(?:'|’)t\b", r"\1o not"),
    (r"\b([Dd])idn(?:'|’)t\b", r"\1id not"),
    (r"\b([Cc])an(?:'|’)t\b", r"\1annot"),
    (r"\b([Ww])on(?:'|’)t\b", r"\1ill not"),
    (r"\b([Hh])aven(?:'|’)t\b", r"\1ave not"),
    (r"\b([Ww])asn(?:'|’)t\b", r"\1as not"),
    (r"\b([Ii])sn(?:'|’)t\b", r"\1s not"),
    (r"\b([Aa])ren(?:'|’)t\b", r"\1re not"),
    (r"\b([Dd])oesn(?:'|’)t\b", r"\1oes not"),
    (r"\b([Ww])eren(?:'|’)t\b", r"\1ere not"),
    (r"\b([Hh])asn(?:'|’)t\b", r"\1as not"),
]
_ZH_KINSHIP = (
    "女儿|儿子|孩子|妈妈|母亲|爸爸|父亲|老婆|老公|妻子|丈夫|爱人|太太|先生|哥哥|姐姐|弟弟|妹妹|"
    "家人|家|朋友|同事|老板|经理|领导|上司|公司|团队|男朋友|女朋友|宠物|狗|猫|生日|电话|邮箱|地址|名字"
)


def third_person_verb(verb: str) -> str:
    """Agree a base-form verb with a third-person singular subject."""
    lower = verb.lower()
    if lower in _IRREGULAR_THIRD_PERSON:
        return _IRREGULAR_THIRD_PERSON[lower]
    if lower in _INVARIANT or lower.endswith("ed") or not lower.isalpha() or is_simple_past(lower):
        return verb
    if re.search(r"(?:s|sh|ch|x|z|o)$", lower):
        return verb + "es"
    if re.search(r"[^aeiou]y$", lower):
        return verb[:-1] + "ies"
    return verb + "s"


# Words that follow a dropped "am" in typed English ("I still at Siemens", "im on slack now").
_PLACE_WORDS = set("at in on with from into onto off out over under near by for about around here there home away abroad".split())


def _agree_after_subject(match: re.Match[str]) -> str:
    adverbs, verb = match.group(1) or "", match.group(2)
    if verb.lower() in _PLACE_WORDS:
        return f"the user is{adverbs} {verb}"
    return f"{'the user'}{adverbs} {third_person_verb(verb)}"


# Contractions typed without the apostrophe ("dont", "cant"); only spellings that are not words.
_BARE_CONTRACTIONS = {
    "dont": "do not", "doesnt": "does not", "didnt": "did not", "cant": "cannot", "isnt": "is not",
    "wasnt": "was not", "arent": "are not", "werent": "were not", "havent": "have not", "hasnt": "has not",
    "wouldnt": "would not", "couldnt": "could not", "shouldnt": "should not", "ive": "I have",
    "thats": "that is", "theres": "there is", "hes": "he is", "shes": "she is",
}
_EN_BARE_CONTRACTION = re.compile(r"(?<![\w'])(?:" + "|".join(_BARE_CONTRACTIONS) + r")(?![\w'])", re.IGNORECASE)


def expand_contractions(text: str) -> str:
    """"I'm" → "I am", "don't" → "do not": one spelling for the rules that follow."""
    text = text.replace("’", "'")
    # Typed in lower case: "i moved", "im freelancing", "i'm".
    text = re.sub(r"(?<![\w.@])i(?=\s|'|$)", "I", text)
    text = re.sub(r"(?<![\w.@])im(?=\s)", "I am", text)
    text = _EN_BARE_CONTRACTION.sub(lambda m: _BARE_CONTRACTIONS[m.group(0).lower()], text)
    text = re.sub(r"^(?:its)(?=\s+(?:the|a|an|my|not|\d|on|at|in)\b)", "it is", text, flags=re.I)
    for pattern, replacement in _CONTRACTIONS:
        text = re.sub(pattern, replacement, text)
    text = re.sub(r"\b([Ii]t|[Tt]hat|[Tt]his|[Ss]he|[Hh]e|[Tt]here)'s\b", r"\1 is", text)
    text = re.sub(r"\b([Ww]e|[Tt]hey|[Yy]ou)'re\b", r"\1 are", text)
    text = re.sub(r"\b(\w+)n't\b", r"\1 not", text)
    return text


# Addresses are kept as typed: "me" in "jen@proton.me" is not the speaker.
_ADDRESS = re.compile(r"\S+@\S+\.\w+|https?://\S+|\bwww\.\S+")


def _english_to_third_person(text: str) -> str:
    addresses = _ADDRESS.findall(text)
    for index, address in enumerate(addresses):
        text = text.replace(address, f"\x00{index}\x00", 1)
    text = _english_pronouns_to_third_person(text)
    for index, address in enumerate(addresses):
        text = text.replace(f"\x00{index}\x00", address, 1)
    return text


def _english_pronouns_to_third_person(text: str) -> str:
    text = expand_contractions(text)
    # Listed adverbs, and any "-ly" word before the verb ("I officially retired").
    adverb_group = r"((?:\s+(?:" + "|".join(sorted(ADVERBS, key=len, reverse=True)) + r"|[a-z]{3,}ly(?=\s)))*)"
    # "I [adverbs] verb" → "the user [adverbs] verb-s"
    text = re.sub(r"\bI" + adverb_group + r"\s+([A-Za-z]+)\b", _agree_after_subject, text)
    text = re.sub(r"\bI\b", "the user", text)
    # A household's "we" holds of the user too ("We moved to Leeds", "our dog is Rex").
    text = re.sub(r"\b[Ww]e\s+are\b", "the user is", text)
    text = re.sub(r"\b[Ww]e\s+were\b", "the user was", text)
    text = re.sub(r"\b[Ww]e" + adverb_group + r"\s+([A-Za-z]+)\b", _agree_after_subject, text)
    text = re.sub(r"\b[Oo]ur\b", "the user's", text)
    text = re.sub(r"\b[Mm]y\b", "the user's", text)
    text = re.sub(r"\b[Mm]ine\b", "the user's", text)
    text = re.sub(r"\b[Mm]yself\b", "themselves", text)
    text = re.sub(r"\b[Mm]e\b", "the user", text)
    text = re.sub(r"\bthe user's own\b", "the user's own", text)
    return _refer_back(text)


# "The user is in the user's 2nd year": once a sentence has named the user as its subject, what
# is theirs is "their" ("the user" itself stays: it may be the subject of a clause of its own).
_USER_SUBJECT = re.compile(r"^\W*the user\b(?![’']s)", re.IGNORECASE)


def _refer_back(text: str) -> str:
    subject = _USER_SUBJECT.match(text)
    if not subject:
        return text
    return text[: subject.end()] + re.sub(r"\bthe user['’]s\b", "their", text[subject.end():], flags=re.IGNORECASE)


def _chinese_to_third_person(text: str) -> str:
    # A household's "我们" holds of the user too ("我们一家搬到成都了" → "用户一家搬到成都了").
    text = re.sub(r"我们(?:俩|两个)", "用户两人", text)
    text = re.sub(r"我们(?=家|一家|全家)", "用户", text)
    text = text.replace("我们的", "用户的")
    text = re.sub(rf"我们(?=(?:{_ZH_KINSHIP}))", "用户的", text)
    text = text.replace("我们", "用户")
    text = text.replace("我的", "用户的")
    text = re.sub(rf"我(?=(?:{_ZH_KINSHIP}))", "用户的", text)
    return text.replace("我", "用户").replace("自己", "用户自己")


def to_third_person(text: str, language: Language | None = None) -> str:
    """Rewrite the speaker's first-person references as "the user" / "用户"."""
    language = language or detect_language(text)
    if language == "zh":
        return _chinese_to_third_person(text)
    return _english_to_third_person(text)


def zh_without_final_particles(text: str) -> str:
    """"换工作了呢" → "换工作": a stored fact drops the chat's closing particles. A 了 right after a
    one-character word stays: "旺财走了" (died) and "烟戒了" are not "旺财走" (walks) and "烟戒"."""
    while True:
        bare = re.sub(r"(?:啦|呢|吧|哦|喔|呀|啊)+$", "", text)
        if bare.endswith("了") and not _ends_on_one_character_word(bare[:-1]):
            bare = bare[:-1]
        if bare == text:
            return text
        text = bare


def _ends_on_one_character_word(text: str) -> bool:
    """The clause ends on a one-character word that is no noun after 的 ("早十晚七的班")."""
    tokens = zh_tokens(text)
    return len(tokens) >= 1 and len(tokens[-1]) == 1 and has_cjk(tokens[-1]) and tokens[-2:-1] != ["的"]


def finish_sentence(text: str, language: Language | None = None) -> str:
    """Capitalise and punctuate one statement so it reads as a stored memory."""
    language = language or detect_language(text)
    text = re.sub(r"\s+", " ", text).strip()
    if language == "zh":
        text = zh_without_final_particles(text.strip(" ，,。.!！~～"))
        return text + "。" if text else ""
    text = text.strip(" ,;:-–—")
    text = re.sub(r"[.!;,:]+$", "", text).strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text + ("" if text.endswith("?") else ".")


_MODALS = {"can", "could", "will", "would", "should", "may", "might", "must", "shall", "did", "do"}


def _second_person_verb(match: re.Match[str]) -> str:
    verb = match.group(1)
    lower = verb.lower()
    if lower in ("are", "'re"):
        return "the user is"
    if lower == "were":
        return "the user was"
    if lower in _MODALS or lower in ADVERBS:
        return f"the user {verb}"
    return f"the user {third_person_verb(verb)}"


def second_to_third_person(text: str, language: Language | None = None) -> str:
    """An answer to the user in the third person ("You get 15 days" → "The user gets 15 days")."""
    language = language or detect_language(text)
    if language == "zh":
        return re.sub(r"[你您]", "用户", text)
    text = text.replace("’", "'")
    text = re.sub(r"\b[Yy]ou're\b", "the user is", text)
    text = re.sub(r"\b[Yy]our(?:s)?\b", "the user's", text)
    text = re.sub(r"\b[Yy]ou\s+([a-z]+)\b", _second_person_verb, text)
    return re.sub(r"\b[Yy]ou\b", "the user", text)
