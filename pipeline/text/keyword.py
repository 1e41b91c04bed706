"""Term matching and replacement: whole words for Latin scripts, substrings for CJK."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

_WORD_CHAR = r"A-Za-z0-9_\u00C0-\u024F"
_WORD_CHAR_RE = re.compile(f"[{_WORD_CHAR}]")
_WORD_CHAR_ANY_CASE = re.compile(f"[{_WORD_CHAR}]", re.IGNORECASE)  # also "K" (the Kelvin sign), as the term's case-insensitivity reads it


def _is_word_char(char: str) -> bool:
    return bool(_WORD_CHAR_RE.fullmatch(char))


def _is_acronym(term: str) -> bool:
    letters = [c for c in term if c.isalpha()]
    return 1 < len(letters) <= 5 and all(c.isupper() for c in letters) and term.isascii()


# A number is whole before a unit written against it ("4500" in "4500mAh"), not before more digits.
_NUMBER_GOES_ON = re.compile(r"[0-9_]|[.,][0-9]")


class TermPattern:
    """Where `term` occurs in a text: whole-word at Latin/digit edges, any whitespace between words.

    Acronyms ("US", "IT") match case-sensitively so they never hit "us"/"it"; other
    terms match regardless of case ("coffee" finds "Coffee"). The word edges are checked around
    each match of the term's own words rather than compiled into the pattern: a pattern holding
    the word-character class takes some 20 times longer to compile, once per term.
    """

    def __init__(self, term: str) -> None:
        term = term.strip()
        body = r"\s+".join(re.escape(piece) for piece in term.split())
        flags = 0 if _is_acronym(term) else re.IGNORECASE
        self._body = re.compile(body, flags)
        word_char = _WORD_CHAR_ANY_CASE if flags else _WORD_CHAR_RE
        self._word_char = word_char
        self._whole_start = bool(term) and _is_word_char(term[0])
        if term and term[-1].isdigit():
            self._end_rule: re.Pattern[str] | None = _NUMBER_GOES_ON
        elif term and _is_word_char(term[-1]):
            self._end_rule = word_char
        else:
            self._end_rule = None

    def _whole(self, text: str, start: int, end: int) -> bool:
        if self._whole_start and start > 0 and self._word_char.match(text, start - 1):
            return False
        return self._end_rule is None or not self._end_rule.match(text, end)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        position = 0
        while (match := self._body.search(text, position)) is not None:
            if self._whole(text, match.start(), match.end()):
                yield match
                position = max(match.end(), match.start() + 1)
            else:
                position = match.start() + 1

    def search(self, text: str) -> re.Match[str] | None:
        return next(self.finditer(text), None)

    def sub(self, substitute: Callable[[re.Match[str]], str], text: str) -> str:
        pieces, last = [], 0
        for match in self.finditer(text):
            pieces += [text[last:match.start()], substitute(match)]
            last = match.end()
        return "".join(pieces) + text[last:]


# Terms come from memories and feedback: more distinct terms than re's own cache keeps patterns.
@lru_cache(maxsize=8192)
def term_pattern(term: str) -> TermPattern:
    return TermPattern(term)


def _may_contain(text: str, term: str) -> bool:
    """Most terms asked about are not in the text: a plain search rules them out before a pattern
    is compiled (casefolding matches at least what the pattern's case-insensitivity does)."""
    words = term.split()
    return bool(words) and words[0].casefold() in text.casefold()


def contains_term(text: str, term: str) -> bool:
    return _may_contain(text, term) and term_pattern(term).search(text) is not None


def find_term_spans(text: str, term: str) -> list[tuple[int, int]]:
    if not _may_contain(text, term):
        return []
    return [match.span() for match in term_pattern(term).finditer(text)]


def _match_case(found: str, original: str, target: str) -> str:
    if found == original or not target:
        return target
    if found.isupper() and len(found) > 1 and not original.isupper():
        return target.upper()
    if found[:1].isupper() and target[:1].islower():
        return target[:1].upper() + target[1:]
    if found[:1].islower() and original[:1].isupper() and target[:1].isupper() and not target.isupper():
        return target[:1].lower() + target[1:]
    return target


def replace_term(text: str, original: str, target: str) -> str:
    """Replace every whole-term occurrence of `original` with `target`."""
    if not original.strip():
        return text

    def substitute(match: re.Match[str]) -> str:
        return _match_case(match.group(0), original, target)

    replaced = term_pattern(original).sub(substitute, text)
    if target.endswith("."):
        # "works at Acme Corp." with target "Acme Inc." must not end in "..".
        replaced = replaced.replace(target + ".", target)
    return replaced


def without_continuation(new: str, after: str) -> str:
    """A Chinese value without the ending the text already goes on with: "深圳工作" before "工作。"
    is "深圳", "65公斤" before "公斤" is "65"; a value ending in a digit is whole."""
    if new[-1:].isdigit():
        return new
    for size in range(len(new) - 1, 0, -1):
        if after.startswith(new[-size:]):
            return new[:-size]
    return new


_QUOTES = "'\"‘’“”「」『』`"


def replacement_refusal(original: str, target: str) -> str | None:
    """Why a keyword replacement must not run, or None: a function word ("the", "的") or a single
    letter is in nearly every memory, and an empty target would delete the term silently."""
    from pipeline.text.lexicon import EN_STOPWORDS, ZH_STOPWORDS

    term = original.strip().strip(_QUOTES).strip()
    if term.casefold() in EN_STOPWORDS or term in ZH_STOPWORDS:
        return f"'{term}' is a function word found in nearly every memory; name the term to replace"
    if len(term) < 2 and term.isascii():
        return f"'{term}' is too short to replace safely; name the whole term"
    if not target.strip().strip(_QUOTES).strip():
        return f"no replacement given for '{term}'; say what it should become"
    return None


# A shortened form of a word the memory spells out: "英短" for "英国短毛猫", "bonnie" for
# "Bonneville", "tues" for "Tuesday".
_MIN_LATIN_SHORTENING = 4
_MIN_LATIN_LIKENESS = 0.6


def shortened_form_span(text: str, short: str) -> tuple[int, int] | None:
    """The span of the word in `text` that `short` abbreviates, or None."""
    short = short.strip()
    if not short:
        return None
    if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", short):
        return _cjk_shortening(text, short)
    if re.fullmatch(r"[A-Za-z][A-Za-z\-]+", short) and len(short) >= _MIN_LATIN_SHORTENING:
        return _latin_shortening(text, short)
    return None


def _cjk_shortening(text: str, short: str) -> tuple[int, int] | None:
    """Every character of `short` in order, the first opening the span and the whole within three
    times the short form's length; the span runs on to the end of its word ("英短" is "英国短毛猫")."""
    pattern = re.compile("[\u4e00-\u9fff]{0,3}".join(re.escape(c) for c in short))
    best: tuple[int, int] | None = None
    for match in pattern.finditer(text):
        start, end = match.span()
        if end - start <= len(short) or end - start > 3 * len(short):
            continue
        rest = re.match(r"[^\W\d_的是在了和与或及也都就还把被给对从向]{0,3}", text[end:])
        end += len(rest.group(0)) if rest else 0
        if best is None or end - start < best[1] - best[0]:
            best = (start, end)
    return best


def _latin_shortening(text: str, short: str) -> tuple[int, int] | None:
    from difflib import SequenceMatcher

    lowered = short.lower()
    for match in re.finditer(r"[A-Za-z][A-Za-z\-]+", text):
        word = match.group(0).lower()
        if word == lowered or len(word) <= len(lowered) or not word.startswith(lowered[:3]):
            continue
        if word.startswith(lowered) or SequenceMatcher(None, lowered, word).ratio() >= _MIN_LATIN_LIKENESS:
            return match.span()
    return None
