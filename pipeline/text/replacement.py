"""Keyword-replacement instructions: "Replace X with Y", "将X替换为Y", and their variants."""

from __future__ import annotations

import re
from collections.abc import Callable

from pipeline.text.fillers import strip_noise, without_header
from pipeline.text.sentences import split_sentences
from pipeline.text.values import extract_values

_OPEN_QUOTES = "'\"‘“「『《"
_CLOSE_QUOTES = "'\"’”」』》"
# A quoted term: the closing quote must end the term (so "Ann's" is not a quote).
_QUOTED = re.compile(
    r"(?<![A-Za-z0-9])([" + _OPEN_QUOTES + r"])(.+?)([" + _CLOSE_QUOTES + r"])(?![A-Za-z0-9])"
)

_SCOPE_WORDS = re.compile(
    r"\s*(?:,\s*)?\b(?:everywhere|globally|throughout|across\s+the\s+board|"
    r"in\s+(?:all\s+(?:of\s+)?)?(?:my|the|your)\s+(?:memories|memory|notes|records|profile|data)|"
    r"in\s+(?:everything|anything|all)\s+(?:that\s+)?you\s+(?:remember|know|have|store|keep)(?:\s+about\s+me)?|"
    r"(?:from|in)\s+(?:my|your)\s+(?:memories|memory|notes)|"
    r"in\s+(?:all|every|each|any)\s+(?:of\s+)?(?:my\s+|the\s+|your\s+)?(?:memories|memory|places?|notes?|records?|entries|mentions?)|"
    r"across\s+(?:all\s+)?(?:my\s+|the\s+)?(?:memories|notes|records)|wherever\s+it\s+(?:appears|occurs)|"
    r"in\s+(?:all\s+(?:of\s+)?)?(?:my|the|our|your)\s+(?:[\w\-]+\s+){0,2}"
    r"(?:info|information|docs?|documents?|documentation|details|data|pages?|notes|records|memories|entries|stuff|things)|"
    # "swap Jira for Linear on me", "change it to Teams for us": whom the request is for.
    r"(?:on|for|with)\s+(?:me|us)|"
    r"from\s+now\s+on|going\s+forward|in\s+the\s+future|please|instead|as\s+well|too)\b\s*",
    re.IGNORECASE,
)
_LEADING_EN = re.compile(
    r"^(?:all\s+(?:the\s+)?(?:occurrences|instances|mentions|references)\s+of\s+|every\s+(?:occurrence|instance|mention)\s+of\s+|"
    r"all\s+|every\s+|each\s+|the\s+(?:word|name|term|phrase|string)\s+|"
    # "swap civic -> accord": the instruction's verb before an arrow is no part of the term.
    r"(?:please\s+|pls\s+)?(?:swap|change|replace|switch|rename|fix|make)\s+)+",
    re.IGNORECASE,
)
_ZH_SCOPE = re.compile(
    r"^(?:所有的|所有|全部的|全部|一切|(?:我的?|用户的?)?记忆(?:里|中)(?:的|所有的?)?|里面的|中的)|(?:统一|全部|都|一律|全都)$"
)
# "公司改名叫B了，记忆里所有的A都改一下": the new name first, then the old one to change.
_ZH_RENAMED_THEN_CHANGE = re.compile(
    r"(?:改名|更名|改叫)(?:叫|为|成)?(?P<new>[^，,。；;]+?)了?[，,；;]\s*(?:请)?(?:把|将)?"
    r"(?:(?:我的?|用户的?)?记忆(?:里|中)的?)?(?:所有的?|全部的?)?(?P<old>[^，,。；;]+?)"
    r"(?:都|全部|全都|统一|也)?(?:改|换|替换|更新)(?:一下|掉|过来|了)?[吧。！!]*$"
)
_ZH_TAIL = re.compile(r"(?:吧|就行了?|即可|就好|好吗|谢谢|。|！|!|\.)+$")
_ABBREVIATION_END = re.compile(r"\b(?:Inc|Corp|Co|Ltd|Jr|Sr|St|Dr|Mr|Mrs|Ms|Bros)\.$")
_POSSESSIVE_START = re.compile(r"^(?:my|our|his|her|their|your|the|a|an)\s", re.IGNORECASE)
# "call me Beth", "叫我小美": the user's own name is a fact to update, not a term to find.
_EN_PRONOUNS = frozenset({"i", "me", "myself", "us", "ourselves", "you", "yourself", "him", "her", "them", "it"})
_ZH_PRONOUN_START = re.compile(r"^(?:我(?!们)|你)")
# strip_noise() drops pictographs, and "➡️" is one, so arrows are normalised first.
_ARROW_VARIANTS = re.compile(r"\s*(?:[➡➔➜➝➞➙➛⮕⟶⟹]\ufe0f?|-{1,2}>|={1,2}>|[—–]>)\s*")
_ARROW = r"(?:→|⇒)"
# Asides are never part of a term: "Lee（导师的姓一直拼错了）", "John (typo, sorry)".
_PARENTHETICAL = re.compile(r"\s*[(（][^()（）]*[)）]")

TermCleaner = Callable[[str, dict[str, str]], tuple[str, bool]]

_T = r"(.+?)"
_EN_PATTERNS: list[tuple[re.Pattern[str], bool]] = [
    # (pattern, reversed): reversed patterns name the target first.
    (re.compile(rf"\b(?:replace|substitute)\s+{_T}\s+(?:with|by)\s+{_T}$", re.I), False),
    (re.compile(rf"\bsubstitute\s+{_T}\s+for\s+{_T}$", re.I), True),
    (re.compile(rf"\brename\s+(?:from\s+)?{_T}\s+(?:to|as|into)\s+{_T}$", re.I), False),
    (re.compile(rf"\b(?:renamed|rebranded)\s+(?:from\s+)?{_T}\s+(?:to|as|into)\s+{_T}$", re.I), False),
    # "call my mother-in-law "Mama Rose" instead of "Rosemary"": the target comes first.
    (re.compile(rf"\b(?:call|name|refer\s+to)\s+(?:(?:him|her|them|it)\s+)?{_T}\s+instead\s+of\s+{_T}$", re.I), True),
    (re.compile(rf"\b(?:change|update|switch|correct)\s+(?:from\s+)?{_T}\s+(?:to|into)\s+{_T}$", re.I), False),
    (re.compile(rf"\bswap\s+(?:out\s+)?{_T}(?:\s+out)?\s+(?:for|with)\s+{_T}$", re.I), False),
    (re.compile(rf"\b(?:call|refer\s+to|name)\s+{_T}\s+(?:as\s+)?{_T}\s+(?:instead|from\s+now\s+on|going\s+forward)\b.*$", re.I), False),
    (re.compile(rf"\brefer\s+to\s+{_T}\s+as\s+{_T}$", re.I), False),
    (re.compile(rf"^(?:please\s+)?use\s+{_T}\s+instead\s+of\s+{_T}$", re.I), True),
    (re.compile(rf"^{_T}\s+should\s+(?:be|read|say|become)\s+(?:called\s+|renamed\s+(?:to\s+)?)?{_T}\s+(?:everywhere|in\s+all\b.*|from\s+now\s+on)$", re.I), False),
    (re.compile(rf"^{_T}\s+(?:has\s+been|was|is\s+now|got)\s+renamed\s+(?:to\s+|as\s+)?{_T}$", re.I), False),
    # "every time it says Jon it should say John", "wherever you see Jon, write John".
    (re.compile(
        rf"\b(?:every\s*time|each\s+time|any\s*time|whenever|wherever|anywhere|everywhere)\s+(?:it|you|they|i)\s+"
        rf"(?:says?|see|mentions?|writes?|reads?|has)\s+{_T}\s*,?\s+(?:(?:it|you|that|this)\s+)?"
        rf"(?:(?:should|must|needs?\s+to|has\s+to|ought\s+to|please)\s+)?"
        rf"(?:say|read|be|show|write|put|use|make\s+it|(?:change|switch|update|correct)\s+(?:it|that|them)\s+to|"
        rf"replace\s+(?:it|that|them)\s+with)\s+{_T}$",
        re.I,
    ), False),
    # sed style: "s/Jon/John/", "s/Jon/John/g".
    (re.compile(r"(?:^|\s)s/([^/]+)/([^/]+)(?:/[gi]*)?$"), False),
]
# "Jon → John", "typo: 小美→美美"; a label before a colon is not part of the term.
_ARROW_PATTERN = re.compile(rf"^(?:[^:：→]*[:：]\s*)?([^→⇒]+?)\s*{_ARROW}\s*([^→⇒]+?)$")
_ZH_SCOPE_ADVERB = r"(?:统一|全部|都|一律|全都|通通|统统)"
_ZH_CHANGE = r"(?:替换|更换|更改|修改|改写|换|改|写|更名|改名|统一)(?:为|成|做|叫)"
_ZH_VERB = rf"{_ZH_SCOPE_ADVERB}?{_ZH_CHANGE}"
# "以后统一叫", "以后都叫", "一律称为": naming verbs that need a scope adverb before them.
_ZH_SCOPED_NAMING = rf"(?:以后|今后|往后|从此)?{_ZH_SCOPE_ADVERB}(?:{_ZH_CHANGE}|改叫|改称|叫做?|称为?|写作)"
# "X改成Y" with no 把/将/替换/统一: a rename, or a new value for X ("试用期改成6个月了").
_ZH_BARE_CHANGE = re.compile(rf"^{_T}(?:替换|更换|改|换|更名|改名)(?:为|成)(?!了){_T}$")
_ZH_STATE_CHANGE_CUE = re.compile(r"现在|已经|目前|如今|从.+?起")
# "我把车换成比亚迪" narrates the user's own change; "帮我把…" and "请把…" are requests.
_ZH_NARRATED_BA = re.compile(
    r"(?<![帮给替让请叫])(?:我|我们|他|她|他们|她们|咱们)(?:现在|已经|早就|刚刚?|又|也|就)*(?:把|将)"
)
_ZH_NAMING_VERB = re.compile(r"叫|称|名")
_ZH_SCOPE_CUE = re.compile(rf"{_ZH_SCOPE_ADVERB}|所有|一切|记忆|每个|各处|到处")
_ZH_PATTERNS: list[tuple[re.Pattern[str], bool]] = [
    (re.compile(rf"(?:将|把){_T}{_ZH_VERB}(?!了){_T}$"), False),
    (re.compile(rf"(?:将|把){_T}(?:统一|全部|都)?(?:改叫|叫做|称为|叫)(?!了){_T}$"), False),
    (re.compile(rf"用{_T}(?:来)?(?:替换|替代|代替|取代)(?:掉)?(?:所有的)?{_T}$"), True),
    (re.compile(rf"^{_T}{_ZH_SCOPED_NAMING}(?!了){_T}$"), False),
    (_ZH_BARE_CHANGE, False),
    (re.compile(rf"^{_T}(?:改叫|改称)(?!了){_T}$"), False),
]


def _protect_quotes(sentence: str) -> tuple[str, dict[str, str]]:
    """Swap quoted terms for placeholders so patterns never split inside a quote."""
    terms: dict[str, str] = {}

    def keep(match: re.Match[str]) -> str:
        key = f"\u27e6{len(terms)}\u27e7"
        terms[key] = match.group(2)
        return key

    return _QUOTED.sub(keep, sentence), terms


def _restore(text: str, terms: dict[str, str]) -> tuple[str, bool]:
    quoted = False
    for key, value in terms.items():
        if key in text:
            quoted = True
            text = text.replace(key, value)
    return text, quoted


# A clause after the term explains the change (", we migrated last week", " - she got married").
_EN_TRAILING_CLAUSE = re.compile(
    r"\s*(?:[,;]\s+|[，；。！～~(（]|\s[-–—]\s+|\s+(?:because|since|as)\s+).*$", re.IGNORECASE
)
_ZH_TRAILING_CLAUSE = re.compile(r"[，,；;。！!～~(（].*$")
_ZH_LEADING_TIME = re.compile(r"^(?:以后|今后|往后|从现在起|从今天起|从现在开始|从今以后|现在|之后)[，,]?")
_PLACEHOLDER = re.compile("\u27e6\\d+\u27e7")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _quoted_only(raw: str, terms: dict[str, str]) -> str | None:
    """A side that holds a quoted term is exactly that term, whatever surrounds it."""
    keys = _PLACEHOLDER.findall(raw)
    return terms[keys[0]] if len(keys) == 1 and keys[0] in terms else None


def _clean_en_term(raw: str, terms: dict[str, str]) -> tuple[str, bool]:
    quoted = _quoted_only(raw, terms)
    if quoted is not None:
        return quoted.strip(), True
    text = _EN_TRAILING_CLAUSE.sub("", raw.strip())
    text = _SCOPE_WORDS.sub(" ", text).strip()
    text = _LEADING_EN.sub("", text).strip()
    text, quoted = _restore(text, terms)
    if not quoted:
        text = text.strip(" ,;:!?\"'")
        if text.endswith(".") and not _ABBREVIATION_END.search(text):
            text = text[:-1]
    return text.strip(), quoted


def _clean_zh_term(raw: str, terms: dict[str, str]) -> tuple[str, bool]:
    quoted = _quoted_only(raw, terms)
    if quoted is not None:
        return quoted.strip(), True
    text = _ZH_TRAILING_CLAUSE.sub("", raw.strip(" ，,。"))
    text = _ZH_LEADING_TIME.sub("", text)
    # The 把/将 construction marks its object: what precedes it is an adverb or a request ("顺便把…").
    text = re.sub(r"^[\u4e00-\u9fff]{0,4}?(?:把|将)", "", text)
    text = _ZH_TAIL.sub("", text)
    for _ in range(2):
        text = _ZH_SCOPE.sub("", text).strip()
        text = _SCOPE_WORDS.sub(" ", text).strip()
    text, quoted = _restore(text, terms)
    return text.strip(" ，,。"), quoted


def _clean_any_term(raw: str, terms: dict[str, str]) -> tuple[str, bool]:
    """Arrows carry no language of their own: clean by the script the sentence is in."""
    if _CJK.search(raw):
        return _clean_zh_term(raw, terms)
    return _clean_en_term(raw, terms)


def _is_value_update(original: str, target: str) -> bool:
    """"change the standup to 10 AM": an attribute gets a new value, nothing is renamed."""
    target_values = [v for v in extract_values(target) if v.kind != "name"]
    original_values = [v for v in extract_values(original) if v.kind != "name"]
    return bool(target_values) and not original_values


def _starts_with_pronoun(term: str) -> bool:
    words = term.split()
    if not words:
        return False
    # "IT" is a department, "it" is a pronoun.
    first = words[0]
    if first.lower() in _EN_PRONOUNS and (first == "I" or not first.isupper()):
        return True
    return bool(_ZH_PRONOUN_START.match(term))


def _plausible(original: str, target: str, quoted: bool) -> bool:
    if not original or not target or original.lower() == target.lower():
        return False
    if not quoted and _is_value_update(original, target):
        return False
    if not quoted:
        # "Change my address to …" is a fact about the user, not a find-and-replace.
        if _POSSESSIVE_START.match(original) or original.startswith(("我", "用户的")):
            return False
        if _starts_with_pronoun(original) or _starts_with_pronoun(target):
            return False
        if len(original.split()) > 6 or len(target.split()) > 8:
            return False
    return len(original) <= 80 and len(target) <= 80


def _is_narrated_change(sentence: str, match: re.Match[str], target: str, terms: dict[str, str]) -> bool:
    """"我把车换成比亚迪", "早餐换成燕麦了": the user reports their own change, not an instruction.

    Quotes and scope words ("都", "所有", "记忆里") make it an instruction again.
    """
    if terms or _ZH_SCOPE_CUE.search(sentence):
        return False
    verb = match.string[match.end(1) : match.start(2)]
    # "改叫红红了" still renames; "换成燕麦了" is something that already happened.
    done = target.endswith("了") and not _ZH_NAMING_VERB.search(verb)
    return done or bool(_ZH_NARRATED_BA.search(match.string))


def _pair(
    match: re.Match[str], reversed_order: bool, terms: dict[str, str], clean: TermCleaner
) -> tuple[str, str] | None:
    # The term to find stands right before the verb: a clause before it is something else said
    # ("给我开个管理员权限，顺便把…改成…"), and a later candidate starts after that comma.
    if re.search(r"[,，;；]", match.group(1)):
        return None
    first, q1 = clean(match.group(1), terms)
    second, q2 = clean(match.group(2), terms)
    original, target = (second, first) if reversed_order else (first, second)
    return (original, target) if _plausible(original, target, q1 and q2) else None


def _match_en(text: str, terms: dict[str, str]) -> tuple[str, str] | None:
    for pattern, reversed_order in _EN_PATTERNS:
        match = pattern.search(text)
        found = match and _pair(match, reversed_order, terms, _clean_en_term)
        if found:
            return found
    match = _ARROW_PATTERN.search(text)
    return _pair(match, False, terms, _clean_any_term) if match else None


def _match_zh(text: str, sentence: str, terms: dict[str, str]) -> tuple[str, str] | None:
    state_change = _ZH_STATE_CHANGE_CUE.search(sentence.strip(" 。.!！"))
    for pattern, reversed_order in _ZH_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        if pattern is _ZH_BARE_CHANGE and not terms and state_change:
            continue
        found = _pair(match, reversed_order, terms, _clean_zh_term)
        if not found or _is_narrated_change(sentence, match, found[1], terms):
            continue
        original, target = found
        # "小红改叫红红了": the particle is not part of an unquoted name.
        return (original, target) if terms else (original, target.removesuffix("了"))
    return None


def _parse_sentence(sentence: str) -> tuple[str, str] | None:
    protected, terms = _protect_quotes(sentence.strip())
    protected = _PARENTHETICAL.sub("", protected)
    protected = re.sub(r"[\s.!。！～~]+$", "", protected)
    # Leading chatter: "From now on, …", "Also, please …".
    pieces = re.split(r"[,，]\s*", protected)
    candidates = [", ".join(pieces[start:]) for start in range(len(pieces))]
    for text in candidates:
        found = _match_en(text, terms) or _match_zh(text, sentence, terms)
        if found:
            return found
    return _quoted_pair(protected, terms)


_CHANGE_VERB = re.compile(
    r"\b(?:replace|change|make|write|call|rename|use|swap|switch|put|say|read|spell|update|correct)\w*\b|"
    r"替换|替代|代替|取代|改|换|写|叫|称", re.IGNORECASE,
)
# The new term first: "'B' instead of 'A'", "'B', not 'A'", "用'B'替换", "'B'，不是'A'".
_REVERSED_PAIR = re.compile(
    r"\binstead\s+of\b|用\u27e6\d+\u27e7(?:来)?(?:替换|替代|代替|取代)"
    r"|\u27e7\s*,?\s*(?:not|rather\s+than)\s+\u27e6|\u27e7\s*[，,]?\s*(?:而)?不是\s*\u27e6",
    re.IGNORECASE,
)


def _quoted_pair(protected: str, terms: dict[str, str]) -> tuple[str, str] | None:
    """Two quoted terms, a change verb and a word for "everywhere": whatever the wording
    ("everywhere you wrote 'Mr Whiskers' make it 'Sir Whiskers'"), the first is replaced by the
    second, unless the wording puts the new one first ("'B' instead of 'A'")."""
    keys = _PLACEHOLDER.findall(protected)
    if len(keys) != 2 or not all(key in terms for key in keys):
        return None
    words = _PLACEHOLDER.sub(" ", protected)
    if not _CHANGE_VERB.search(words) or not (_SCOPE_WORDS.search(words) or _ZH_SCOPE_CUE.search(words)
                                              or re.search(r"(?i)\b(?:everywhere|all|every|wherever)\b", words)):
        return None
    original, target = terms[keys[0]].strip(), terms[keys[1]].strip()
    if _REVERSED_PAIR.search(protected):
        original, target = target, original
    return (original, target) if _plausible(original, target, True) else None


def parse_keyword_replacement(text: str) -> tuple[str, str] | None:
    """(original, target) when the text asks to replace one term with another everywhere."""
    text = without_header(strip_noise(_ARROW_VARIANTS.sub(" → ", text)))
    renamed = _ZH_RENAMED_THEN_CHANGE.search(text)
    if renamed:
        original, target = renamed.group("old").strip(), renamed.group("new").strip()
        if _plausible(original, target, False):
            return original, target
    for sentence in split_sentences(text):
        found = _parse_sentence(sentence)
        if found:
            return found
    return None
