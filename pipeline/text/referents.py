"""What a reply points at in the conversation, and the memory behind it.

"the last one's wrong, it's apple tv+ now", "第二条不对哈 我是低血压", "nah the 2nd option",
"he doesnt work there anymore, hes a bus driver now", "它是美短": the reply names neither the
memory nor the old value. The assistant's last answer does: it listed items ("1) Ryanair
2) easyJet", "爱奇艺、QQ音乐和百度网盘") or stated the fact it drew from a memory. A pointer picks
an item; a pronoun or "there" refers to what the answer stated. The memory behind it is the one
that shares the most words with that item or answer; the corrected memory is that memory's own
sentence with the new value in its slot, or the reply's clause stated about the memory's subject.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

from pipeline.text.alignment import Alignment, as_memory, memory_slots, topic_terms, with_value
from pipeline.text.continuity import says_unchanged
from pipeline.text.intent import is_acknowledgement
from pipeline.text.keyword import contains_term, find_term_spans
from pipeline.text.language import Language
from pipeline.text.lexicon import EN_STOPWORDS, ZH_STOPWORDS, phrase_alternation, stem, zh_token_spans, zh_tokens
from pipeline.text.numbers import zh_numeral
from pipeline.text.sentences import split_sentences
from pipeline.text.subjects import relation_of
from pipeline.text.values import compatible_kinds, same_value

_DATA = Path(__file__).parent / "data" / "references.toml"

# Confidence of a correction found only through the conversation.
POINTED_CONFIDENCE = 0.6
REFERRED_CONFIDENCE = 0.5

# How alike a text is to each of several others (cosines of the sentence encoder), when one is at hand.
Similarity = Callable[[str, Sequence[str]], Sequence[float]]


@dataclass(frozen=True)
class Pointer:
    index: int  # 0-based; -1 is the last item
    start: int
    end: int


@dataclass(frozen=True)
class _Grammar:
    pointer: re.Pattern[str]
    ordinals: dict[str, int]
    denial: re.Pattern[str]
    deictic: re.Pattern[str]
    thing_copula: re.Pattern[str]
    person_copula: re.Pattern[str]
    enumeration: re.Pattern[str]
    # "switched to amlodipine", "we're at hotel gracery now", "换成缬沙坦": what a fact changed into.
    change: re.Pattern[str]
    # The same, with the words that say it only after a pointer ("第二个是头孢").
    pointed_change: re.Pattern[str]
    value_end: re.Pattern[str]
    # "off jira", "从星巴克": what the change left, named in the same clause.
    old_value: re.Pattern[str]
    # "另一家", "the other one": the option a reply points at without an ordinal.
    other_option: re.Pattern[str]


@lru_cache(maxsize=1)
def _grammars() -> dict[str, _Grammar]:
    data = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    en, zh = data["en"]["pointers"], data["zh"]["pointers"]
    en_ordinals = {**data["en"]["ordinals"]}
    zh_ordinals = {**data["zh"]["ordinals"]}
    return {
        "en": _Grammar(
            pointer=re.compile(
                rf"\b(?:the\s+)?(?P<ord>{phrase_alternation(list(en_ordinals))})\s+(?:{phrase_alternation(en['heads'])})s?\b"
                rf"|\bthe\s+(?P<bare>{phrase_alternation(list(en_ordinals))})(?=\s*(?:{phrase_alternation(en['headless_followers'])})\b)"
                rf"|\b(?:{phrase_alternation(en['number_words'])})\s*#?\s*(?P<num>\d)\b|#(?P<hash>\d)\b",
                re.IGNORECASE,
            ),
            ordinals=en_ordinals,
            denial=re.compile(rf"\b(?:{phrase_alternation(en['denials'])})\b|n't\b", re.IGNORECASE),
            deictic=re.compile(rf"^(?:{phrase_alternation(en['deictic_openings'])})\b|\b(?:{phrase_alternation(en['deictic_objects'])})\b", re.IGNORECASE),
            thing_copula=re.compile(
                r"^(?:it|that|this|that\s+one|this\s+one|those|these|they)\s*(?:['’]s|\s+is|\s+was|\s+are|['’]re|\s+were)\s+"
                r"(?:(?:now|actually|really|just|still|obviously|definitely)\s+)*(?P<value>.+?)"
                r"(?:\s+(?:now|actually|instead|tho|though|lol|anyway|these\s+days))*$",
                re.IGNORECASE,
            ),
            person_copula=re.compile(r"^(?:he|she|they)\s*(?:['’]s|\s+is|\s+was|['’]re|\s+are|\s+were)?\b", re.IGNORECASE),
            enumeration=re.compile(r"\s*,\s*(?:and|or)?\s*|\s+(?:and|or)\s+", re.IGNORECASE),
            change=_en_change(en, en["change_verbs"]),
            pointed_change=_en_change(en, en["change_verbs"] + en["pointed_change_verbs"]),
            value_end=re.compile(rf"\s+(?:{phrase_alternation(en['value_ends'])})\b.*$", re.IGNORECASE),
            old_value=re.compile(
                rf"\b(?:{phrase_alternation(en['old_markers'])})\s+(?:the\s+|an?\s+)?"
                rf"(?P<old>[\w.+\-]+(?:\s+(?!(?:{phrase_alternation(en['change_particles'])})\b)[\w.+\-]+)?)",
                re.IGNORECASE,
            ),
            other_option=re.compile(rf"\b(?:{phrase_alternation(data['en']['other'])})\b", re.IGNORECASE),
        ),
        "zh": _Grammar(
            pointer=re.compile(
                rf"第(?P<num>[一二三四五六七八九十两\d]{{1,3}})(?:{phrase_alternation(zh['counters'])})"
                rf"|(?P<ord>{phrase_alternation(list(zh_ordinals))})"
            ),
            ordinals=zh_ordinals,
            # "早不学了", "不开车了": 不 … 了 says something stopped.
            denial=re.compile(phrase_alternation(zh["denials"]) + r"|不[\u4e00-\u9fff]{1,4}(?:了|啦|咯)"),
            deictic=re.compile(rf"^(?:{phrase_alternation(zh['deictic_openings'])})|{phrase_alternation(zh['deictic_objects'])}"),
            thing_copula=re.compile(
                r"^(?:(?:它|这个|那个|这家|那家|这|那)(?:其实|现在|应该|已经|早就)?(?:是|叫|在)|(?:其实|现在|应该|已经)?(?:是|叫))"
                r"(?P<value>[^，,。；;！!？?]+)$"
            ),
            person_copula=re.compile(r"^(?:他|她)(?!们)"),
            enumeration=re.compile(r"\s*(?:、|和|或者|或|以及|及|与)\s*"),
            change=_zh_change(zh["change_leads"]),
            pointed_change=_zh_change(zh["change_leads"] + zh["pointed_change_leads"]),
            value_end=re.compile(rf"(?:{phrase_alternation(zh['value_ends'])})+$"),
            old_value=re.compile(rf"(?:{phrase_alternation(zh['old_markers'])})(?P<old>[^，,。；;！!？?\s]{{1,12}}?)(?={phrase_alternation(zh['change_leads'])})"),
            other_option=re.compile(phrase_alternation(data["zh"]["other"])),
        ),
    }


def _en_change(words: dict, verbs: list[str]) -> re.Pattern[str]:
    """"switched to amlodipine", "moved off jira to Linear", "we're at hotel gracery now"."""
    return re.compile(
        rf"\b(?:{phrase_alternation(_inflections(verbs))})(?:\s+(?:it|them|that|over|back|up|out))?"
        rf"(?:\s+(?:{phrase_alternation(words['old_markers'])})\s+(?:the\s+|an?\s+)?[\w.+\-]+(?:\s+[\w.+\-]+)?)?"
        rf"\s+(?:{phrase_alternation(words['change_particles'])})\s+(?:an?\s+|the\s+)?(?P<value>[^,;.!?]+)"
        r"|\b(?:we|i|they|he|she|it)\s*(?:['’]re|['’]m|['’]s|\s+are|\s+am|\s+is)\s+(?:now\s+)?"
        r"(?:at|in|with|on)\s+(?:an?\s+|the\s+)?(?P<place>[^,;.!?]+)",
        re.IGNORECASE,
    )


def _zh_change(leads: list[str]) -> re.Pattern[str]:
    # "换成iPhone 15", "换成Apple Watch": a Latin name keeps the spaces between its words.
    return re.compile(rf"(?:{phrase_alternation(leads)})(?P<value>[^，,。；;！!？?\s]+(?:\s+[A-Za-z0-9][\w.+\-]*)*)")


def _inflections(lemmas: list[str]) -> list[str]:
    """Every form of each verb the lemminflect lexicon knows ("switch" → switched, switches, switching)."""
    from lemminflect import getAllInflections  # its lexicon loads on first use

    forms = {lemma for lemma in lemmas}
    for lemma in lemmas:
        forms.update(form for group in getAllInflections(lemma, upos="VERB").values() for form in group)
    return sorted(forms)


def find_pointer(text: str, language: Language) -> Pointer | None:
    """"the 2nd option", "the last one", "#3", "第二条", "最后那个": which listed item a reply means."""
    grammar = _grammars()[language]
    match = grammar.pointer.search(text)
    if not match:
        return None
    groups = match.groupdict()
    ordinal = groups.get("ord") or groups.get("bare")
    if ordinal:
        key = next(k for k in grammar.ordinals if k.lower() == re.sub(r"\s+", " ", ordinal.lower()))
        index = grammar.ordinals[key]
    else:
        number = groups.get("num") or groups.get("hash") or ""
        value = int(number) if number.isdigit() else zh_numeral(number)
        if not value:
            return None
        index = value - 1
    return Pointer(index, match.start(), match.end())


_NUMBER_MARK = re.compile(r"(?:^|(?<=[\s：:；;，,。）)】」]))(?:\(?(?P<n>\d{1,2})\s*[.)）、]|(?P<c>[①②③④⑤⑥⑦⑧⑨]))\s*")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨"
_ITEM_END = re.compile(r"[。；;？?！!\n]|\.(?:\s|$)|[，,]\s*(?=(?:需要|要不要|want|shall|should|do\s+you|would\s+you))", re.IGNORECASE)


def numbered_items(answer: str) -> list[str]:
    """"1) Ryanair 2) easyJet 3) Jet2", "1. 你对青霉素过敏；2. …": the items, in order."""
    marks = [m for m in _NUMBER_MARK.finditer(answer)]
    numbers = [int(m.group("n")) if m.group("n") else _CIRCLED.index(m.group("c")) + 1 for m in marks]
    # The list is the run 1, 2, 3 … (a "3." inside "3.5 km" is not an item).
    start = next((i for i, n in enumerate(numbers) if n == 1), None)
    if start is None:
        return []
    run = [marks[start]]
    for mark, number in zip(marks[start + 1:], numbers[start + 1:]):
        if number == len(run) + 1:
            run.append(mark)
    if len(run) < 2:
        return []
    items = []
    for position, mark in enumerate(run):
        end = run[position + 1].start() if position + 1 < len(run) else len(answer)
        item = answer[mark.end():end]
        item = _ITEM_END.split(item, maxsplit=1)[0] if position + 1 == len(run) else item
        items.append(item.strip(" ，,；;。.、"))
    return [item for item in items if item]


def enumerated_items(answer: str, language: Language) -> list[str]:
    """The items of the longest enumeration in one clause of the answer ("Netflix, Spotify Premium
    and Disney+", "爱奇艺、QQ音乐和百度网盘的会员"): items with neither a content word nor a value
    ("right?") are not items."""
    grammar = _grammars()[language]
    best: list[str] = []
    for sentence in split_sentences(answer):
        pieces = re.split(r"[，；;:：]" if language == "zh" else r"[;:]", sentence)
        for piece in pieces:
            parts = [p.strip(" ,，.。?？!！") for p in grammar.enumeration.split(piece.strip())]
            # An item is a content word or a value ("10月1日和10月3日", "the 14th and the 21st").
            parts = [p for p in parts if p and (topic_terms(p, language) or memory_slots(p)) and not _tag_question(p, language)]
            if len(parts) >= 2 and len(parts) > len(best):
                best = parts
    return best


def side_by_side_items(answer: str, language: Language) -> list[str]:
    """"你的好朋友小林在广州，表妹在佛山": facts side by side in one sentence of the answer."""
    best: list[str] = []
    for sentence in split_sentences(answer):
        parts = [p.strip(" ,，.。?？!！") for p in re.split(r"[，,；;]", sentence)]
        parts = [p for p in parts if p and (topic_terms(p, language) or memory_slots(p)) and not _tag_question(p, language)]
        if len(parts) >= 2 and len(parts) > len(best):
            best = parts
    return best


def _tag_question(part: str, language: Language) -> bool:
    """"right?", "对吧": a tag after a list, not an item of it."""
    short = len(part) <= 3 if language == "zh" else len(part.split()) <= 2
    return short and is_acknowledgement(part)


def listed_items(answer: str, language: Language, side_by_side: bool = False) -> list[str]:
    """The items an answer lists: its numbered list, else its longest enumeration, else (when
    `side_by_side`) the facts one of its sentences puts side by side."""
    return (numbered_items(answer) or enumerated_items(answer, language)
            or (side_by_side_items(answer, language) if side_by_side else []))


def _pointing_clause(
    clauses: Sequence[str], language: Language, answer: str, side_by_side: bool = False
) -> tuple[str, tuple[Pointer, str]] | None:
    """The first clause that points at an item of the answer, with the pointer and the item."""
    return next(((clause, found) for clause in clauses if (found := pointed_item(clause, language, answer, side_by_side))),
                None)


def pointed_item(text: str, language: Language, answer: str, side_by_side: bool = False) -> tuple[Pointer, str] | None:
    pointer = find_pointer(text, language)
    if pointer is None or not answer:
        return None
    items = listed_items(answer, language, side_by_side)
    if not -len(items) <= pointer.index < len(items):
        return None
    return pointer, items[pointer.index]


# Below this cosine similarity between a reply and a memory, closeness alone names no referent.
MIN_REFERENT_CLOSENESS = 0.35


def _best_match(
    reference: str, language: Language, memories: Sequence[str], closeness: Sequence[float] = ()
) -> int | None:
    """The memory that shares the most topic words (and names) with `reference`, the reply's
    closeness to each memory breaking ties; None when no memory clearly stands out."""
    wanted = topic_terms(reference, language)
    scores = []
    for index, memory in enumerate(memories):
        shared = len(wanted & topic_terms(memory, language))
        named = sum(1 for v in memory_slots(memory) if v.kind == "name" and contains_term(reference, v.text))
        near = closeness[index] if index < len(closeness) else 0.0
        scores.append((shared + named, near, index))
    scores.sort(reverse=True)
    if not scores:
        return None
    best = scores[0]
    rivals = [s for s in scores[1:] if memories[s[2]] != memories[best[2]]]
    if best[0] >= 1:
        # Two memories the reference speaks of equally: which one is meant is not clear.
        return None if rivals and rivals[0][0] == best[0] else best[2]
    # Nothing shared in words: only a clearly closest memory will do.
    if best[1] < MIN_REFERENT_CLOSENESS or (rivals and best[1] - rivals[0][1] < 0.1):
        return None
    return best[2]


_EN_SLOT_BEFORE = re.compile(r"(?i)\b(?:is|are|was|to|with|at|in|for|as|named|called|by)\s+(?:an?\s+|the\s+)?")
_EN_SLOT_END = re.compile(r"(?i)\s+(?:on|at|in|every|since|for|from|during|each|because|who|which|that)\s|\.\s*$|[,;!]|$")
_ZH_SLOT_BEFORE = re.compile(r"(?:是|叫|为|在|用|开通了|养了|有)")
# The same without the 用 of 用户: a span after that is no object.
_ZH_SLOT_BEFORE_STRICT = re.compile(r"(?:是|叫|为|在|用(?!户)|开通了|养了|有)")
_ZH_SLOT_END = re.compile(r"[，,。；;！!]|$")


def _zh_word_bounds(text: str) -> set[int]:
    """Where jieba's words of a Chinese text start and end."""
    return {0, len(text), *(bound for span in zh_token_spans(text) for bound in span)}


def _tail_span(memory: str, language: Language, preposition: str = "", strict: bool = False) -> tuple[int, int] | None:
    """The span of the memory's object: what "it is X" replaces ("allergic to [peanuts]")."""
    if language == "zh":
        # A mark is a word of its own: not the 为 of 华为.
        bounds = _zh_word_bounds(memory)
        marks = [mark for mark in (_ZH_SLOT_BEFORE_STRICT if strict else _ZH_SLOT_BEFORE).finditer(memory)
                 if mark.start() in bounds and mark.end() in bounds]
        if not marks:
            return None
        start = marks[-1].end()
        end = start + _ZH_SLOT_END.search(memory[start:]).start()
        return (start, end) if end > start else None
    if preposition:
        marks = list(re.finditer(rf"(?i)\b{re.escape(preposition)}\s+(?:an?\s+|the\s+)?", memory))
    else:
        marks = list(_EN_SLOT_BEFORE.finditer(memory))
    if not marks:
        return None
    start = marks[-1].end() if not preposition else marks[0].end()
    end = start + _EN_SLOT_END.search(memory[start:]).start()
    return (start, end) if end > start else None


def _written_as(new: str, old: str) -> str:
    """"dr okafor" where the memory wrote "Dr. Patel": the memory's capitalisation."""
    if old[:1].isupper() and new[:1].islower() and all(w[:1].isupper() for w in old.split() if w[:1].isalpha()):
        return " ".join(w[:1].upper() + w[1:] for w in new.split())
    return new


def rewrite_for(clause: str, language: Language, memory: str, similar: Similarity | None = None) -> str:
    """The memory corrected by a clause that refers to it: "it's tree nuts" → the memory with
    "tree nuts" in its object's place; "hes a bus driver now" → "The user's uncle Ray is a bus
    driver." (the clause, about the memory's subject)."""
    # "她考的是六级啦" against "…在准备钢琴四级考试": a value of the kind the memory holds takes its place.
    return _typed_substitution(clause, memory) or _copula_substitution(clause, language, memory, similar) or as_memory(
        clause, language, memory)


# A word of the memory's object stands for the value when the sentence encoder finds it this alike
# ("silver" and "blue"), and clearly more alike than the object as a whole and than its other words.
KINDRED_LIKENESS = 0.4
KINDRED_MARGIN = 0.1


def _kindred_word(value: str, memory: str, span: tuple[int, int], language: Language,
                  similar: Similarity | None) -> tuple[int, int] | None:
    """The one word in the object's span of the kind the value is ("silver" for the "blue" of "a
    blue Toyota Yaris", "灰色" for the "白色" of "白色的特斯拉"), found by the sentence encoder."""
    if similar is None:
        return None
    text = memory[span[0]:span[1]]
    stopwords = ZH_STOPWORDS if language == "zh" else EN_STOPWORDS
    words = [(start, end) for start, end in _word_spans(text, language)
             if text[start:end].casefold() not in stopwords and not text[start:end].isdigit()]
    if len(words) < 2:
        return None
    likeness = list(similar(value, [text] + [text[start:end] for start, end in words]))
    whole, each = likeness[0], likeness[1:]
    ranked = sorted(range(len(words)), key=lambda i: each[i], reverse=True)
    best, runner_up = each[ranked[0]], each[ranked[1]]
    if best < KINDRED_LIKENESS or best < whole + KINDRED_MARGIN or best < runner_up + KINDRED_MARGIN:
        return None
    start, end = words[ranked[0]]
    return span[0] + start, span[0] + end


def _word_spans(text: str, language: Language) -> list[tuple[int, int]]:
    if language == "zh":
        return [(start, end) for start, end in zh_token_spans(text) if re.search(r"[\u4e00-\u9fffA-Za-z]", text[start:end])]
    return [match.span() for match in re.finditer(r"[A-Za-z][\w'’\-]*", text)]


def _copula_substitution(clause: str, language: Language, memory: str, similar: Similarity | None = None) -> str | None:
    """"it's tree nuts" → the memory with "tree nuts" in its object's place; "it's silver" → the
    memory with "silver" in place of the object's word of that kind."""
    thing = _grammars()[language].thing_copula.match(clause.strip(" .,!。！"))
    if not thing:
        return None
    value = thing.group("value").strip(" .,。")
    preposition = ""
    if language == "en":
        leading = re.match(r"(?i)(with|at|in|on|to|for|by)\s+(.+)$", value)
        if leading:
            preposition, value = leading.group(1), leading.group(2)
        value = re.sub(r"(?i)^(?:an?|the)\s+", "", value)
    span = _tail_span(memory, language, preposition)
    if not span or not value or contains_term(memory, value):
        return None
    if language == "zh" and value.endswith("的") and len(value) > 2:
        value = value[:-1]  # "是灰色的": the grey one, a colour
    if len(value.split()) == 1 and (kindred := _kindred_word(value, memory, span, language, similar)):
        span = kindred
    return memory[: span[0]] + _written_as(value, memory[span[0]:span[1]]) + memory[span[1]:]


def _without_subject(clause: str, language: Language) -> bool:
    """"是灰色的", "是1月25号": a Chinese clause that says what something is without saying what."""
    grammar = _grammars()[language]
    return (language == "zh" and grammar.thing_copula.match(clause.strip(" .,!。！")) is not None
            and not grammar.deictic.search(clause.strip()))


def _dropped_pronoun(clause: str, language: Language) -> bool:
    """Chinese drops the pronoun: "是灰色的" says "it is grey" of what the conversation's answer
    spoke of; "是另一家" points at an option instead, which is the pointer rules' to read, and a
    date or an amount is the value rules' to place."""
    grammar = _grammars()[language]
    return (_without_subject(clause, language) and not grammar.pointer.search(clause)
            and not grammar.other_option.search(clause) and not memory_slots(clause))


def _informative(clause: str, language: Language, pointer_clause: str | None) -> bool:
    """A clause that says something new: not the pointer, not "second part's right", not only "that"."""
    if clause == pointer_clause:
        return False
    grammar = _grammars()[language]
    if find_pointer(clause, language) is not None or grammar.denial.search(clause):
        return False
    return bool(topic_terms(clause, language) or memory_slots(clause))




def _most_telling(clauses: list[str], language: Language) -> str:
    """Of the clauses that say something, the one that states the new fact: "that one's with dr
    okafor" rather than "same time tho"; a value or a copula before anything else."""
    grammar = _grammars()[language]
    changed = [c for c in clauses if not says_unchanged(c)] or clauses

    def rank(clause: str) -> int:
        text = clause.strip(" .,!。！")
        if grammar.thing_copula.match(text) or grammar.person_copula.match(text):
            return 0
        return 1 if memory_slots(text) else 2

    return min(changed, key=rank)


def _is_option(value: str, language: Language) -> bool:
    """A choice among options is a name or a short phrase, not a statement ("you take … every morning")."""
    if language == "zh":
        return 0 < len(value) <= 10 and not re.search(r"你|您|我", value)
    return 0 < len(value.split()) <= 4 and not re.search(r"(?i)\b(?:you|your|you're|i|my)\b", value)


_ZH_FUNCTION_CHARS = "的是了在和与也都就还把被给对从向着过很太不没有个这那"


def _brings_something_new(corrected: str, memory: str, language: Language) -> bool:
    """A rewrite that only restates the memory ("我就花粉过敏" against "用户对花粉过敏") corrects nothing."""
    new_terms = topic_terms(corrected, language) - topic_terms(memory, language)
    if language == "zh":
        new_terms |= set(re.findall(r"[\u4e00-\u9fff]", corrected)) - set(memory) - set(_ZH_FUNCTION_CHARS)
    new_values = {v.text.casefold() for v in memory_slots(corrected)} - {v.text.casefold() for v in memory_slots(memory)}
    return bool(new_terms or new_values)


def _item_value(item: str, language: Language) -> str:
    """An option as a value: "2) easyJet" is "easyJet"; "你常去的是超级猩猩" is "超级猩猩"; "在小米14" and
    "华为Mate 60之间犹豫" are "小米14" and "华为Mate 60"."""
    if language == "zh":
        value = re.split(r"是|叫|选|在|买|用|了", item)[-1]
        return re.split(r"之间|之中|中间|当中|等|里", value)[0].strip()
    return re.sub(r"(?i)^.*\b(?:is|are|was|'s|try|choose|pick)\s+", "", item).strip()


def _pieces(clauses: Sequence[str], language: Language) -> list[str]:
    """Clauses cut at every comma: "first part's wrong, it's tree nuts" says two things."""
    separator = r"\s*[，,；;。.!！]\s*" if language == "zh" else r"\s*[,;.!]\s+|\s*[,;]\s*|[.!]$"
    return [piece.strip() for clause in clauses for piece in re.split(separator, clause) if piece and piece.strip()]


_EN_OWNED_BY = re.compile(r"(?i)\bmy\s+([a-z][\w\-]*)['’]s?\b(?!\s+(?:is|are|was|name|\w+ing)\b)")
_ZH_OWNED_BY = re.compile(r"(?:是|属于)?我(?:的)?([\u4e00-\u9fff]{1,3}?)的(?![\u4e00-\u9fff])")


def _owner_named(text: str, language: Language) -> str | None:
    """"is my sister's", "是我老婆的": the relative a fact belongs to, as the reply says it."""
    for match in (_ZH_OWNED_BY if language == "zh" else _EN_OWNED_BY).finditer(text):
        word = match.group(1)
        if relation_of(word):
            return word * 2 if language == "zh" and len(word) == 1 else word  # 妹 → 妹妹
    return None


def _said_of(memory: str, owner: str, language: Language) -> str | None:
    """The memory about the user said of the user's relative instead."""
    if language == "zh":
        return f"用户的{owner}{memory[2:]}" if memory.startswith("用户") and not memory.startswith("用户的") else None
    match = re.match(r"(?i)the user\b(?![’']s)", memory)
    return f"The user's {owner}{memory[match.end():]}" if match else None


def _option_words(item: str, language: Language) -> list[str]:
    return list(zh_tokens(item)) if language == "zh" else item.split()


def _parallel_substitution(memory: str, chosen: str, listed: Sequence[str], language: Language) -> str | None:
    """Options of the same shape ("FitZone on Elm Street" or "PowerHouse on King Road") differ part
    by part: the memory, which holds the parts of one, takes the chosen option's parts in their
    places ("joined FitZone gym on Elm Street" → "joined PowerHouse gym on King Road")."""
    joiner = "" if language == "zh" else " "
    chosen_words = _option_words(chosen, language)
    best: tuple[int, str] | None = None
    for other in listed:
        if not other or other == chosen:
            continue
        # A lead-in the listing glued to the first option ("choosing between FitZone on Elm Street")
        # is not part of it: options of one shape line up from their ends.
        other_words = _option_words(other, language)[-len(chosen_words):]
        pairs = [
            (joiner.join(other_words[i1:i2]), joiner.join(chosen_words[j1:j2]))
            for tag, i1, i2, j1, j2 in SequenceMatcher(a=other_words, b=chosen_words, autojunk=False).get_opcodes()
            if tag == "replace"
        ]
        if not pairs or not all(find_term_spans(memory, old) for old, _ in pairs):
            continue
        corrected = memory
        for old, new in pairs:
            start, end = find_term_spans(corrected, old)[0]
            corrected = corrected[:start] + new + corrected[end:]
        if best is None or len(pairs) > best[0]:
            best = (len(pairs), corrected)
    return best[1] if best else None


def _typed_substitution(clause: str, memory: str) -> str | None:
    """"改到周四了" against "…每周三晚上…": the one value of that kind the memory holds, replaced."""
    for said in (v for v in memory_slots(clause) if v.kind != "name"):
        held = [h for h in memory_slots(memory) if h.kind != "name" and compatible_kinds(h.kind, said.kind)]
        if len(held) == 1 and not same_value(held[0].text, said.text):
            return with_value(memory, (held[0].start, held[0].end), said.text)
    return None


def _new_value(clause: str, language: Language) -> str:
    """What a clause about a listed item says it changed into: "got switched to amlodipine" → "amlodipine"."""
    found = _change_in(clause, language, pointed=True)
    return found[0] if found else ""


def _change_in(clause: str, language: Language, pointed: bool = False) -> tuple[str, int] | None:
    """The value a clause says a fact changed into, and where the change phrase starts."""
    grammar = _grammars()[language]
    match = (grammar.pointed_change if pointed else grammar.change).search(clause)
    if not match:
        return None
    value = next(v for v in (match.groupdict().get("value"), match.groupdict().get("place"), "") if v is not None)
    value = grammar.value_end.sub("", value.strip()).strip(" ,.!?，。！？")
    if language == "zh":
        value = value.lstrip("了")
    return (value, match.start()) if value else None


def _slots_for_each(value: str, memory: str) -> bool:
    """Whether each time, date or amount the value says has one slot of its kind in the memory: the
    value rules then put each in its place ("每周五上午十点" into "每周二下午3点")."""
    said = [slot for slot in memory_slots(value) if slot.kind != "name"]
    held = [slot for slot in memory_slots(memory) if slot.kind != "name"]
    return bool(said) and all(sum(compatible_kinds(h.kind, s.kind) for h in held) == 1 for s in said)


def changed_by_frame(
    clause_texts: Sequence[str], everything: Sequence[str], language: Language, memories: Sequence[str],
    explicit_only: bool = False,
) -> list[Alignment]:
    """"we moved off jira to Linear", "领导换成李姐了", "酒店也退了，换成了一家町屋民宿": a clause that says
    what something changed into. The memory holding the value it left ("off jira") takes the new
    one there; else the memory its words (or, when it names nothing, the clause before it's) are
    about takes it as its object. `explicit_only`: only the first kind."""
    if not memories:
        return []
    grammar = _grammars()[language]
    whole = _pieces(everything, language) or _pieces(clause_texts, language)
    found: list[Alignment] = []
    for clause in _pieces(clause_texts, language):
        change = _change_in(clause, language)
        if change is None:
            continue
        value, start = change
        left = grammar.old_value.search(clause[: clause.rfind(value)])
        if left:
            old = left.group("old").strip()
            holders = [i for i, memory in enumerate(memories) if find_term_spans(memory, old)]
            if len(holders) == 1 and not contains_term(memories[holders[0]], value):
                memory = memories[holders[0]]
                begin, end = find_term_spans(memory, old)[0]
                corrected = with_value(memory, (begin, end), value)
                found.append(Alignment(holders[0], corrected, f"the reply says '{old}' changed to '{value}'",
                                       REFERRED_CONFIDENCE))
            continue
        if explicit_only:
            continue
        topic = clause[:start]
        if not topic_terms(topic, language) and clause in whole and whole.index(clause) > 0:
            topic = whole[whole.index(clause) - 1]
        target = _best_match(topic, language, memories) if topic_terms(topic, language) else None
        if target is None or contains_term(memories[target], value) or _slots_for_each(value, memories[target]):
            continue
        span = _tail_span(memories[target], language, strict=True)
        if span is None:
            continue
        memory = memories[target]
        corrected = with_value(memory, span, value)
        if _brings_something_new(corrected, memory, language):
            found.append(Alignment(target, corrected, f"the reply says it changed to '{value}'", REFERRED_CONFIDENCE))
    return found


def _shared_spans(memory: str, item: str, language: Language) -> list[tuple[int, int]]:
    """Spans of the memory (up to three words) made of content words the listed item says too: where
    in the memory the item's fact sits ("lisinopril", "blood pressure" for "lisinopril for blood pressure")."""
    if language == "zh":
        tokens, position = [], 0
        for token in zh_tokens(memory):
            start = memory.find(token, position)
            if start < 0:
                continue
            position = start + len(token)
            tokens.append((token, start, position))
        shared = [token not in ZH_STOPWORDS and token != "用户" and len(token.strip()) > 0 and token in item
                  and not re.fullmatch(rf"[{_ZH_FUNCTION_CHARS}\W]+", token) for token, _, _ in tokens]
    else:
        said = {stem(word) for word in re.findall(r"[\w][\w+\-']*", item.lower())}
        tokens = [(m.group(), m.start(), m.end()) for m in re.finditer(r"[\w][\w+\-']*", memory)]
        shared = [word.lower() not in EN_STOPWORDS and word.lower() not in ("user", "user's") and stem(word) in said
                  for word, _, _ in tokens]
    # A longer span neither begins nor ends with a lone Chinese character ("加" of "加牛奶"): those
    # are mostly verbs and particles around the value.
    edge = [language != "zh" or len(token) > 1 for token, _, _ in tokens]
    spans = []
    for first in range(len(tokens)):
        for last in range(first, min(first + 3, len(tokens))):
            if not shared[last]:
                break
            if first == last or (edge[first] and edge[last]):
                spans.append((tokens[first][1], tokens[last][2]))
    return spans


def _changed_into(
    clauses: Sequence[str], item: str, memory: str, language: Language, similar: Similarity | None
) -> str | None:
    """The memory with what the reply says its listed fact changed into, in the place of the part of
    the item it is most like ("switched to amlodipine": the drug, not what it treats)."""
    for clause in clauses:
        typed = _typed_substitution(clause, memory)
        if typed is not None:
            return typed
        value = _new_value(clause, language)
        if not value or contains_term(memory, value):
            continue
        spans = _shared_spans(memory, item, language)
        if not spans:
            continue
        if similar is not None:
            likeness = similar(value, [memory[start:end] for start, end in spans])
            start, end = max(zip(spans, likeness), key=lambda pair: (pair[1], pair[0][1] - pair[0][0]))[0]
        else:
            start, end = spans[-1]
        # A part of a name ("iPhone" of "iPhone 12") stands for the whole name.
        for slot in memory_slots(memory):
            if slot.kind == "name" and slot.start <= start and end <= slot.end:
                start, end = slot.start, slot.end
        return with_value(memory, (start, end), value)
    return None


def changed_item(
    clause_texts: Sequence[str], everything: Sequence[str], language: Language, memories: Sequence[str],
    answer: str, similar: Similarity | None = None,
) -> list[Alignment]:
    """"the first one got switched to amlodipine", "first one's out of date, switched to a pixel 8":
    the listed item a reply points at is the fact that changed, into a value the reply says,
    whichever of the reply's statements carries it. Empty unless the reply points at an item and
    says what it changed into."""
    clause_texts = _pieces(clause_texts, language)
    whole = _pieces(everything, language) or clause_texts
    pointed = _pointing_clause(whole, language, answer, side_by_side=True)
    if pointed is None or not memories:
        return []
    pointer_clause, (pointer, item) = pointed
    rest = pointer_clause[: pointer.start] + " " + pointer_clause[pointer.end:]
    if _owner_named(rest, language):
        return []  # "the first one is my sister's": whose fact it is, not what it became
    news = [c for c in clause_texts if _informative(c, language, pointer_clause)]
    said = [rest.strip(), *news] if pointer_clause in clause_texts else news
    target = _best_match(item, language, memories)
    if not said or target is None:
        return []
    changed = _changed_into(said, item, memories[target], language, similar)
    if changed is None or not _brings_something_new(changed, memories[target], language):
        return []
    return [Alignment(target, changed, f"the reply says the listed '{item}' changed", POINTED_CONFIDENCE)]


def refer(
    clause_texts: Sequence[str], everything: Sequence[str], language: Language, memories: Sequence[str],
    answer: str, closeness: Sequence[float] = (), question: str = "", similar: Similarity | None = None,
) -> list[Alignment]:
    """The correction a reply makes through the conversation; empty when it names its own topic or
    the conversation gives no clear referent. `question` is the user's turn the answer replied to:
    it tells apart two memories the answer speaks of equally ("哪天去西安的高铁" beside a trip to
    Beijing on the same date)."""
    if not memories:
        return []
    grammar = _grammars()[language]
    clause_texts = _pieces(clause_texts, language)
    whole = _pieces(everything, language) or clause_texts
    pointed = _pointing_clause(whole, language, answer)
    if pointed is not None:
        pointer_clause, (pointer, item) = pointed
        rest = pointer_clause[: pointer.start] + " " + pointer_clause[pointer.end:]
        owner = _owner_named(rest, language)
        if grammar.denial.search(rest) or owner:
            # "the last one's wrong, it's apple tv+ now": the item is the wrong fact.
            target = _best_match(item, language, memories)
            news = [c for c in clause_texts if _informative(c, language, pointer_clause)]
            if target is not None and not news and owner and (moved := _said_of(memories[target], owner, language)):
                # "the first one is my sister's, not mine": the fact is the sister's.
                return [Alignment(target, moved, f"the reply says the listed '{item}' is its {owner}'s",
                                  POINTED_CONFIDENCE)]
            if target is None or not news:
                return []
            corrected = _changed_into(news, item, memories[target], language, similar) or rewrite_for(
                _most_telling(news, language), language, memories[target], similar)
            if not _brings_something_new(corrected, memories[target], language):
                return []
            return [Alignment(target, corrected, f"the reply says the listed '{item}' is wrong", POINTED_CONFIDENCE)]
        # (A reply that says what the item became is `changed_item`'s, asked before this.)
        if pointer_clause not in clause_texts:
            return []
        # "nah the 2nd option": the item is what the answer should have said.
        value = _item_value(item, language)
        if not _is_option(value, language):
            return []
        target = _best_match(answer, language, memories)
        if target is None and question:
            target = _best_match(f"{question} {answer}", language, memories)
        if target is None or contains_term(memories[target], value):
            return []
        memory = memories[target]
        # What the memory holds in the choice's place: another item of the same list, else a value
        # the answer repeats, else the memory's object.
        listed = [_item_value(other, language) for other in listed_items(answer, language)]
        spans = [span for other in listed if other and other != value for span in find_term_spans(memory, other)]
        if not spans and (parallel := _parallel_substitution(memory, value, listed, language)):
            return [Alignment(target, parallel, f"the reply picks the listed '{value}'", POINTED_CONFIDENCE)]
        held = [v for v in memory_slots(memory) if contains_term(answer, v.text)]
        span = spans[0] if spans else (held[-1].start, held[-1].end) if held else _tail_span(memory, language)
        if span is None:
            return []
        corrected = memory[: span[0]] + value + memory[span[1]:]
        return [Alignment(target, corrected, f"the reply picks the listed '{value}'", POINTED_CONFIDENCE)]
    referring = [c for c in whole if grammar.deictic.search(c.strip())] + [
        c for c in clause_texts if answer and _dropped_pronoun(c, language)]
    if not referring:
        return []
    # "he doesn't work there anymore": a denial names the fact that ended, and so the memory.
    denials = [c for c in whole if grammar.denial.search(c) and not grammar.thing_copula.match(c.strip(" .,!。！"))]
    target = next((found for c in denials if (found := _best_match(c, language, memories)) is not None), None)
    if target is None and answer:
        target = _best_match(answer, language, memories, closeness)
    elif not answer and any(memory_slots(c) for c in whole):
        return []  # without an answer, a reply that gives values is the value alignment's to read
    if target is None:
        return []  # without an answer, only a denial names what a pronoun refers to
    news = [c for c in clause_texts if _informative(c, language, None)
            and (grammar.thing_copula.match(c.strip(" .,!。！")) or grammar.person_copula.match(c.strip())
                 or not grammar.deictic.search(c.strip()))]
    if not news:
        return []
    clause = _most_telling(news, language)
    corrected = rewrite_for(clause, language, memories[target], similar)
    if corrected == as_memory(clause, language, memories[target]) and (not denials or _without_subject(clause, language)):
        # A new fact beside the old one ("she eats fish too") replaces nothing; nor does a clause
        # without its pronoun ("是上一个") that puts nothing in the memory's place.
        return []
    if not _brings_something_new(corrected, memories[target], language):
        return []
    return [Alignment(target, corrected, "the reply corrects what the answer said", REFERRED_CONFIDENCE)]
