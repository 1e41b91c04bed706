"""Messages that say nothing to keep although they have content words: a remark about the passing
moment ("lol the weather this week has been wild"), or a bare verdict ("不对不对，完全不对",
"nope, that's not right") that says something is wrong but not what is right."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from pipeline.text.fillers import is_correction_marker, strip_fillers, without_leading_interjection
from pipeline.text.intent import is_acknowledgement, is_question
from pipeline.text.language import has_cjk
from pipeline.text.lexicon import phrase_alternation
from pipeline.text.sentences import split_clauses, split_sentences
from pipeline.text.wellformed import names_nothing_judged

_MOMENT_FILE = Path(__file__).parent / "data" / "passing_moment.toml"
# "that's wrong" reads as the verdict "that is wrong".
_CONTRACTED_IS = re.compile(r"\b(that|it|this|which)['’]s\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _moment_words() -> dict[str, re.Pattern[str]]:
    data = tomllib.loads(_MOMENT_FILE.read_text(encoding="utf-8"))
    return {
        "en": re.compile(rf"\b(?:{phrase_alternation(data['en'])})\b", re.IGNORECASE),
        "zh": re.compile(phrase_alternation(data["zh"])),
    }


def _in_the_moment(sentence: str) -> bool:
    return bool(_moment_words()["zh" if has_cjk(sentence) else "en"].search(sentence))


def is_passing_remark(text: str) -> bool:
    """Some sentence sits in the passing moment and every other one is thanks, small talk or a
    question. Whether the moment holds a change worth keeping ("started at Google today") is for
    the caller to weigh."""
    sentences = [s for s in split_sentences(text) if s.strip(" .!?。！？~～")]
    moments = [s for s in sentences if _in_the_moment(s)]
    return bool(moments) and all(s in moments or is_acknowledgement(s) or is_question(s) for s in sentences)


def _verdict_body(clause: str) -> str:
    return without_leading_interjection(_CONTRACTED_IS.sub(r"\1 is", clause.strip())).strip(" ,.!。！～~")


def _verdict(clause: str) -> bool:
    body = _verdict_body(clause)
    return bool(body) and names_nothing_judged(body)


def only_a_verdict(text: str) -> bool:
    """Every clause is a verdict on what was said or an acknowledgement, and one is a verdict."""
    clauses = [c for s in split_sentences(text) for c in split_clauses(s) if c.strip(" ,.!?。！？，~～")]
    verdicts = [c for c in clauses if _verdict(c) or is_correction_marker(c)]
    return bool(verdicts) and all(c in verdicts or not strip_fillers(c) or is_acknowledgement(c) for c in clauses)
