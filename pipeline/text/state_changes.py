"""Which stored state a reported event ends, by likeness to known events and the states they end.

"our daughter was born on friday" shares no word with "The user is pregnant.", and no rule can list
every way to say either. The knowledge is a table (`data/state_changes.toml`): per change, a few
ways people report the event and a few stored memories it makes untrue, in English and Chinese.
A statement is read as a change when it is close to one change's events, in the sentence encoder's
space, closer than to any other change's; a candidate memory is what it ends when that memory
is close to the change's ended states. Paraphrases the table never lists meet through the encoder,
in either language.
"""

from __future__ import annotations

import re
import threading
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.embedding.base import Embedder
from pipeline.text.continuity import reports_change
from pipeline.text.language import Language, has_cjk
from pipeline.text.lexicon import denies
from pipeline.text.normalize import is_past_participle, looks_past
from pipeline.text.subjects import Subject, subject_of

_DATA = Path(__file__).parent / "data" / "state_changes.toml"

# Chosen by `python -m training.sweep_state_changes` on development cases (the development sets and
# training/data/state_change_cases/), a memory wrongly ended weighing three times a case lost.
EVENT_LIKENESS = 0.45  # the statement's cosine to the closest event of its change
STATE_LIKENESS = 0.6  # the memory's cosine to the closest state the change ends
STATE_MARGIN = 0.2  # the memory chosen over the next different candidate
RIVAL_FLOOR = 0.45  # a candidate less like an ended state than this is no rival to the chosen one
RESTATEMENT = 0.9  # a memory this close to the statement is said again, not ended
# A change this close to the closest one is weighed too, by how well its ended states fit the
# candidates: "Sam proposed last weekend" is nearly as close to a child moving back home as to an
# engagement, and only the engagement ends a stored "The user is single.". Two such changes, not
# more: a vague statement ("用户住在新家。") is about as close to a handful.
CHANGE_MARGIN = 0.03


@dataclass(frozen=True)
class Change:
    name: str
    events: tuple[str, ...]
    ends: tuple[str, ...]
    # Relatives of the user who may be the subject of the event while the states it ends are the
    # user's ("our daughter was born" ends "The user is pregnant.").
    told_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class ToldChange:
    index: int  # in the table
    change: Change
    likeness: float  # the statement's cosine to the change's closest event


@dataclass(frozen=True)
class EndedState:
    index: int  # of the candidate memory
    change: str
    event_likeness: float
    state_likeness: float


_EN_PRESENT_COPULA = frozenset({"is", "are", "am", "be", "s", "re", "m"})


_ZH_CLAUSE_BREAK = re.compile(r"[，,。.!！?？;；~～\s]+")
_ZH_DISCOURSE_MARKERS = re.compile(r"对了|好了|算了|得了|行了|罢了")


def _source_clause(statement: str, feedback: str) -> str:
    """The clause of a Chinese message a statement was drawn from: the one sharing most characters."""
    wanted = {c for c in statement if has_cjk(c)} - {"用", "户", "的"}
    parts = [part for part in _ZH_CLAUSE_BREAK.split(_ZH_DISCOURSE_MARKERS.sub("", feedback)) if part]
    return max(parts, key=lambda part: len(wanted & set(part)), default=feedback)


def tells_of_an_event(statement: str, feedback: str, language: Language) -> bool:
    """Whether a statement tells of something that happened, not of a state that simply holds: an
    English past tense or perfect ("was born", "cancelled", "has quit", not "is married"), or words
    of aspect and time ("finally", "no longer"; "了", "已经" anywhere in a Chinese message, whose
    statements drop them)."""
    if language == "zh":
        return reports_change(_source_clause(statement, feedback) if feedback else statement, "zh")
    if reports_change(statement, "en"):
        return True
    words = re.findall(r"[A-Za-z]+", statement)
    for index in range(1, len(words)):  # not the opening word ("Left-handed …")
        word, before = words[index].lower(), words[index - 1].lower()
        if before in ("has", "have", "had", "ve") and is_past_participle(word):
            return True
        if looks_past(word) and before not in _EN_PRESENT_COPULA:
            return True  # "is married" is a state; "got married", "was fired" tell of an event
    return False


@lru_cache(maxsize=1)
def changes() -> tuple[Change, ...]:
    data = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    return tuple(
        Change(
            name=entry["name"],
            events=tuple(entry.get("events_en", [])) + tuple(entry.get("events_zh", [])),
            ends=tuple(entry.get("ends_en", [])) + tuple(entry.get("ends_zh", [])),
            told_by=tuple(entry.get("told_by", [])),
        )
        for entry in data["change"]
    )


def whose_states_end(change: Change, teller: Subject) -> tuple[Subject, ...]:
    """Whose stored states the change may end when `teller` is the subject of its event: the
    teller's own, or, for a relative the table names ("our daughter was born"), those of whom the
    table's ended states are about (the user, the user's wife)."""
    if teller.chain[:1] != ("user",) or teller.chain[1:] not in {(relative,) for relative in change.told_by}:
        return (teller,)
    return _subjects_of_ended_states(change)


@lru_cache(maxsize=None)
def _subjects_of_ended_states(change: Change) -> tuple[Subject, ...]:
    subjects = (subject_of(state, "zh" if has_cjk(state) else "en") for state in change.ends)
    return tuple(dict.fromkeys(subject for subject in subjects if subject.chain))


class StateChangeReader:
    """The table's sentences embedded once per process, on first use, by the analyzer's embedder."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._lock = threading.Lock()
        self._events: np.ndarray | None = None
        self._event_owner: np.ndarray | None = None
        self._states: np.ndarray | None = None
        self._state_owner: np.ndarray | None = None
        self._state_denies: np.ndarray | None = None

    def load(self) -> None:
        """Embed the table now (about two seconds), not during the first job that needs it."""
        if self._events is not None:
            return
        with self._lock:
            if self._events is not None:
                return
            table = changes()
            events = [(i, text) for i, change in enumerate(table) for text in change.events]
            states = [(i, text) for i, change in enumerate(table) for text in change.ends]
            vectors = np.asarray(self._embedder.embed([text for _, text in events + states]), dtype=np.float32)
            self._state_owner = np.array([i for i, _ in states])
            self._state_denies = np.array([denies(text) for _, text in states])
            self._states = vectors[len(events):]
            self._event_owner = np.array([i for i, _ in events])
            self._events = vectors[: len(events)]

    def closest_change(self, statement: Sequence[float]) -> ToldChange | None:
        """The known change the statement tells of, with its likeness, or None."""
        self.load()
        found = self._closest_change(np.asarray(statement, dtype=np.float32))
        return None if found is None else ToldChange(found[0], changes()[found[0]], found[1])

    def told_changes(self, statement: Sequence[float]) -> list[ToldChange]:
        """The known changes a statement may tell of: each change's closest event, those within
        CHANGE_MARGIN of the closest change, closest first."""
        self.load()
        per_change = self._per_change(np.asarray(statement, dtype=np.float32))
        best = float(per_change.max())
        if best < EVENT_LIKENESS:
            return []
        close = [int(i) for i in np.argsort(per_change)[::-1] if per_change[i] >= max(EVENT_LIKENESS, best - CHANGE_MARGIN)]
        if len(close) > 2:
            close = close[:1]  # a vague statement is about as close to many changes: only the closest is told
        return [ToldChange(i, changes()[i], float(per_change[i])) for i in close]

    def _per_change(self, statement: np.ndarray) -> np.ndarray:
        """The statement's cosine to each change's closest event, by the change's index."""
        assert self._events is not None and self._event_owner is not None
        per_change = np.full(int(self._event_owner.max()) + 1, -1.0)
        np.maximum.at(per_change, self._event_owner, self._events @ statement)
        return per_change

    def _closest_change(self, statement: np.ndarray) -> tuple[int, float] | None:
        per_change = self._per_change(statement)
        best = int(per_change.argmax())
        return (best, float(per_change[best])) if per_change[best] >= EVENT_LIKENESS else None

    def ended(
        self, told: ToldChange, statement: Sequence[float], memories: Sequence[Sequence[float]],
        memory_texts: Sequence[str],
    ) -> EndedState | None:
        """The candidate memory the change the statement tells of (`closest_change`) ends, or None
        when no candidate (or more than one different one, alike) is a state it ends."""
        if not memories:
            return None
        self.load()
        assert self._states is not None and self._state_owner is not None and self._state_denies is not None
        statement_vector = np.asarray(statement, dtype=np.float32)
        mine = self._state_owner == told.index
        if not mine.any():
            return None  # a beginning that ends nothing ("started learning guitar")
        memory_vectors = np.asarray(memories, dtype=np.float32)
        by_state = memory_vectors @ self._states[mine].T
        likeness = by_state.max(axis=1)
        # "The user has a cat." is not the "has no pets" an adoption ends: a memory is an ended state
        # only with the polarity of the state it resembles.
        same_polarity = self._state_denies[mine][by_state.argmax(axis=1)] == np.array([denies(t) for t in memory_texts])
        # A memory the statement only says again ("我就花粉过敏" beside "用户对花粉过敏") is not ended by it.
        said_again = memory_vectors @ statement_vector >= RESTATEMENT
        likeness = np.where(same_polarity & ~said_again, likeness, -1.0)
        order = np.argsort(likeness)[::-1]
        best = int(order[0])
        # The same fact stored twice is one candidate, not a rival.
        rivals = [float(likeness[i]) for i in order[1:]
                  if memory_texts[i].strip() != memory_texts[best].strip() and likeness[i] >= RIVAL_FLOOR]
        runner_up = rivals[0] if rivals else -1.0
        if likeness[best] < STATE_LIKENESS or likeness[best] - runner_up < STATE_MARGIN:
            return None
        return EndedState(best, told.change.name, round(told.likeness, 3), round(float(likeness[best]), 3))
