"""The fitted models shipped as data (`data/*_model.json`): their files, and the logistic they share."""

from __future__ import annotations

import json
import math
from importlib import resources
from typing import Any


def model_data(file_name: str) -> dict[str, Any] | None:
    """A shipped model's fitted values, or None when the file is absent."""
    try:
        return json.loads(resources.files("pipeline.text").joinpath("data", file_name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))
