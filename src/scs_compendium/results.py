"""The one writer and reader of step results (`build/results/<step>.json`)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from .atomic import atomic_write_json
from .errors import ResultsError

RESULTS_DIR = "build/results"


def to_jsonable(value: Any, key: str = "") -> Any:
    """Plain JSON types from numpy/pandas scalars and containers; NaN and infinity are refused."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v, f"{key}.{k}" if key else str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v, f"{key}[{i}]") for i, v in enumerate(value)]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar
    if isinstance(value, float) and not math.isfinite(value):
        raise ResultsError(f"result {key!r} is {value}: results must be finite numbers")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ResultsError(f"result {key!r} has type {type(value).__name__}; expected a number, text, bool, list or dict")


def write_results(path: Path, step: str, parameters: dict, provenance: dict, values: dict) -> Path:
    """Write a step's results atomically, with its parameters and provenance."""
    document = {
        "step": step,
        "parameters": to_jsonable(parameters, "parameters"),
        "provenance": to_jsonable(provenance, "provenance"),
        "values": to_jsonable(values),
    }
    return atomic_write_json(path, document)


def results_path(root: Path, step: str) -> Path:
    return Path(root) / RESULTS_DIR / f"{step}.json"


def read_results(root: Path, step: str) -> dict:
    """The whole results document of a step; a clear error if it has not run."""
    path = results_path(root, step)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(
            f"{RESULTS_DIR}/{step}.json not found: step {step!r} has not run (run `scs run {step}`)"
        ) from None
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{RESULTS_DIR}/{step}.json: not valid JSON ({exc})") from None


def lookup(values: dict, key: str, step: str = "?") -> Any:
    """A value by dotted key (`cnki.majority.p_value`) in a step's `values`."""
    current: Any = values
    for part in key.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        else:
            raise ResultsError(f"result key {key!r} not found in the results of step {step!r}")
    return current
