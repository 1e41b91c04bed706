"""Who or what a statement is about: "the user", "the user's husband", "the X200 vacuum".

A statement about the user never supersedes a memory about the user's brother, and a fact
about one named product never supersedes the same fact about another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.text.language import Language
from pipeline.text.lexicon import content_terms, jieba_tagger, lemma

_EN_RELATIONS = {
    "husband": "spouse", "wife": "spouse", "spouse": "spouse", "partner": "partner",
    "boyfriend": "partner", "girlfriend": "partner", "fiance": "partner", "fiancé": "partner",
    "fiancee": "partner", "fiancée": "partner", "mother": "mother", "mom": "mother", "mum": "mother",
    "mother-in-law": "mother-in-law", "father-in-law": "father-in-law", "father": "father",
    "dad": "father", "parent": "parent", "parents": "parent", "brother": "brother",
    "sister": "sister", "sibling": "sibling", "son": "son", "daughter": "daughter",
    "child": "child", "children": "child", "kid": "child", "kids": "child", "baby": "child",
    "cousin": "cousin", "aunt": "aunt", "uncle": "uncle", "niece": "niece", "nephew": "nephew",
    "grandmother": "grandmother", "grandma": "grandmother", "grandfather": "grandfather",
    "grandpa": "grandfather", "grandparent": "grandparent", "grandparents": "grandparent",
    "friend": "friend", "roommate": "roommate", "flatmate": "roommate", "neighbour": "neighbour",
    "neighbor": "neighbour", "colleague": "colleague", "coworker": "colleague",
    "co-worker": "colleague", "boss": "boss", "manager": "boss", "employer": "employer",
    "company": "employer", "team": "team", "landlord": "landlord", "doctor": "doctor",
    "dentist": "dentist", "teacher": "teacher", "dog": "dog", "cat": "cat", "pet": "pet",
    "family": "family", "client": "client", "customer": "client", "mentor": "mentor",
    "assistant": "assistant", "lawyer": "lawyer", "student": "student", "students": "student",
    "stepfather": "stepfather", "stepmother": "stepmother", "stepson": "stepson",
    "stepdaughter": "stepdaughter", "brother-in-law": "brother-in-law", "sister-in-law": "sister-in-law",
}
_ZH_RELATIONS = {
    "丈夫": "spouse", "老公": "spouse", "先生": "spouse", "妻子": "spouse", "老婆": "spouse",
    "太太": "spouse", "爱人": "spouse", "男朋友": "partner", "女朋友": "partner", "男友": "partner",
    "女友": "partner", "女儿": "daughter", "儿子": "son", "孩子": "child", "小孩": "child",
    "弟弟": "brother", "哥哥": "brother", "姐姐": "sister", "妹妹": "sister", "妈妈": "mother",
    "母亲": "mother", "爸爸": "father", "父亲": "father", "父母": "parent", "爷爷": "grandfather",
    "奶奶": "grandmother", "外公": "grandfather", "外婆": "grandmother", "姥爷": "grandfather",
    "姥姥": "grandmother", "公公": "father-in-law", "婆婆": "mother-in-law", "岳父": "father-in-law",
    "岳母": "mother-in-law", "朋友": "friend", "同事": "colleague", "老板": "boss", "领导": "boss",
    "上司": "boss", "经理": "boss", "公司": "employer", "团队": "team", "室友": "roommate",
    "邻居": "neighbour", "家人": "family", "宠物": "pet", "狗": "dog", "猫": "cat", "老师": "teacher",
    "同学": "classmate", "客户": "client", "医生": "doctor", "孙子": "grandson", "孙女": "granddaughter",
    "表弟": "cousin", "表哥": "cousin", "表姐": "cousin", "表妹": "cousin", "堂弟": "cousin", "堂哥": "cousin",
    "堂姐": "cousin", "堂妹": "cousin", "侄女": "niece", "侄子": "nephew", "外甥": "nephew", "外甥女": "niece",
    "叔叔": "uncle", "舅舅": "uncle", "伯伯": "uncle", "阿姨": "aunt", "姑姑": "aunt", "舅妈": "aunt",
    "女婿": "son-in-law", "儿媳": "daughter-in-law", "儿媳妇": "daughter-in-law", "闺蜜": "friend",
    "妈": "mother", "娘": "mother", "爸": "father", "媳妇": "spouse", "哥": "brother", "姐": "sister",
    "弟": "brother", "妹": "sister",
}
_ZH_RELATION = re.compile(
    "^的?(?:大|小|二|老|亲)?(" + "|".join(sorted(_ZH_RELATIONS, key=len, reverse=True)) + ")"
)
# Words that end a leading noun phrase: auxiliaries, common verbs, prepositions.
_EN_PHRASE_END = set(
    """is are was were am be been has have had do does did will would can could should must may
    might get gets got need needs take takes use uses went go goes moved lives live works work
    in on at to for with from by of as into near since than that who which
    """.split()
)
_TITLES = {"dr", "mr", "mrs", "ms", "prof", "st"}
_LEADING_ADVERBIAL = re.compile(
    r"^(?:(?:on|in|at|every|since|from|after|before)\s+[^,]{1,30},\s*|(?:now|currently|today),?\s+)", re.I
)
_ZH_PREDICATE = re.compile(r"是|为|在|有|要|会|能|需要|每|的|(?<![A-Za-z0-9])[0-9]")


@dataclass(frozen=True)
class Subject:
    # ("user",), ("user", "spouse"), ("we",) for "we/our", () when not a person we know.
    chain: tuple[str, ...]
    # Names and codes in a non-person subject phrase ("pro" for "The Pro plan").
    identifiers: frozenset[str] = frozenset()


def _en_relation(word: str) -> str | None:
    word = re.sub(r"['’]s$", "", word.lower())
    return _EN_RELATIONS.get(word) or (_EN_RELATIONS.get(word[:-1]) if word.endswith("s") else None)


def _en_possessed(words: list[str], chain: list[str]) -> None:
    """Follow "'s" chains after a possessor: "wife's sister lives" → spouse, sister."""
    for word in words[:4]:
        lower = word.lower()
        if lower in _EN_PHRASE_END or re.fullmatch(r"[\d.,$€£¥]+", lower):
            return
        relation = _en_relation(lower)
        if relation:
            chain.append(relation)
            if not re.search(r"['’]s$", lower):
                return
        elif re.search(r"['’]s$", lower):
            continue
        elif len(chain) > 1:
            return


def _en_identifiers(words: list[str]) -> frozenset[str]:
    found: set[str] = set()
    for index, word in enumerate(words[:6]):
        lower = word.lower()
        bare = re.sub(r"['’]s$|[.,]$", "", word)
        if index > 0 and (lower in _EN_PHRASE_END or re.fullmatch(r"[a-z]+(?:ed)", lower)):
            break
        if index > 0 and lower.endswith("s") and not lower.endswith(("'s", "’s", "ss")) and lower == word:
            break  # a verb in the third person ("costs", "lasts")
        if bare.lower() in _TITLES or lower in ("i", "the", "a", "an"):
            continue
        if re.search(r"\d", bare) and re.search(r"[A-Za-z]", bare):
            found.add(bare.lower())
        elif bare[:1].isupper() and (index > 0 or bare.isupper() and len(bare) > 1):
            found.add(bare.lower())
    return frozenset(found)


def _en_subject(text: str) -> Subject:
    text = _LEADING_ADVERBIAL.sub("", text.strip())
    words = re.findall(r"[A-Za-z0-9][A-Za-z0-9'’\-\.]*", text)
    if not words:
        return Subject(())
    first = words[0].lower()
    second = words[1].lower() if len(words) > 1 else ""
    if first == "the" and second in ("user", "user's", "user’s"):
        chain = ["user"]
        if second != "user":
            _en_possessed(words[2:], chain)
        return Subject(tuple(chain))
    if first in ("i", "my", "me"):
        chain = ["user"]
        if first == "my":
            _en_possessed(words[1:], chain)
        return Subject(tuple(chain))
    if first in ("we", "our", "us") or (first == "there" and re.search(r"\bof\s+us\b", text, re.I)):
        chain = ["we"]
        if first == "our":
            _en_possessed(words[1:], chain)
        return Subject(tuple(chain))
    return Subject((), _en_identifiers(words))


def _zh_subject(text: str) -> Subject:
    text = re.sub(r"^(?:现在|目前|如今|其实|以前|之前)", "", text.strip())
    match = re.match(r"^(?:我们|用户|我)", text)
    if match:
        chain = ["we" if match.group(0) == "我们" else "user"]
        rest = text[match.end() :]
        while True:
            relation = _ZH_RELATION.match(rest)
            if not relation:
                break
            chain.append(_ZH_RELATIONS[relation.group(1)])
            rest = rest[relation.end() :]
        return Subject(tuple(chain))
    head = _ZH_PREDICATE.split(text, maxsplit=1)[0]
    codes = re.findall(r"[A-Za-z][A-Za-z0-9\-]*", head)
    if codes and _opens_with_a_verb(head):
        return Subject(())  # "换了台MacBook Pro": the speaker's statement, the name its object
    return Subject((), frozenset(code.lower() for code in codes))


@lru_cache(maxsize=4096)
def _opens_with_a_verb(text: str) -> bool:
    first = next(iter(jieba_tagger().lcut(text)), None)
    return first is not None and first.flag.startswith("v") and not re.match(r"[A-Za-z]", first.word)


_EN_RELATION_LEMMAS = {lemma(word): relation for word, relation in _EN_RELATIONS.items()}


def relation_of(term: str) -> str | None:
    """"son" → son, "manager" → boss, "儿子" → son: who a word names, if anyone."""
    lower = term.lower()
    return _en_relation(lower) or _ZH_RELATIONS.get(lower) or _EN_RELATION_LEMMAS.get(lower)


_EN_PERSON_ASKED = re.compile(r"\bthe\s+user(?:['’]s\s+([\w\-]+))?", re.IGNORECASE)


def person_asked_about(question: str) -> tuple[str, ...]:
    """Whom a question is about: ("user",) for "Where does the user live?", ("user", "sister") for
    "用户的姐姐住在哪", () when it names no one we know."""
    # Read from where the question names the user, the way a memory's subject is read.
    start = question.find("用户")
    if start >= 0:
        return _zh_subject(question[start:]).chain
    match = _EN_PERSON_ASKED.search(question)
    return _en_subject(question[match.start() :]).chain if match else ()


def same_person(asked: tuple[str, ...], memory: Subject) -> bool:
    """False only when a memory is clearly about someone other than the one asked about."""
    if not asked or not memory.chain:
        return True
    if memory.chain == ("we",):
        return asked == ("user",) or asked[1:] in (("family",), ("team",))
    return memory.chain == asked


def relations_named(text: str, language: Language) -> list[str]:
    """The people a text names by relation, in order ("您女儿在读二年级" → daughter)."""
    return [relation for term in content_terms(text, language) if (relation := relation_of(term))]


@lru_cache(maxsize=4096)
def subject_of(text: str, language: Language) -> Subject:
    return _zh_subject(text) if language == "zh" else _en_subject(text)


def same_subject(statement: Subject, memory: Subject, ignore: tuple[str, ...] = ()) -> bool:
    """False only when the two clearly name different people or things."""
    ignored = {word.lower() for value in ignore for word in re.findall(r"[\w\-]+", value)}
    if statement.chain and memory.chain:
        if statement.chain == ("we",) or memory.chain == ("we",):
            # "we" is the user with their household or team, not their neighbour or sister.
            other = memory.chain if statement.chain == ("we",) else statement.chain
            return other[1:] in ((), ("family",), ("team",), ("employer",))
        return statement.chain[1:] == memory.chain[1:]
    own_ids = statement.identifiers - ignored
    other_ids = memory.identifiers - ignored
    if statement.chain or memory.chain:
        # The user (or a relative) against a named subject ("Tom drives …").
        named = own_ids if not statement.chain else other_ids
        return not named or (statement.chain or memory.chain)[0] == "we"
    if own_ids and other_ids:
        return bool(own_ids & other_ids)
    return True

