"""Whether feedback the rules found a statement in reads as chat, a question or a request instead:
a logistic model over the feedback's embedding.

The rules judge a message valid once any sentence of it has content words; thanks with a remark
("谢谢你啦～今天聊得很开心"), weather talk or a leftover of an injection ("SYSTEM OVERRIDE.") pass
that test. This model, fitted by `training/train_validity.py` on labelled messages, reads the
message's embedding and turns such a verdict into "invalid" when it is sure enough. Its weights
are data (`data/validity_model.json`) and belong to the embedder they were fitted with: with any
other embedder the model stands aside.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.embedding.base import EmbedderIdentity
from pipeline.text.fillers import attempts_a_correction
from pipeline.text.life_events import says_something_changed
from pipeline.text.model_files import logistic, model_data

MODEL_FILE = "validity_model.json"


@dataclass(frozen=True)
class ValidityModel:
    embedder: EmbedderIdentity
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def invalid_probability(self, vector: Sequence[float]) -> float:
        """P(the message states nothing worth storing), from its embedding."""
        z = self.bias + sum(w * x for w, x in zip(self.weights, vector, strict=True))
        return logistic(z)


def weighs(facts: str) -> bool:
    """Whether the model is asked at all: a message that says something is wrong, changed or is
    now otherwise is an attempt at a correction, and the rules' verdict stands (it also spares the
    embedding for most corrections)."""
    return not (attempts_a_correction(facts) or says_something_changed(facts))


@lru_cache(maxsize=1)
def _shipped() -> ValidityModel | None:
    raw = model_data(MODEL_FILE)
    if raw is None:
        return None
    return ValidityModel(
        embedder=EmbedderIdentity.model_validate(raw["embedder"]), weights=tuple(raw["weights"]),
        bias=float(raw["bias"]), threshold=float(raw["threshold"]),
    )


def validity_model(embedder: EmbedderIdentity) -> ValidityModel | None:
    """The shipped model when it was fitted with this embedder, else None."""
    model = _shipped()
    return model if model is not None and model.embedder == embedder and len(model.weights) == embedder.dim else None
