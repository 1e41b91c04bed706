"""Whether a clause says something stays as it was, comes in addition, or replaced something (the
words are data: `data/continuity.toml`)."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from pipeline.text.language import Language, has_cjk
from pipeline.text.lexicon import denies, phrase_alternation
from pipeline.text.normalize import can_be_adjective

_DATA = Path(__file__).parent / "data" / "continuity.toml"


@lru_cache(maxsize=1)
def _lists() -> dict[str, dict[str, list[str]]]:
    return tomllib.loads(_DATA.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _patterns() -> dict[tuple[str, str], re.Pattern[str]]:
    patterns = {}
    for language, lists in _lists().items():
        for kind, phrases in lists.items():
            if kind.endswith("_constructions"):
                patterns[(language, kind)] = re.compile("|".join(phrases))
                continue
            body = phrase_alternation(phrases)
            # English phrases are whole words; Chinese has no spaces to bound them.
            patterns[(language, kind)] = re.compile(
                rf"(?<![\w'’])(?:{body})(?![\w'’])" if language == "en" else body, re.IGNORECASE
            )
    return patterns


@lru_cache(maxsize=4)
def new_value_leads(language: Language, at_the_end: bool = False) -> re.Pattern[str]:
    """Words that say what something changed into ("moved to", "挪到"): the replacement phrases
    but those that introduce the old value."""
    lists = _lists()[language]
    body = phrase_alternation([p for p in lists["replaces"] if p not in lists["replaces_before_the_old"]])
    end = r"\s*$" if at_the_end else ""
    return re.compile(rf"(?<![\w'’])(?:{body})(?![\w'’]){end}" if language == "en" else rf"(?:{body}){end}", re.IGNORECASE)


def leads_to_a_new_value(text: str, language: Language) -> bool:
    """The text ends on words that say what something changed into: the value that follows is the
    new one of the attribute they change."""
    return bool(new_value_leads(language, at_the_end=True).search(text))


def _says(kind: str, text: str, language: Language | None) -> bool:
    language = language or ("zh" if has_cjk(text) else "en")
    found = _patterns()[(language, kind)].search(text)
    construction = _patterns().get((language, f"{kind}_constructions"))
    if found is None and construction is not None:
        found = construction.search(text)
    if found is None and language == "zh":
        found = _patterns()[("en", kind)].search(text)  # "BTW 我换了手机号"
    return found is not None


def says_unchanged(text: str, language: Language | None = None) -> bool:
    """"still in Cardiff", "same as before", "还在美团", "没变"."""
    return _says("unchanged", text, language)


_EN_TOO_BEFORE_A_WORD = re.compile(r"(?<![\w'’])too\s+([A-Za-z]+)", re.IGNORECASE)


def says_in_addition(text: str, language: Language | None = None) -> bool:
    """"btw", "… too", "另外", "记一下", "又领养了一只"; not the "too" of degree ("too expensive")."""
    return _says("in_addition", _EN_TOO_BEFORE_A_WORD.sub(_unless_degree, text), language)


def _unless_degree(match: re.Match[str]) -> str:
    word = match.group(1)
    return word if can_be_adjective(word) or word.lower() == "many" else match.group(0)


def says_replaced(text: str, language: Language | None = None) -> bool:
    """"switched to", "instead of", "换成", "涨到": one value gave way to another."""
    return _says("replaces", text, language)


def corrects(text: str, language: Language | None = None) -> bool:
    """The clause says a value was replaced or something is not the case: whatever addition word it
    carries, it corrects ("拍子也换成李宁的了", "also my gym is PureGym not the Gym Group")."""
    return says_replaced(text, language) or denies(text, language)


def adds_beside(text: str, language: Language | None = None) -> bool:
    """The clause brings a fact beside what is stored ("我也养了一只猫"): an addition word, no correction."""
    return says_in_addition(text, language) and not corrects(text, language)


def says_everywhere(text: str, language: Language | None = None) -> bool:
    """"fix it everywhere", "所有地方都帮我改下": the correction holds wherever the value is stored."""
    return _says("everywhere", text, language)


def reports_change(text: str, language: Language | None = None) -> bool:
    """Words of aspect or time that tell of something that happened or holds from now on ("finally",
    "no longer", "了", "已经", "终于"); an English past tense says it too (see `tells_of_an_event`)."""
    return _says("reports_change", text, language)
