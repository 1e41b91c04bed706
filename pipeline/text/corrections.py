"""Turn feedback sentences into corrected statements written as third-person memories.

Handles "X, not Y", "not Y but X", "no longer …", "… anymore, I … now", "moved to",
"switched to", "不是…而是", "从…改成…", "已经不…了，现在…", plus plain new facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from pipeline.text.answer_context import anchor_on_answer, last_answer, old_values_from_context, resolve_with_context
from pipeline.text.continuity import says_unchanged
from pipeline.text.fillers import has_correction_cue, is_correction_marker, strip_fillers
from pipeline.text.intent import (
    is_acknowledgement,
    is_question,
    is_remark_about_assistant,
    is_request,
    without_request_clauses,
)
from pipeline.text.language import Language, detect_language, has_cjk
from pipeline.text.lexicon import content_terms, is_negated, jieba_tagger, zh_tokens
from pipeline.text.life_events import changed_attributes, ended_terms, mentions_term, says_something_changed
from pipeline.text.numbers import EN_NUMBER_WORD_PATTERN, leading_number
from pipeline.text.parsed import ParsedStatement, subject_label
from pipeline.text.perspective import (
    expand_contractions,
    finish_sentence,
    to_third_person,
    zh_without_final_particles,
)
from pipeline.text.references import resolve_pointer
from pipeline.text.sentences import split_sentences, strip_terminal_punctuation
from pipeline.text.subjects import relation_of, relations_named, subject_of
from pipeline.text.values import Value, compatible_kinds, complete_unit, extract_values, same_value


@dataclass
class _Clause:
    """One clause in the first person, with the parts the merge rules look at."""

    text: str
    ceased: bool = False  # "quit X", "sold X", "戒X": the state ended; obj is what ended
    changed_subject: str = ""  # "X got changed": the value that follows belongs to X
    is_old: bool = False  # states what no longer holds ("… anymore", "used to …")
    verb: str = ""
    frame: str = ""  # the verb with its preposition ("live in"), in first-person form
    obj: str = ""
    inherits: bool = False  # "switched to X" / "now X": takes the verb of the old clause
    denied: list[str] = field(default_factory=list)  # values a neighbouring "不是X" denies


# --- English -----------------------------------------------------------------------------

_EN_TEMPORAL = re.compile(
    r"\s*\b(?:now|nowadays|these\s+days|currently|at\s+the\s+moment|right\s+now|anymore|"
    r"any\s+more|any\s+longer|from\s+now\s+on|as\s+of\s+(?:now|today)|for\s+now|"
    r"going\s+forward|instead)\b,?",
    re.IGNORECASE,
)
_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_SEASONS = r"(?:spring|summer|autumn|fall|winter)"
# When a change happened is not part of the fact that now holds; a month with its day or year
# ("ends in October 2025") is a date, the fact's own value.
_EN_PAST_TIME = re.compile(
    rf"\s*\b(?:(?:last|this|earlier\s+this)\s+(?:week|month|year|{_SEASONS})|in\s+the\s+{_SEASONS}|"
    rf"since\s+(?:{_MONTHS}|last\s+\w+|then|\d{{4}}|the\s+(?:start|beginning)\s+of\s+\w+(?:\s+\w+)?)|"
    rf"(?:back\s+)?in\s+{_MONTHS}(?!\s+\d)|(?:over|during)\s+the\s+(?:{_SEASONS}|holidays|weekend)|"
    rf"(?:as\s+of\s+)?(?:this|last|next)\s+quarter|(?:last|this)\s+year|back\s+then|"
    rf"recently|lately|yesterday|(?:a\s+(?:few|couple\s+of)\s+|\d+\s+|two\s+|three\s+)?"
    r"(?:days?|weeks?|months?|years?)\s+ago|in\s+\d{4})\b",
    re.IGNORECASE,
)
_EN_SUBJECT_START = r"(?:I|I'm|I\s+am|[Mm]y|[Ww]e|[Oo]ur|[Ii]t|[Ii]t's|[Tt]hat's|[Nn]ow|[Tt]he\s+user|[Tt]here)\b"
_EN_CLAUSE_SPLIT = re.compile(
    rf"\s*;\s*|\s*,\s*(?:and\s+|but\s+|so\s+)?(?={_EN_SUBJECT_START})|"
    rf"\s+(?:and|but|so)\s+(?=(?:now\s+)?(?:I|[Mm]y|[Ww]e|[Oo]ur|[Tt]here)\b)|\s+[-–—]\s+"
)
_EN_DENIAL = r"(?:(?:it|that|this)\s+(?:is|was)\s+)?(?:not|never|no\s+longer)"
# A comma between clauses, not the comma of a thousands ("$1,850 not $1,650"), and a stretch
# of text without one.
_CLAUSE_JOINT = r"(?:;|,(?!(?<=\d,)\d{3}(?!\d)))"
_IN_A_CLAUSE = r"(?:[^,;]|(?<=\d),(?=\d{3}(?!\d)))"
_EN_CONTRAST_TAIL = re.compile(
    rf"^(?P<main>.+?)(?:\s*{_CLAUSE_JOINT}|\s+[-–—]|\s+and|\s+but)\s+(?:so\s+)?{_EN_DENIAL}\s+(?P<old>{_IN_A_CLAUSE}+)$", re.I
)
# "it's Thursday not Friday": no comma, but the denied phrase is a value like one in the main clause.
_EN_CONTRAST_BARE = re.compile(rf"^(?P<main>.+?\S)\s+not\s+(?:the\s+)?(?P<old>{_IN_A_CLAUSE}+)$", re.I)
# ", raw fish makes me queasy": a comma before a clause of its own (three words or more).
_EN_COMMA_CLAUSE = re.compile(r",\s+(?=(?:[\w'\-]+\s+){2,}[\w'\-]+)|,\s+(?=[\w\-]+\s+only$)", re.I)
_EN_REASON_CLAUSE = re.compile(r"^(?:so|because|since|cause|cuz|as)\s+(?!not\b)", re.I)
# "It's not a Civic, I drive a Mazda": the denial comes first and has no subject of its own.
_EN_CONTRAST_HEAD = re.compile(
    rf"^{_EN_DENIAL}\s+(?P<old>{_IN_A_CLAUSE}+?)\s*(?:{_CLAUSE_JOINT}|\s[-–—])\s*(?P<main>\w+\s+\w+.+)$", re.I
)
_EN_RATHER_THAN = re.compile(rf"^(?P<main>.+?),?\s+(?:rather\s+than|instead\s+of)\s+(?P<old>{_IN_A_CLAUSE}+)$", re.I)
_EN_NOT_BUT = re.compile(
    rf"^(?P<pre>.*?)\bnot\s+(?P<old>{_IN_A_CLAUSE}+?)\s*{_CLAUSE_JOINT}?\s*(?:but|it\s+is|it\s+should\s+be|that\s+is|rather)\s+"
    r"(?:rather\s+|actually\s+)?(?P<new>.+)$",
    re.I,
)
_EN_PRONOUN_START = re.compile(r"^(?:I|we|my|our|you|he|she|they|the\s+user)\b", re.I)
_EN_SUBJECTLESS = re.compile(
    r"^(?:(?:it|that|this)\s+(?:is|was|should\s+be|must\s+be)|(?:the\s+)?correct\s+(?:one|answer|value)\s+is|"
    r"(?:it|that)\s+is\s+actually)\s+",
    re.I,
)
_EN_OLD_CLAUSE = re.compile(r"\b(?:anymore|any\s+more|any\s+longer|no\s+longer|used\s+to)\b", re.I)
_EN_MOVE = re.compile(
    r"^(?P<subj>I|we|(?:my|our)\s+[\w\-]+(?:\s+[\w\-]+)?)\s+(?:have\s+|has\s+|had\s+|just\s+|recently\s+|also\s+|now\s+)*"
    r"(?:moved|relocated|move|relocate)\s+(?:back\s+)?(?:to|into)\s+(?P<obj>.+)$",
    re.I,
)
# "Our standup moved to Tuesdays at 10:30": a schedule, not a home, changed.
_EN_THING_MOVED = re.compile(
    r"^(?P<subj>(?:our|my|the|their|his|her|this|that)\s+.+?)\s+(?:has\s+been\s+|have\s+been\s+|was\s+|were\s+|"
    r"has\s+|have\s+|got\s+|is\s+being\s+)?(?:moved|changed|shifted|rescheduled|pushed(?:\s+back)?|postponed|"
    r"brought\s+forward|switched)\s+(?:to|until|till)\s+(?P<obj>.+)$",
    re.I,
)
# "We moved our weekly sync to 4 PM": the same, said with the people who moved it.
_EN_MOVED_THING = re.compile(
    r"^(?:I|we|they|the\s+\w+)\s+(?:have\s+|has\s+|just\s+)*(?:moved|changed|shifted|rescheduled|pushed(?:\s+back)?|"
    r"postponed|switched)\s+(?P<subj>(?:our|my|the|their)\s+.+?)\s+(?:to|until|till)\s+(?P<obj>.+)$",
    re.I,
)
# "Change the gym's opening time to 6 AM": an attribute given a new value.
_EN_SET_VALUE = re.compile(
    r"^(?:please\s+)?(?:change|update|set|correct|move)\s+(?P<attr>.+?)\s+(?:to|as)\s+(?P<value>.+)$", re.I
)
_EN_SWITCH_FROM = re.compile(
    r"^(?:I|we)\s+(?:have\s+|just\s+|recently\s+)*(?:switched|changed|moved|went|upgraded|converted)\s+"
    r"from\s+(?P<old>.+?)\s+to\s+(?P<new>.+)$",
    re.I,
)
_EN_SWITCH = re.compile(
    r"^(?:(?:I|we)\s+(?:have\s+|had\s+|just\s+|now\s+)*(?:switched|changed|moved\s+on|upgraded|converted|"
    r"went\s+over|transferred|downgraded)(?:\s+over)?\s+to|now)\s+(?P<obj>.+)$",
    re.I,
)
_EN_COPULA = re.compile(
    r"^(?P<subj>I|we|[Mm]y\s+.+?|[Oo]ur\s+.+?)\s+(?P<verb>am|are|is|was|were)\s+"
    r"(?P<neg>not\s+|no\s+longer\s+|never\s+)?(?:still\s+|now\s+|also\s+)?(?P<obj>.+)$"
)
_EN_VERB = re.compile(
    r"^(?P<subj>I|we)\s+(?:(?:do|does|did|will|would|can|cannot|could)\s+)?"
    r"(?P<neg>not\s+|no\s+longer\s+|never\s+)?(?:(?:really|still|also|now|currently|actually|just|"
    r"usually|always|even)\s+)*(?P<used>used\s+to\s+)?(?P<verb>[a-z]+)"
    r"(?:\s+(?P<prep>in|at|for|as|to|with|on|from|near|by|into|of))?(?:\s+(?P<obj>.+))?$"
)
# A state that ended: "I quit smoking", "sold the civic", "I'm off metformin", "Priya moved over to …".
_EN_CEASED = re.compile(
    r"^(?:(?P<subj>I|we)\s+(?:have\s+|had\s+|just\s+|finally\s+|recently\s+)*)?"
    r"(?P<verb>quit|stopped|gave\s+up|am\s+off|are\s+off|got\s+off|came\s+off|sold|left|ditched|dropped|retired\s+from)"
    r"\s+(?P<obj>.+)$",
    re.I,
)
_EN_PERSON_LEFT = re.compile(
    r"^(?!(?:We|They|He|She|It|You|My|Our)\b)(?P<person>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s+(?:has\s+|just\s+)*(?:left|quit|retired|moved\s+(?:over\s+)?to|"
    r"transferred\s+to|is\s+no\s+longer\s+(?:here|with\s+us|on\s+the\s+team)|is\s+gone)\b.*$"
)
# The value that took its place: "my doctor switched me to X", "I'm at X now", "I'm on X now".
_EN_SWITCHED_ME = re.compile(
    r"^(?:(?:my|our|the)\s+[\w\-]+\s+|they\s+|he\s+|she\s+)(?:has\s+|have\s+|just\s+)*"
    r"(?:switched|moved|changed|put|transferred)\s+(?:me|us)\s+(?:over\s+)?(?:to|on(?:to)?)\s+(?P<obj>.+)$",
    re.I,
)
_EN_NOW_AT = re.compile(r"^(?:I|we)\s+(?:am|are)\s+(?:now\s+)?(?:at|on|with)\s+(?P<obj>.+)$", re.I)
# "X got changed", "X was updated": says a change happened, the new value follows.
_EN_CHANGED_ONLY = re.compile(
    r"^(?P<subj>(?:the|my|our)\s+.+?)\s+(?:got|has\s+been|was|have\s+been|were)\s+"
    r"(?:changed|updated|reset|moved|replaced|renewed)$",
    re.I,
)
_EN_DISCOURSE_TAIL = re.compile(r"^(?:but\s+|and\s+)?(?:the\s+)?same\s+[\w\-]+(?:\s+[\w\-]+)?(?:\s+though)?$", re.I)

_FUNCTIONAL_VERBS = {
    "live", "reside", "work", "be", "am", "is", "are", "drive", "study", "stay", "attend",
    "belong", "report", "commute", "teach",
}
_DETERMINER = re.compile(r"^(?:a|an|the|my|our|some)\s+", re.I)


def _clean_temporal(text: str) -> str:
    text = _EN_PAST_TIME.sub("", _EN_TEMPORAL.sub("", text))
    return re.sub(r"\s{2,}", " ", text).strip(" ,")


def _en_clause(text: str) -> _Clause:
    text = expand_contractions(strip_terminal_punctuation(text)).strip()
    text = re.sub(r"^(?:and|but|so|then)\s+", "", text, flags=re.I)
    text = re.sub(r"^now,?\s+(?=(?:I|we|my|our)\b)", "", text, flags=re.I)
    clause = _Clause(text=text, is_old=bool(_EN_OLD_CLAUSE.search(text)))
    changed = _EN_CHANGED_ONLY.match(_clean_temporal(text))
    if changed:
        clause.changed_subject = changed.group("subj")
        return clause
    ceased = _EN_CEASED.match(_clean_temporal(text))
    if ceased:
        clause.is_old, clause.ceased = True, True
        clause.obj = _DETERMINER.sub("", ceased.group("obj")).strip()
        subject = ceased.group("subj") or "I"
        clause.text = f"{subject} {ceased.group('verb')} {ceased.group('obj')}"
        return clause
    person = _EN_PERSON_LEFT.match(text)
    if person:
        clause.is_old, clause.ceased, clause.obj = True, True, person.group("person")
        return clause
    switched = _EN_SWITCHED_ME.match(text)
    now_at = _EN_NOW_AT.match(text)
    if switched or now_at:
        clause.inherits = True
        clause.obj = _clean_temporal((switched or now_at).group("obj")).strip()  # type: ignore[union-attr]
        clause.text = f"I switched to {clause.obj}" if switched else _clean_temporal(text)
        return clause
    set_value = _EN_SET_VALUE.match(text)
    if set_value and any(v.kind != "name" for v in extract_values(set_value.group("value"))):
        attr = re.sub(r"^(?:the\s+)?", "The ", set_value.group("attr"), count=1, flags=re.I)
        attr = set_value.group("attr") if re.match(r"(?:my|our)\b", set_value.group("attr"), re.I) else attr
        clause.text = f"{attr} is {set_value.group('value')}"
        clause.verb, clause.frame, clause.obj = "be", f"{attr} is", set_value.group("value")
        return clause
    moved = _EN_THING_MOVED.match(text) or _EN_MOVED_THING.match(text)
    if moved:
        obj = _EN_PAST_TIME.sub("", _clean_temporal(moved.group("obj"))).strip()
        kinds = {v.kind for v in extract_values(obj)}
        if kinds & {"time", "weekday", "date"} or re.match(_MONTHS, obj):
            preposition = "on " if "weekday" in kinds and not re.match(r"\d", obj) else (
                "at " if re.match(r"\d", obj) and "date" not in kinds else ""
            )
            clause.text = f"{moved.group('subj')} is {preposition}{obj}"
            clause.verb, clause.frame, clause.obj = "be", f"{moved.group('subj')} is", obj
            return clause
        if not subject_of(moved.group("subj"), "en").chain and re.match(r"\d|[A-Z]", obj):
            # "the Berlin office moved to 12 Main Street": where it is now.
            clause.text = f"{moved.group('subj')} is located {'at' if obj[0].isdigit() else 'in'} {obj}"
            clause.verb, clause.frame, clause.obj = "be", f"{moved.group('subj')} is located", obj
            return clause
    move = _EN_MOVE.match(text)
    if move:
        obj = _EN_PAST_TIME.sub("", _clean_temporal(move.group("obj"))).strip()
        subject = move.group("subj")
        verb = "live" if subject.lower() in ("i", "we") else "lives"
        clause.text = f"{subject} {verb} in {obj}"
        clause.verb, clause.frame, clause.obj = "live", "live in", obj
        return clause
    switch_from = _EN_SWITCH_FROM.match(text)
    if switch_from:
        clause.inherits, clause.obj = True, _EN_PAST_TIME.sub("", _clean_temporal(switch_from.group("new"))).strip()
        clause.denied = [switch_from.group("old")]
        return clause
    switch = _EN_SWITCH.match(text)
    if switch:
        obj = _EN_PAST_TIME.sub("", _clean_temporal(switch.group("obj"))).strip()
        clause.inherits, clause.obj = True, obj
        return clause
    copula = _EN_COPULA.match(text)
    if copula:
        subj = copula.group("subj")
        clause.verb = "be"
        clause.frame = f"{subj} {copula.group('verb')}" if subj.lower() not in ("i", "we") else "be"
        clause.obj = _clean_temporal(copula.group("obj"))
        return clause
    verb = _EN_VERB.match(text)
    if verb and verb.group("verb") not in ("not", "no"):
        clause.verb = verb.group("verb").lower()
        prep = verb.group("prep") or ""
        clause.frame = f"{clause.verb} {prep}".strip()
        clause.obj = _clean_temporal(verb.group("obj") or "")
        if verb.group("used"):
            clause.is_old = True
    return clause


def _object_values(obj: str) -> list[str]:
    found = [v.text for v in extract_values(obj)]
    if found:
        return found
    cleaned = _DETERMINER.sub("", _clean_temporal(obj)).strip(" .,")
    return [cleaned] if cleaned else []


def _positive_text_en(clause: _Clause) -> str:
    """The old clause rewritten as a denial: "I used to live in X" → "I do not live in X"."""
    text = re.sub(r"\bused\s+to\s+", "do not ", clause.text, flags=re.I)
    return _clean_temporal(text)


def _statement_en(text_1p: str, old: list[str], new: list[str], negated: bool | None = None) -> ParsedStatement:
    cleaned = _clean_temporal(text_1p)
    text = finish_sentence(to_third_person(cleaned, "en"), "en")
    return ParsedStatement(
        text=text,
        language="en",
        subject=subject_label(cleaned, "en"),
        old_values=old,
        new_values=new,
        negated=is_negated(text, "en") if negated is None else negated,
    )


def _pair_values(main: str, old_phrase: str) -> tuple[list[str], list[str]]:
    """Old values from the denied phrase and the matching new values in the main clause."""
    old_phrase = _DETERMINER.sub("", _clean_temporal(old_phrase)).strip(" .,")
    main_values = extract_values(main)
    old_values = extract_values(old_phrase)
    olds: list[str] = []
    news: list[str] = []
    if old_values:
        for old in old_values:
            match = _matching_value(old, main_values)
            if match is not None:
                olds.append(complete_unit(old.text, match.text))
                news.append(match.text)
            else:
                olds.append(old.text)
        return olds, news
    bare_number = _bare_number_pair(main, old_phrase)
    if bare_number:
        return [old_phrase], [bare_number]
    olds = [old_phrase] if old_phrase else []
    names = [v.text for v in main_values if v.kind == "name"]
    if names:
        # "It's Katarina with a K, not Catarina": the name that looks most like the denied one.
        news = [max(names, key=lambda name: SequenceMatcher(None, name.lower(), old_phrase.lower()).ratio())]
    elif old_phrase:
        words = main.split()
        width = max(1, len(old_phrase.split()))
        news = [_DETERMINER.sub("", " ".join(words[-width:])).strip(" .,")]
    return olds, news


def _bare_number_pair(main: str, old_phrase: str) -> str | None:
    """"three cats now, not two": the number word in the main clause that replaces "two"."""
    if not re.fullmatch(rf"(?:{EN_NUMBER_WORD_PATTERN})", old_phrase, re.IGNORECASE):
        return None
    old_amount = leading_number(old_phrase)
    for match in re.finditer(rf"\b(?:{EN_NUMBER_WORD_PATTERN}|\d+)\b", main, re.IGNORECASE):
        amount = leading_number(match.group(0))
        if amount is not None and amount != old_amount:
            # The whole value when the number carries a unit ("two days").
            for value in extract_values(main):
                if value.start == match.start() and value.kind != "name":
                    return value.text
            return match.group(0)
    return None


def _matching_value(old: Value, candidates: list[Value]) -> Value | None:
    for candidate in candidates:
        if candidate.kind == old.kind and not same_value(candidate.text, old.text):
            return candidate
    for candidate in candidates:
        # "5公里, not 5英里": another unit of the same measure.
        if "name" not in (old.kind, candidate.kind) and compatible_kinds(candidate.kind, old.kind) and not same_value(
            candidate.text, old.text
        ):
            return candidate
    if old.kind == "number":
        for candidate in candidates:
            if candidate.kind != "name" and not same_value(candidate.text, old.text):
                return candidate
    return None


def _denial_target(parts: list[str], old_phrase: str) -> int:
    """Which clause a denied value belongs to: the last one holding a value of its kind."""
    old_values = extract_values(old_phrase)
    for index in range(len(parts) - 1, -1, -1):
        values = extract_values(parts[index])
        if old_values and any(_matching_value(old, values) for old in old_values):
            return index
    return len(parts) - 1


def _en_contrast(sentence: str) -> tuple[str, str] | None:
    """(main clause, denied phrase) for "X, not Y", "X rather than Y", "not Y but X"."""
    head = _EN_CONTRAST_HEAD.match(sentence)
    denied = head.group("old") if head else ""
    if head and len(denied.split()) <= 6 and not re.search(r"\b(?:I|we|you|he|she|they)\b", denied):
        return head.group("main"), head.group("old")
    for pattern in (_EN_CONTRAST_TAIL, _EN_RATHER_THAN):
        match = pattern.match(sentence)
        if match and len(match.group("old").split()) <= 6 and not _EN_PRONOUN_START.match(match.group("old")):
            return match.group("main"), re.sub(r"\s+(?:anymore|any\s+more)$", "", match.group("old"))
    bare = _EN_CONTRAST_BARE.match(sentence)
    if bare and not re.search(r"\b(?:do|does|did|is|are|was|were|am|will|would|can|could|should)$", bare.group("main"), re.I):
        olds = [v for v in extract_values(bare.group("old")) if v.kind != "name" or len(bare.group("old").split()) <= 3]
        if olds and any(_matching_value(old, extract_values(bare.group("main"))) for old in olds):
            return bare.group("main"), bare.group("old")
    match = _EN_NOT_BUT.match(sentence)
    if match and not _EN_PRONOUN_START.match(match.group("new")) and len(match.group("old").split()) <= 6:
        pre = match.group("pre")
        if re.search(r"\b(?:do|does|did)\s*$", pre, re.I):
            return None
        return f"{pre}{match.group('new')}".strip(), match.group("old")
    return None


def _parse_en_sentence(sentence: str, context: list[tuple[str, str]]) -> list[ParsedStatement]:
    text = expand_contractions(strip_terminal_punctuation(sentence))
    contrast = _en_contrast(text)
    if contrast:
        main, old_phrase = contrast
        parts = [part for part in _EN_CLAUSE_SPLIT.split(main) if part and part.strip()]
        target = _denial_target(parts, old_phrase)
        statements = _merge_clauses([_en_clause(part) for part in parts[:target]], context)
        main = _clean_temporal(parts[target])
        olds, news = _pair_values(main, old_phrase)
        if _EN_SUBJECTLESS.match(main) or _is_bare_values(main):
            statements.append(resolve_with_context(_clean_temporal(main), olds, news, "en", context))
        else:
            statements.append(_statement_en(_en_clause(main).text, olds, news))
        return statements + _merge_clauses([_en_clause(part) for part in parts[target + 1 :]], context)

    return _merge_clauses([_en_clause(part) for part in _en_clause_texts(text)], context)


def _en_clause_texts(text: str) -> list[str]:
    parts: list[str] = []
    for part in _EN_CLAUSE_SPLIT.split(text):
        if not part or not part.strip():
            continue
        pieces = _EN_COMMA_CLAUSE.split(part) if len(part.split(",")[0].split()) >= 3 else [part]
        # "…, so go easy on the dairy", "because …": a reason or request, not a fact.
        parts += [p for i, p in enumerate(pieces) if p.strip() and not (i and _EN_REASON_CLAUSE.match(p))]
    return parts


def _merge_clauses(clauses: list[_Clause], context: list[tuple[str, str]]) -> list[ParsedStatement]:
    statements: list[ParsedStatement] = []
    old_clause: _Clause | None = None
    last_plain: _Clause | None = None  # the clause behind statements[-1], when it stated a fact
    changed_subject = ""
    for clause in clauses:
        if is_acknowledgement(clause.text) or is_remark_about_assistant(clause.text):
            continue
        if _EN_DISCOURSE_TAIL.match(clause.text):
            continue
        if clause.changed_subject:
            changed_subject = clause.changed_subject
            continue
        if changed_subject and (_EN_SUBJECTLESS.match(clause.text) or _is_bare_values(clause.text)):
            # "the guest wifi password got changed, it's X now" → "the guest wifi password is X".
            rest = _EN_SUBJECTLESS.sub("", clause.text)
            clause = _en_clause(f"{changed_subject} is {_clean_temporal(rest)}")
            changed_subject = ""
        names = [v.text for v in extract_values(clause.text) if v.kind == "name"]
        if old_clause is not None and old_clause.ceased and (clause.obj or names) and not clause.is_old:
            # "sold the civic, I drive a Tesla now", "off X, switched me to Y": one value replaced.
            news = names or _object_values(clause.obj)
            text = _clean_temporal(clause.text)
            statements.append(_statement_en(text, _object_values(old_clause.obj), news[-1:], negated=False))
            old_clause = None
            continue
        if clause.is_old and not clause.inherits and old_clause is None and last_plain is not None and (
            _same_attribute(clause, last_plain)
        ):
            # "I live in Oslo now, I used to live in Bergen": the old value comes second.
            statements[-1].old_values = _object_values(clause.obj)
            statements[-1].new_values = _object_values(last_plain.obj)
            last_plain = None
            continue
        last_plain = None
        if clause.is_old and not clause.inherits:
            old_clause = clause
            continue
        if clause.inherits and old_clause is not None and old_clause.frame:
            subject = "I" if old_clause.verb != "be" or old_clause.frame == "be" else ""
            if old_clause.frame == "be":
                clause.text = f"I am {clause.obj}"
            elif old_clause.verb == "be":
                clause.text = f"{old_clause.frame} {clause.obj}"
            else:
                clause.text = f"{subject} {old_clause.frame} {clause.obj}".strip()
            clause.verb, clause.frame = old_clause.verb, old_clause.frame
        elif clause.inherits:
            clause.text = f"I use {clause.obj}" if not re.match(r"^now\b", clause.text, re.I) else clause.obj
        if _EN_SUBJECTLESS.match(clause.text) and old_clause is not None and old_clause.frame and old_clause.verb == "be":
            clause.text = _EN_SUBJECTLESS.sub(f"{old_clause.frame} ", clause.text)
            clause.frame, clause.verb = old_clause.frame, "be"
            clause.obj = clause.text.split(old_clause.frame, 1)[-1].strip()
        if clause.denied and old_clause is None:
            olds, news = _pair_values(clause.text, clause.denied[0])
            statements.append(_statement_en(clause.text, olds, news, negated=False))
            continue
        if old_clause is not None and _same_attribute(old_clause, clause):
            olds = _object_values(old_clause.obj)
            news = _object_values(clause.obj)
            statements.append(_statement_en(clause.text, olds, news, negated=False))
            old_clause = None
            continue
        if old_clause is not None:
            statements.append(_statement_en(_positive_text_en(old_clause), [], [], negated=True))
            old_clause = None
        if _is_bare_values(clause.text) and context:
            values = [v.text for v in extract_values(clause.text)]
            statements.append(resolve_with_context(_clean_temporal(clause.text), [], values, "en", context))
            continue
        if not content_terms(clause.text, "en") and not extract_values(clause.text):
            continue
        statements.append(_statement_en(clause.text, [], [v.text for v in extract_values(clause.text)]))
        last_plain = clause
    if old_clause is not None:
        statements.append(_statement_en(_positive_text_en(old_clause), [], [], negated=True))
    if changed_subject and not statements:
        statements.append(_statement_en(f"{changed_subject} changed", [], [], negated=False))
    return statements


_OCCUPATION_FRAMES = {"be", "work as"}


def _same_attribute(old: _Clause, new: _Clause) -> bool:
    # "no longer a teacher - I work as a tester now": being and working as name one job.
    if {old.frame, new.frame} <= _OCCUPATION_FRAMES and old.obj and new.obj:
        return True
    if not old.frame or old.frame != new.frame:
        return False
    if old.verb in _FUNCTIONAL_VERBS or new.inherits or old.verb in _ZH_FUNCTIONAL_VERBS:
        return True
    # "drink coffee" / "drink tea" can both hold; a named value ("drive a Honda") cannot.
    return bool(extract_values(old.obj))


def _is_bare_values(text: str) -> bool:
    values = extract_values(text)
    if not values:
        return False
    rest = text
    for value in values:
        rest = rest.replace(value.text, " ")
    rest = re.sub(r"\b(?:it|is|it's|was|at|on|in|the|a|an|now|actually|should|be|only|just)\b", " ", rest, flags=re.I)
    return not re.search(r"[A-Za-z\u4e00-\u9fff]", rest)


# --- Chinese -----------------------------------------------------------------------------

_ZH_CONTRAST_TAIL = re.compile(r"^(?P<main>.+?)[，,；;]\s*(?:而)?(?:并)?(?:不是|而不是)(?P<old>[^，,；;]+)$")
_ZH_NOT_BUT = re.compile(
    r"^(?P<pre>.*?)(?:并)?不是(?P<old>[^，,；;]+?)[，,；;]?\s*(?:而是|而|应该是|实际上是|其实是|是)(?P<new>.+)$"
)
_ZH_FROM_TO = re.compile(
    r"^(?P<pre>.*?)(?:已经)?从(?P<old>.+?)(?:改成了?|改为了?|改到了?|换成了?|变成了?|变为|调整为|调整到|调到|"
    r"提高到了?|降低到了?|降到了?|涨到了?|增加到了?|减少到了?|推迟到了?|提前到了?)(?P<new>.+)$"
)
_ZH_CHANGED_TO = re.compile(
    r"^(?P<pre>.+?)(?:已经)?(?P<change>改成了|改为了|换成了|变成了|改成|改为|换成|变成|调整为|更新为|更改为)(?P<new>.+)$"
)
_ZH_OLD_CLAUSE = re.compile(r"不再|已经不|已经没|(?:不|没).*了$")
_ZH_PAST_MARKER = re.compile(r"^(?:以前|之前|原来|过去|曾经)(?:是)?")
_ZH_NOW_MARKER = re.compile(r"^(?:但是?|可是|不过|而)?(?:现在|目前|如今|最近|后来|今年|这个月|上个月|刚)(?:已经|开始)?")
# "搬回去了", "搬进去住了": a direction, no place, follows the verb.
_ZH_MOVE = re.compile(r"(?:搬家?到|搬去|搬回|搬进|移居到?|迁居到?|定居(?:在|到))(?![去来])(?P<obj>.+)$")
_ZH_FUNCTIONAL_VERBS = {"住", "在", "是", "叫", "工作", "上班", "当", "做", "开", "读", "上", "姓", "为"}
_ZH_SUBJECT = re.compile(r"^(?P<subj>我(?:的[^\s，,。]{1,6}?|(?=女儿|儿子|孩子|妈妈|爸爸|老婆|老公|家))?|用户(?:的)?)")


_ZH_SWITCHED_VERB = re.compile(r"改(?=[喝吃用穿开坐骑买看听学玩养住去做读抽带])")
# When the change happened is not part of the fact that now holds.
_ZH_TIME_ADVERB = re.compile(r"现在|目前|如今|已经|最近|刚刚|上个月|上个?(?:周|星期|礼拜)[一二三四五六日天末]?|前不久|前几天|这几天")
# A clause that only denies a value and has no subject: "不是一个", "而不是周五".
_ZH_DENIAL_ONLY = re.compile(r"^(?:而|也)?(?:并)?(?:不是|而不是|不再是|不)(?P<old>.+)$")


def _zh_normalise(text: str) -> str:
    text = strip_terminal_punctuation(text)
    text = re.sub(r"(?:一点(?:都|也)|根本|完全|压根(?:儿)?|从来|一直都|并)(?=不|没)", "", text)
    text = re.sub(r"不再是有|不再有|不是有", "没有", text)
    text = text.replace("不再", "不").replace("已经不", "不").replace("已经没", "没")
    text = _ZH_SWITCHED_VERB.sub("", text)
    return zh_without_final_particles(text)


def _statement_zh(text: str, old: list[str], new: list[str], negated: bool | None = None) -> ParsedStatement:
    text = _ZH_NOW_MARKER.sub("", text) if not text.startswith("我") else text
    if _ZH_BARE_KIN.match(text):
        text = "我" + text
    text = _ZH_TIME_ADVERB.sub("", _ZH_SWITCHED_VERB.sub("", text))
    sentence = finish_sentence(to_third_person(text, "zh"), "zh")
    return ParsedStatement(
        text=sentence,
        language="zh",
        subject=subject_label(text, "zh"),
        old_values=old,
        new_values=new,
        negated=is_negated(sentence, "zh") if negated is None else negated,
    )


def _zh_predicate(body: str) -> tuple[str, str]:
    """(verb, object) of a clause body that has lost its subject and negation."""
    tokens = [t for t in zh_tokens(body) if t not in ("不", "没", "没有", "也", "还", "都", "就", "已经")]
    if not tokens:
        return "", ""
    verb = tokens[0]
    rest = tokens[1:]
    if rest and rest[0] in ("在", "到", "于", "为", "成"):
        rest = rest[1:]
    return verb, "".join(rest)


_ZH_BARE_KIN = re.compile(r"^(?:女儿|儿子|孩子|老婆|老公|妻子|丈夫|爱人|太太|男朋友|女朋友|爸爸|妈妈|父亲|母亲)(?=[^的])")
# "说错了", "之前记错了": says something was wrong, not what is right.
_ZH_MARKER_CLAUSE = re.compile(r"^(?:之前|刚才|我|你)?(?:说|记|搞|弄|写)错了?(?:吧)?$")
# "车早换了", "涨价了", "深圳办公室已经搬了": a change happened; the new value follows.
_ZH_CHANGED_ONLY = re.compile(
    r"^(?P<subj>.{0,8}?)(?:早就?|已经|早已|都)?(?:换|搬|变|改|涨价|降价|提前|推迟|调整|更新)(?:掉|走|家)?了$"
)
# "张敏已经离职了": a person who no longer holds the role.
_ZH_PERSON_LEFT = re.compile(r"^(?P<person>[\u4e00-\u9fff]{2,3}?)(?:已经|早就|上个月|刚)?(?:离职|辞职|退休|调走|走)了?$")
_ZH_CONTACT_NEW = re.compile(r"(?:找|联系|问|交给|归|由)(?P<new>[\u4e00-\u9fff]{2,3})(?:负责|处理)?$")
# "戒酒" is "不再喝酒": the verb the habit takes.
_ZH_QUIT = re.compile(r"戒(?:掉)?(?:了)?(?P<obj>酒|烟|[\u4e00-\u9fff]{1,4}?)(?=了|$)")
_ZH_QUIT_VERB = {"酒": "喝酒", "烟": "抽烟", "咖啡": "喝咖啡", "奶茶": "喝奶茶", "糖": "吃糖", "辣": "吃辣"}


def _zh_quit_phrase(obj: str, said: str) -> str:
    """"戒了啤酒" → "不再喝啤酒": what is no longer done, when the thing says how it is taken."""
    if obj in _ZH_QUIT_VERB:
        return "不再" + _ZH_QUIT_VERB[obj]
    if obj.endswith(("酒", "茶", "奶", "可乐", "饮料", "咖啡")):
        return "不再喝" + obj
    if obj.endswith("烟"):
        return "不再抽" + obj
    return said


_ZH_SELL = re.compile(r"^(?:去年|上个月|前年|已经|早就)?(?:卖|卖掉|转手|退)了?$")
_ZH_JOB_HOP = re.compile(r"(?:跳槽|转行|换工作)(?:去|到)了?")
_ZH_PROGRESSIVE = re.compile(r"^在(?=[玩学看用吃喝听读练追养开])")


def _zh_split_subject(text: str) -> tuple[str, str]:
    match = _ZH_SUBJECT.match(text)
    if match and match.group("subj"):
        return match.group("subj"), text[match.end() :]
    kin = _ZH_BARE_KIN.match(text)
    if kin:
        # "儿子今年上初一了" from the user: the user's son.
        return f"我{kin.group(0)}", text[kin.end() :]
    return "", text


# "我家狗叫球球不是豆豆": a denial glued to the value it follows, without a comma.
_ZH_UNMARKED_CONTRAST = re.compile(
    r"^(?P<main>[^，,]*?(?:是|叫|在|住在|姓|有)[^，,不是]{1,12}?)(?:而)?不是(?P<old>[^，,]{1,12})$"
)
_ZH_SAME_VERB_CONTRAST = re.compile(
    r"^(?P<main>.*?(?P<verb>是|在|住在|叫|姓)[^，,；;不]+?)(?:而)?(?:并)?不(?P=verb)(?P<old>[^，,；;]+)$"
)


# "啤酒我已经戒了", "打羽毛球我其实不太喜欢": the object leads, the speaker follows.
_ZH_FRONTED_OBJECT = re.compile(r"^(?P<obj>[^，,。我你他她是的不没]{1,8}?)我(?P<rest>(?:其实|已经|早就|早|都|也|一直|从来|现在|真的)*.+)$")
_ZH_NOT_AN_OBJECT = re.compile(
    r"^(?:今年|去年|明年|以前|之前|现在|最近|周末|每天|平时|后来|上个?月|下个?月|上周|昨天|今天|明天|早上|晚上|"
    r"其实|那时|当时|小时候|本来|原来|所以|但是|可是|而且|因为|如果|反正|对|嗯|哦|\d+年)"
)
_ZH_GIVING_VERB = re.compile(r"^(?:其实|已经|早就|早|都|也)*(?:送给|送|借给|卖给|还给|交给|留给)")


def _ends_in_zh_verb(text: str) -> bool:
    """"医生让", "陪了": the words end in a verb (an aspect particle aside), so they need an object
    of their own; "打羽毛球" ends in its object and may itself be one."""
    tags = [pair.flag for pair in jieba_tagger().lcut(text) if not pair.flag.startswith("u")]
    return bool(tags) and tags[-1].startswith("v")


def _zh_front_topic(part: str) -> str:
    """Put a fronted object back after its verb: "啤酒我已经戒了" → "我已经戒了啤酒"."""
    match = _ZH_FRONTED_OBJECT.match(part.strip())
    if not match or _ZH_NOT_AN_OBJECT.match(match.group("obj")) or _ends_in_zh_verb(match.group("obj")):
        return part  # "医生让我停药了", "陪了我十五年": what leads has a verb of its own, it is no object
    obj, rest = match.group("obj"), match.group("rest")
    if _ZH_GIVING_VERB.match(rest):
        return f"我把{obj}{rest}"  # "猫我送给表姐养了" → "我把猫送给表姐养了"
    return f"我{re.sub(r'(?:啦|哈|呢|吧)+$', '', rest)}{obj}"


def _parse_zh_sentence(sentence: str, context: list[tuple[str, str]]) -> list[ParsedStatement]:
    text = strip_terminal_punctuation(sentence)
    parts = [
        _ZH_UNMARKED_CONTRAST.sub(r"\g<main>，不是\g<old>", _zh_front_topic(p)) for p in re.split(r"[，,；;]", text)
        if p.strip() and not _ZH_MARKER_CLAUSE.match(p.strip())
    ]
    text = "，".join(parts)
    same_verb = _ZH_SAME_VERB_CONTRAST.match(text)
    if same_verb:
        # "我家在杭州不在苏州": the verb repeats with 不 before the denied value.
        text = f"{same_verb.group('main')}，不是{same_verb.group('old')}"
    changed = _ZH_CHANGED_TO.match(parts[0]) if len(parts) > 1 else None
    if changed and not changed.group("pre").startswith(("把", "将")) and "不是" not in text:
        # "年假改成了15天，新政策一月份开始执行": the change, then a remark of its own.
        return _parse_zh_sentence(parts[0], context) + _parse_zh_sentence("，".join(parts[1:]), context)
    match = _ZH_CONTRAST_TAIL.match(text)
    if match:
        main = _zh_normalise(match.group("main"))
        olds, news = _pair_values(main, match.group("old"))
        news = news if extract_values(match.group("old")) else _zh_diff_new(main, match.group("old"))
        return [_statement_zh(main, olds, news, negated=False)]
    match = _ZH_NOT_BUT.match(text) or _ZH_FROM_TO.match(text)
    if match:
        pre = match.group("pre")
        new = _zh_normalise(match.group("new"))
        olds, news = _pair_values(new, match.group("old"))
        if not extract_values(match.group("old")):
            olds, news = [match.group("old").strip()], [new]
        if not pre:
            return [resolve_with_context(new, olds, news, "zh", context)]
        joiner = "" if re.search(r"(?:是|为|在|住)$", pre) else ("" if _starts_with_verb(new) else "是")
        return [_statement_zh(f"{pre}{joiner}{new}", olds, news, negated=False)]
    match = _ZH_CHANGED_TO.match(text)
    if match and match.group("change") == "换成" and re.search(r"[，,；;]", match.group("pre")):
        match = None  # "年会挪到1月18号了，地点也换成万豪酒店了": the change is the last clause's alone
    if match and not match.group("pre").startswith(("把", "将")):
        pre, new = _ZH_TIME_ADVERB.sub("", match.group("pre")), _zh_normalise(match.group("new"))
        values = extract_values(new)
        # "改成早上6点开门": the value leads a predicate of its own, so no "是" goes in between.
        predicate_follows = bool(values) and bool(new[values[-1].end :].strip())
        joiner = "" if predicate_follows or _starts_with_verb(new) or re.search(r"(?:是|为)$", pre) else "是"
        return [_statement_zh(f"{pre}{joiner}{new}", [], [v.text for v in values] or [new], negated=False)]

    clauses: list[_Clause] = []
    subject = ""
    changed_subject = ""
    for part in re.split(r"[，,；;]", text):
        part = part.strip()
        if not part:
            continue
        part = _ZH_QUIT.sub(lambda m: _zh_quit_phrase(m.group("obj"), m.group(0)), part)
        person = _ZH_PERSON_LEFT.match(part)
        if person:
            clauses.append(_Clause(text=part, is_old=True, ceased=True, obj=person.group("person")))
            continue
        changed_only = _ZH_CHANGED_ONLY.match(_ZH_TIME_ADVERB.sub("", part))
        if changed_only:
            subj = changed_only.group("subj")
            changed_subject = "" if _ZH_BARE_KIN.match(subj) or len(subj) <= 1 else subj
            continue
        if _ZH_SELL.match(part) and clauses and clauses[-1].is_old:
            continue  # "去年卖了" after "之前有套房": the same ending, said again
        if clauses and clauses[-1].is_old and re.match(r"^(?:都|已经)?.{0,4}(?:没|不)(?:碰|沾|做|弄)(?:过)?了?$", part):
            continue  # "都半年没碰了": the same cessation, said again
        part = _ZH_JOB_HOP.sub("在", part)
        if changed_subject:
            body = _ZH_TIME_ADVERB.sub("", _ZH_NOW_MARKER.sub("", part))
            if body.startswith(("是", "为", "在")) or extract_values(body[:4]):
                part = f"{changed_subject}{'位于' + body[1:] if body.startswith('在') else body}"
                changed_subject = ""
        own_subject, body = _zh_split_subject(part)
        denial = None if own_subject else _ZH_DENIAL_ONLY.match(strip_terminal_punctuation(body))
        if denial and clauses and not clauses[-1].is_old:
            clauses[-1].denied.append(denial.group("old"))
            continue
        if own_subject:
            subject = own_subject
        is_past = bool(_ZH_PAST_MARKER.match(body))
        body = _ZH_PAST_MARKER.sub("", body)
        if is_past and not re.match(r"^(?:不|没)", body):
            body = "不再" + body
        is_old = is_past or bool(_ZH_OLD_CLAUSE.search(part))
        body = _ZH_NOW_MARKER.sub("", body)
        body = re.sub(r"^(?:现在|目前|如今|已经)", "", body)
        body = _ZH_PROGRESSIVE.sub("", body)
        if not own_subject and not subject and re.match(r"^(?:开的|开|住|租|用的|养的|在|是有|有|不再是有|不再有)", body):
            own_subject = "我"  # "现在开的是X", "之前在A": the speaker, who has no other subject here
        move = _ZH_MOVE.search(body)
        if move:
            body = f"住在{_zh_normalise(move.group('obj')).lstrip('了')}"
            if not own_subject and not subject and not context:
                own_subject = "我"  # "搬回长沙了" out of the blue; after an answer, who moved is the answer's
        body = _zh_normalise(body)
        if not body:
            continue
        verb, obj = _zh_predicate(body)
        # "我不是程序员，我是产品经理": a plain denial followed by the fact that holds instead.
        is_old = (is_old or bool(own_subject)) and bool(re.match(r"^(?:不|没)", body))
        clauses.append(_Clause(text=f"{own_subject or subject}{body}", is_old=is_old, verb=verb, frame=verb, obj=obj))
    return _merge_zh_clauses(clauses, context)


def _starts_with_verb(text: str) -> bool:
    return bool(re.match(r"^(?:住|在|是|喜欢|爱|叫|做|当|去|吃|喝|用|开|养)", text))


_ZH_OBJECT_AFTER_FRAME = re.compile(r"(?:的是|是|为|在|叫|住在|姓|上|读)(?P<new>[^，,；;是为在叫上读]+)$")


def _zh_diff_new(main: str, old_phrase: str) -> list[str]:
    old_phrase = old_phrase.strip()
    if main.endswith(old_phrase):
        return []
    after_frame = _ZH_OBJECT_AFTER_FRAME.search(main)
    if after_frame:
        return [after_frame.group("new")]
    width = len(old_phrase)
    if not width:
        return []
    # The object of the clause's last verb, in whole words ("我住望京西园" against "通州" gives
    # "望京西园", never "阳区" of "朝阳区"); a verb or particle closing the clause after its object
    # ("去千岛湖钓", "住杭州滴") is no part of it.
    pairs = jieba_tagger().lcut(main)
    while pairs and not pairs[-1].flag.startswith("n") and len(pairs[-1].word) == 1:
        pairs.pop()
    tail = ""
    for pair in reversed(pairs):
        if pair.flag.startswith("v") or (len(tail) >= width and not pair.flag.startswith("n")):
            break
        tail = pair.word + tail
    return [tail.strip()] if len(tail.strip()) >= width else [main[-width:]]


def _merge_zh_clauses(clauses: list[_Clause], context: list[tuple[str, str]]) -> list[ParsedStatement]:
    statements: list[ParsedStatement] = []
    old_clause: _Clause | None = None
    last_plain: _Clause | None = None  # the clause behind statements[-1], when it stated a fact
    for clause in clauses:
        if clause.is_old and old_clause is None and last_plain is not None and _zh_same_attribute(clause, last_plain):
            # "我现在住在深圳，以前住在广州": the old value comes after the new one.
            statements[-1].old_values, statements[-1].new_values = [clause.obj], [last_plain.obj]
            last_plain = None
            continue
        last_plain = None
        if old_clause is not None and old_clause.ceased:
            contact = _ZH_CONTACT_NEW.search(clause.text)
            if contact:
                # "张敏离职了，报销现在找王芳": the new person takes the old one's place.
                statements.append(_statement_zh(clause.text, [old_clause.obj], [contact.group("new")], negated=False))
                old_clause = None
                continue
            old_clause = None
        if clause.is_old:
            old_clause = clause
            continue
        if clause.denied:
            if old_clause is not None:
                statements.append(_statement_zh(old_clause.text, [], [], negated=True))
                old_clause = None
            olds, news = [], []
            for phrase in clause.denied:
                pair_olds, pair_news = _pair_values(clause.text, phrase)
                if not extract_values(phrase):
                    pair_olds, pair_news = [phrase.strip()], [clause.obj] if clause.obj else []
                olds, news = olds + pair_olds, news + pair_news
            statements.append(_statement_zh(clause.text, olds, news, negated=False))
            continue
        if old_clause is not None and _zh_same_attribute(old_clause, clause):
            statements.append(_statement_zh(clause.text, [old_clause.obj], [clause.obj], negated=False))
            old_clause = None
            continue
        if old_clause is not None:
            statements.append(_statement_zh(old_clause.text, [], [], negated=True))
            old_clause = None
        if _is_bare_values(clause.text) and context:
            values = [v.text for v in extract_values(clause.text)]
            statements.append(resolve_with_context(clause.text, [], values, "zh", context))
            continue
        statements.append(_statement_zh(clause.text, [], [v.text for v in extract_values(clause.text)]))
        last_plain = clause
    if old_clause is not None:
        statements.append(_statement_zh(old_clause.text, [], [], negated=True))
    return statements


def _zh_same_attribute(old: _Clause, new: _Clause) -> bool:
    return bool(old.verb) and old.verb == new.verb and bool(
        new.verb in _ZH_FUNCTIONAL_VERBS or extract_values(old.obj)
    )


# --- entry point -------------------------------------------------------------------------


def statement_sentences(feedback: str) -> list[str]:
    """The sentences of the feedback that state something (fillers removed); a sentence that
    coordinates facts of their own ("laptop's a ThinkPad not a Mac, phone is a Pixel 8") gives one each."""
    kept: list[str] = []
    for sentence in split_sentences(feedback):
        if is_correction_marker(sentence):
            continue
        core = strip_fillers(without_request_clauses(strip_fillers(sentence)))
        if not core or is_acknowledgement(core) or is_question(core) or is_request(core):
            continue
        kept.extend(_zh_contrasts(core) if has_cjk(core) else en_coordinated_facts(core))
    return kept


# Where a sentence may join two facts: a comma or semicolon (with "and"), or "and" alone; not the
# comma of a thousands ("$1,850").
_EN_FACT_JOINT = re.compile(rf"\s*{_CLAUSE_JOINT}\s*(?:and\s+)?|\s+and\s+|\s+[-–—]\s+", re.IGNORECASE)
# A clause with a subject and verb of its own: "phone is a pixel 8", "dad's is dec 19",
# "laptop's a ThinkPad", "she's in year 4", "i mostly write rust".
_EN_OWN_CLAUSE = re.compile(
    r"^(?:(?:the|my|our|his|her|their|its)\s+)?(?:[\w\-/'’]+\s+){0,2}?[\w\-/]+(?:'s|’s)?\s+(?:is|are|was|were|has|have|r)\b"
    r"|^(?:i|we|she|he|they|it)(?:'s|’s|'re|’re|'m|’m)?\s+\w"
    r"|^(?:(?:the|my|our|his|her|their|its)\s+)?[\w\-]+(?:'s|’s)\s+(?:a|an|the|in|at|on|now|not)\b"
    # "lease runs till October", "the class moved to Friday": a verb between a noun and where or when.
    r"|^(?:(?:the|my|our|his|her|their|its)\s+)?(?:[\w\-]+\s+)?[\w\-]+\s+[a-z]+(?:s|ed)\s+"
    r"(?:till|until|to|on|in|at|from|by|every|each|around|after|before)\b",
    re.IGNORECASE,
)


_EN_DENIAL_START = re.compile(r"(?:not|no|never|rather\s+than|instead\s+of)\b", re.IGNORECASE)


def en_coordinated_facts(sentence: str) -> list[str]:
    """The sentence cut at each joint that stands between two clauses with a subject and verb of
    their own; a joint inside a list ("Miso and Tofu") is no cut."""
    # ", not a MacBook": a denial after a comma belongs to the clause before it.
    joints = [j for j in _EN_FACT_JOINT.finditer(sentence) if not _EN_DENIAL_START.match(sentence, j.end())]
    if not joints:
        return [sentence]
    bounds = [0, *[j.start() for j in joints], len(sentence)]
    starts = [0, *[j.end() for j in joints]]
    pieces = [sentence[starts[i]:bounds[i + 1]].strip() for i in range(len(starts))]
    cuts = [
        i for i in range(len(joints))
        if _EN_OWN_CLAUSE.match(pieces[i]) and _EN_OWN_CLAUSE.match(pieces[i + 1]) and _states_its_own(pieces[i])
    ]
    if not cuts:
        return [sentence]
    out, start = [], 0
    for i in cuts:
        out.append(sentence[start:joints[i].start()].strip())
        start = joints[i].end()
    out.append(sentence[start:].strip())
    return [piece for piece in out if piece]


def _states_its_own(clause: str) -> bool:
    """A clause that says what holds, not only what no longer does ("I don't live in Berlin
    anymore", "I left Oracle"): the clause after such a one says what replaced it, and the two are
    one correction. "X, not Y" states X."""
    text = expand_contractions(clause)
    if _EN_CEASED.match(text) or _EN_OLD_CLAUSE.search(text):
        return False
    # A denial among the first words denies the verb ("It is not a Corolla", "I do not drive");
    # one after them denies a value beside the stated one ("laptop's a ThinkPad not a MacBook").
    return not any(word.strip(",.;:!?") in ("not", "no", "never") for word in text.casefold().split()[:3])


_ZH_PART = re.compile(r"[，,；;]")


def _zh_contrasts(sentence: str) -> list[str]:
    """"我导师是陈教授不是刘教授，答辩在6月3号，不是13号": one sentence per contrast, each with the
    clauses that lead to its denial, when a sentence holds more than one."""
    parts = [p for p in _ZH_PART.split(sentence) if p.strip()]
    groups: list[list[str]] = [[]]
    for part in parts:
        groups[-1].append(part)
        if "不是" in part:
            groups.append([])
    groups = [g for g in groups if g]
    if sum(any("不是" in p for p in g) for g in groups) < 2:
        return [sentence]
    if groups and not any("不是" in p for p in groups[-1]) and len(groups) > 1:
        groups[-2].extend(groups.pop())
    return ["，".join(g) for g in groups]


_EN_NOT_CALLED = re.compile(
    r"\b(?:(?:stop|quit|do\s+not|don't|never|no\s+more)\s+call(?:ing)?|(?:nobody|no\s+one|no-one)\s+calls)"
    r"\s+me\s+(?P<old>[A-Z][\w\-]*)"
)
_EN_CALLED = re.compile(
    r"(?:\bcall\s+me|\bjust|\bI\s+go\s+by|\bI\s+prefer|\bit(?:'s|\s+is))\s+(?P<new>[A-Z][\w\-]*)\b"
)
_ZH_NOT_CALLED = re.compile(r"(?:别再?|不要再?|不用再?)(?:叫|喊|称呼)我(?P<old>[\u4e00-\u9fffA-Za-z]{1,4}?)了?(?=[，,。；;\s]|$)")
_ZH_CALLED = re.compile(r"(?:叫|喊|称呼)我(?:为)?(?P<new>[\u4e00-\u9fffA-Za-z]{1,4}?)(?:就行|就好|吧)?(?=[，,。；;！!\s]|$)")


def _nickname_statement(feedback: str) -> ParsedStatement | None:
    """"stop calling me Bobby … just Rob", "别再叫我小明了…都叫我阿杰": the name the user goes by."""
    for not_called, called, language in ((_ZH_NOT_CALLED, _ZH_CALLED, "zh"), (_EN_NOT_CALLED, _EN_CALLED, "en")):
        old = not_called.search(feedback)
        if not old:
            continue
        # The name to use may come after the one to drop or before it ("call me Beth, nobody calls me Liz").
        new = called.search(feedback, old.end()) or called.search(feedback[: old.start()])
        if new and new.group("new") != old.group("old"):
            if language == "zh":
                text = f"用户的昵称是{new.group('new')}。"
            else:
                text = f"The user likes to be called {new.group('new')}."
            return ParsedStatement(text, language, "user" if language == "en" else "用户",  # type: ignore[arg-type]
                                   [old.group("old")], [new.group("new")])
    return None


def parse_statements(feedback: str, context: list[tuple[str, str]] | None = None) -> list[ParsedStatement]:
    """Corrected statements in the feedback, one fact each, third person.

    ``context`` is the conversation's recent turns as (role, content), oldest first.
    """
    context = context or []
    nickname = _nickname_statement(feedback)
    if nickname:
        return [nickname]
    pointed = _pointed_statement(feedback, context)
    if pointed:
        return [pointed]
    statements: list[ParsedStatement] = []
    for sentence in statement_sentences(feedback):
        if has_cjk(sentence) and detect_language(sentence) == "zh":
            parsed = _parse_zh_sentence(sentence, context)
        else:
            parsed = _parse_en_sentence(sentence, context)
        statements.extend(s for s in parsed if s.text)
    if has_correction_cue(feedback):
        for statement in statements:
            pairs, sentence = old_values_from_context(statement, context)
            if pairs:
                statement.old_values = [old for old, _ in pairs]
                statement.new_values = [new for _, new in pairs]
                anchor_on_answer(statement, sentence, pairs)
    _resolve_pronouns(statements)
    statements = _without_announcements(statements)
    _attach_change_signals(statements, feedback, context)
    return _deduplicate(statements)


def _pointed_statement(feedback: str, context: list[tuple[str, str]]) -> ParsedStatement | None:
    """"no, the second one": the answer it corrects, with the option meant in place of the wrong one."""
    language = detect_language(feedback)
    pointed = resolve_pointer(strip_fillers(feedback) or feedback, language, context)
    if pointed is None:
        return None
    statement = resolve_with_context(feedback, [wrong for wrong, _ in pointed], [meant for _, meant in pointed],
                                     language, context)
    statement.corrective = True
    return statement


def _without_announcements(statements: list[ParsedStatement]) -> list[ParsedStatement]:
    """"Pool hours changed. It closes at 8 PM now": the first only announces the second."""
    if not any(s.new_values for s in statements):
        return statements
    return [s for s in statements if not _is_announcement(s)]


def _is_announcement(statement: ParsedStatement) -> bool:
    if statement.new_values or statement.old_values or statement.negated or ended_terms(statement.text):
        return False
    terms = content_terms(statement.text, statement.language)
    return bool(changed_attributes(statement.text)) and len(terms) <= 4


_EN_PRONOUN_SUBJECT = re.compile(r"^(?:He|She)\b")
_ZH_PRONOUN_SUBJECT = re.compile(r"^(?:用户)?(?:他|她)(?!们)")
_EN_PERSON_PHRASE = re.compile(r"^The user's(?:\s+[\w\-]+['’]s)*\s+[\w\-]+")
_ZH_PERSON_PHRASE = re.compile(r"^用户的?[\u4e00-\u9fff]{1,3}")


def _resolve_pronouns(statements: list[ParsedStatement]) -> None:
    """"My son switched schools — he's at Maple Grove now": "he" is the user's son."""
    person = ""
    for statement in statements:
        pronoun = (_ZH_PRONOUN_SUBJECT if statement.language == "zh" else _EN_PRONOUN_SUBJECT).match(statement.text)
        if pronoun and person:
            statement.text = person + statement.text[pronoun.end() :]
            continue
        chain = subject_of(statement.text, statement.language).chain
        phrase = (_ZH_PERSON_PHRASE if statement.language == "zh" else _EN_PERSON_PHRASE).match(statement.text)
        if len(chain) > 1 and phrase:
            person = _person_phrase(phrase.group(0), statement.language)


def _person_phrase(phrase: str, language: Language) -> str:
    """The subject phrase up to its relation word ("用户的儿子", not "用户的儿子刚")."""
    if language == "en":
        return phrase
    for end in range(len(phrase), 2, -1):
        if relation_of(phrase[:end].removeprefix("用户的").removeprefix("用户")):
            return phrase[:end]
    return phrase


def _attach_change_signals(
    statements: list[ParsedStatement], feedback: str, context: list[tuple[str, str]]
) -> None:
    """What the feedback as a whole says changed: every statement carries it to the judge."""
    attributes = list(changed_attributes(feedback))
    ended = list(ended_terms(feedback))
    answer = last_answer(context)
    language = detect_language(feedback)
    values = [value.text for value in extract_values(feedback)]
    # What the feedback talks about, without the asides that say something did not change.
    talked_about = " ".join(part for part in re.split(r"[.!?;。！？；]", feedback) if not says_unchanged(part))
    topic = content_terms(talked_about, language, values)
    if answer:
        topic += content_terms(answer, detect_language(answer))
    relations = [
        relation for statement in statements
        for relation in subject_of(statement.text, statement.language).chain[1:]
    ]
    if answer:
        # "她都三年级了" answering "您女儿在读二年级": the answer names who "she" is.
        relations += relations_named(answer, detect_language(answer))
    corrective = bool(attributes or ended or answer or has_correction_cue(feedback) or says_something_changed(feedback))
    carrier = _change_carrier(statements, attributes, ended)
    if carrier is not None:
        carrier.changed_attributes = attributes
        carrier.ended = ended
        carrier.topic = list(dict.fromkeys(topic))
        carrier.mentioned_values = values
        carrier.relations = list(dict.fromkeys(relations))
        carrier.corrective = corrective




def _change_carrier(
    statements: list[ParsedStatement], attributes: list[str], ended: list[str]
) -> ParsedStatement | None:
    """The one statement that states the change: the feedback's other clauses are asides."""
    changing = [s for s in statements if not says_unchanged(s.text)]
    # An explicit denial says which fact goes: "I don't use an iPhone anymore" rather than
    # "I switched to Android".
    denying = [s for s in changing if s.old_values or (s.negated and any(mentions_term(s.text, t) for t in ended))]
    if denying:
        return denying[0]
    with_values = [s for s in changing if s.new_values]
    if with_values:
        return with_values[0]
    naming_change = [s for s in changing if changed_attributes(s.text) or ended_terms(s.text)]
    if naming_change:
        return naming_change[0]
    return changing[0] if changing else None


def _deduplicate(statements: list[ParsedStatement]) -> list[ParsedStatement]:
    seen: set[str] = set()
    unique = []
    for statement in statements:
        key = statement.text.lower()
        if key not in seen:
            seen.add(key)
            unique.append(statement)
    return unique
