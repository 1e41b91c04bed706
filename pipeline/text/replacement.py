"""Keyword-replacement instructions: "Replace X with Y", "将X替换为Y", and their variants."""

from __future__ import annotations

import re

from pipeline.text.fillers import strip_noise
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
    r"(?:info|information|docs?|documents?|documentation|details|data|pages?|notes|records|memories|entries)|"
    r"from\s+now\s+on|going\s+forward|in\s+the\s+future|please|instead|as\s+well|too)\b\s*",
    re.IGNORECASE,
)
_LEADING_EN = re.compile(
    r"^(?:all\s+(?:the\s+)?(?:occurrences|instances|mentions|references)\s+of\s+|every\s+(?:occurrence|instance|mention)\s+of\s+|"
    r"all\s+|every\s+|each\s+|the\s+(?:word|name|term|phrase|string)\s+)+",
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

_T = r"(.+?)"
_EN_PATTERNS: list[tuple[re.Pattern[str], bool]] = [
    # (pattern, reversed): reversed patterns name the target first.
    (re.compile(rf"\b(?:replace|substitute)\s+{_T}\s+(?:with|by)\s+{_T}$", re.I), False),
    (re.compile(rf"\bsubstitute\s+{_T}\s+for\s+{_T}$", re.I), True),
    (re.compile(rf"\brename\s+{_T}\s+(?:to|as|into)\s+{_T}$", re.I), False),
    (re.compile(rf"\b(?:renamed|rebranded)\s+{_T}\s+(?:to|as|into)\s+{_T}$", re.I), False),
    # "call my mother-in-law "Mama Rose" instead of "Rosemary"": the target comes first.
    (re.compile(rf"\b(?:call|name|refer\s+to)\s+{_T}\s+instead\s+of\s+{_T}$", re.I), True),
    (re.compile(rf"\b(?:change|update|switch|correct)\s+{_T}\s+(?:to|into)\s+{_T}$", re.I), False),
    (re.compile(rf"\bswap\s+(?:out\s+)?{_T}\s+(?:for|with)\s+{_T}$", re.I), False),
    (re.compile(rf"\b(?:call|refer\s+to|name)\s+{_T}\s+(?:as\s+)?{_T}\s+(?:instead|from\s+now\s+on|going\s+forward)\b.*$", re.I), False),
    (re.compile(rf"\brefer\s+to\s+{_T}\s+as\s+{_T}$", re.I), False),
    (re.compile(rf"^(?:please\s+)?use\s+{_T}\s+instead\s+of\s+{_T}$", re.I), True),
    (re.compile(rf"^{_T}\s+should\s+(?:be|read|say|become)\s+(?:called\s+|renamed\s+(?:to\s+)?)?{_T}\s+(?:everywhere|in\s+all\b.*|from\s+now\s+on)$", re.I), False),
    (re.compile(rf"^{_T}\s+(?:has\s+been|was|is\s+now|got)\s+renamed\s+(?:to\s+|as\s+)?{_T}$", re.I), False),
    (re.compile(rf"^{_T}\s*(?:->|=>|→|⇒)\s*{_T}$"), False),
]
_ZH_VERB = r"(?:统一|全部|都|一律|全都)?(?:替换|更换|更改|修改|改写|换|改|更名|改名|统一)(?:为|成|做|叫)"
# "X改成Y" with no 把/将/替换/统一: a rename, or a new value for X ("试用期改成6个月了").
_ZH_BARE_CHANGE = re.compile(rf"^{_T}(?:替换|更换|改|换|更名|改名)(?:为|成)(?!了){_T}$")
_ZH_STATE_CHANGE_CUE = re.compile(r"现在|已经|目前|如今|从.+?起")
_ZH_PATTERNS: list[tuple[re.Pattern[str], bool]] = [
    (re.compile(rf"(?:将|把){_T}{_ZH_VERB}(?!了){_T}$"), False),
    (re.compile(rf"(?:将|把){_T}(?:统一|全部|都)?(?:改叫|叫做|称为|叫)(?!了){_T}$"), False),
    (re.compile(rf"用{_T}(?:来)?(?:替换|替代|代替|取代)(?:掉)?(?:所有的)?{_T}$"), True),
    (re.compile(rf"^{_T}(?:统一|全部|都|一律|全都){_ZH_VERB.replace('(?:统一|全部|都|一律|全都)?', '')}?(?!了){_T}$"), False),
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
_EN_TRAILING_CLAUSE = re.compile(r"\s*(?:[,;]\s+|\s[-–—]\s+|\s+(?:because|since|as)\s+).*$", re.IGNORECASE)
_ZH_TRAILING_CLAUSE = re.compile(r"[，,；;。！!].*$")
_ZH_LEADING_TIME = re.compile(r"^(?:以后|今后|往后|从现在起|从今天起|从现在开始|从今以后|现在|之后)[，,]?")
_PLACEHOLDER = re.compile("\u27e6\\d+\u27e7")


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
    text = re.sub(r"^(?:把|将|请把|请将)", "", text)
    text = _ZH_TAIL.sub("", text)
    for _ in range(2):
        text = _ZH_SCOPE.sub("", text).strip()
        text = _SCOPE_WORDS.sub(" ", text).strip()
    text, quoted = _restore(text, terms)
    return text.strip(" ，,。"), quoted


def _is_value_update(original: str, target: str) -> bool:
    """"change the standup to 10 AM": an attribute gets a new value, nothing is renamed."""
    target_values = [v for v in extract_values(target) if v.kind != "name"]
    original_values = [v for v in extract_values(original) if v.kind != "name"]
    return bool(target_values) and not original_values


def _plausible(original: str, target: str, quoted: bool) -> bool:
    if not original or not target or original.lower() == target.lower():
        return False
    if not quoted and _is_value_update(original, target):
        return False
    if not quoted:
        # "Change my address to …" is a fact about the user, not a find-and-replace.
        if _POSSESSIVE_START.match(original) or original.startswith(("我", "用户的")):
            return False
        if len(original.split()) > 6 or len(target.split()) > 8:
            return False
    return len(original) <= 80 and len(target) <= 80


def _parse_sentence(sentence: str) -> tuple[str, str] | None:
    protected, terms = _protect_quotes(sentence.strip())
    protected = re.sub(r"[\s.!。！]+$", "", protected)
    # Leading chatter: "From now on, …", "Also, please …".
    candidates = [protected]
    if "," in protected or "，" in protected:
        candidates.append(re.split(r"[,，]\s*", protected, maxsplit=1)[1])
    for text in candidates:
        for pattern, reversed_order in _EN_PATTERNS:
            match = pattern.search(text)
            if match:
                first, q1 = _clean_en_term(match.group(1), terms)
                second, q2 = _clean_en_term(match.group(2), terms)
                original, target = (second, first) if reversed_order else (first, second)
                if _plausible(original, target, q1 and q2):
                    return original, target
        for pattern, reversed_order in _ZH_PATTERNS:
            match = pattern.search(text)
            state_change = _ZH_STATE_CHANGE_CUE.search(sentence.strip(" 。.!！"))
            if match and pattern is _ZH_BARE_CHANGE and not terms and state_change:
                continue
            if match:
                first, q1 = _clean_zh_term(match.group(1), terms)
                second, q2 = _clean_zh_term(match.group(2), terms)
                original, target = (second, first) if reversed_order else (first, second)
                if _plausible(original, target, q1 and q2):
                    return original, target
    return None


def parse_keyword_replacement(text: str) -> tuple[str, str] | None:
    """(original, target) when the text asks to replace one term with another everywhere."""
    text = strip_noise(text)
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
