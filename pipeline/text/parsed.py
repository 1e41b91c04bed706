"""A corrected statement as the parser hands it on, and a short label for its subject."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.text.language import Language


@dataclass
class ParsedStatement:
    text: str
    language: Language
    subject: str = ""
    old_values: list[str] = field(default_factory=list)
    new_values: list[str] = field(default_factory=list)
    negated: bool = False
    # "It's X, not Y" with no conversation to say what "it" is.
    subjectless: bool = False
    changed_attributes: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    topic: list[str] = field(default_factory=list)
    mentioned_values: list[str] = field(default_factory=list)
    relations: list[str] = field(default_factory=list)
    corrective: bool = False


def subject_label(text: str, language: Language) -> str:
    """ "user" / "用户" for the speaker, else the words before the verb ("the gym")."""
    if language == "zh":
        if "我" in text or text.startswith("用户"):
            return "用户"
        match = re.match(r"^(?P<subj>.+?)(?:是|为|在|有|要|需要|不)", text)
        return match.group("subj") if match else ""
    if re.search(r"\bI\b|\b(?i:me|my|mine)\b|^the user\b", text, re.IGNORECASE):
        return "user"
    match = re.match(
        r"^(?:on\s+\w+\s+|in\s+\w+\s+)?(?P<subj>.+?)\s+(?:is|are|was|were|has|have|must|should|will|can|"
        r"closes|opens|costs|requires|starts|ends|takes)\b",
        text,
        re.I,
    )
    return match.group("subj").strip().lower() if match else ""
