"""Informal feedback in one canonical form, before any other rule reads it.

Chat spellings ("u", "bday", "木有") become words, tone words ("lol", "tbh") go, full-width
letters and digits become ASCII, a lower-case "i" becomes "I", a denial run into the value it
follows gets its comma ("from York not Leeds" → "from York, not Leeds"), a label that opens the
message is dropped ("two fixes: …"), and a sentence that opens with a past-tense verb gets back
the first-person subject chat leaves out ("got married" → "I got married").
"""

from __future__ import annotations

import calendar
import re
import tomllib
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.text.language import has_cjk
from pipeline.text.lexicon import EN_STOPWORDS, base_form, phrase_alternation
from pipeline.text.numbers import EN_NUMBER_WORD_PATTERN, en_compound_numbers, zh_numeral
from pipeline.text.sentences import break_at_emoji

_DATA = Path(__file__).parent / "data"


def _read_table(name: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for line in (_DATA / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, _, meaning = line.partition("\t")
        table[word.strip()] = meaning.strip()
    return table


@lru_cache(maxsize=1)
def _en_informal() -> tuple[dict[str, str], re.Pattern[str]]:
    table = _read_table("informal_en.tsv")
    words = sorted(table, key=len, reverse=True)
    # Single letters only in lower case: "u" is "you", "U" may be an initial.
    pattern = re.compile(
        r"(?<![\w'@./-])(?:" + "|".join(re.escape(w) if len(w) == 1 else f"(?i:{re.escape(w)})" for w in words)
        + r")(?![\w'@-])"
    )
    return table, pattern


@lru_cache(maxsize=1)
def _zh_informal() -> tuple[dict[str, str], re.Pattern[str]]:
    table = _read_table("informal_zh.tsv")
    return table, re.compile("|".join(re.escape(w) for w in sorted(table, key=len, reverse=True)))


@lru_cache(maxsize=1)
def irregular_past_forms() -> frozenset[str]:
    words = []
    for line in (_DATA / "en_irregular_past.txt").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            words.extend(line.split())
    return frozenset(words)


@lru_cache(maxsize=4096)
def is_simple_past(word: str) -> bool:
    """"hung", "underwent", "graduated": the simple past of a verb, by the lemminflect lexicon. A
    form the same as its verb's base ("put", "set") counts only when listed (data/en_irregular_past.txt):
    at the start of a message such words are mostly commands ("set my alarm …")."""
    from lemminflect import getAllLemmas, getInflection  # its lexicon loads on first use

    lower = word.lower()
    if lower in irregular_past_forms():
        return True
    lemmas = getAllLemmas(lower)
    if "AUX" in lemmas:
        return False  # "could", "would": modals, never a past told of oneself
    return any(lemma != lower and lower in getInflection(lemma, tag="VBD") for lemma in lemmas.get("VERB", ()))


@lru_cache(maxsize=4096)
def looks_past(word: str) -> bool:
    """A simple past, or an "-ed" word the lexicon does not know ("facetimed"); not an adjective
    the lexicon knows only as one ("unused", "talented")."""
    from lemminflect import getAllLemmas

    lower = word.lower()
    return is_simple_past(lower) or (lower.endswith("ed") and len(lower) > 4 and not getAllLemmas(lower))


@lru_cache(maxsize=4096)
def is_finite_verb(word: str) -> bool:
    """"is", "take", "moved", "has": a form a verb takes after its subject, by the same lexicon."""
    from lemminflect import getAllLemmas, getInflection

    lower = word.lower()
    lemmas = getAllLemmas(lower)
    if "AUX" in lemmas:
        return True
    return any(lower in getInflection(lemma, tag=tag) for lemma in lemmas.get("VERB", ()) for tag in ("VBD", "VBZ", "VBP"))


@lru_cache(maxsize=4096)
def is_countable_noun(word: str) -> bool:
    """"cat", "kids", "bedroom": a word the lemminflect lexicon knows as a noun and not as an adverb
    ("more"), and no function word ("I", "it")."""
    from lemminflect import getAllLemmas

    lower = word.lower()
    lemmas = getAllLemmas(lower)
    return "NOUN" in lemmas and "ADV" not in lemmas and lower not in EN_STOPWORDS


def noun_for_count(word: str, singular: bool) -> str | None:
    """"cat" → "cats" for a count other than one, "kids" → "kid" for one; None for no counted noun."""
    from lemminflect import getInflection, getLemma

    if not is_countable_noun(word):
        return None
    lemma = (getLemma(word, upos="NOUN") or (word,))[0]
    forms = getInflection(lemma, tag="NN" if singular else "NNS")
    return forms[0] if forms else None


@lru_cache(maxsize=4096)
def can_be_adjective(word: str) -> bool:
    """"expensive", "early", "far": a word the same lexicon knows as an adjective."""
    from lemminflect import getAllLemmas

    return "ADJ" in getAllLemmas(word.lower())


@lru_cache(maxsize=4096)
def is_past_participle(word: str) -> bool:
    """"quit", "been", "gone": the past participle of a verb, by the same lexicon."""
    from lemminflect import getAllLemmas, getInflection

    lower = word.lower()
    return any(lower in getInflection(lemma, tag="VBN") for lemma in getAllLemmas(lower, upos="VERB").get("VERB", ()))


def spellings_of(meaning: str) -> frozenset[str]:
    """The chat spellings of one word ("pls", "plz" for "please")."""
    table, _ = _en_informal()
    return frozenset(re.escape(word) for word, said in table.items() if said == meaning)


def tone_words() -> frozenset[str]:
    """Chat words that carry tone only ("lol", "tbh"): dropped wherever they stand."""
    table, _ = _en_informal()
    return frozenset(re.escape(word) for word, meaning in table.items() if not meaning)


# Full-width Latin letters, digits and ASCII punctuation (Ａ, １, ！) typed by a CJK keyboard;
# the CJK sentence marks (，。) stay, the rules read them as they are.
# "1) … 2) …", "1）…2）…": the items of a numbered list are statements of their own.
_LIST_MARK = re.compile(r"(?:^|(?<=[\s，,。；;!！]))\(?\d{1,2}\s*[)）.、](?!\d)\s*")
# A number that ends a Chinese clause ends it too: "我爸65 我妈62".
_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff])((?<![A-Za-z])\d+(?:\.\d+)?)?\s+(?=[\u4e00-\u9fff])")
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
_KEEP_FULL_WIDTH = set("，！？；：（）～")


def _half_width(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _KEEP_FULL_WIDTH:
        return char
    return " " if char == "\u3000" else unicodedata.normalize("NFKC", char)


# Words before which "not" negates a verb ("do not like"), not a value ("York not Leeds").
_NEGATED_HEAD = set(
    """am is are was were be been being do does did have has had will would shall should can could
    may might must ought need dare used i you he she it we they and or but if whether why that which
    who what when where how so just really still also do-not please maybe probably definitely almost
    certainly actually surely and/or""".split()
)
_RUN_ON_DENIAL = re.compile(r"(?<=[\w%)])(?P<gap>\s+)not\s+(?=(?:the\s+|a\s+|an\s+|on\s+|at\s+|in\s+)?[\w$€£¥])",
                            re.IGNORECASE)
# "two fixes:", "quick update -": a few words with no verb, then a colon or dash, open the message.
_EN_ADVERB_OPENING = r"(?:(?:just|finally|recently|already|actually|also|[a-z]{3,}ly)\s+)*"
# Adverbs of habit open a self-report, never an instruction: "mostly just swim now", "still watch it".
_EN_HABIT = r"(?:mostly|usually|still|always|never|often|sometimes|rarely|normally|barely|hardly\s+ever)"
_FIRST_PERSON_OPENING = re.compile(
    rf"^(?P<adverbs>{_EN_ADVERB_OPENING}(?:{_EN_HABIT}\s+(?:just\s+)?)?)(?P<verb>[a-z]+)\b(?=\s+\S)(?!\s+(?:it|that|this|you|them)\W*$)", re.IGNORECASE
)
_ADVERB_AND_PAST = re.compile(rf"^(?=[a-z]+ly\s|just\s)(?:{_EN_ADVERB_OPENING})(?P<verb>[a-z]+)(?=\W*$)", re.IGNORECASE)
# Clause-level first words that already are a subject or not a verb at all.
_NOT_A_VERB = set("i we you he she it they my our the a an this that there here what who".split())


# What follows a gerund used as a verb ("taking the train", "working at a bank"), not a noun ("meeting room").
_VERB_PHRASE_AFTER = re.compile(r"\s+(?:the|a|an|my|our|some|at|in|on|to|from|for|with|out|up|off|home|more|less|it|them)\b", re.IGNORECASE)
_NO_MORE = re.compile(r"^(?:no\s+more|no\s+longer)\s+(?P<gerund>[a-z]+ing)\b", re.IGNORECASE)


def _restore_subject(sentence: str, opens_sentence: bool = True) -> str:
    """"got married last month" → "I got married last month"; "moved to Leeds" → "I moved to Leeds";
    "no more renting" → "I do not rent anymore"; "haven't smoked since May" → "I haven't smoked since May"
    (an auxiliary only where a sentence opens: after a comma the clause often leans on the one
    before, "quit in May, haven't had one since")."""
    auxiliary = _dropped_subject_opening().match(sentence) if opens_sentence else None
    if auxiliary and not sentence.rstrip().endswith("?"):
        have = "have " if auxiliary.group(1).lower().replace("’", "'") in _clause_grammar()["en"]["dropped_subject"]["without_have"] else ""
        return f"I {have}{sentence[0].lower()}{sentence[1:]}"
    ended = _NO_MORE.match(sentence)
    if ended and (verb := base_form(ended.group("gerund"))):
        return f"I do not {verb} anymore{sentence[ended.end():]}"
    alone = _ADVERB_AND_PAST.match(sentence)
    if alone and is_simple_past(alone.group("verb")):
        return f"I {sentence[0].lower()}{sentence[1:]}"  # "finally graduated!!": nothing after the verb
    match = _FIRST_PERSON_OPENING.match(sentence)
    if not match or _subject_word_before().match(sentence, match.end("verb")):
        return sentence
    verb = match.group("verb")
    lower = verb.lower()
    if lower in _NOT_A_VERB:
        return sentence
    if re.match(rf"{_EN_HABIT}\s", match.group("adverbs"), re.IGNORECASE):
        # "mostly listening to techno these days": what the speaker does now, said as a progressive.
        progressive = "am " if base_form(lower) and _VERB_PHRASE_AFTER.match(sentence[match.end("verb"):]) else ""
        return f"I {progressive}{sentence[0].lower()}{sentence[1:]}"
    past = looks_past(lower)
    if not past and base_form(lower) and not match.group("adverbs") and _VERB_PHRASE_AFTER.match(sentence[match.end("verb"):]):
        # "taking the train to work now": what the speaker is doing.
        return f"I am {lower}{sentence[match.end('verb'):]}"
    if not past:
        return sentence
    adverbs = match.group("adverbs")
    return f"I {adverbs[:1].lower()}{adverbs[1:]}{lower}{sentence[match.end('verb'):]}"  # "Finally retired" → "I finally retired"


# A dash or a colon between two stretches of chat ends a sentence, like a full stop.
_SENTENCE_BREAK = r"[.!?;]\s+|\s*[—–]\s*|\s+-{1,2}\s+|:\s+"
_CLAUSE = re.compile(rf"(^|{_SENTENCE_BREAK}|,\s+(?:and\s+)?|\band\s+)((?:(?!\s+-{{1,2}}\s|:\s)[^.!?;,—–])+)")
_SPEAKER = re.compile(r"\b(?:I|my|me)\b")
# "not a fan of jazz anymore, mostly listening to techno": a denial with no subject is the speaker's too.
_SUBJECTLESS_DENIAL = re.compile(r"(?:not|no\s+longer|never)\s", re.IGNORECASE)


def _restore_subjects(text: str) -> str:
    """Each sentence, and each clause that follows one about the speaker or a short reply
    ("you are right, moved to leeds"), may have dropped its subject; a clause after one about
    something else continues that subject ("this app is slow, took a minute to load")."""
    pieces: list[str] = []
    previous, end = "", 0
    for match in _CLAUSE.finditer(text):
        opening, clause = match.group(1), match.group(2)
        new_sentence = not previous or bool(re.fullmatch(_SENTENCE_BREAK, opening))
        if new_sentence or _SPEAKER.search(previous) or _SUBJECTLESS_DENIAL.match(previous) or len(previous.split()) <= 3:
            clause = _restore_subject(clause, new_sentence)
        pieces.append(text[end:match.start()] + opening + clause)
        previous, end = clause, match.end()
    return "".join(pieces) + text[end:]


_CLAUSE_START = r"(?:(?<=^)|(?<=[.!?;,]\s))"
_CLAUSE_REST = r"(?P<rest>(?:['’]m|['’]re|\s+am|\s+are)?(?:\s+[\w'’]+)*?)"
# "it's shellfish I'm allergic to": the value fronted for contrast; the statement puts it back.
_EN_CLEFT = re.compile(
    _CLAUSE_START + r"(?:it['’]s|it\s+is|it\s+was)\s+(?!(?:not|been|so|too|very|just|really|also|only|what|like)\b)"
    r"(?P<what>[\w'’\-]+(?:\s+[\w'’\-]+){0,3}?)\s+(?:that\s+|which\s+)?(?P<who>I|we)\b" + _CLAUSE_REST +
    r"\s+(?P<preposition>to|from|of|with|about|for|on|in|at|into|by|after)(?=\s*(?:[,.;!?]|$))",
    re.IGNORECASE,
)
# "the sauce is what I'm allergic to", "almonds are exactly what I can't eat".
_EN_PSEUDO_CLEFT = re.compile(
    _CLAUSE_START + r"(?P<what>(?!(?:that|this|it|which|there)\b)[\w'’\-]+(?:\s+[\w'’\-]+){0,4}?)\s+(?:is|are|was|were)\s+"
    r"(?:exactly\s+|actually\s+|really\s+|just\s+)?what\s+(?P<who>I|we)\b" + _CLAUSE_REST + r"(?P<preposition>)(?=\s*(?:[,.;!?]|$))",
    re.IGNORECASE,
)


def _unfold_cleft(match: re.Match[str]) -> str:
    who = "I" if match.group("who").lower() == "i" else match.group("who")
    preposition = f" {match.group('preposition')}" if match.group("preposition") else ""
    return f"{who}{match.group('rest')}{preposition} {match.group('what')}"


def _unfold_clefts(text: str) -> str:
    """Clefts ("it's X I'm allergic to", "X is what I avoid") said as plain statements ("I'm allergic to X")."""
    return _EN_PSEUDO_CLEFT.sub(_unfold_cleft, _EN_CLEFT.sub(_unfold_cleft, text))


def _denies_a_value(text: str, match: re.Match[str]) -> bool:
    before = text[: match.start()].split()
    previous = before[-1].lower().strip(",;:") if before else ""
    return bool(previous) and previous not in _NEGATED_HEAD and "'" not in previous and not previous.endswith("n't")


def _insert_denial_comma(text: str) -> str:
    return _RUN_ON_DENIAL.sub(lambda m: ", not " if _denies_a_value(text, m) else m.group(0), text)


_DENIAL_AFTER_VALUE = re.compile(r",?\s+not\s+(?=(?:the\s+|a\s+|an\s+|on\s+|at\s+|in\s+)?[\w$€£¥])", re.IGNORECASE)


def denial_follows_value(text: str) -> bool:
    """"… York, not Leeds": a value asserted, then the one it replaces denied in the same sentence."""
    return any(_denies_a_value(text, match) for match in _DENIAL_AFTER_VALUE.finditer(text))


# "doesnt", "didnt", "isnt": the apostrophe chat leaves out ("cant" and "wont" are words of their own).
_BARE_NOT = re.compile(r"(?i)\b(do|does|did|is|are|was|were|has|have|had|could|would|should|must|need|ain|ca|wo)nt\b(?<!\bcant)(?<!\bwont)")


# Number words typed in capitals for emphasis ("i have TWO cats") are numbers, not names.
_SHOUTED_NUMBER = re.compile(rf"\b(?:{EN_NUMBER_WORD_PATTERN})\b", re.IGNORECASE)


# "its Patel not Patil", "its an Accord": at the start of a clause and before a name, a number, an
# article or a denial, "its" is "it's" typed without the apostrophe.
# So it is before a name typed in lower case when the clause ends after it or goes on with a
# denial ("its bosch, same job", "its tree nuts not peanuts"): a possessive "its" has a verb after
# its noun ("its battery lasts 10 hours").
_CLAUSE_ITS = re.compile(
    r"(^|[,.;:!?]\s+|\b(?:and|but|so|no|nah|nope|ugh|lol)\s+)([Ii]t)s\b"
    r"(?=\s+(?:not\b|never\b|actually\b|really\b|just\b|only\b|a\b|an\b|the\b|[A-Z0-9$£€¥'‘])"
    r"|\s+[\w.'’-]+(?:\s+[\w.'’-]+){0,2}?\s*(?:[,;:!?]|\.(?:\s|$)|$|\s+(?:not|now|tho|though|btw|lol|for\s+me)\b))"
)


# "laptop's a ThinkPad", "my mom's in Leeds now": a noun opening a clause, then "'s" before an
# article, a preposition or an adverb, is the noun and "is" (a possessive is followed by its noun).
_CLAUSE_NOUN_IS = re.compile(
    r"(^|[,.;:!?]\s+|\b(?:and|but|so|also|plus|fyi)\s+)((?:(?:my|our|the|his|her|their)\s+)?(?!it\b)[A-Za-z]+)['’]s"
    r"(?=\s+(?:a|an|the|not|now|actually|really|still|on|at|in|from|called|named)\b)"
)


_WEEKDAYS = {name[:3].lower(): name for name in calendar.day_name}
_DAY_ABBREVIATION = re.compile(rf"(?i)(?<![\w'])(?:{'|'.join(_WEEKDAYS)})(?![\w'])")
_DAY_BEFORE = re.compile(r"(?i)(?:\b(?:on|to|till|until|every|next|this|by|from|not|and|or)\s+|/)$")
_DAY_AFTER = re.compile(
    rf"(?i)^(?:/|\s?\d{{1,2}}(?::\d\d)?\s?(?:am|pm)\b|\s*(?:,|&|-|\band\b|\bor\b|\bto\b)\s*(?:{'|'.join(_WEEKDAYS)}|{'|'.join(calendar.day_name)})\b)"
)


def _weekday_abbreviations(text: str) -> str:
    """"tue 10am", "on wed", "mon/wed/fri", "not sat" → the day's name: a three-letter day only where
    a day is meant ("wed" alone may be the verb, "sun" the star)."""

    def day(match: re.Match[str]) -> str:
        before, after = text[: match.start()], text[match.end():]
        meant = _DAY_BEFORE.search(before) or _DAY_AFTER.match(after)
        return _WEEKDAYS[match.group(0).lower()] if meant else match.group(0)

    return _DAY_ABBREVIATION.sub(day, text)


def _expand_informal_en(text: str) -> str:
    table, pattern = _en_informal()
    text = _SHOUTED_NUMBER.sub(lambda m: m.group(0).lower() if m.group(0).isupper() and len(m.group(0)) > 1 else m.group(0), text)

    def meaning(match: re.Match[str]) -> str:
        word = match.group(0)
        return table.get(word, table.get(word.lower(), word))

    text = en_compound_numbers(pattern.sub(meaning, text))
    text = _weekday_abbreviations(text)
    text = _BARE_NOT.sub(lambda m: m.group(1) + "n't", text)
    text = _CLAUSE_ITS.sub(lambda m: f"{m.group(1)}{m.group(2)}'s", text)
    text = _CLAUSE_NOUN_IS.sub(lambda m: f"{m.group(1)}{m.group(2)} is", text)
    text = re.sub(r"(?<![\w.@'])i(?=\s|'|$)", "I", text)
    return re.sub(r"[ \t]{2,}", " ", text)


# ", and we moved to Leeds", "，另外女儿今年7岁了": a second independent statement, its own sentence.
_EN_COORDINATED = re.compile(r"[,;]\s+(?:and\s+|also\s+|plus\s+)+(?P<subject>I|we|my|our|he|she|they|his|her|their)\b", re.IGNORECASE)
_ZH_COORDINATED = re.compile(r"[，,；;]\s*(?=(?:另外|还有|而且|以及|再就是|然后)[，,]?)")


def _split_coordinated(text: str) -> str:
    text = _ZH_COORDINATED.sub("。", text)
    text = _EN_COORDINATED.sub(lambda m: ". " + m.group("subject")[0].upper() + m.group("subject")[1:], text)
    if has_cjk(text):
        return text
    return " ".join(". ".join(piece[0].upper() + piece[1:] if position else piece
                              for position, piece in enumerate(_coordinated_clauses(sentence)))
                    for sentence in re.split(r"(?<=[.!?])\s+", text))


@lru_cache(maxsize=1)
def _clause_grammar() -> dict[str, Any]:
    return tomllib.loads((_DATA / "clauses.toml").read_text(encoding="utf-8"))


def object_prepositions() -> list[str]:
    """The prepositions after which a phrase's object follows ("allergic to peanuts")."""
    return _clause_grammar()["en"]["object_after"]


def zh_subordinate_endings() -> list[str]:
    """What ends a Chinese clause that leans on a main clause ("…之后")."""
    return _clause_grammar()["zh"]["subordinate_endings"]


def coordinated_parts(text: str) -> list[str]:
    """An English text cut at each coordinator ("quit in May and haven't had one since"), whatever
    opens the right side; the text whole when it has none."""
    words = "|".join(map(re.escape, _clause_grammar()["en"]["coordinators"]))
    return [part for part in re.split(rf"(?i)\s*,?\s+(?:{words})\s+", text) if part.strip()]


def opens_with_its_subject(text: str) -> bool:
    """Whether the text's first word is its subject by what follows it ("rent is $1,850", "rent's
    due"), whatever else that word could be ("rent", the past of "rend")."""
    first = re.match(r"\s*[\w\-]+", text)
    return bool(first and _subject_word_before().match(text, first.end()))


@lru_cache(maxsize=1)
def _subject_word_before() -> re.Pattern[str]:
    """What follows a clause's first word when that word is its subject."""
    words = _clause_grammar()["en"]["dropped_subject"]["subject_before"]
    return re.compile(rf"\s*(?:{'|'.join(map(re.escape, words))})\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _dropped_subject_opening() -> re.Pattern[str]:
    """A clause opening with a first-person auxiliary, and more after it."""
    grammar = _clause_grammar()["en"]["dropped_subject"]
    words = [w.replace("'", "['’]?") for w in sorted(grammar["auxiliaries"] + grammar["without_have"], key=len, reverse=True)]
    return re.compile(rf"^({'|'.join(words)})(?=\s+[\w$])(?!\s+(?:{'|'.join(grammar['not_before'])})\b)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _naming() -> dict[str, tuple[re.Pattern[str], re.Pattern[str]]]:
    data = _clause_grammar()
    return {
        "en": (re.compile(rf"(?P<joint>\s*[,;.]\s*|\s+and\s+)(?:{'|'.join(data['en']['naming'])})\s+"
                          r"(?P<name>[A-Za-z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*)?)\s*(?=[,;.!?]|$)", re.IGNORECASE),
               re.compile(rf"\b(?:{phrase_alternation(data['en']['introduced_by'])})\s+(?P<words>[A-Za-z\-]+(?:\s+[A-Za-z\-]+){{0,3}})",
                          re.IGNORECASE)),
        "zh": (re.compile(rf"^(?:{'|'.join(data['zh']['naming'])})(?P<name>[^，,。；;！!？?\s]{{1,8}}?)[了啦呀哦哈]*$"),
               re.compile(data["zh"]["introduced"])),
    }


_EN_DENIED_CLAUSE = re.compile(
    r"(?:^|(?<=[.!?;,]\s))(?!\s*(?:not|never|no)\b)(?P<subject>[^.!?;,]*?)\s*"
    r"(?:(?P<auxiliary>\b(?:do|does|did))(?:\s+not|n['’]?t)|(?P<never>\bnever)|"
    r"(?P<copula>\b(?:am|is|are|was|were)|['’](?:m|s|re))(?:\s+not|n['’]?t)|\b(?P<fused>is|are|was|were)nt)"
    r"\s+(?P<denied>[^.!?;,]+?)[.!?;,]+\s+(?:it['’]s|its|it\s+is)\s+(?P<value>[^.!?;,]+)",
    re.IGNORECASE,
)
_MAX_DENIED_WORDS = 4
_EN_ARTICLE = re.compile(r"(?i)^(?:a|an|the)\s+")
_AUXILIARY_TENSE = {"do": "VBP", "does": "VBZ", "did": "VBD"}


def _denied_object(denied: str, verbal: bool) -> tuple[str, str] | None:
    """What a denial denies, its verb and preposition left out, and the words before it: "live in
    leeds" → ("leeds", "live in"), "owned a civic" → ("a civic", "owned"), "alergic to penuts at
    all" → ("penuts", "alergic to"); None when it denies a verb alone."""
    trailers = phrase_alternation(_clause_grammar()["en"]["denial_trailers"])
    words = re.sub(rf"(?i)(?:\s+(?:{trailers}))+$", "", denied.strip()).split()
    prepositions = {word.lower() for word in object_prepositions()}
    after = max(max((i + 1 for i, word in enumerate(words) if word.lower() in prepositions), default=0), int(verbal))
    denied_words = words[after:]
    if not denied_words or len(denied_words) > _MAX_DENIED_WORDS or any(w.lower() in EN_STOPWORDS for w in denied_words[1:]):
        return None
    return " ".join(denied_words), " ".join(words[:after])


@lru_cache(maxsize=1)
def _not_values() -> frozenset[str]:
    return frozenset(word.casefold() for word in _clause_grammar()["en"]["not_values"])


def _judges(value: str) -> bool:
    """"too fishy", "gross", "so expensive": a judgement of the denied thing, not a value in its place."""
    words = _EN_ARTICLE.sub("", value.strip()).split()
    if not words or re.search(r"\d", value):
        return False
    from lemminflect import getAllLemmas

    return bool({"ADJ", "ADV"} & set(getAllLemmas(words[0].lower())))


def _affirmed(match: re.Match[str], lead: str) -> str:
    """The denied clause's subject and verb, affirmed: "hannah doesn't live in" → "hannah lives in",
    "I'm not allergic to" → "I'm allergic to"."""
    subject = match.group("subject").strip()
    if match.group("auxiliary"):
        verb, _, rest = lead.partition(" ")
        from lemminflect import getInflection

        forms = getInflection(verb.lower(), tag=_AUXILIARY_TENSE[match.group("auxiliary").lower()])
        lead = " ".join(filter(None, [forms[0] if forms else verb, rest]))
    elif copula := match.group("copula") or match.group("fused"):
        # "I'm" keeps its contraction on the subject; "is" stands apart.
        said = f"{subject}{copula}" if copula.startswith(("'", "’")) else f"{subject} {copula}"
        return f"{said} {lead}".rstrip()
    return f"{subject} {lead}".strip()


def _deny_after_the_value(text: str) -> str:
    """"hannah doesn't live in leeds, it's sheffield" → "hannah lives in sheffield, not leeds": a
    denied object, then a value without a subject, is the contrast said the other way round."""
    def contrasted(match: re.Match[str]) -> str:
        found = _denied_object(match.group("denied"), bool(match.group("auxiliary") or match.group("never")))
        value = match.group("value").strip()
        if (found is None or len(value.split()) > _MAX_DENIED_WORDS + 1 or _judges(value)
                or {found[0].casefold(), value.casefold(), value.split()[0].casefold()} & _not_values()):
            return match.group(0)
        denied, lead = found
        if not match.group("subject").strip():
            return f"it's {value}, not {denied}"
        return f"{_affirmed(match, lead)} {value}, not {denied}"

    return _EN_DENIED_CLAUSE.sub(contrasted, text)


# "in the living room (not the office)", "（不是86号）": a denial in brackets; "(nuts are fine)": a
# clause of its own in brackets, closing a clause.
_BRACKETED_DENIAL = re.compile(r"\s*[(（]\s*(?P<denial>(?:not|不是)\s*[^()（）]{1,40}?)\s*[)）]")
_BRACKETED_CLAUSE = re.compile(r"\s*\((?P<clause>[A-Za-z][^()]*?\s[^()]*?)\)(?=\s*(?:[,.;!?]|$))")


def _unbracketed(text: str) -> str:
    """"the router is in the living room (not the office)" → "…living room, not the office";
    "allergic to shellfish (nuts are fine), 178cm" → "allergic to shellfish. nuts are fine. 178cm"."""
    text = _BRACKETED_DENIAL.sub(lambda m: ("，" if has_cjk(m.group("denial")) else ", ") + m.group("denial"), text)
    if has_cjk(text):
        return text

    def own_sentence(match: re.Match[str]) -> str:
        words = match.group("clause").split()
        return f". {match.group('clause')}." if any(is_finite_verb(word) for word in words[1:]) else match.group(0)

    return re.sub(r"\.\s*[,.;](?:\s*(?:and|but|so)\b)?", ".", _BRACKETED_CLAUSE.sub(own_sentence, text))


def _name_what_was_introduced(text: str) -> str:
    """"we adopted a kitten too, her name is Pepper" → "we adopted a kitten named Pepper too";
    "又领养了一只小猫，叫芝麻" → "又领养了一只叫芝麻的小猫": the name goes to the thing just brought in,
    not to the user."""
    if has_cjk(text):
        naming, introduced = _naming()["zh"]
        pieces = re.split(r"([，,])", text)
        for position in range(2, len(pieces), 2):
            named = naming.match(pieces[position].strip())
            thing = introduced.search(pieces[position - 2].rstrip("了啦"))
            if named and thing:
                before = pieces[position - 2].rstrip("了啦")
                pieces[position - 2] = before[: thing.start("noun")] + f"叫{named.group('name')}的" + thing.group("noun")
                pieces[position - 1] = pieces[position] = ""
        return "".join(pieces)
    naming, introduced = _naming()["en"]
    named = naming.search(text)
    if not named:
        return text
    # The thing is brought in by the clause just before the name, and not denied there ("not a dog").
    clause_start = max((m.end() for m in re.finditer(r"[,;.!?]", text[: named.start()])), default=0)
    things = [t for t in introduced.finditer(text, clause_start, named.start())
              if not re.search(r"(?i)\b(?:not|no|never)\s+$", text[clause_start: t.start()])]
    noun_end = _end_of_noun(things[-1]) if things else None
    if noun_end is None:
        return text
    return text[:noun_end] + f" named {named.group('name')}" + text[noun_end: named.start()] + text[named.end():]


def _end_of_noun(thing: re.Match[str]) -> int | None:
    """Where the noun a phrase brings in ends ("a new puppy last week" → after "puppy"): describing
    words go on until a word the lemminflect lexicon knows only as a noun (or not at all), or one
    that is no adjective."""
    from lemminflect import getAllLemmas

    position = thing.start("words")
    noun_end = None
    for word in re.finditer(r"[A-Za-z\-]+", thing.group("words")):
        kinds = getAllLemmas(word.group().lower())
        if word.group().lower() in EN_STOPWORDS or (kinds and not ({"NOUN", "ADJ"} & set(kinds))):
            break
        if not kinds:  # a word the lexicon does not know ("lab", a breed, a brand) names the thing
            return position + word.end()
        if "NOUN" in kinds:
            noun_end = position + word.end()
            if "ADJ" not in kinds:
                break
    return noun_end


def _coordination() -> dict[str, Any]:
    return _clause_grammar()["en"]


@lru_cache(maxsize=1)
def _coordinator() -> re.Pattern[str]:
    return re.compile(rf"(?i)\s+(?:{phrase_alternation(_coordination()['coordinators'])})\s+")


_CONTRACTED = re.compile(r"(?i)^([a-z]+)['’](?:s|re|m|ve|ll|d)$")


def _has_finite_verb(words: Sequence[str]) -> bool:
    return any(is_finite_verb(word) or _CONTRACTED.match(word) for word in words)


def _opens_clause(words: Sequence[str]) -> bool:
    """"the car service is saturday now", "I take the train": a subject word, then a verb."""
    grammar = _coordination()
    if not words:
        return False
    contracted = _CONTRACTED.match(words[0])
    if contracted:
        return contracted.group(1).lower() in grammar["subjects"]
    if words[0].lower() not in grammar["subjects"]:
        return False
    return _has_finite_verb(words[1: 1 + grammar["verb_within"]])


def _coordinated_clauses(part: str) -> list[str]:
    """A sentence cut where "and" joins two clauses, each with its own subject and verb ("dentist moved
    to wed 3pm and the car service is saturday now"); "my son and daughter are 5" stays whole."""
    pieces, start = [], 0
    for match in _coordinator().finditer(part):
        left = re.findall(r"[\w'’\-]+", part[start:match.start()])
        right = re.findall(r"[\w'’\-]+", part[match.end():])
        if _has_finite_verb(left) and _opens_clause(right):
            pieces.append(part[start:match.start()])
            start = match.end()
    pieces.append(part[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


_HEADERS_FILE = Path(__file__).parent / "data" / "message_headers.toml"
# The colon of a clock time ("the 3:30 meeting") opens nothing.
_EN_HEAD = re.compile(r"^(?P<head>[^:：—–]{1,48}?)\s*(?:[:：](?!\d)|\s[—–-]\s|[—–])\s*(?=\S)")
_ZH_HEAD = re.compile(r"^(?P<head>[^:：，,。]{1,12})[：:](?!\d)\s*(?=\S)")


@lru_cache(maxsize=1)
def _header_words() -> dict[str, frozenset[str] | re.Pattern[str]]:
    data = tomllib.loads(_HEADERS_FILE.read_text(encoding="utf-8"))
    return {"en": frozenset(data["en"]["words"]), "zh": re.compile(phrase_alternation(data["zh"]["words"]))}


def without_header(text: str) -> str:
    """The message without an opening that only announces corrections ("2 corrections: …",
    "两处要改：…")."""
    words = _header_words()
    head = _ZH_HEAD.match(text) if has_cjk(text[:12]) else None
    if head and not words["zh"].sub("", re.sub(r"[\d\s]", "", head.group("head"))):  # type: ignore[union-attr]
        return text[head.end():]
    head = _EN_HEAD.match(text)
    if head:
        tokens = re.findall(r"[a-z']+|\d+", head.group("head").casefold())
        if tokens and all(t.isdigit() or t in words["en"] for t in tokens):  # type: ignore[operator]
            return text[head.end():]
    return text


# "一米八", "1米78", "一米八二": a height said in metres and its next digits ("一米八" is 1.8 m).
_ZH_DIGIT = "[0-9一二三四五六七八九零〇]"
_ZH_SPOKEN_HEIGHT = re.compile(rf"(?<![\d.一二三四五六七八九十])([1一])米({_ZH_DIGIT})({_ZH_DIGIT})?(?![\d一二三四五六七八九十百千万厘毫])")


def _in_centimetres(match: re.Match[str]) -> str:
    tenths, hundredths = (int(d) if d.isdigit() else zh_numeral(d) or 0 for d in (match.group(2), match.group(3) or "0"))
    return f"{100 + 10 * tenths + hundredths}厘米"


# "7 in the morning" is 7 am: an hour followed by the part of the day it falls in.
_HOUR_IN_DAYPART = re.compile(
    r"(?i)\b((?:at|by|from|until|till|to|around|about|before|after)\s+)(1[0-2]|[1-9])(:[0-5]\d)?\s+(?:o['’]?clock\s+)?"
    r"(in\s+the\s+morning|in\s+the\s+afternoon|in\s+the\s+evening|at\s+night)\b"
)


def _clock_time(match: re.Match[str]) -> str:
    meridiem = "am" if match.group(4).lower().endswith("morning") else "pm"
    return f"{match.group(1)}{match.group(2)}{match.group(3) or ''} {meridiem}"


def normalize(text: str) -> str:
    """The canonical form of a feedback message; meaning is kept, only spelling changes."""
    text = _FULL_WIDTH.sub(_half_width, text or "").strip()
    if len(_LIST_MARK.findall(text)) >= 2:
        # "fix a few things pls: 1) … 2) …": the words before the list label it.
        text = re.sub(r"^[^:：.。!?！？]{1,40}[:：]\s*(?=\(?\d{1,2}\s*[)）.、])", "", text)
        text = _LIST_MARK.sub(lambda m: "" if m.start() == 0 else ("。" if has_cjk(text) else ". "), text).strip()
        text = re.sub(r"\s+(?=[。.]\s)|\s+。", lambda m: "" if "。" not in m.group(0) else "。", text)
    if has_cjk(text):
        table, pattern = _zh_informal()
        text = pattern.sub(lambda m: table[m.group(0)], text)
        # Chat separates clauses with a space where writing puts a comma: "不是这个哦 我常去的是…".
        text = _CJK_SPACE.sub(lambda m: f"{m.group(1) or ''}，", text)
        # A tilde after a clause is tone ("6月12号哈～"), not a range.
        text = re.sub(r"(?<=[\u4e00-\u9fff])[～~]+(?=[，。！？!?\s]|$)", "", text)
        text = _ZH_SPOKEN_HEIGHT.sub(_in_centimetres, text)
    text = _expand_informal_en(text)
    text = _unbracketed(text)
    # "2 corrections:", "更新两样：": an opening that announces the corrections is not one of them.
    text = without_header(text)
    text = _name_what_was_introduced(text)
    text = _split_coordinated(text)
    if not has_cjk(text):
        text = _HOUR_IN_DAYPART.sub(_clock_time, text)
        text = _insert_denial_comma(text)
        # An emoji between two stretches of chat ends a sentence; the next one may have dropped its subject.
        text = _restore_subjects(break_at_emoji(text))
        text = _unfold_clefts(text)
        text = _deny_after_the_value(text)
    return re.sub(r"\s+([,.!?])", r"\1", text).strip(" ,")
