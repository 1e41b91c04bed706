"""Does a corrected statement supersede a stored memory? Lexical rules, one optional signal.

A memory is superseded only when it states the same attribute of the same subject with a
different value or the opposite polarity. Attribute overlap is measured in content lemmas
(stopwords and values removed); an embedding similarity, when given, can only confirm a
borderline lexical match, never create one from nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.text.continuity import leads_to_a_new_value, new_value_leads
from pipeline.text.keyword import contains_term, find_term_spans, replace_term, without_continuation
from pipeline.text.language import Language, detect_language, has_cjk
from pipeline.text.lexicon import content_terms, en_words, is_negated, lemma, zh_canonical, zh_tokens
from pipeline.text.subjects import same_subject, subject_of
from pipeline.text.values import (
    Value,
    compatible_kinds,
    extract_values,
    same_value,
    styled_like,
    value_kind,
)

# Embedding similarity above which a partial attribute overlap counts as the same attribute.
SAME_ATTRIBUTE_SIMILARITY = 0.75
SAME_CLAIM_SIMILARITY = 0.85

_EN_FUNCTIONAL_FRAMES = {
    ("live", "in"), ("live", "at"), ("work", "as"), ("work", "at"), ("work", "for"),
    ("work", "in"), ("born", "in"), ("bor", "in"), ("marri", "to"), ("call",), ("nam",),
    ("driv",), ("studi", "at"), ("study", "at"), ("base", "in"), ("bas", "in"), ("locat", "at"), ("locat", "in"),
}
_ZH_FUNCTIONAL_FRAMES = {"住", "住在", "在", "叫", "名叫", "姓", "为", "是", "到", "于", "位于", "开"}
# Where something is: the whole address after the frame is one slot.
_LOCATION_FRAMES = {"位于", "住在", "住", "在", "at", "in"}
_USER_SUBJECT = re.compile(r"^\s*(?:the\s+user|用户)(?!['’]s|的)", re.IGNORECASE)
# Verbs that only say a value changed ("went up to $35", "涨到"): not part of the attribute.
_CHANGE_VERBS = re.compile(
    r"\b(?:went|goes|gone|go|has\s+gone|rose|risen|rises|increased|decreased|dropped|fell|fallen|"
    r"raised|reduced|lowered|changed|moved|shifted)\s+(?:up\s+|down\s+|back\s+)?(?:to|from)\b|"
    r"(?:涨|升|降|提高|降低|增加|减少|调整|改|变)(?:到|为|成)了?",
    re.IGNORECASE,
)
_EN_WORD_BEFORE = re.compile(r"([A-Za-z']+)\W*$")


@dataclass(frozen=True)
class StatementFacts:
    text: str
    language: Language
    old_values: tuple[str, ...] = ()
    new_values: tuple[str, ...] = ()
    negated: bool = False


@dataclass(frozen=True)
class Verdict:
    supersede: bool
    reason: str
    corrected_value: str | None = None


# Nouns that only say which kind of value follows ("opening time" ~ "opens at").
_VALUE_KIND_NOUNS = {lemma(word) for word in ("time", "date", "day", "hour")} | {"时间", "日期", "时候"}


# When something happens is not what it is: "每周三晚上上钢琴课" and "每周三晚上去健身房" share
# only their schedule words, so those never make two memories the same attribute.
_SCHEDULE_TERMS = {"每周", "每天", "每晚", "晚上", "早上", "上午", "下午", "中午", "周末", "每月", "每年", "今年", "去年"} | {
    lemma(word) for word in ("every", "weekly", "daily", "morning", "evening", "night", "week", "weekend")
}
# Verbs that carry no attribute of their own ("读的是X", "is at X").
_BARE_FRAME_TERMS = {"读", "学", "上", "做", "当", "在", "叫", "住", "开"} | {lemma(word) for word in ("be", "switch")}
_CJK_TOKEN_EXPANSION_LIMIT = 6


def _distinctive(value: str) -> bool:
    """A name long enough to identify what it names: three letters, or two Chinese characters."""
    if value_kind(value) != "name":
        return False
    return len(value) >= 2 if has_cjk(value) else len(value) >= 3


def _similarity_usable(language: Language, similarity: float | None) -> bool:
    # The bundled embedder is English-only: Chinese sentences that differ in one noun
    # ("退货期限" / "换货期限") score the same, so similarity is no signal for them.
    return similarity is not None and language == "en"


def _attribute_terms(text: str, language: Language, extra_values: tuple[str, ...] = ()) -> set[str]:
    values = [v.text for v in extract_values(text)] + list(extra_values)
    terms = set(content_terms(new_value_leads(language).sub(" ", _CHANGE_VERBS.sub(" ", text)), language, values))
    return terms - _VALUE_KIND_NOUNS if values else terms


def _substitute(memory: str, pairs: list[tuple[str, str]]) -> str:
    corrected = memory
    for old, new in pairs:
        spans = find_term_spans(corrected, old)
        if spans and has_cjk(new):
            new = without_continuation(new, corrected[spans[0][1]:])
        corrected = replace_term(corrected, old, new)
    return corrected


def _value_pairs(statement: StatementFacts, memory: str, new_values: tuple[str, ...]) -> list[tuple[str, str]]:
    """(value in memory, value to write) for the statement's denied values found in it."""
    pairs = []
    for index, old in enumerate(statement.old_values):
        if not contains_term(memory, old):
            continue
        new = new_values[index] if index < len(new_values) else (
            new_values[0] if len(new_values) == 1 else None
        )
        if new is not None:
            old = _whole_value(memory, old, new)
            pairs.append((old, styled_like(new, old)))
    return pairs


_EN_TOKEN = re.compile(r"[\w'’\-]+")


def _aligned_new_values(statement: StatementFacts, memory: str) -> tuple[str, ...]:
    """New words read off where the denied word sits in the memory.

    "third grade, not second" against "is in second grade": between "in" and "grade" the
    statement says "third" (the parser could only guess the new word without the memory).
    """
    if statement.language != "en" or len(statement.old_values) != 1 or value_kind(statement.old_values[0]) != "name":
        return statement.new_values
    old_tokens = [t.lower() for t in _EN_TOKEN.findall(statement.old_values[0])]
    memory_tokens = [t.lower() for t in _EN_TOKEN.findall(memory)]
    statement_words = _EN_TOKEN.findall(statement.text)
    statement_tokens = [t.lower() for t in statement_words]
    width = len(old_tokens)
    for i in range(1, len(memory_tokens) - width + 1):
        if memory_tokens[i : i + width] != old_tokens:
            continue
        before = memory_tokens[i - 1]
        after = memory_tokens[i + width] if i + width < len(memory_tokens) else None
        if before not in statement_tokens:
            return statement.new_values
        start = statement_tokens.index(before) + 1
        end = statement_tokens.index(after, start) if after in statement_tokens[start:] else None
        if end is None or not 0 < end - start <= 4:
            return statement.new_values
        return (" ".join(statement_words[start:end]),)
    return statement.new_values


def _whole_name(memory: str, old: str) -> str:
    """The whole name a denied part belongs to: "civic" in "Honda Civic", "字节" in "字节跳动"."""
    if has_cjk(old):
        for token in zh_tokens(memory):
            if token.startswith(old) and len(token) <= _CJK_TOKEN_EXPANSION_LIMIT:
                return token
        return old
    for value in extract_values(memory):
        if value.kind == "name" and contains_term(value.text, old) and len(value.text.split()) <= 3:
            return value.text
    return old


def _whole_value(memory: str, old: str, new: str) -> str:
    """The memory's whole value around a denied part: "one" in "one day", "两点" in "下午两点"."""
    if value_kind(new) == "name" and value_kind(old) == "name" and (
        has_cjk(old) or len(new.split()) > len(old.split()) or old not in memory
    ):
        # "sold the civic" (lower case, as typed) or a longer new name: the whole old name goes.
        return _whole_name(memory, old)
    if value_kind(new) in ("number", "name"):
        return old
    for value in extract_values(memory):
        if value.kind == "name" or value.text == old or old.lower() not in value.text.lower():
            continue
        if value.text.lower().startswith(old.lower() + " ") or has_cjk(value.text):
            return value.text
    return old


def _word_before(text: str, term: str) -> str:
    index = text.lower().find(term.lower())
    match = _EN_WORD_BEFORE.search(text[:index]) if index >= 0 else None
    return lemma(match.group(1)) if match else ""


def _fits_memory_frame(statement: StatementFacts, memory: str, pairs: list[tuple[str, str]]) -> bool:
    """"works as a high school teacher" cannot take "software tester" in place of "teacher"."""
    if statement.language == "zh":
        return True
    for old, new in pairs:
        if value_kind(old) != "name":
            continue
        if new[:1].isupper() and any(v.text == old for v in extract_values(memory)):
            continue  # one whole proper name for another ("Honda Civic" → "Tesla Model 3")
        if re.search(r"\b(?:switched|changed|moved|is|am|are)\s+(?:over\s+)?(?:to|at|on)\s+" + re.escape(new),
                     statement.text, re.IGNORECASE):
            continue  # "switched to X" has no frame of its own: the memory's frame stays
        if _word_before(memory, old) != _word_before(statement.text, new):
            return False
    return True


def _coverage(statement_terms: set[str], memory_terms: set[str], memory: str = "") -> float:
    """Share of the statement's attribute terms the memory has.

    jieba segments the same words differently in different sentences ("年假为" / "年假"), so
    a Chinese term also counts when the memory contains it verbatim.
    """
    if not statement_terms:
        return 0.0
    covered = [
        term for term in statement_terms
        if term in memory_terms or (memory and (term in memory if has_cjk(term) else contains_term(memory, term)))
    ]
    return len(covered) / len(statement_terms)


def _frame_before(text: str, value: Value, language: Language) -> tuple[str, ...]:
    """The one or two words right before a value ("lives in" for "lives in Berlin")."""
    before = text[: value.start]
    if language == "zh":
        # A copula or preposition right before the value is the frame, however jieba cut it.
        if before.rstrip()[-1:] in ("是", "为", "在", "到", "至", "有"):
            return (before.rstrip()[-1],)
        tokens = [t for t in zh_tokens(before) if t.strip() and not re.fullmatch(r"\W+", t)]
        return tuple(tokens[-1:])
    words = [w.lower() for w in en_words(before)][-2:]
    return tuple(lemma(w) if i == 0 and len(words) == 2 else w for i, w in enumerate(words))


_ZH_FRAME_EQUIVALENTS = {"为": "是", "乃": "是"}


def _same_frame(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    def norm(frame: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_ZH_FRAME_EQUIVALENTS.get(token, token) for token in frame)

    return norm(a) == norm(b)


def _denied_value_rule(
    statement: StatementFacts, memory: str, similarity: float | None
) -> Verdict | None:
    hits = [old for old in statement.old_values if contains_term(memory, old)]
    if not hits:
        return None
    new_values = _aligned_new_values(statement, memory)
    fresh = [new for new in new_values if contains_term(memory, new)]
    if fresh and not any(same_value(new, old) for new in fresh for old in hits):
        return None
    language = statement.language
    statement_terms = _attribute_terms(statement.text, language, statement.old_values + new_values) - _SCHEDULE_TERMS
    memory_terms = _attribute_terms(memory, language, statement.old_values) - _SCHEDULE_TERMS
    coverage = _coverage(statement_terms, memory_terms, memory)
    distinctive = all(_distinctive(hit) for hit in hits)
    # "不对，是另一家": the values come from the conversation the statement points into, and its own
    # words name no attribute; only the values are said.
    points_at_values = not any(contains_term(statement.text, value) for value in statement.old_values + new_values)
    if statement_terms and not statement_terms <= _BARE_FRAME_TERMS and not points_at_values:
        same_attribute = coverage > 0.5 or (
            coverage > 0 and _similarity_usable(language, similarity) and similarity >= SAME_ATTRIBUTE_SIMILARITY
        ) or (coverage > 0 and distinctive)
    else:
        # Nothing but the values ("It's John Smith, not Jon Smith"): trust distinctive names,
        # or a memory about the same person that says nothing but that value ("is 41 years old").
        same_attribute = distinctive or (
            not memory_terms and bool(subject_of(statement.text, language).chain)
        )
    if not same_attribute:
        return Verdict(False, f"mentions {hits[0]!r} but about a different attribute")
    pairs = _value_pairs(statement, memory, new_values)
    corrected = _substitute(memory, pairs) if pairs and _fits_memory_frame(statement, memory, pairs) else statement.text
    return Verdict(True, f"states {hits[0]!r}, which the feedback corrects", corrected)


# "quit smoking" denies "smokes": the ended activity is compared without the verb that ends it.
_EN_CESSATION = re.compile(r"\b(?:quit|stopped|gave\s+up|is\s+off|came\s+off|got\s+off)\s+", re.IGNORECASE)


def _polarity_rule(statement: StatementFacts, memory: str, similarity: float | None) -> Verdict | None:
    if statement.negated == is_negated(memory, detect_language(memory)):
        return None
    if statement.negated and _EN_CESSATION.search(statement.text):
        bare = _EN_CESSATION.sub("", statement.text, count=1)
        ended = set(content_terms(re.sub(r"^\s*the\s+user\s+", "", bare, flags=re.I), statement.language))
        if ended and ended <= set(content_terms(memory, statement.language)):
            # "gave up coffee" against "drinks three coffees a day": what ended is all there.
            return Verdict(True, "states a habit or state the feedback says has ended", None)
        statement = StatementFacts(bare, statement.language, statement.old_values, statement.new_values, True)
        verdict = _polarity_rule(statement, memory, similarity)
        return Verdict(True, verdict.reason, None) if verdict else None
    statement_terms = set(content_terms(statement.text, statement.language))
    memory_terms = set(content_terms(memory, statement.language))
    if not statement_terms or not memory_terms:
        return None
    shared = statement_terms & memory_terms
    jaccard = len(shared) / len(statement_terms | memory_terms)
    same_claim = (statement_terms <= memory_terms or memory_terms <= statement_terms) and jaccard >= 0.5
    # "no longer drinks red wine" denies "drinks a glass of red wine every evening": the
    # negated side names a verb and its object, all found in the positive side.
    negated_terms, positive_terms, negated_text, positive_text = (
        (statement_terms, memory_terms, statement.text, memory) if statement.negated
        else (memory_terms, statement_terms, memory, statement.text)
    )
    statement_verb, memory_verb = main_verb(statement.text), main_verb(memory)
    if same_claim and statement_verb and memory_verb and statement_verb != memory_verb:
        # "no longer has a car" says nothing about "the user's car is red".
        same_claim = False
    if not same_claim and _negation_covered(
        negated_terms, positive_terms, negated_text, positive_text, statement.language
    ):
        same_claim = True
    if not same_claim and _similarity_usable(statement.language, similarity):
        same_claim = _coverage(statement_terms, memory_terms) >= 0.5 and similarity >= SAME_CLAIM_SIMILARITY
    if not same_claim:
        return None
    return Verdict(True, "states the opposite of the feedback", statement.text)


def _is_subsequence(needle: str, text: str) -> bool:
    position = 0
    for char in needle:
        position = text.find(char, position)
        if position < 0:
            return False
        position += 1
    return True


_EN_MAIN_VERB = re.compile(
    r"^\s*the\s+user(?:['’]s\s+[\w\-]+)?\s+(?:(?:does|do|did)\s+(?=not\b))?(?:not\s+|no\s+longer\s+|never\s+)?"
    r"(?P<verb>[a-z]+)",
    re.IGNORECASE,
)


def main_verb(text: str) -> str | None:
    """The verb right after "The user" ("has" in "The user no longer has a car")."""
    match = _EN_MAIN_VERB.match(text)
    return lemma(match.group("verb")) if match else None


def _negation_covered(
    negated: set[str], positive: set[str], negated_text: str, positive_text: str, language: Language
) -> bool:
    """Every content term of the denial appears in the positive claim, with its verb."""
    if language == "zh":
        # jieba cuts "养猫" and "养了一只猫" differently: compare characters in order.
        return sum(len(term) for term in negated) >= 2 and all(
            _is_subsequence(term, positive_text) for term in negated
        )
    if not negated or not negated <= positive:
        return False
    verb = main_verb(negated_text)
    return len(negated) >= 2 or (verb is not None and verb == main_verb(positive_text))


def _numeric_compatible(a: Value, b: Value) -> bool:
    return compatible_kinds(a.kind, b.kind)


def _replacement_for(memory_value: Value, statement_value: Value) -> str:
    if statement_value.kind == "number" and memory_value.kind == "number":
        return statement_value.text
    return styled_like(statement_value.text, memory_value.text)


def _aligned_pairs(statement_values: list[Value], memory_values: list[Value]) -> list[tuple[Value, Value]] | None:
    """Values in the same order and of compatible kinds ("12点到1点半" against "12:00至13:00")."""
    if len(statement_values) != len(memory_values) or len(statement_values) < 2:
        return None
    pairs = list(zip(statement_values, memory_values))
    if all(_numeric_compatible(s, m) for s, m in pairs):
        return pairs
    return None


def _sole_value_near_attribute(
    statement_text: str, statement_values: list[Value], memory_values: list[Value], m_value: Value, memory: str,
    attribute: set[str], language: Language,
) -> bool:
    """"年假改成15天" against "每年享有10天带薪年假": one value each, and it sits by the attribute."""
    numeric = [v for v in statement_values if v.kind != "name"]
    if len(numeric) != 1 or [v for v in memory_values if v.kind != "name"] != [m_value]:
        return False
    if language == "zh":
        # jieba may cut the attribute into single characters ("年", "假"): use the phrase itself.
        head = re.match(r"^(?P<head>[\u4e00-\u9fff]{2,8}?)(?:是|为|改成|调整为|现在|涨到|降到)", statement_text)
        attribute = {head.group("head")} if head else set()
    for term in attribute - _SCHEDULE_TERMS:
        for match in re.finditer(re.escape(term), memory, re.IGNORECASE):
            gap = memory[match.end() : m_value.start] if match.end() <= m_value.start else memory[m_value.end : match.start()]
            distance = len(gap.strip()) if language == "zh" else len(gap.split())
            if distance <= 3 and not re.search(r"[，,;；]", gap):
                return True
    return False


def _changed_value_rule(statement: StatementFacts, memory: str) -> Verdict | None:
    """Same attribute, same frame, a different value of the same kind ("closes at 9 PM")."""
    language = statement.language
    if statement.negated:
        return None  # "does not drink coffee in the evening" denies its values; it asserts none
    statement_values = extract_values(statement.text)
    memory_values = extract_values(memory)
    if not statement_values or not memory_values:
        return None
    statement_terms = _attribute_terms(statement.text, language)
    memory_terms = _attribute_terms(memory, language)
    if not statement_terms or _coverage(statement_terms, memory_terms, memory) < 1.0:
        return None
    pairs: list[tuple[str, str]] = []
    aligned = _aligned_pairs(statement_values, memory_values)
    if aligned is not None:
        pairs = [
            (m.text, _replacement_for(m, s)) for s, m in aligned if not same_value(s.text, m.text)
        ]
        if not pairs:
            return None
        return Verdict(True, f"gives {pairs[0][0]!r} for the same attribute", _substitute(memory, pairs))
    for s_value in statement_values:
        if contains_term(memory, s_value.text) or any(same_value(s_value.text, m.text) for m in memory_values):
            continue
        for m_value in memory_values:
            if not _numeric_compatible(s_value, m_value) or same_value(s_value.text, m_value.text):
                continue
            statement_frame = _frame_before(statement.text, s_value, language)
            memory_frame = _frame_before(memory, m_value, language)
            # "Broadband is Virgin Media" against "The user's broadband provider is BT": every word
            # of the statement's attribute is in the memory, and both give the value by a copula.
            frames_match = _same_frame(statement_frame, memory_frame) or (
                statement_frame[-1:] == memory_frame[-1:] and statement_frame[-1:] in (("is",), ("are",))
            ) or leads_to_a_new_value(statement.text[: s_value.start], language)  # "年会挪到1月18号"
            if frames_match or statement_terms == memory_terms or _sole_value_near_attribute(
                statement.text, statement_values, memory_values, m_value, memory, statement_terms, language
            ):
                pairs.append((m_value.text, _replacement_for(m_value, s_value)))
                break
    if not pairs:
        return None
    return Verdict(True, f"gives {pairs[0][0]!r} for the same attribute", _substitute(memory, pairs))


def _token_sequence(text: str, language: Language) -> list[str]:
    if language == "zh":
        return [zh_canonical(t) for t in zh_tokens(text) if t.strip() and not re.fullmatch(r"[\W_]+", t)]
    return [w.lower() for w in en_words(text)]


def _functional_frame(before: list[str], language: Language, subject_is_user: bool) -> bool:
    if not before:
        return False
    if language == "zh":
        last = before[-1]
        if last in ("是", "为") and subject_is_user:
            # "用户用的是X": what the user uses is one thing; "用户是X" can be many.
            return len(before) >= 2 and before[-2] == "的"
        return last in _ZH_FUNCTIONAL_FRAMES or "".join(before[-2:]) in _ZH_FUNCTIONAL_FRAMES
    last = before[-1]
    if last in ("is", "are", "was", "were"):
        return not subject_is_user
    if len(before) >= 2 and (lemma(before[-2]), last) in _EN_FUNCTIONAL_FRAMES:
        return True
    return (lemma(last),) in _EN_FUNCTIONAL_FRAMES or (last in ("a", "an", "the") and len(before) >= 3
                                                      and (lemma(before[-3]), before[-2]) in _EN_FUNCTIONAL_FRAMES)


def _single_slot_rule(statement: StatementFacts, memory: str) -> Verdict | None:
    """Sentences identical except one short slot after a single-valued frame ("住在X")."""
    language = statement.language
    if statement.negated != is_negated(memory, language):
        return None
    left = _token_sequence(statement.text, language)
    right = _token_sequence(memory, language)
    prefix = 0
    while prefix < min(len(left), len(right)) and left[prefix] == right[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(left), len(right)) - prefix
        and left[len(left) - 1 - suffix] == right[len(right) - 1 - suffix]
    ):
        suffix += 1
    new_slot = left[prefix : len(left) - suffix]
    old_slot = right[prefix : len(right) - suffix]
    width = 6 if prefix and left[prefix - 1] in _LOCATION_FRAMES else (4 if language == "zh" else 3)
    if not new_slot or not old_slot or len(new_slot) > width or len(old_slot) > width:
        return None
    if any(is_negated(token, language) for token in new_slot + old_slot):
        return None
    subject_is_user = bool(_USER_SUBJECT.match(statement.text))
    if not _functional_frame(left[:prefix], language, subject_is_user):
        return None
    return Verdict(True, "gives a different value for the same single-valued attribute", statement.text)


def _location_slot_rule(statement: StatementFacts, memory: str) -> Verdict | None:
    """A new address replaces the whole old one, not just its house number."""
    if not re.search(r"\blocated\s+(?:at|in)\b|位于", statement.text):
        return None
    return _single_slot_rule(statement, memory)


def judge_statement_against_memory(
    statement: StatementFacts, memory: str, similarity: float | None = None
) -> Verdict:
    """Whether `memory` is superseded by `statement`; when in doubt, keep it."""
    if memory.strip().lower() == statement.text.strip().lower():
        return Verdict(False, "already states the corrected fact")
    memory_language = detect_language(memory)
    if not same_subject(
        subject_of(statement.text, statement.language),
        subject_of(memory, memory_language),
        # A value may name the subject only when the feedback denies one ("John, not Jon").
        statement.old_values + statement.new_values if statement.old_values else (),
    ):
        return Verdict(False, "about a different person or thing")
    for rule in (
        lambda: _denied_value_rule(statement, memory, similarity),
        lambda: _polarity_rule(statement, memory, similarity),
        lambda: _location_slot_rule(statement, memory),
        lambda: _changed_value_rule(statement, memory),
        lambda: _single_slot_rule(statement, memory),
    ):
        verdict = rule()
        if verdict is not None:
            return verdict
    return Verdict(False, "related but compatible: a different attribute or no contradiction")
