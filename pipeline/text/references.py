"""Replies that only point at an option the conversation listed: "no, the second one", "是另一家".

The options come from the recent turns ("Is it the Hilton or the Marriott?", "乐动健身还是超级猩猩？");
the assistant's last answer holds the option it wrongly chose; the reply picks another. The
corrected statement is that answer with the chosen option in place of the wrong one.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.text.keyword import contains_term
from pipeline.text.language import Language
from pipeline.text.lexicon import (
    EN_STOPWORDS,
    ZH_STOPWORDS,
    content_terms,
    is_negated,
    phrase_alternation,
    zh_token_spans,
    zh_tokens,
)
from pipeline.text.referents import numbered_items
from pipeline.text.sentences import split_sentences
from pipeline.text.values import Value, extract_values
from pipeline.text.wellformed import is_confirmation

_DATA = Path(__file__).parent / "data" / "references.toml"
_OTHER = "other"
# How far back options are looked for: the question, the answer, and the turns before them.
_TURNS = 4


@dataclass(frozen=True)
class _Words:
    markers: re.Pattern[str]
    ordinals: dict[str, int]
    reference: re.Pattern[str]
    alternatives: re.Pattern[str]
    coordinators: re.Pattern[str]
    list_ends: re.Pattern[str]
    rejections: re.Pattern[str]
    superlatives: dict[str, tuple[str, str]]
    option_ends: re.Pattern[str] | None


@lru_cache(maxsize=1)
def _words() -> dict[str, _Words]:
    data = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    words = {}
    for language, table in data.items():
        pointers = {**{k: v for k, v in table["ordinals"].items()}, **{w: _OTHER for w in table["other"]},
                    **_counted_pointers(table.get("counted", {}), table["pointers"].get("counters", []))}
        boundary = (r"\b", r"\b") if language == "en" else ("", "")
        words[language] = _Words(
            markers=re.compile(rf"{boundary[0]}(?:{phrase_alternation(table['markers'])}){boundary[1]}", re.IGNORECASE),
            ordinals=pointers,
            reference=re.compile(rf"{boundary[0]}(?:{phrase_alternation(list(pointers))}){boundary[1]}", re.IGNORECASE),
            alternatives=re.compile(rf"\s*(?:{phrase_alternation(table['alternatives'])})\s*" if language == "zh"
                                    else rf"\s+(?:{phrase_alternation(table['alternatives'])})\s+", re.IGNORECASE),
            coordinators=_joiner(table["coordinators"], language),
            list_ends=re.compile(rf"{boundary[0]}(?:{phrase_alternation(table['list_ends'])}){boundary[1]}", re.IGNORECASE),
            rejections=re.compile(rf"{boundary[0]}(?:{phrase_alternation(table['rejections'])}){boundary[1]}", re.IGNORECASE),
            superlatives={word: (kind, end) for word, (kind, end) in table.get("superlatives", {}).items()},
            option_ends=re.compile(r"\s+(?:" + "|".join(re.escape(w.strip()) for w in table["option_ends"]) + r")(?:\s+|$)",
                                   re.IGNORECASE) if table.get("option_ends") else None,
        )
    return words


def _counted_pointers(counted: dict[str, object], counters: list[str]) -> dict[str, int | str]:
    """"第二{c}" with each counter: "第二趟", "第二本", …"""
    more = counted.get("more_counters", [])
    assert isinstance(more, list)
    return {form.format(c=counter): meaning for form, meaning in counted.items() if isinstance(meaning, (int, str))
            for counter in [*counters, *more]}


def _joiner(words: list[str], language: Language) -> re.Pattern[str]:
    if language == "zh":
        return re.compile(rf"\s*(?:{phrase_alternation(words)})\s*")
    return re.compile(rf"\s+(?:{phrase_alternation(words)})\s+", re.IGNORECASE)


def pointer_of(feedback: str, language: Language) -> int | str | None:
    """The option a reply points at (an index, or "other"), when pointing is what it does: one
    clause points, and nothing in the reply brings a value of its own ("第一个才对", "no, the
    second one is my fav"; not "第二个改到周六", which the other rules read)."""
    words = _words()[language]
    clauses = (_ZH_CLAUSE if language == "zh" else _CLAUSE).split(feedback)
    # A clause that only judges what is stored ("nights are right") brings no value of its own.
    judged = [clause for clause in clauses if not is_confirmation(clause)]
    if extract_values(words.reference.sub(" ", " , ".join(judged))):
        return None
    pointing = [
        clause for clause in clauses
        if words.reference.search(clause)
        and not is_negated(_ANSWERING_NO.sub("", words.reference.sub(" ", clause)), language)
        and not words.rejections.search(clause)
    ]
    # "no, the first one. I ended up getting the first one": clauses that point alike point once.
    pointers = {_pointer_in(clause, words) for clause in pointing}
    return pointers.pop() if len(pointers) == 1 else None


def ends_pointing(text: str, language: Language) -> bool:
    """Whether a sentence ends on a pointer instead of the thing pointed at ("用户常去的健身房是另一家。",
    "The user's favourite is the second one."): a reply resolved to nothing."""
    words = _words()[language]
    ending = text.strip().rstrip("。.!！?？ ")
    found = list(words.reference.finditer(ending))
    if not found:
        return False
    rest = ending[found[-1].end():].strip()
    if language == "zh":
        return rest in ("", "的", "那个", "那家")
    return rest.casefold() in ("one", "ones") or (not rest and words.ordinals.get(found[-1].group(0).casefold()) == _OTHER)


def _pointer_in(clause: str, words: _Words) -> int | str:
    found = words.reference.search(clause)
    assert found is not None
    key = next(k for k in words.ordinals if re.fullmatch(re.escape(k).replace(r"\ ", r"\s+"), found.group(0), re.I))
    return words.ordinals[key]


_CLAUSE = re.compile(r"[,;.!?，；。！？]+\s*")
# "no it's at the other one": a reply that opens with "no" answers the assistant; it denies nothing.
_ANSWERING_NO = re.compile(r"(?i)^\s*(?:no|nope|nah)\b")
# Typed Chinese often separates clauses with a space alone ("不对 是另一家").
_ZH_CLAUSE = re.compile(r"[,;.!?，；。！？\s]+")


# "FitZone on Elm Street and PowerHouse on King Road": a place after a preposition says where an
# option is; it is no option itself.
_EN_LOCATING = re.compile(r"(?i)\b(?:on|at|near|in)\s+(?:the\s+)?$")


def _located_by(sentence: str, start: int) -> bool:
    return bool(_EN_LOCATING.search(sentence[:start]))


_NAME_CHAR = re.compile(r"[A-Za-z\u4e00-\u9fff]")
_ASIDE = re.compile(r"\s*[（(][^（()）]*[)）]")


def _options(sentence: str, language: Language) -> list[str]:
    """The alternatives a sentence offers: its values of one kind, else the phrases around "or"/"还是".
    What a sentence says in brackets beside an option ("the Dell XPS 13 (great screen, Windows)") is
    no option."""
    sentence = _ASIDE.sub("", sentence)
    values = extract_values(sentence)
    words = _words()[language]
    offered = words.alternatives.search(sentence)
    if offered:
        # "for my Kyoto trip, which hotel did I book, Hotel Granvia or The Thousand?": the values the
        # "or" joins, not every value of the sentence.
        before = sentence[: offered.start()].rstrip(" ，,")  # "…的Manner，或者…的Seesaw": that comma joins the two
        clause_start = max((m.end() for m in re.finditer(r"[，,：:；;]", before)), default=0)
        values = [v for v in values if v.start >= clause_start]
    # "小米14和华为Mate 60": a number written against a name is part of the name, no option of its own.
    values = [v for v in values if not (v.kind == "number" and v.start and _NAME_CHAR.match(sentence[v.start - 1]))]
    kinds = [v.kind for v in values]
    for kind in dict.fromkeys(kinds):
        same = list(dict.fromkeys(v.text for v in values if v.kind == kind and not _located_by(sentence, v.start)))
        if len(same) >= 2:
            return same
    parts = words.alternatives.split(sentence.strip().rstrip("?？。.!！"))
    listed = len(parts) < 2
    if listed:
        parts = words.coordinators.split(sentence.strip().rstrip("?？。.!！"))
    if len(parts) < 2:
        return _enumerated(sentence) if language == "zh" else []
    separator = re.compile(r"[，,：:；;、]|是|选|去|在|用" if language == "zh" else r"[,:;]")
    # "A few substitutes: Greek yogurt, crème fraîche, or cashew cream": every member the commas
    # list after the sentence's introduction, not only the one before the "or".
    opening = re.split(r"[：:]", parts[0].rstrip(" ，,"))[-1]
    members = [m.strip() for m in re.split(r"、" if language == "zh" else r",", opening) if m.strip()]
    # The first member may still hold the words that lead into the list ("try oat milk"): the
    # answer tells where it starts (see _as_the_answer_says).
    if len(members) < 2 or any(len(m.split()) > 4 for m in members[1:]):
        members = [separator.split(parts[0].rstrip(" ，,"))[-1].strip()]
    last = re.split(r"[，,。.;；]", parts[-1])[0].strip()
    if listed:
        last = words.list_ends.split(last)[0].strip()
    options = [*members, *[p.strip() for p in parts[1:-1]], _option_name(last, language)]
    return [re.sub(r"^(?:the|a|an)\s+|[吗呢啊呀]$", "", o, flags=re.IGNORECASE) for o in options if o]


def _enumerated(sentence: str) -> list[str]:
    """"可以试试这三本：《三体》、《活着》、《百年孤独》": the members of a list the 、 joins."""
    listed = re.split(r"[：:]", sentence.strip().rstrip("?？。.!！"))[-1]
    members = [m.strip() for m in listed.split("、")]
    if len(members) < 2 or not all(0 < len(m) <= 12 for m in members):
        return []
    return members


def _option_name(phrase: str, language: Language) -> str:
    """An option without what is said of it ("cashew cream for a fully dairy-free option")."""
    ends = _words()[language].option_ends
    return ends.split(phrase, maxsplit=1)[0].strip() if ends is not None else phrase


_BULLET = re.compile(r"^\s*[-•*·]\s+(?P<item>.+)$", re.MULTILINE)


def _listed_items(content: str) -> list[str]:
    """The items of a numbered or bulleted list in a turn, in order."""
    numbered = numbered_items(content)
    return numbered if numbered else [m.group("item").strip() for m in _BULLET.finditer(content)]


def _item_options(items: list[str], language: Language) -> list[str]:
    """Each listed item's name: what comes before what the item says of it ("Casa Amora – €110/night,
    cozy guesthouse" → "Casa Amora"). None unless every item has one, each its own."""
    names = [_option_name(re.split(r"\s*[,，(（]", item, maxsplit=1)[0], language) for item in items]
    names = [re.sub(r"^(?:the|a|an)\s+", "", n, flags=re.IGNORECASE).strip(" .。") for n in names]
    return names if len(names) >= 2 and all(names) and len(set(names)) == len(names) else []


@dataclass(frozen=True)
class _Offer:
    """Options a turn offered, each with the words that describe it, and the one the answer held."""

    options: list[str]
    segments: list[str]
    wrong: str


def _offers(turns: list[tuple[str, str]], language: Language, answer: str) -> Iterator[_Offer]:
    for _, content in reversed(turns):
        items = _listed_items(content)
        options = _item_options(items, language)
        wrong = (_held_option(answer, options) or _stated_before(turns, options)) if options else None
        if wrong is not None:
            yield _Offer(options, items, wrong)
        for sentence in split_sentences(content):
            options = _options(sentence, language)
            if len(options) < 2:
                continue
            options = _as_the_answer_says(options, answer, language)
            wrong = _held_option(answer, options) or _stated_before(turns, options)
            if wrong is not None:
                yield _Offer(options, _segments(sentence, options), wrong)


_BETWEEN_OPTIONS = re.compile(r"[,，;；、]|\s(?:and|or)\s|和|或者|还是|或", re.IGNORECASE)


def _as_the_answer_says(options: list[str], answer: str, language: Language) -> list[str]:
    """"我上个月面试了星河科技和蓝鲸数据" with the answer "你最后入职了星河科技", "try oat milk, almond
    milk, or soy milk" with "you're using oat milk": the first option is the end of its phrase that
    the answer says, not the words the sentence opened with."""
    first = options[0]
    if contains_term(answer, first):
        return options
    if language == "zh":
        # The end begins with a word of its own (jieba's), not with a particle ("了星河科技").
        starts = [start for start, _ in zh_token_spans(first) if start and first[start:] in answer]
        starts = [start for start in starts if zh_tokens(first[start:])[0] not in ZH_STOPWORDS]
    else:
        starts = [m.start() for m in re.finditer(r"(?<=\s)\S", first) if contains_term(answer, first[m.start():])]
        starts = [start for start in starts if first[start:].split()[0].casefold() not in EN_STOPWORDS]
    return [first[starts[0]:], *options[1:]] if starts else options


def _segments(sentence: str, options: list[str]) -> list[str]:
    """The stretch of the sentence that speaks of each option, parted where the list joins them
    ("a morning flight departing 7:15 AM | and an evening flight departing 6:40 PM")."""
    folded = sentence.casefold()
    starts = [folded.find(option.casefold()) for option in options]
    if any(start < 0 for start in starts) or starts != sorted(starts):
        return list(options)
    ends = [start + len(option) for start, option in zip(starts, options)]
    opening = max((m.end() for m in re.finditer(r"[：:]", sentence[:starts[0]])), default=0)
    bounds = [opening]
    for i in range(len(options) - 1):
        joins = list(_BETWEEN_OPTIONS.finditer(sentence, ends[i], starts[i + 1]))
        bounds.append(joins[-1].start() if joins else ends[i])
    bounds.append(len(sentence))
    return [sentence[bounds[i]:bounds[i + 1]] for i in range(len(options))]


def _held_option(answer: str, options: list[str]) -> str | None:
    """The one option a sentence of the answer states."""
    for sentence in split_sentences(answer):
        # The sentence that lists the options may state the one held in a clause of its own.
        for part in [sentence, *re.split(r"[，,；;]", sentence)]:
            held = [o for o in options if contains_term(part, o)]
            if len(held) == 1:
                return held[0]
    return None


def _stated_before(turns: list[tuple[str, str]], options: list[str]) -> str | None:
    """An answer that only asks ("moved to June 12 or June 19?") holds no option; the value of their
    kind the assistant stated before it is the one being replaced."""
    kinds = {v.kind for option in options for v in extract_values(option)}
    if len(kinds) != 1:
        return None
    for role, content in reversed(turns[:-1]):
        if role != "assistant":
            continue
        stated = [v.text for v in extract_values(content) if v.kind in kinds and v.text not in options]
        if len(set(stated)) == 1:
            return stated[0]
    return None


def _numbered_options(answer: str) -> list[str]:
    """The names a numbered list offers ("1. Luigi's Trattoria, your favourite" → "Luigi's Trattoria")."""
    names = [re.split(r"\s*(?:[,，:：(（]|\s[-–—]\s)", item, maxsplit=1)[0].strip() for item in numbered_items(answer)]
    return names if all(names) and len(set(names)) == len(names) else []


@lru_cache(maxsize=1)
def _descriptor_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    table = tomllib.loads(_DATA.read_text(encoding="utf-8"))["en"]
    after = re.compile(rf"(?i)\b(?:{phrase_alternation(table['descriptor_heads'])})\s+(?P<said>[\w'’ -]{{3,40}}?)\s*(?:[,.!?]|$)")
    before = re.compile(rf"(?i)\bthe\s+(?P<said>[\w'’-]+(?:\s+[\w'’-]+){{0,2}}?)\s+(?:{phrase_alternation(table['described_heads'])})\b")
    return after, before


def _descriptor_of(feedback: str, language: Language) -> set[str]:
    """The words an English reply points with ("the one on carver road" → carver, road; "the
    evening one" → evening), or none."""
    if language != "en":
        return set()
    for pattern in _descriptor_patterns():
        found = pattern.search(feedback)
        if found is not None:
            described = {term for term in content_terms(found.group("said"), language) if len(term) > 1}
            if described:
                return described
    return set()


def _described_option(described: set[str], offer: _Offer, language: Language) -> str | None:
    """The one option whose stretch of the turn says every word of the description."""
    matching = [option for option, segment in zip(offer.options, offer.segments, strict=True)
                if described <= set(content_terms(segment, language)) | set(content_terms(option, language))]
    return matching[0] if len(matching) == 1 else None


def _superlative_of(feedback: str, language: Language) -> tuple[str, str] | None:
    """("money", "least") for "the cheapest of the three", or None."""
    table = _words()[language].superlatives
    said = [meaning for word, meaning in table.items() if re.search(
        (rf"(?i)\b{re.escape(word)}\b" if language == "en" else re.escape(word)), feedback)]
    return said[0] if len(set(said)) == 1 else None


def _amount_of(value: Value) -> float | None:
    """A money value's amount, or a time's minutes after midnight."""
    if value.kind == "time":
        clock = re.search(r"(\d{1,2})(?::(\d{2}))?\s*([ap])?", value.text, re.IGNORECASE)
        if clock is None:
            return None
        hour = int(clock.group(1)) % 12 if clock.group(3) else int(clock.group(1))
        return (hour + (12 if (clock.group(3) or "").lower() == "p" else 0)) * 60 + int(clock.group(2) or 0)
    number = re.search(r"\d[\d,]*(?:\.\d+)?", value.text)
    return float(number.group(0).replace(",", "")) if number else None


def _extreme_option(superlative: tuple[str, str], offer: _Offer) -> str | None:
    """The option whose one value of the kind is least (or most) of all the options'."""
    kind, end = superlative
    amounts = []
    for segment in offer.segments:
        found = [_amount_of(v) for v in extract_values(segment) if v.kind == kind]
        if len(found) != 1 or found[0] is None:
            return None
        amounts.append(found[0])
    pick = min(amounts) if end == "least" else max(amounts)
    if amounts.count(pick) != 1:
        return None
    return offer.options[amounts.index(pick)]


def _meant(offer: _Offer, pointer: int | str | None, described: set[str], superlative: tuple[str, str] | None,
           language: Language) -> str | None:
    if described:
        return _described_option(described, offer, language)
    if superlative is not None:
        return _extreme_option(superlative, offer)
    if pointer == _OTHER:
        others = [o for o in offer.options if o != offer.wrong]
        return others[0] if len(others) == 1 else None
    assert isinstance(pointer, int)
    return offer.options[pointer] if -len(offer.options) <= pointer < len(offer.options) else None


def _answer_wide_other(answer: str) -> tuple[str, str] | None:
    """"Your appointment is at Boots. If that doesn't suit, Superdrug also does walk-ins." — two
    names across the answer's sentences, one of them said to be the user's: "the other one" is the
    name that is not."""
    sentences = split_sentences(answer)
    if len(sentences) < 2:
        return None
    named = [v for sentence in sentences for v in extract_values(sentence)
             if v.kind == "name" and not _PLACE_OF_A_NAME.search(sentence[:v.start])]
    names = list(dict.fromkeys(v.text for v in named))
    if len(names) != 2:
        return None
    # The one the answer says is the user's ("Your appointment is at Boots", "yours is Bean Theory").
    addressed = [sentence for sentence in sentences if _ADDRESSING.search(sentence)]
    held = {name for sentence in addressed for name in names if contains_term(sentence, name)}
    if len(held) != 1:
        return None
    wrong = held.pop()
    return wrong, next(name for name in names if name != wrong)


# "Superdrug in the Arndale Centre": a name right after another name and a preposition says where that one is.
# So does one after "on" or "near" ("the other café on King Street").
_PLACE_OF_A_NAME = re.compile(r"\b[A-Z][\w'’]*\s+(?:on|in|near|at|by)\s+(?:the\s+)?$|\b(?:[Oo]n|[Nn]ear)\s+(?:the\s+)?$")
_ADDRESSING = re.compile(r"(?i)\b(?:you|your|yours|you're|you’re)\b")


def resolve_pointer(feedback: str, language: Language, context: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """[(the option the answer wrongly chose, the option meant), and any other value the answer took
    from the wrong option's side of the list with its like from the meant one's], or None."""
    pointer: int | str | None = pointer_of(feedback, language)
    superlative = _superlative_of(feedback, language) if pointer is None else None
    described = _descriptor_of(feedback, language) if pointer is None and superlative is None else set()
    if pointer is None and not described and superlative is None:
        return None
    turns = context[-_TURNS:]
    answer = next((content for role, content in reversed(turns) if role == "assistant"), "")
    if not answer:
        return None
    numbered = _numbered_options(answer)
    if len(numbered) == 2 and isinstance(pointer, int) and -2 <= pointer < 2:
        # "1. Luigi's, your favourite. 2. Casa Verde": pointing at one of two says the other was wrong.
        meant = numbered[pointer]
        return [(next(o for o in numbered if o != meant), meant)]
    for offer in _offers(turns, language, answer):
        meant = _meant(offer, pointer, described, superlative, language)
        if meant is not None and meant != offer.wrong:
            return [(offer.wrong, meant), *_companions(offer, meant, answer)]
    if pointer == _OTHER and language == "en":
        other = _answer_wide_other(answer)
        return [other] if other is not None else None
    return None


def _companions(offer: _Offer, meant: str, answer: str) -> list[tuple[str, str]]:
    """"Monday at 6 PM and Wednesday at 7 AM", the answer "you're in the Monday 6 PM class": the
    meant option brings its own time too."""
    if offer.wrong not in offer.options:
        return []  # the wrong value was stated before the options were offered
    wrong_side = offer.segments[offer.options.index(offer.wrong)]
    meant_side = offer.segments[offer.options.index(meant)]
    pairs = []
    for value in extract_values(wrong_side):
        if value.text in offer.wrong or offer.wrong in value.text or not contains_term(answer, value.text):
            continue  # the option itself, or a part of it ("14" of "小米14")
        alike = [v.text for v in extract_values(meant_side) if v.kind == value.kind and v.text != value.text]
        if len(alike) == 1 and alike[0] not in meant and meant not in alike[0]:
            pairs.append((value.text, alike[0]))
    return pairs
