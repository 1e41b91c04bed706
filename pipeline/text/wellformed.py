"""The write gate: is a text fit to be stored as a memory?

A memory is a complete statement about its subject: not a fragment ("The second one.", "Jake."),
not chat ("You forgot mochi.", "是8点啦😂"), not a command, and not a correction that keeps the
value it denies ("The user is from York, not Leeds.").
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.text.commands import contains_command
from pipeline.text.fillers import without_emoji, without_leading_interjection
from pipeline.text.language import Language, has_cjk
from pipeline.text.lexicon import jieba_tagger, phrase_alternation
from pipeline.text.normalize import (
    denial_follows_value,
    is_simple_past,
    looks_past,
    opens_with_its_subject,
    tone_words,
    zh_subordinate_endings,
)
from pipeline.text.perspective import speaks_to_someone
from pipeline.text.values import extract_values

_EN_AUXILIARIES = set(
    """am is are was were be been being has have had do does did will would shall should can cannot
    could may might must ought need needs""".split()
)
# Words after which an -s or -ed word is a noun or an adjective, not the verb ("the user's kids").
_EN_NOUN_CONTEXT = set("the a an my his her their its our your this that these those some all no every each".split())
_SHORT_TEXT_WORDS = 5
# The speaker alone; "we" may be a household or a company writing its own knowledge base.
_EN_FIRST_PERSON = set("i me my mine myself i'm i've i'd i'll".split())
_ADDRESS = re.compile(r"\S+@\S+|https?://\S+|\bwww\.\S+")
# Case matters: "IT tickets are filed …" names a department.
_EN_PRONOUN_SUBJECT = re.compile(r"^(?:[Ii]t|[Tt]hat|[Tt]his|[Hh]e|[Ss]he|[Tt]hey|[Hh]im|[Hh]er|[Tt]hem|[Oo]ne|[Yy]ou|[Uu])\b")
# What points at something the conversation named without naming it: "dropped that ages ago",
# "that one's with …", "the last one", "第二条", "最后那个".
_EN_POINTING = re.compile(
    r"(?i)\b(?:that|this)\s+one\b|\bthe\s+one\s+(?:on|at|near|by|from|with)\b|"
    r"\bthe\s+(?:first|second|third|fourth|last|other|former|latter)\s+"
    r"(?:one|part|option|item|choice|bit|half)\b|\b(?:that|this|it|(?<!number\s)one)\s*(?:[.!]?\s*$|\s+(?:ages|years|months|weeks|"
    r"days|last|yesterday|ago|since|anymore|any\s+more|too|either|already|a\s+while|at\s+all)\b)"
)
_ZH_POINTING = re.compile(
    r"第[一二三四五六七八九十两\d]+(?:条|个|家|项|点|位|款|种|部分|件|样)|(?:最后|前面|后面)(?:那|一)?(?:个|家|条|项|位|款|种)|"
    r"前者|后者|(?:那|这)(?:个|家|条|位|款|种)?(?:[早已还又也都就]|不|没|是|$)"
)
# "从那辞职了": a place only pointed at.
# "The user moved here.", "… works there now": a place named only by pointing at it.
_EN_PLACE_POINTING = re.compile(
    r"(?i)(?<=\w)\s+(?:here|there)(?:\s+(?:now|too|already|(?:\w+\s+){0,2}(?:ago|last\s+\w+|yesterday)))?$"
)
_ZH_PLACE_POINTING = re.compile(r"(?:从|在|去|到)(?:那|这)(?:里|儿|边)?(?![个家条位款种所间些样么])")
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
_LAUGHTER = re.compile(r"(?:[哈呵嘿嘻]{2,}|\b(?:ha){2,}h?\b|\bhe(?:he)+\b|\bxd\b)", re.IGNORECASE)
_ZH_TAIL_PARTICLE = re.compile(r"[啦嘛呢哈呀哇哦吧噢咯喔](?=[。！!？?，,～~\s]|$)")
_ZH_BAD_OPENING = re.compile(
    r"^(?:他们|她们|它们|他|她|它|是|不是|就是|对|对的|那个|这个|那家|这家|另一|另外一|第[一二三四五六七八九十两\d]+个|你|您|嗯|哦|啊)"
)
_ZH_DENIAL_KEPT = re.compile(r"[，,]\s*(?:而)?(?:不是|并非|而非)|(?:是|叫|为|在|住|用(?!户)|喝|吃|有)[^，,。不]{1,15}(?:而)?不是|而不是|而非")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_HYPERBOLE_FILE = Path(__file__).parent / "data" / "zh_hyperbole.txt"
_CONFIRMATIONS_FILE = Path(__file__).parent / "data" / "confirmations.toml"
# A classifier or a bare number opens no statement: "个好消息", "用户178".
_ZH_CLASSIFIER_OPENING = re.compile(r"^(?:个|只|件)(?![\u4e00-\u9fff]?的)")
_ZH_BARE_NUMBER = re.compile(r"^(?:用户|他|她)?(?:的)?[\d.]+$")
# A noun phrase that ends in "…的 + noun" and has no predicate: "宇宙的宇".
_ZH_MODIFIED_NOUN = re.compile(r"^[^，,]{1,10}的[\u4e00-\u9fff]{1,3}$")
_PREDICATE_TAGS = ("v", "a", "i", "l", "d", "p", "m", "t")


@lru_cache(maxsize=1)
def _confirmation_words() -> dict[str, Any]:
    return tomllib.loads(_CONFIRMATIONS_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _confirmations() -> dict[str, re.Pattern[str]]:
    data = _confirmation_words()
    en, zh = data["en"], data["zh"]
    return {
        "en": re.compile(
            rf"^(?:[\w'’\-]+\s+){{1,5}}(?:is|are|was|were)\s+(?:(?:{phrase_alternation(en['modifiers'])})\s+)*"
            rf"(?:{phrase_alternation(en['predicates'])})\W*$",
            re.IGNORECASE,
        ),
        "zh": re.compile(
            rf"(?:{phrase_alternation(zh['modifiers'])})*(?:{phrase_alternation(zh['predicates'])})[。！!]*$"
        ),
    }


@lru_cache(maxsize=1)
def _record_place() -> re.Pattern[str]:
    """Where a Chinese verdict's subject is stored ("知识库里"), at its start."""
    return re.compile(rf"^(?:{phrase_alternation(_confirmation_words()['zh']['record_places'])})")


@lru_cache(maxsize=1)
def _pointers() -> dict[str, re.Pattern[str]]:
    """Subjects that only point at what was said, compiled once per language."""
    data = _confirmation_words()
    return {
        "en": re.compile(rf"(?:{phrase_alternation(data['en']['pointers'])})", re.IGNORECASE),
        "zh": re.compile(rf"(?:{phrase_alternation(data['zh']['pointers'])})"),
    }


def names_nothing_judged(text: str) -> bool:
    """A confirmation whose subject only points at what was said ("that is not right", "你说的不对",
    "完全不对"), not at something stored ("the floor is right", "门牌号错了")."""
    if not is_confirmation(text):
        return False
    if has_cjk(text):
        subject = _confirmations()["zh"].sub("", text.strip())
        return not _pointers()["zh"].sub("", subject).strip("，,。 ")
    verb = re.search(r"\s(?:is|are|was|were)\s", text, re.IGNORECASE)
    subject = text[: verb.start()] if verb else text
    return bool(_pointers()["en"].fullmatch(subject.strip()))


def is_confirmation(text: str) -> bool:
    """Does the text only judge something stored correct or wrong ("Floor is right.", "楼层倒是没错。",
    "门牌号错。")?"""
    language = "zh" if has_cjk(text) else "en"
    body = text.strip()
    if language == "zh" and not _record_place().match(body) and len(_CJK.findall(_confirmations()["zh"].sub("", body))) > 6:
        # A longer clause states something of its own before the judgement, unless it opens by
        # saying where the judged thing is stored.
        return False
    return bool(_confirmations()[language].search(body))


@lru_cache(maxsize=1)
def _zh_hyperbole() -> re.Pattern[str]:
    lines = [line for line in _HYPERBOLE_FILE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    words = sorted({word for line in lines for word in line.split()}, key=len, reverse=True)
    return re.compile(rf"(?:{'|'.join(map(re.escape, words))})(?:死|坏|疯|炸)(?:了|啦)?$")


def _zh_noun_phrase(body: str) -> bool:
    """A bare noun phrase, with no verb, adjective, adverb or number to predicate anything."""
    if not _ZH_MODIFIED_NOUN.match(body) or re.search(r"\d", body):
        return False
    tags = [pair.flag for pair in jieba_tagger().lcut(body) if pair.flag != "x"]
    return bool(tags) and not any(tag.startswith(_PREDICATE_TAGS) for tag in tags)


def _en_defect(text: str) -> str | None:
    words = _EN_WORD.findall(_ADDRESS.sub("address", text))
    lowered = [w.lower().replace("’", "'") for w in words]
    if any(w in tone_words() for w in lowered) or _LAUGHTER.search(text):
        return "chat noise"
    if len(words) < 3:
        return "a fragment, not a statement"
    if any(w in _EN_FIRST_PERSON for w in lowered):
        return "written in the first person"
    if _EN_PRONOUN_SUBJECT.match(without_leading_interjection(text.strip())):
        return "its subject is a pronoun with nothing to refer to"
    if speaks_to_someone(text):  # a memory speaks of the user in the third person
        return "it speaks to someone, not of the user"
    after_subject = re.match(r"(?i)^the user\s+(\S+)", text.strip())
    if after_subject and re.match(r"(?i)^(?:\d|a$|an$|the$|this$|some$|of$|for$)", after_subject.group(1)):
        return "no verb follows its subject"
    first = lowered[0]
    if (first in _EN_AUXILIARIES or looks_past(first)) and not opens_with_its_subject(text):
        return "it has no subject"
    # Without a tagger a verb is guessed from its form, which misses plural subjects with a bare
    # verb ("the kids attend …"): only short texts are judged by it.
    if len(words) <= _SHORT_TEXT_WORDS and not _has_en_verb(lowered):
        return "a fragment with no verb"
    if denial_follows_value(text):
        return "it keeps the value it denies"
    if _EN_POINTING.search(text.strip().rstrip(".")) or _EN_PLACE_POINTING.search(text.strip().rstrip(".")):
        return "it points at something it does not name"
    return None


def _has_en_verb(words: list[str]) -> bool:
    for index, word in enumerate(words):
        if word in _EN_AUXILIARIES or is_simple_past(word):
            return True
        if index == 0 or "'" in word:
            continue
        previous = words[index - 1]
        if previous in _EN_NOUN_CONTEXT or previous.endswith("'s"):
            continue
        if re.search(r"[a-z]{2}(?:s|ed)$", word) and not word.endswith(("ss", "us", "is")):
            return True
    return False


def _only_values(body: str) -> bool:
    """Whether values (dates, times, amounts) make up the whole text, end to end."""
    position = 0
    for value in sorted(extract_values(body), key=lambda v: v.start):
        if value.start != position:
            return False
        position = value.end
    return position == len(body) > 0


def _zh_defect(text: str) -> str | None:
    body = text.strip().rstrip("。.!！")
    if _LAUGHTER.search(body) or _ZH_TAIL_PARTICLE.search(body):
        return "chat noise"
    if len(_CJK.findall(body)) < 4 or _ZH_BARE_NUMBER.match(body) or _ZH_CLASSIFIER_OPENING.match(body):
        return "a fragment, not a statement"
    if _only_values(body):
        return "a fragment, not a statement"  # "十月五号": a date with nothing said of it
    if _zh_hyperbole().search(body):
        return "chat noise"
    if re.search(r"我(?!们)", body):
        return "written in the first person"
    if speaks_to_someone(body):
        return "it speaks to someone, not of the user"
    if _ZH_POINTING.search(body):
        return "it points at something it does not name"
    if _ZH_BAD_OPENING.match(body):
        return "it has no subject"
    if _ZH_PLACE_POINTING.search(body):
        return "it points at something it does not name"
    if _ZH_DENIAL_KEPT.search(body):
        return "it keeps the value it denies"
    if _zh_noun_phrase(body):
        return "a fragment, not a statement"
    return None


@lru_cache(maxsize=1)
def _zh_subordinate_ending() -> re.Pattern[str]:
    return re.compile(rf"(?:{phrase_alternation(zh_subordinate_endings())})$")


def _only_a_dependent_clause(text: str) -> bool:
    """"体检查出脂肪肝之后。": a Chinese clause that leans on a main clause it does not have."""
    body = text.strip().rstrip("。.!！")
    return not re.search(r"[，,;；]", body) and bool(_zh_subordinate_ending().search(body))


@lru_cache(maxsize=4096)
def memory_defect(text: str, language: Language | None = None) -> str | None:
    """Why `text` must not be written as a memory, or None when it may."""
    if not text or not text.strip():
        return "empty"
    if without_emoji(text) != text:
        return "chat noise"
    if contains_command(text):
        return "a command, not a fact"
    if is_confirmation(text):
        return "judges what is stored, states no fact"
    verdict, _, rest = re.split(r"([，,])", text, maxsplit=1) if re.search(r"[，,]", text) else (text, "", "")
    if rest.strip() and is_confirmation(verdict) and (defect := memory_defect(rest, language)):
        return defect  # "不对，是另一家。": after the verdict, what is left must be a memory of its own
    from pipeline.text.references import ends_pointing  # it reads confirmations from this module

    chinese = language == "zh" or (language is None and has_cjk(text))
    defect = _zh_defect(text) if chinese else _en_defect(text)
    if defect is None and chinese and _only_a_dependent_clause(text):
        return "a dependent clause with no main clause"
    if defect is None and ends_pointing(text, "zh" if chinese else "en"):
        return "points at an option without naming it"
    return defect


def defect_of_change(after: str, before: str | None) -> str | None:
    """Why a change's new text must not be written, unless the stored text it replaces has the same
    defect already (a term replaced in a note kept in the first person): that defect is the note's."""
    defect = memory_defect(after)
    if defect is None and before and not has_cjk(after) and _doubled_at_the_seam(after, before):
        return "a word repeated where the new value meets the old text"
    return None if defect and before and memory_defect(before) == defect else defect


# One or two words said twice in a row: "September 9 9", "in the in the evenings".
_DOUBLED = re.compile(r"\b(\w+(?:\s+\w+)?)[\s.,]+(\1)\b", re.IGNORECASE)


def _doubled_at_the_seam(after: str, before: str) -> bool:
    """A value substituted beside the words it repeats ("Oakridge Elementary Elementary" for
    "Maple Elementary"). A name said twice on purpose ("Bora Bora") is not the old text's word
    doubled: a capitalised pair counts only when the old text held the word and did not double it."""
    for match in _DOUBLED.finditer(after):
        first, second = match.group(1), match.group(2)
        if _DOUBLED.search(before) and any(m.group(1).casefold() == first.casefold() for m in _DOUBLED.finditer(before)):
            continue
        if first != second or not first[:1].isupper():
            return True
        if re.search(rf"\b{re.escape(first)}\b", before):
            return True
    return False
