"""Memory-centric alignment: which stored memory a clause of feedback corrects, and how.

The stored memory is clean text; the feedback is not. So the feedback is never rewritten into a
memory: each clause is aligned with each candidate memory, and where a value the clause asserts
(or denies) has a slot in the memory, the corrected memory is the memory's own sentence with that
slot's value substituted. Three kinds of evidence, strongest first:

1. an explicit contrast ("Patel, not Patil", "not the 12th but the 14th", "不是9点，是8点",
   "from 1800 to 1950", "A改成B") whose old side the memory holds;
2. a typed value (amount with unit, money, date, time, weekday, grade, name) the clause asserts,
   in a memory that holds a value of a compatible kind and shares the clause's topic words or
   names, or that holds the value the assistant's last answer stated;
3. the same attribute frame with another filler ("blood type is O+" against "The user's blood
   type is A positive", "闺蜜叫小媚" against "用户的闺蜜叫小美").

Nothing here is specific to one domain: knowledge about words (units, kinds, stopwords) lives
in the value and lexicon modules and their data.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.text.continuity import says_unchanged
from pipeline.text.fillers import has_correction_cue, strip_fillers
from pipeline.text.keyword import find_term_spans, shortened_form_span, without_continuation
from pipeline.text.language import Language, detect_language, has_cjk
from pipeline.text.lexicon import EN_STOPWORDS, content_terms, denies, jieba_tagger
from pipeline.text.life_events import (
    changed_attributes,
    concluded_attributes,
    says_something_changed,
    stated_attributes,
)
from pipeline.text.normalize import is_countable_noun, is_finite_verb, looks_past, noun_for_count, object_prepositions
from pipeline.text.numbers import EN_NUMBER_WORD_PATTERN, EN_NUMBER_WORDS, leading_number, zh_numeral
from pipeline.text.perspective import ADVERBS, finish_sentence, to_third_person
from pipeline.text.sentences import split_sentences, strip_terminal_punctuation
from pipeline.text.subjects import relation_of
from pipeline.text.values import (
    Value,
    compatible_kinds,
    digitised,
    extract_values,
    in_full_thousands,
    same_value,
    styled_like,
    value_kind,
)
from pipeline.text.wellformed import is_confirmation, memory_defect

# --- what the clause says ---------------------------------------------------------------------


@dataclass(frozen=True)
class Contrast:
    """An explicit "old → new" the clause states."""

    old: str
    new: str
    # The words the new value was read from, to re-read it beside the old value's neighbours.
    source: str = ""


# A Latin name keeps the single spaces between its words ("iPhone 15", "Apple Watch").
_ZH_SPAN = r"(?:[^，,。；;！!？?\s、]|(?<=[A-Za-z0-9]) (?=[A-Za-z0-9])){1,14}?"
_ZH_PARTICLES = "啦哈呢嘛哦呀了的吧啊喔噢滴"
# Where a span ends: a particle, punctuation, the end, or a space not inside a Latin name.
_ZH_SPAN_END = rf"(?=[{_ZH_PARTICLES}，,。；;！!？?]|(?<![A-Za-z0-9])\s|\s(?![A-Za-z0-9])|$)"
# What may stand between the two sides of "不是X，是Y": commas, exclamations, tildes, spaces.
_ZH_BETWEEN = r"[，,！!~～\s]*"
_ZH_CONTRASTS = (
    re.compile(rf"不是(?P<old>{_ZH_SPAN})[{_ZH_PARTICLES}]*{_ZH_BETWEEN}(?:而|就|应该|其实|实际上)?(?:是|叫)(?P<new>{_ZH_SPAN}){_ZH_SPAN_END}"),
    re.compile(rf"是(?P<new>{_ZH_SPAN})[{_ZH_PARTICLES}]*{_ZH_BETWEEN}(?:而)?不是(?P<old>{_ZH_SPAN}){_ZH_SPAN_END}"),
    # "叫林晓雨，不是林小雨": a name said with 叫, then its denial in a clause of its own (run on,
    # "叫球球不是豆豆", the clause rules read it).
    re.compile(rf"叫(?P<new>{_ZH_SPAN})[{_ZH_PARTICLES}]*[，,！!~～\s]+(?:而)?不是(?P<old>{_ZH_SPAN}){_ZH_SPAN_END}"),
    re.compile(rf"从(?P<old>{_ZH_SPAN})(?:改|换|变|涨|降|调|搬|升|跳)?(?:成|为|到)了?(?P<new>{_ZH_SPAN}){_ZH_SPAN_END}"),
    re.compile(rf"(?:把|将)?(?P<old>{_ZH_SPAN})(?:也|都|又)?(?:改成|改为|换成|变成|改到|换到|→|->)了?(?P<new>{_ZH_SPAN}){_ZH_SPAN_END}"),
)
_EN_STOP_AT = re.compile(r"\s*(?:(?<!\d)[,.]|[,.](?!\d)|[;!?()—–]|\s-\s|\s(?:and|but|so|because|since|lol|tho|though|anymore|any more|now|either)\b|$)", re.I)
_EN_ARTICLE = re.compile(r"^(?:(?:the|a|an|on|at|in|to|my|our|just|only|simply|merely|fully|totally|completely|really)\s+)+", re.I)
_EN_NOT = re.compile(r"(?:^|[,;]?\s+)not\s+", re.I)
_EN_ARROW = re.compile(r"(?P<old>[\w$€£¥.,:'’\-]+(?:\s+[\w$€£¥.,:'’\-]+){0,2})\s*(?:->|→|=>)\s*(?P<new>[^,;.!?]+)")
_EN_FROM_TO = re.compile(r"\bfrom\s+(?P<old>[^,;.!?]+?)\s+to\s+(?P<new>[^,;.!?]+)", re.I)
_EN_INSTEAD = re.compile(r"(?P<new>[\w$€£¥.:'’\-]+(?:\s+[\w$€£¥.:'’\-]+){0,2})\s+instead\s+of\s+(?P<old>[^,;.!?]+)", re.I)
_EN_COPULA_TAIL = re.compile(r"(?:\b(?:is|are|was|were|it's|its|it\s+is|that's|they're|he's|she's|i'm|am)|['’]s)\s+(?P<rest>.+)$", re.I)


def _clean_span(span: str, language: Language) -> str:
    span = "".join(c for c in span if unicodedata.category(c) != "So")  # "latte ☕": no emoji in a value
    span = span.strip().strip("'\"“”‘’「」『』")
    if language == "zh":
        return span.strip(_ZH_PARTICLES + " ")
    span = _EN_STOP_AT.split(span, maxsplit=1)[0]
    span = _EN_ARTICLE.sub("", span.strip())
    return span.strip(" '\"")


_EN_TRAILING_FILLER = re.compile(
    r"(?:\s+(?:actually|really|tho|though|lol|now|anyway|btw|honestly|obviously|either|these\s+days|nowadays|lately))+$", re.I
)


def _object_after_name_and_verb(words: list[str]) -> str | None:
    """"Ava plays cello": a name, its verb and a short object; the object (articles aside)."""
    if len(words) < 3 or not re.fullmatch(r"[A-Z][a-z]+", words[0]) or words[0].casefold() in EN_STOPWORDS:
        return None
    taken = [w for w in words[2:] if w.casefold() not in ("a", "an", "the")]
    if not 0 < len(taken) <= 2 or any(w.casefold() in EN_STOPWORDS for w in taken) or not is_finite_verb(words[1]):
        return None
    return " ".join(taken)


def _last_words(text: str, old: str) -> str:
    """The asserted side of "X not Y": the last value in X of Y's kind, else X's last words."""
    text = _EN_TRAILING_FILLER.sub("", text.strip(" ,"))
    old_slots = _slots(old)
    # "two cats, not one": "one" alone is no value of its own, but denied it is a count.
    old_kind = old_slots[0].kind if old_slots else (
        "number" if old.casefold() in EN_NUMBER_WORDS else "name" if old[:1].isupper() else "")
    if old_kind:
        fitting = [v for v in _without_when_it_changed(text, _slots(text), "en") if v.text.casefold() != old.casefold()
                   and (v.kind == "name") == (old_kind == "name") and compatible_kinds(v.kind, old_kind)]
        if fitting:
            return fitting[-1].text
    values = [v for v in _slots(text) if v.end >= len(text) - 1]
    if values:
        return values[-1].text
    words = text.split()
    taken = None if old_kind else _object_after_name_and_verb(words)
    if taken:
        return taken
    if not old_kind and 0 < len(words) <= 3 and not any(w.casefold() in EN_STOPWORDS or "'" in w or "’" in w for w in words):
        # "flat white, not a latte": a clause that is only a noun phrase is the new value whole.
        return text
    tail = _EN_COPULA_TAIL.search(text)
    if tail and not old_kind:
        # "my coffee order is an oat flat white, not a latte": the whole phrase the copula states.
        phrase = _EN_ARTICLE.sub("", tail.group("rest").strip(" ,"))
        if 0 < len(phrase.split()) <= 4:
            return phrase
    words = (tail.group("rest") if tail else text).split()
    return " ".join(words[-max(1, min(len(old.split()), 3)):]).strip(" ,")


def contrasts(clause: str, language: Language) -> list[Contrast]:
    found: list[Contrast] = []
    if language == "zh":
        for pattern in _ZH_CONTRASTS:
            for match in pattern.finditer(clause):
                old, new = _clean_span(match.group("old"), "zh"), _clean_span(match.group("new"), "zh")
                if old and new and old != new:
                    found.append(Contrast(old, new))
        return found
    for pattern in (_EN_ARROW, _EN_FROM_TO, _EN_INSTEAD):
        for match in pattern.finditer(clause):
            old, new = _clean_span(match.group("old"), "en"), _clean_span(match.group("new"), "en")
            if old and new and old.lower() != new.lower():
                found.append(Contrast(old, new))
    for match in _EN_NOT.finditer(clause):
        before, after = clause[: match.start()].strip(" ,"), clause[match.end():]
        # "fav band is def not arctic monkeys": an adverb before the denial is no value.
        while before and before.split()[-1].casefold() in ADVERBS:
            before = before[: before.rfind(before.split()[-1])].rstrip(" ,")
        old = _clean_span(after, "en")
        if not old or len(old.split()) > 4 or _EN_ENDED.match("not " + after):
            continue  # "not a student anymore" says a fact ended; it names no new value
        if before and not re.search(r"(?i)(?:\b(?:do|does|did|is|are|was|were|am|have|has|can|will|would)|['’](?:s|m|re))$", before):
            # "X, not Y": X's end is the new value.
            new = _last_words(before, old)
            if not any(v.text == new and v.kind != "name" for v in _slots(before)):
                new = _clean_span(new, "en")  # a value found whole ("Monday and Wednesday") stays whole
            if new and " " not in new.strip() and new.islower() and looks_past(new):
                continue  # "I used the last option you gave, not the yogurt": a verb ends X, no value
        else:
            # "not Y, (it's) X" / "not Y but X".
            rest = after[len(after) - len(after.lstrip()):]
            rest = re.split(r"(?i),\s*|\s+but\s+|\s*;\s*", rest, maxsplit=1)
            if len(rest) < 2:
                continue
            tail = re.sub(r"(?i)^(?:it's|its|it\s+is|but|rather|actually|it\s+was)\s+", "", rest[1].strip())
            new = _clean_span(tail, "en")
            old = _clean_span(rest[0], "en")
        if new and old and new.lower() != old.lower() and len(new.split()) <= 4:
            found.append(Contrast(old, new, before))
    return found


_EN_NUMBER_WORD = re.compile(rf"(?<![A-Za-z\-])(?:{EN_NUMBER_WORD_PATTERN})(?![A-Za-z\-])", re.IGNORECASE)


@lru_cache(maxsize=4096)
def _slots_cached(text: str) -> tuple[Value, ...]:
    values = list(extract_values(text))
    taken = [(v.start, v.end) for v in values]
    for match in _EN_NUMBER_WORD.finditer(text):
        if match.group(0).lower() in ("a couple", "couple of", "a couple of"):
            continue  # "a couple of things": rarely an amount worth correcting
        if match.group(0).lower() == "one" and not _counts_a_noun(text[match.end():]):
            continue  # "the one I liked"; but "has one cat" counts
        if not any(s < match.end() and match.start() < e for s, e in taken):
            values.append(Value(match.group(0), "number", match.start(), match.end()))
    single = text.strip(" .!?,")
    if re.fullmatch(r"[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*){0,2}", single) and not values:
        # A reply that is only a name ("Jake").
        start = text.index(single)
        values.append(Value(single, "name", start, start + len(single)))
    return tuple(sorted(values, key=lambda v: v.start))


def _counted_noun(after: str) -> str | None:
    """The countable noun right after a number, if one follows ("ten [cigarettes] a day")."""
    following = re.match(r"\s+([A-Za-z]+)", after)
    return following.group(1) if following is not None and is_countable_noun(following.group(1)) else None


def _counts_a_noun(after: str) -> bool:
    return _counted_noun(after) is not None


def _counts_another_unit(memory: str, held: Value, said: Value) -> bool:
    """"3 months" cannot stand where the "ten" of "ten cigarettes a day" stood: a bare number that
    counts a noun takes only an amount of that noun."""
    if held.kind != "number" or not said.kind.startswith("quantity:") or said.kind == "quantity:k":
        return False  # "12k" is a number of thousands, not of a unit
    noun = _counted_noun(memory[held.end:])
    if noun is None:
        return False
    unit = said.kind.split(":", 1)[1].casefold()
    return noun.casefold() not in (unit, unit + "s", unit + "es")


def _slots(text: str) -> list[Value]:
    return list(_slots_cached(text))


def _amount(value: str) -> float | None:
    """The value's amount; a Chinese value may open with words before its numeral ("晚上七点半")."""
    amount = leading_number(value)
    if amount is None and has_cjk(value):
        number = zh_numeral(re.sub(r"[^零〇一二两三四五六七八九十百千万]", "", value))
        return float(number) if number is not None else None
    return amount


def _agree(said: str, held: Value) -> bool:
    """Does a value the clause names stand for the memory's value ("the 12th" and "October 12")?"""
    if same_value(said, held.text) or said.strip().lower() == held.text.strip().lower():
        return True
    said_digits = re.findall(r"\d+", said)
    if held.kind == "date" and said_digits and said_digits == re.findall(r"\d+", held.text)[-len(said_digits):]:
        return True
    said_amount, held_amount = _amount(said), _amount(held.text)
    return (
        said_amount is not None and said_amount == held_amount
        and compatible_kinds(held.kind, value_kind(said) if re.search(r"\d", said) else "number")
    )


# --- clauses -----------------------------------------------------------------------------------

# "&" joins clauses, but not the words of a name ("Lufthansa Miles & More").
_EN_CLAUSE_BREAK = re.compile(r"\s*(?:;|,?\s+&\s+(?!(?-i:[A-Z]))|,\s*(?:and|also|plus)\s+|\s+and\s+(?=\S+(?:\s+\S+)?\s+(?:is|are|was|went|moved|changed|turned|got|just|now)\b)|\s+and\s+(?=[\w'’]+['’]s\b)|,\s+(?=(?:my|our|his|her|their|the)\s|(?:he|she|they)(?:['’]s|['’]re)?\s)|,?\s+so\s+(?=\S+\s+\S+)|\s+\d[.)]\s+)", re.I)
_ZH_CLAUSE_BREAK = re.compile(r"[，,；;～~]\s*(?:另外|还有|而且|以及|然后)?|(?:另外|还有|而且)(?=\S)")
_LAUGHTER = re.compile(r"^[哈呵嘿嘻]{2,}[，,\s]*")
# "1. …": a list mark (an announcing opening goes with the fillers).
_LABEL = re.compile(r"^\d[.)]\s+")


def clauses(text: str, language: Language) -> list[str]:
    """The clauses of a (normalised) feedback message, each a unit that can correct one memory."""
    from pipeline.text.corrections import en_coordinated_facts  # it reads the references, which read this module

    parts: list[str] = []
    pattern = _ZH_CLAUSE_BREAK if language == "zh" else _EN_CLAUSE_BREAK
    for sentence in split_sentences(text):
        sentence = _LABEL.sub("", strip_fillers(sentence).strip())
        within = False  # a part of this sentence is in `parts`
        pieces = [sentence] if language == "zh" else _contrasts_kept_apart(sentence, en_coordinated_facts(sentence), language)
        for part in (part for piece in pieces for part in pattern.split(piece)):
            part = strip_fillers(_LAUGHTER.sub("", part.strip(" ,")))
            if not re.search(r"\w", part):
                continue
            # Across sentences, a value and then a denial of the one it replaces ("是柴犬啊！！不是柯基",
            # "fav colour = green 💚 def not blue"); in Chinese also the other way round ("不是柯基呢！！
            # 是柴犬"), where 是 opens the value; an English sentence after a denial says more than one.
            denial_after = denies(part, language) and not denies(parts[-1], language) if parts else False
            value_after = language == "zh" and bool(parts) and denies(parts[-1], language) and not denies(part, language)
            joinable = bool(parts) and (within or denial_after or value_after)
            within = True
            previous = parts[-1].rstrip("!！.。") if joinable else ""
            joined = (f"{previous}，{part}" if language == "zh" else f"{previous}, {part}") if joinable else ""
            # Only where neither part holds a contrast of its own: two whole contrasts side by side
            # would pair one's value with the other's denial.
            if (joinable and not contrasts(parts[-1], language) and not contrasts(part, language)
                    and contrasts(joined, language)):
                parts[-1] = joined  # "是七点半啦，不是9点": one contrast across the comma
            else:
                parts.append(part)
    return parts


def _contrasts_kept_apart(sentence: str, pieces: list[str], language: Language) -> list[str]:
    """"…, landlord is Mr. Okafor, lease runs till October not August": a contrast that is a clause
    of its own takes its new value from its own words, not from the clause before it. Other clauses
    stay together, in the sentence's own words, as the clause patterns cut them."""
    spans: list[list[int]] = []
    position = 0
    for piece in pieces:
        start = sentence.find(piece, position)
        if start < 0:
            return [sentence]
        position = start + len(piece)
        if spans and not contrasts(piece, language):
            spans[-1][1] = position
        else:
            spans.append([start, position])
    return [sentence[start:end] for start, end in spans]


# --- matching a clause to the memories -----------------------------------------------------------


@dataclass(frozen=True)
class Substitution:
    memory_index: int
    span: tuple[int, int]  # in the memory's text
    new: str
    score: float
    reason: str


@dataclass(frozen=True)
class Alignment:
    memory_index: int
    corrected: str
    reason: str
    confidence: float


_GENERIC = {"user", "用户", "user's", "people", "thing", "one", "time"}


def _terms(text: str, language: Language, exclude: Sequence[str] = ()) -> set[str]:
    return {t for t in content_terms(text, language, list(exclude)) if t not in _GENERIC and len(t) > 1}


def _anchor(clause: str, clause_terms: set[str], memory: str, memory_values: list[Value], language: Language) -> float:
    """How surely a clause talks about a memory: shared topic words, and names it repeats."""
    memory_terms = _terms(memory, language, [v.text for v in memory_values if v.kind == "name"])
    shared = len(clause_terms & memory_terms)
    folded = clause.casefold()
    names = sum(1 for v in memory_values if v.kind == "name" and v.text.casefold() in folded)
    return shared + 2 * names


def _magnitude_penalty(new: str, old: Value) -> float:
    a, b = _amount(new), _amount(old.text)
    if not a or not b or a <= 0 or b <= 0:
        return 0.0
    return min(2.0, abs(math.log10(a / b)))


_BARE_DAY = re.compile(r"(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?")


def _written_like(new: str, old: str) -> str:
    """The new value in the old one's style: "8" for "7 years old" is "8 years old", "3rd" for
    "March 13" is "March 3", "five" is "5"."""
    if new.lower() in EN_NUMBER_WORDS and re.search(r"\d", old):
        new = str(EN_NUMBER_WORDS[new.lower()])
    if value_kind(new) == value_kind(old) == "date" and re.search(r"\d", old) and not re.search(r"\d", new):
        new = digitised(new)  # "五月二十二号" where "5月20日" stood is "5月22号"
    new = in_full_thousands(new, old)
    short_year = re.fullmatch(r"['’]?(\d{2})", new.strip())
    if short_year and re.fullmatch(r"(?:19|20)\d{2}", old.strip()):
        return old.strip()[:2] + short_year.group(1)  # "'18" for "2016" is 2018
    day = _BARE_DAY.fullmatch(new.strip())
    if day and value_kind(old) == "date" and len(re.findall(r"\d+", old)) >= 1:
        return re.sub(r"\b\d{1,2}(?:st|nd|rd|th)?\b(?!,?\s*\d{4}\b)", day.group(1), old, count=1)
    if value_kind(new) == "name" and not re.search(r"\d", new):
        return new
    return styled_like(new, old)


def _substituted(memory: str, substitutions: list[Substitution]) -> str:
    text = memory
    for sub in sorted(substitutions, key=lambda s: s.span[0], reverse=True):
        start, end = sub.span
        old = memory[start:end]
        new = _written_like(sub.new, old)
        if old[:1].isupper() and new[:1].islower() and not has_cjk(new) and new[1:] == new[1:].lower():
            new = new[:1].upper() + new[1:]  # but "iPhone" is written as it is
        for size in range(len(new) - 1, 0, -1):
            if has_cjk(new[:size]) and text[:start].endswith(new[:size]):
                new = new[size:]  # "晚上" + "晚上七点半": the memory already says the first part
                break
        new = _without_repeated_unit(new, text[end:])
        if " " in new.strip() and not has_cjk(new):
            # "Hillcrest High" where "Ridgeway" stood before "High School": the memory's own words stay once.
            new = " ".join(_without_shared_edges(new.split(), text[:start].split(), text[end:].split())) or new
        before = text[:start]
        article = re.search(r"\b([Aa])n?(\s+)$", before)
        if article and new[:1].isalpha() and new[:1].lower() != old[:1].lower():
            # "a latte" → "an oat flat white": the article agrees with the word now after it.
            vowel = new[:1].lower() in "aeiou"
            before = before[: article.start()] + article.group(1) + ("n" if vowel else "") + article.group(2)
        text = before + new + _noun_agreeing(text[end:], _amount(old), _amount(new))
    return text


def _noun_agreeing(after: str, old_amount: float | None, new_amount: float | None) -> str:
    """"one cat" → "2 cats", "3 kids" → "1 kid": the counted noun after a substituted amount."""
    noun = re.match(r"(\s+)([A-Za-z]+)", after)
    if noun is None or old_amount is None or new_amount is None or (old_amount == 1) == (new_amount == 1):
        return after
    counted = noun_for_count(noun.group(2), singular=new_amount == 1)
    return after if counted is None else noun.group(1) + counted + after[noun.end():]


def _without_repeated_unit(new: str, after: str) -> str:
    """The new value without the unit the memory already writes after it: "50mg" before " mg of
    sertraline" is "50", "20 days" before " days of leave" is "20", "银色" before "色的" is "银"."""
    if has_cjk(new):
        return without_continuation(new, after)
    head = re.match(r"\s*([A-Za-z]+)\b", after)
    if not head:
        return new
    unit = head.group(1).casefold()
    glued = re.fullmatch(r"(.*\d)\s*([A-Za-z]+)", new)
    if glued and glued.group(2).casefold() == unit:
        return glued.group(1)
    return new


def _contrast_substitutions(
    contrast: Contrast, memories: Sequence[str], slots: list[list[Value]], anchors: list[float]
) -> list[Substitution]:
    found = _held_contrast_substitutions(contrast, memories, slots, anchors)
    words = contrast.old.split()
    # "not Brisket stupid autocorrect": the denied value is the leading part some memory holds.
    for size in range(len(words) - 1, 0, -1):
        if found:
            break
        found = _held_contrast_substitutions(Contrast(" ".join(words[:size]), contrast.new, contrast.source),
                                             memories, slots, anchors)
    return found


def _held_contrast_substitutions(
    contrast: Contrast, memories: Sequence[str], slots: list[list[Value]], anchors: list[float]
) -> list[Substitution]:
    found = []
    for index, memory in enumerate(memories):
        if find_term_spans(memory, contrast.new):
            continue  # the memory already says the new value
        spans = find_term_spans(memory, contrast.old)
        if not spans and (shortened := shortened_form_span(memory, contrast.old)):
            spans = [shortened]  # "不是英短" against "英国短毛猫"
        if spans and (stated := _stated_after_copula(memory, spans[0])) is not None:
            # "领导换成李姐" against "用户的直属领导是王总": the attribute the memory states is named,
            # and what it is said to be gives way.
            found.append(Substitution(index, stated, contrast.new, 6 + anchors[index],
                                      f"states its {contrast.old!r} as {memory[stated[0]:stated[1]]!r}, which the "
                                      f"feedback changes to '{contrast.new}'"))
            continue
        if spans and _slots(contrast.new) and not _slots(contrast.old):
            continue  # "钢琴课改到周四": the attribute changed to a value; the attribute stays
        if spans:
            new = contrast.new
            if not _slots(contrast.new) and not _slots(contrast.old):
                new = _beside_neighbours(memory, spans[0], contrast.source, new) or new
            span = _object_of_phrase(memory, spans[0], new)
            if len(new.split()) > 1 and any(v.kind == "name" and v.text == new for v in _slots(new)):
                # "Lufthansa Miles & More, not United" against "United MileagePlus": a whole name
                # takes the place of the whole name the denied word begins.
                span = next(((v.start, _through_last_word(memory, v.start, v.end, new)) for v in slots[index]
                             if v.kind == "name" and v.start <= span[0] and span[1] <= v.end and (v.start, v.end) != span),
                            span)
            found.append(Substitution(index, span, new, 6 + anchors[index], f"holds '{contrast.old}', which the feedback corrects to '{new}'"))
            continue
        for held in slots[index]:
            if _agree(contrast.old, held):
                found.append(Substitution(index, (held.start, held.end), contrast.new, 5 + anchors[index],
                                          f"holds {held.text!r}, which the feedback corrects to '{contrast.new}'"))
                break
    return found


def _through_last_word(memory: str, start: int, end: int, new: str) -> int:
    """Where a name ends that a new one replaces: at the word the new name ends with, when the old
    one has it too ("Hillcrest High" for the "Ridgeway High" of "Ridgeway High School")."""
    last = new.split()[-1].casefold()
    match = re.search(rf"\b{re.escape(last)}\b", memory[start:end], re.IGNORECASE)
    return start + match.end() if match else end


_ZH_COPULA = re.compile(r"(?:是|为)")
_ZH_CLAUSE_END = re.compile(r"[，,。；;！!？?]|$")


def _stated_after_copula(memory: str, span: tuple[int, int]) -> tuple[int, int] | None:
    """Where a Chinese memory states what the term at `span` is: "用户的手机是华为Mate 40。" holds
    手机 right before 是, and "华为Mate 40" is what it is said to be. None when the term is no
    attribute before its copula."""
    if not has_cjk(memory):
        return None
    copula = _ZH_COPULA.match(memory, span[1])
    if copula is None:
        return None
    end = _ZH_CLAUSE_END.search(memory, copula.end())
    stop = end.start() if end is not None else len(memory)
    return (copula.end(), stop) if stop > copula.end() else None


def _object_of_phrase(memory: str, span: tuple[int, int], new: str) -> tuple[int, int]:
    """Where a bare noun goes in a denied phrase: "shellfish" against "allergic to peanuts" takes
    the place of "peanuts", not of the whole phrase ("The user is shellfish")."""
    if has_cjk(memory):
        return _zh_object_of_phrase(memory, span, new)
    words = set(object_prepositions())
    if any(w.casefold() in words for w in new.split()):
        return span
    old = memory[span[0]:span[1]]
    last: re.Match[str] | None = None
    for match in re.finditer(r"\b(\w+)\s+", old):
        if match.group(1).casefold() in words and match.start() > 0:
            last = match
    if last is None or len(new.split()) >= len(old.split()):
        return span
    head = old[:last.start()].split()
    # "Museum of Modern Art" is one name: nothing in it is an object to replace.
    if not head or head[-1][:1].isupper():
        return span
    return span[0] + last.end(), span[1]


def _zh_object_of_phrase(memory: str, span: tuple[int, int], new: str) -> tuple[int, int]:
    """"菠萝" against "对芒果过敏" takes the place of "芒果", the noun the preposition governs (with
    a one-character noun the tagger splits off it: "猫毛" is "猫" and "毛")."""
    tagger = jieba_tagger()
    if not all(token.flag.startswith("n") for token in tagger.cut(new)):
        return span
    tokens = list(tagger.cut(memory[span[0]:span[1]]))
    position = span[0]
    for index, token in enumerate(tokens):
        if index and tokens[index - 1].flag == "p" and token.flag.startswith("n"):
            end = position + len(token.word)
            for following in tokens[index + 1:]:
                if len(following.word) != 1 or not following.flag.startswith("n"):
                    break
                end += 1
            return position, end
        position += len(token.word)
    return span


def _beside_neighbours(memory: str, span: tuple[int, int], source: str, new: str) -> str | None:
    """What of the feedback goes where the memory has the old word. A phrase loses the words the
    memory already has around that word ("senior data analyst" against "a junior data analyst" is
    "senior"; "court reporter" against "a paralegal" stays whole); a single word may be the one the
    feedback puts between the same neighbours ("it's senior now, not junior" → "senior")."""
    if not source or has_cjk(memory):
        return None
    words = new.split()
    if len(words) > 1:
        kept = _without_shared_edges(words, memory[: span[0]].split(), memory[span[1]:].split())
        return " ".join(kept) if kept else None
    after = re.match(r"\s+([\w'’\-]+)", memory[span[1]:])
    before = re.search(r"([\w'’\-]+)\s+$", memory[: span[0]])
    if after:
        match = re.search(rf"(?i)\b([\w'’\-]+)\s+{re.escape(after.group(1))}\b", source)
        if match and _terms(match.group(1), "en"):
            return match.group(1)
    if before:
        match = re.search(rf"(?i)\b{re.escape(before.group(1))}\s+([\w'’\-]+)", source)
        if match and _terms(match.group(1), "en"):
            return match.group(1)
    return None


def _without_shared_edges(words: list[str], before: list[str], after: list[str]) -> list[str]:
    def same(a: list[str], b: list[str]) -> bool:
        return [w.strip(".,;!?").casefold() for w in a] == [w.strip(".,;!?").casefold() for w in b]

    for size in range(len(words) - 1, 0, -1):
        if len(after) >= size and same(words[-size:], after[:size]):
            words = words[:-size]
            break
    for size in range(len(words) - 1, 0, -1):
        if len(before) >= size and same(words[:size], before[-size:]):
            words = words[size:]
            break
    return words


def _value_substitutions(
    said: Value, clause: str, memories: Sequence[str], slots: list[list[Value]], anchors: list[float],
    answer_values: list[str], additive: bool, clause_names: Sequence[str] = (),
) -> list[Substitution]:
    found = []
    folded = clause.casefold()
    holders = [i for i, held in enumerate(slots) if any(h.kind == said.kind for h in held)]
    # A specific kind (a date, a time, money, a weekday…) only one memory holds needs no shared word.
    only_holder = holders[0] if len(holders) == 1 and said.kind not in ("number", "name") else None
    for index, memory in enumerate(memories):
        from_answer = any(any(_agree(a, held) for a in answer_values) for held in slots[index])
        if anchors[index] < 1 and not from_answer and index != only_holder:
            continue
        best: Substitution | None = None
        best_named = False
        for held in slots[index]:
            if not compatible_kinds(held.kind, said.kind) or (said.kind == "name") != (held.kind == "name"):
                continue
            if held.kind == "name" and (additive or held.text.casefold() in folded):
                # A name the clause repeats is what it talks about, not what it replaces; and
                # "adopted a dog, her name's Biscuit" adds a name beside the others.
                continue
            if _counts_another_unit(memory, held, said):
                continue
            answered = any(_agree(a, held) for a in answer_values)
            score = (4 if answered else 2) + anchors[index] - _magnitude_penalty(said.text, held)
            if held.kind == said.kind:
                score += 0.5
            # Between equals, a name the clause names in short ("my GP" of "User's GP") is what it
            # talks about; the other is what it replaces.
            named = held.kind == "name" and any(_shortened(name, held.text) for name in clause_names)
            if best is None or score > best.score or (score == best.score and best_named and not named):
                best, best_named = Substitution(index, (held.start, held.end), said.text, score,
                                                f"holds {held.text!r} where the feedback now says {said.text!r}"), named
        if best is not None:
            found.append(best)
    return found


_EN_DENIED_BEFORE = re.compile(r"(?i)\b(?:not|n't|no\s+longer|never|no\s+more|nor)(?:\s+[\w'’]+){0,3}\s+$|n't(?:\s+[\w'’]+){0,3}\s+$")
_ZH_DENIED_BEFORE = re.compile(r"(?:不是|不在|不用|没有|没|不再|不|别)[\u4e00-\u9fff]{0,3}$")
# "a little girl named Ava", "一只叫豆豆的猫": a name given to something the clause brings in.
_EN_ADDITIVE = re.compile(
    r"(?i)\b(?:also|too|another|adopted|added|new\s+(?:puppy|kitten|baby)|as\s+well|in\s+addition)\b|"
    r"\b(?:a|an)\s+(?:[\w\-]+\s+){0,3}(?:named|called)\b"
)
_ZH_ADDITIVE = re.compile(r"也|还有|又|另外一|新养|再加|一[只个位条匹头]叫")


def _shortened(said: str, held: str) -> bool:
    """`said` is a shorter form of the name `held`: every word of it is one of the held name's."""
    said_words, held_words = said.casefold().split(), held.casefold().split()
    return len(said_words) < len(held_words) and set(said_words) <= set(held_words)


def _denied(clause: str, value: Value, language: Language) -> bool:
    before = clause[: value.start]
    return bool((_ZH_DENIED_BEFORE if language == "zh" else _EN_DENIED_BEFORE).search(before))


_EN_FRAME = re.compile(r"(?P<head>.+?)\s+(?:is|are|was|'s|’s)\s+(?:now\s+|actually\s+|really\s+)?(?:named\s+|called\s+)?(?P<tail>.+)$", re.I)
_ZH_FRAME = re.compile(r"(?P<head>[\u4e00-\u9fffA-Za-z]{2,8}?)(?:现在|其实|应该)?(?P<verb>叫|是|姓)(?P<tail>[^，,。；;！!？?\s]{1,10})")
_EN_TAIL_END = re.compile(r"\s*(?:[,.;!?]|\s(?:in|on|at|for|since|from|and|but|with|who|which|that|because)\s|$)", re.I)


def _frame_substitution(clause: str, language: Language, memories: Sequence[str]) -> list[Substitution]:
    """The same attribute with another filler: "blood type is O+" against "blood type is A positive"."""
    if is_confirmation(clause):
        return []  # "landlord is the same": it judges the stored filler, it brings none
    found = []
    if language == "zh":
        match = _ZH_FRAME.search(clause)
        if not match:
            return []
        head, verb = match.group("head"), match.group("verb")
        tail = match.group("tail").rstrip(_ZH_PARTICLES)
        head_terms = _terms(head, "zh")
        for index, memory in enumerate(memories):
            for held in re.finditer(rf"(?:{re.escape(verb)})(?P<tail>[^，,。；;！!？?\s的]{{1,10}})", memory):
                before = memory[: held.start()]
                if head_terms and head_terms <= _terms(before[-8:], "zh") and held.group("tail") != tail and tail not in memory:
                    found.append(Substitution(index, held.span("tail"), tail, 3.5, f"states {head} as {held.group('tail')!r}"))
                    break
        return found
    match = _EN_FRAME.match(clause)
    if not match:
        return []
    head_terms = _terms(match.group("head"), "en")
    tail = _EN_TAIL_END.split(match.group("tail"), maxsplit=1)[0].strip(" '\"")
    tail = re.sub(r"(?i)\s+(?:now|actually|tho|though|lol|too)$", "", tail)
    if not head_terms or not tail or len(tail.split()) > 4:
        return []
    for index, memory in enumerate(memories):
        held = _EN_FRAME.match(memory.rstrip("."))
        if not held or tail.casefold() in memory.casefold():
            continue
        if not head_terms <= _terms(held.group("head"), "en"):
            continue
        start = held.start("tail")
        old_tail = _EN_TAIL_END.split(held.group("tail"), maxsplit=1)[0]
        filler = tail
        preposition = re.match(r"(?i)(from|with|by|at|in|on)\s+", tail)
        if preposition and not old_tail.casefold().startswith(preposition.group(1).casefold() + " "):
            filler = tail[preposition.end():]  # "is from EDF" against "is Octopus": the supplier is EDF
        if old_tail and old_tail.casefold() != filler.casefold() and len(old_tail.split()) <= 4:
            found.append(Substitution(index, (start, start + len(old_tail)), filler, 3.5, f"states {match.group('head').strip()} as {old_tail!r}"))
    return found


def _clear_best(proposals: list[Substitution]) -> Substitution | None:
    """The one clear best proposal: a tie between two memories is no decision."""
    if not proposals:
        return None
    ranked = sorted(proposals, key=lambda s: s.score, reverse=True)
    best = ranked[0]
    rivals = [p for p in ranked[1:] if p.memory_index != best.memory_index]
    if rivals and rivals[0].score >= best.score - 0.25:
        return None
    return best


# When a change happened ("quit 6 months ago", "since the 2024 update", "(since Oct)") is not a value of the fact.
_EN_WHEN_CHANGED = re.compile(
    r"(?i)\b(?:(?:a\s+few|a\s+couple\s+of|\d+|[a-z]+)\s+(?:days?|weeks?|months?|years?|yrs?)\s+ago|"
    r"since\s+(?:the\s+)?[\w\-]+(?:\s+(?:policy|rule|update|change|merger|reorg|meeting|move|release|version)s?)*)\b"
)


def _without_when_it_changed(clause: str, values: list[Value], language: Language) -> list[Value]:
    if language == "zh":
        return values
    spans = [match.span() for match in _EN_WHEN_CHANGED.finditer(clause)]
    return [v for v in values if not any(start < v.end and v.start < end for start, end in spans)]


def _proposals(
    clause: str, language: Language, memories: Sequence[str], answer: str, similarities: Sequence[float],
    corrective: bool, lead_in: str = "",
) -> list[list[Substitution]]:
    """For each thing the clause says (a contrast, a value, a frame), what it could substitute.

    `lead_in` is the clause before it, which often names the topic the value belongs to ("房租涨了，
    现在5200一个月"): its words anchor at half weight."""
    slots = [_slots(memory) for memory in memories]
    clause_slots = _without_when_it_changed(clause, _slots(clause), language)
    clause_terms = _terms(clause, language, [v.text for v in clause_slots if v.kind == "name"])
    lead_terms = _terms(lead_in, language) - clause_terms if lead_in else set()
    anchors = [_anchor(clause, clause_terms, memory, slots[i], language) + 2 * similarities[i]
               + 0.5 * len(lead_terms & _terms(memory, language))
               for i, memory in enumerate(memories)]
    found = list(contrasts(clause, language))
    consumed = [text for contrast in found for text in (contrast.old, contrast.new)]
    fresh = [v for v in clause_slots if not any(v.text in text or text in v.text for text in consumed)]
    denied = [v for v in fresh if _denied(clause, v, language)]
    # A value some memory already holds is what the clause talks about, not a new value; so is a
    # shorter form of a name a memory holds ("the Mazda" of a "Mazda MX-5").
    asserted = [v for v in fresh if v not in denied and not any(
        _agree(v.text, h) or (v.kind == h.kind == "name" and _shortened(v.text, h.text)) for held in slots for h in held)]
    for old in denied:
        # "moved to Montreal, not in Toronto anymore": the denied value and the asserted one pair up.
        partners = [v for v in asserted if (v.kind == "name") == (old.kind == "name") and compatible_kinds(old.kind, v.kind)]
        if len(partners) == 1:
            found.append(Contrast(old.text, partners[0].text))
            asserted.remove(partners[0])
    groups = []
    for contrast in found:
        group = _contrast_substitutions(contrast, memories, slots, anchors)
        if group:
            groups.append(group)
        elif not _slots(contrast.old):
            # "航班改到6月12号": no memory holds "航班" as a value; "6月12号" still stands as a new value.
            # "改到周六上午十点": the new value may be several values written together (a day and a
            # time), each then its own; a range ("12点到1点半") stays whole.
            inside = [v for v in clause_slots if v.text in contrast.new]
            if "".join(v.text for v in inside).replace(" ", "") != contrast.new.replace(" ", ""):
                inside = [v for v in inside if v.text == contrast.new]
            asserted += [v for v in inside if v not in asserted]
    answer_values = [v.text for v in _slots(answer)] if answer else []
    additive = bool((_ZH_ADDITIVE if language == "zh" else _EN_ADDITIVE).search(clause))
    if not corrective:
        # A message that signals no change ("FYI the garage code is 7731") adds facts; only an
        # explicit contrast replaces a value.
        return [group for group in groups if group]
    # What a contrast of the clause corrects is the memory the clause is about: a name it also says
    # ("it's three kids not 2, u forgot lil Sam") fills a slot of that memory only. (Amounts, days
    # and times of a clause that was not split may each still correct a memory of their own.)
    contrasted = {s.memory_index for group in groups for s in group}
    for said in asserted:
        group = _value_substitutions(said, clause, memories, slots, anchors, answer_values, additive,
                                     [v.text for v in clause_slots if v.kind == "name"])
        if contrasted and said.kind == "name":
            group = [s for s in group if s.memory_index in contrasted]
        groups.append(group)
    if not any(groups) and not denied:
        groups.append(_frame_substitution(clause, language, memories))
    return [group for group in groups if group]


_EN_ENDED = re.compile(
    r"(?i)\b(?:not|n't|no\s+longer|never)\b(?P<what>.*?)\b(?:anymore|any\s+more|any\s+longer|now)\b|"
    r"\bno\s+longer\b(?P<what2>.+)$|\bno\s+more\s+(?P<what3>.+)$"
)
_ZH_ENDED = re.compile(r"(?:不再|已经不|早就不|再也不|没再|不)(?P<what>[\u4e00-\u9fffA-Za-z]{1,8}?)(?:了|啦|咯|喽)")


def _ended_terms(clause: str, language: Language) -> set[str]:
    """What a clause says no longer holds ("not a student anymore", "不游泳了"): its content words."""
    match = (_ZH_ENDED if language == "zh" else _EN_ENDED).search(clause)
    if not match:
        return set()
    what = next((g for g in match.groups() if g), "")
    return _terms(what, language)


_NEGATION = re.compile(r"(?i)\b(?:not|never|no|nor)\b|n't|不|没")


def _positive(clause: str, language: Language) -> bool:
    """A clause that states something (no negation at all) about at least one content word."""
    return not _NEGATION.search(clause) and len(_terms(clause, language)) >= 1


_ZH_PERSON_START = re.compile(r"^(?:我|咱|用户|他|她|它)")
_EN_SUBJECT_START = re.compile(r"(?i)^(?:I|we|my|our|the\s+user|he|she|they|his|her|their|it|this|that|the|a|an)\b|^[A-Z]")
_EN_PRONOUN_START = re.compile(r"(?i)^(?:he|she)(?:['’]s)?\b")
_ZH_PRONOUN_START = re.compile(r"^(?:他|她)")


def _memory_subject(memory: str, language: Language) -> str:
    """Whom a memory is about, as its sentence names them: "用户的儿子", "The user's sister", "用户"."""
    if language == "zh":
        head = re.match(r"用户(的)?([\u4e00-\u9fff]{1,4})", memory)  # "用户的女儿", "用户女儿的钢琴课"
        for end in range(len(head.group(2)), 0, -1) if head else ():
            # Without "的" the relative follows at once ("用户女儿的"; not "用户和丈夫").
            for start in range(end if head.group(1) else 1):
                if relation_of(head.group(2)[start:end]):
                    return "用户的" + head.group(2)[:end]  # "用户的大学同学"
        return "用户" if memory.startswith("用户") else ""
    match = re.match(r"The user['’]s ([\w\-]+)", memory)
    if match and relation_of(match.group(1)):
        return match.group(0)
    return "The user" if memory.startswith("The user") else ""


def _as_memory(clause: str, language: Language, memory: str) -> str:
    """A clause of feedback as a memory about the one the superseded memory is about: its pronoun or
    missing subject is that person ("早就不学了，改学围棋" → "用户的儿子改学围棋")."""
    subject = _memory_subject(memory, language)
    if language == "zh":
        if subject and subject != "用户" and _ZH_PRONOUN_START.match(clause):
            clause = subject + clause[1:]
        elif subject and not _ZH_PERSON_START.match(clause) and "我" not in clause:
            clause = subject + clause
    else:
        if subject and subject != "The user" and _EN_PRONOUN_START.match(clause):
            clause = _EN_PRONOUN_START.sub(subject + (" is" if re.match(r"(?i)^\w+['’]s", clause) else ""), clause, count=1)
        elif subject and not _EN_SUBJECT_START.match(clause) and not re.search(r"\bI\b", clause):
            clause = f"{subject} {clause}"
    return finish_sentence(to_third_person(clause, language), language)


_EN_MEMORY_SUBJECT = re.compile(r"^(?:The user(?:['’]s(?:\s+[\w\-]+){1,3}?)?|[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*)*)\s+")
_EN_BE_OR_HAVE = re.compile(r"^(?:is|are|was|were|has|have|had|does|do)\b")
_EN_VERB = re.compile(r"^[a-z]+(?:s|ed)\b")


def no_longer(memory: str, language: Language) -> str | None:
    """The memory, said to hold no more: "The user loves X." → "The user no longer loves X.",
    "The user is vegetarian." → "The user is no longer vegetarian.", "用户喜欢吃香菜。" → "用户不再喜欢吃香菜。"."""
    if language == "zh":
        subject = _memory_subject(memory, language)
        if not subject or memory[len(subject):].startswith(("不", "没")):
            return None
        return f"{subject}不再{memory[len(subject):]}"
    for match in _EN_MEMORY_SUBJECT.finditer(memory):
        rest = memory[match.end():]
        if be := _EN_BE_OR_HAVE.match(rest):
            if be.group(0) in ("has", "have", "had", "does", "do"):
                return f"{memory[:match.end()]}no longer {rest}"
            return f"{memory[:match.end()]}{be.group(0)} no longer{rest[be.end():]}"
        if _EN_VERB.match(rest):
            return f"{memory[:match.end()]}no longer {rest}"
    # "The user's older sister is …": the subject runs on to the verb.
    verb = re.search(r"\s(is|are|was|were)\s", memory)
    if verb and memory.startswith("The user"):
        return f"{memory[:verb.end(1)]} no longer{memory[verb.end(1):]}"
    return None


def _ended_facts(
    clause_texts: Sequence[str], everything: Sequence[str], language: Language, memories: Sequence[str], taken: set[int]
) -> list[Alignment]:
    """A clause that says a fact no longer holds ends the memory that states it; the new memory is
    what the feedback says instead (a positive clause of the message, in the third person)."""
    found: list[Alignment] = []
    for clause in clause_texts:
        ended = _ended_terms(clause, language)
        if not ended:
            continue
        overlaps = [(len(ended & _terms(memory, language)), index) for index, memory in enumerate(memories)
                    if index not in taken and not _NEGATED_MEMORY.search(memory)]
        overlaps.sort(reverse=True)
        if not overlaps or overlaps[0][0] < 1 or (len(overlaps) > 1 and overlaps[1][0] == overlaps[0][0]):
            continue
        index = overlaps[0][1]
        position = list(everything).index(clause) if clause in everything else len(everything)
        siblings = [c for c in list(everything[:position])[::-1] + list(everything[position + 1:]) if _positive(c, language)]
        # What the feedback says instead, when it speaks of the same thing ("not vegetarian anymore, I
        # eat fish now"); else the memory itself, no longer so ("not into podcasts anymore, they give
        # me nightmares" → "The user no longer loves podcasts.").
        if not siblings:
            continue  # the clause is all the feedback says: the rules that read a change take it
        related = [c for c in siblings if _terms(c, language) & _terms(memories[index], language) or _NOW.search(c)]
        whole = [text for c in related or siblings if memory_defect(text := _as_memory(c, language, memories[index])) is None]
        corrected = whole[0] if whole else no_longer(memories[index], language)
        if not corrected:
            continue
        found.append(Alignment(index, corrected, f"the feedback says {' '.join(sorted(ended))} no longer holds", 0.5))
        taken.add(index)
    return found




def _person_opening(clause: str, language: Language) -> str | None:
    """The relative a clause opens with, as its subject ("我妈去年…" → mother, "my sister moved" →
    sister); None when it opens with no one."""
    if language == "zh":
        rest = re.sub(r"^(?:我们?的?|用户的?)", "", clause)
        for size in (2, 1, 3):
            if relation := relation_of(rest[:size]):
                return relation
        return None
    match = re.match(r"(?i)^(?:my\s+|our\s+|the\s+user['’]s\s+)?([a-z\-]+)", clause)
    return relation_of(match.group(1)) if match else None


def _about_whom_the_clause_says(clause: str, language: Language, memory: str) -> bool:
    """A memory about a relative ("用户的父亲抽烟") is changed only by a clause about that relative
    (named first, or he/she); one about the user, only by a clause that opens with no relative."""
    subject = _memory_subject(memory, language)
    relation = re.sub(r"^(?:用户的|The user['’]s )", "", subject) if subject not in ("", "用户", "The user") else ""
    opening = _person_opening(clause, language)
    pronoun = (_ZH_PRONOUN_START if language == "zh" else _EN_PRONOUN_START).match(clause)
    if relation:
        kinds = {relation_of(relation[start:]) for start in range(len(relation))} - {None}
        return bool(pronoun) or opening in kinds
    return opening is None and not pronoun


_NOW = re.compile(r"(?i)\b(?:now|these\s+days|currently)\b|现在|目前|如今")
_NEGATED_MEMORY = re.compile(r"(?i)\b(?:not|n't|no\s+longer)\b|不再|不是|没有")


# Cosine similarities (the bundled embedder's) above which a memory is taken to be what a change
# of state talks about: with the attribute table's word for it, and without.
MIN_STATE_CLOSENESS = 0.3
MIN_FALLBACK_CLOSENESS = 0.35


def _names_another(clause: str, clause_names: set[str], memory: str) -> bool:
    """"Biscuit passed away" is not about the cat named Pepper."""
    held = {v.text.casefold() for v in _slots(memory) if v.kind == "name"}
    folded = clause.casefold()
    return bool(clause_names and held and not clause_names & held and not any(name in folded for name in held))


def _changed_states(
    clause_texts: Sequence[str], everything: Sequence[str], language: Language, memories: Sequence[str],
    closeness: Sequence[float], taken: set[int], answer: str = "",
) -> list[Alignment]:
    """A change of state ("got married", "跳槽了", "sold the outback") ends the one memory that states
    the same attribute (relationship, employment, vehicle…; `life_events`), or, when no memory
    states it in words the table knows, the memory the clause is clearly closest to. The new memory
    is the clause that states the new value of that attribute, else the change itself."""
    found: list[Alignment] = []
    for clause in clause_texts:
        attributes = set(changed_attributes(clause))
        if not attributes or not _positive(clause, language) or says_unchanged(clause):
            continue
        open_memories = [i for i in range(len(memories)) if i not in taken and not _NEGATED_MEMORY.search(memories[i])
                         and _about_whom_the_clause_says(clause, language, memories[i])]
        clause_terms = _terms(clause, language)
        clause_names = {v.text.casefold() for v in _slots(clause) if v.kind == "name"}
        open_memories = [i for i in open_memories if not _names_another(clause, clause_names, memories[i])]
        # The answer the feedback replies to bridges a reply that names nothing ("他去年就离职了"
        # after "你哥哥在腾讯做产品经理") to the memory the answer was drawn from.
        answer_terms = _terms(answer, language) if answer else set()
        stating = [i for i in open_memories if stated_attributes(memories[i]) & attributes
                   and (clause_terms & _terms(memories[i], language) or closeness[i] >= MIN_STATE_CLOSENESS
                        or len(answer_terms & _terms(memories[i], language)) >= 2)]
        concluded = set(concluded_attributes(clause))
        if not stating:
            # "退休了" ends the job whatever words the memory states it in.
            stating = [i for i in open_memories if stated_attributes(memories[i]) & concluded]
        if len(stating) > 1:
            best = max(closeness[i] for i in stating)
            stating = [i for i in stating if closeness[i] >= best - 0.05]
        if not stating:
            # The other clauses often name what changed ("34 years of teaching chem"): their words
            # break near ties in closeness.
            message_terms = set().union(*(_terms(c, language) for c in everything))
            # A memory that says something is not so ("还没有孩子") stays a rival: when it is the
            # closest, the change is not taken to end another one.
            rivals = [i for i in range(len(memories)) if i not in taken and _about_whom_the_clause_says(clause, language, memories[i])]
            nearness = {i: closeness[i] + 0.1 * len(message_terms & _terms(memories[i], language)) for i in rivals}
            ranked = sorted(rivals, key=lambda i: nearness[i], reverse=True)
            if ranked and ranked[0] not in open_memories:
                ranked = []
            if ranked and closeness[ranked[0]] >= MIN_FALLBACK_CLOSENESS and (len(ranked) == 1 or nearness[ranked[0]] - nearness[ranked[1]] >= 0.1):
                stating = ranked[:1]
        if len(stating) != 1:
            continue
        index = stating[0]
        siblings = [c for c in everything if c != clause and _positive(c, language) and not says_unchanged(c)
                    and not _corrects_another(c, index, memories)]
        states_new = [c for c in siblings if _NOW.search(c) or _slots(c)] or \
                     [c for c in siblings if stated_attributes(c) & attributes and not changed_attributes(c)]
        corrected = _as_memory(states_new[0] if states_new else clause, language, memories[index])
        if states_new and concluded & stated_attributes(memories[index]):
            # "退休了，现在天天带孙子": the event that ended the state is part of the new one.
            joined = _as_memory(_joined(clause, states_new[0], language), language, memories[index])
            corrected = corrected if memory_defect(joined) else joined
        found.append(Alignment(index, corrected, f"the feedback says the {'/'.join(sorted(attributes))} changed", 0.45))
        taken.add(index)
    return found


def _corrects_another(clause: str, index: int, memories: Sequence[str]) -> bool:
    """"my work email is now j.ortiz@northwind.com" beside "my number changed": a clause whose value
    is of a kind another memory holds, and this one does not, is that memory's correction."""
    kinds = {v.kind for v in _slots(clause)}
    if not kinds:
        return False
    def holds(memory: str) -> bool:
        return any(compatible_kinds(kind, v.kind) for kind in kinds for v in _slots(memory))
    return not holds(memories[index]) and any(holds(m) for j, m in enumerate(memories) if j != index)


def _joined(first: str, second: str, language: Language) -> str:
    if language == "zh":
        return f"{strip_terminal_punctuation(first)}，{second}"
    return f"{strip_terminal_punctuation(first)}, and {second[:1].lower()}{second[1:]}"


_CHANGE_WORDS = re.compile(r"(?i)\b(?:new|now|actually|anymore|instead|changed?|switched|moved|turned|went)\b|了|现在|改|换|新")


# "it's 500 Mbps", "that's the Leafs", "是周四": a clause whose subject only points at something
# already known says what that known thing is.
_POINTS_BACK = re.compile(r"(?i)(?:^|[.!?;,:，。！？；]\s*)(?:(?:it|that)(?:'s|’s|\s+is|\s+was)|its|thats)\s|(?:^|[，。！？；,])(?:那|这)?是(?!不是)")


def signals_change(feedback: str, answer: str = "") -> bool:
    """Whether a message reads as a correction or a change, not as a fact added beside the others."""
    return (bool(answer) or has_correction_cue(feedback) or says_something_changed(feedback)
            or bool(_CHANGE_WORDS.search(feedback)) or bool(_POINTS_BACK.search(feedback.strip()))
            or _judges_part_of_what_is_stored(feedback))


def _judges_part_of_what_is_stored(feedback: str) -> bool:
    """"…, the brand thing is right tho", "…，楼层倒是没错": a message that says some stored fact is
    right is going over what is stored; what else it says corrects it."""
    language = detect_language(feedback)
    return any(is_confirmation(clause) for sentence in split_sentences(feedback) for clause in clauses(sentence, language))


def align(
    clause_texts: Sequence[str], language: Language, memories: Sequence[str], answer: str = "",
    similarities: Sequence[float | None] | None = None, corrective: bool = True,
    whole_message: Sequence[str] = (),
) -> list[Alignment]:
    """What the clauses correct among `memories`: one corrected sentence per memory they hit.

    Every value a clause says proposes substitutions; the strongest proposals are taken first,
    each memory slot is filled once, and a value whose best remaining memories tie is left out.
    """
    closeness = [max(0.0, sim or 0.0) for sim in (similarities or [None] * len(memories))]
    everything = list(whole_message) or list(clause_texts)
    groups = [
        group
        for clause in clause_texts
        for group in _proposals(clause, language, memories, answer, closeness, corrective, _lead_in(clause, everything))
    ]
    taken: dict[int, list[Substitution]] = {}
    pending = sorted(groups, key=lambda g: max(s.score for s in g), reverse=True)
    progress = True
    while pending and progress:
        # A value whose best memories tie may become clear once another value took one of them.
        progress = False
        for group in pending:
            free = [s for s in group if not any(_overlap(s.span, t.span) for t in taken.get(s.memory_index, []))]
            best = _clear_best(free)
            if best is not None:
                taken.setdefault(best.memory_index, []).append(best)
                pending.remove(group)
                progress = True
                break
    ended = set(taken)
    alignments = _ended_facts(clause_texts, everything, language, memories, ended)
    if not taken:
        # A change of state is read only where no value was corrected: "moved to Portland" already
        # substituted the city names the residence it changed.
        alignments += _changed_states(clause_texts, everything, language, memories, closeness, ended, answer)
    for index, subs in sorted(taken.items()):
        confidence = min(1.0, max(s.score for s in subs) / 8)
        alignments.append(Alignment(index, _substituted(memories[index], subs), "; ".join(s.reason for s in subs), round(confidence, 2)))
    return alignments


def _lead_in(clause: str, everything: Sequence[str]) -> str:
    position = list(everything).index(clause) if clause in everything else 0
    return everything[position - 1] if position > 0 else ""


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


# What other rules of the conversation use: a memory's values, its topic words, and a clause
# stated about the memory's subject.
memory_slots = _slots
memory_subject = _memory_subject
topic_terms = _terms
as_memory = _as_memory


def with_value(memory: str, span: tuple[int, int], new: str) -> str:
    """The memory with the value at `span` replaced by `new`, written in the old value's style."""
    return _substituted(memory, [Substitution(0, span, new, 0.0, "")])
