"""Step parameters: values checked against their declaration, `-p NAME=VALUE` parsed, defaults resolved.

The runner resolves and checks every parameter before any kernel starts; the
kernel receives the resolved values once (papermill injects them).
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from typing import Any

from ..errors import ParameterError, shown
from .spec import Parameter, Pipeline

FIRST_PLAUSIBLE_YEAR = 1900
_YEAR = re.compile(r"^year$|_year$|^year_")
_YEARS = re.compile(r"(^|_)years$")


def plausible_years() -> tuple[int, int]:
    """The years a year may hold in the data and the parameters: 1900 to this year."""
    return FIRST_PLAUSIBLE_YEAR, date.today().year


def check_plausible_years(param: Parameter, value: Any) -> None:
    """An int parameter named like a year (year, first_year, year_end) or a list named *_years holds
    years from 1900 to this year (no year 3020)."""
    if param.type == "int" and _YEAR.search(param.name):
        items = [value]
    elif param.type == "list" and _YEARS.search(param.name):
        items = list(value)
    else:
        return
    low, high = plausible_years()
    for item in items:
        try:
            year = int(str(item).strip())
        except ValueError:
            raise ParameterError(f"parameter {param.name!r}: {shown(item)} is not a year; expected a year from {low} "
                                 f"to {high}") from None
        if not low <= year <= high:
            raise ParameterError(f"parameter {param.name!r}: {shown(item)} is not a plausible year; expected a year from "
                                 f"{low} to {high}")


def check_value(param: Parameter, value: Any) -> Any:
    """Return `value` if it suits `param` (ints are accepted as floats), else raise."""
    expected = param.type
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "str": isinstance(value, str),
        "list": isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value),
        "date": isinstance(value, str),
    }[expected]
    if not ok:
        raise ParameterError(
            f"parameter {param.name!r} expects {expected}, got {shown(value)} ({type(value).__name__})"
        )
    if expected == "date":
        return check_date(param, value)
    if expected == "float":
        value = float(value)
        if not math.isfinite(value):
            raise ParameterError(f"parameter {param.name!r} expects a finite number, got {shown(value)}")
    if param.min is not None and value < param.min or param.max is not None and value > param.max:
        raise ParameterError(
            f"parameter {param.name!r} must lie in [{param.min}, {param.max}], got {shown(value)}"
        )
    check_plausible_years(param, value)
    if param.choices is not None:
        items = value if expected == "list" else [value]
        bad = [v for v in items if v not in param.choices]
        if bad:
            raise ParameterError(
                f"parameter {param.name!r}: {shown(bad)} not among the choices {list(param.choices)}"
            )
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_date(param: Parameter, value: str) -> str:
    """A date parameter: an ISO date (YYYY-MM-DD) from 1900 on, not in the future."""
    low = date(FIRST_PLAUSIBLE_YEAR, 1, 1)
    try:
        when = date.fromisoformat(value) if _ISO_DATE.fullmatch(value) else None
    except ValueError:
        when = None
    if when is None:
        raise ParameterError(f"parameter {param.name!r}: {shown(value)} is not a date; expected YYYY-MM-DD "
                             f"(e.g. {param.default})")
    if not low <= when <= date.today():
        raise ParameterError(f"parameter {param.name!r}: {value} is " + ("in the future" if when > low else "before 1900")
                             + f"; expected a date from {low.isoformat()} to today ({date.today().isoformat()})")
    return value


def check_order(parameters: dict[str, Parameter], values: dict[str, Any]) -> None:
    """Date parameters declared `not_before: other` must not lie before the other (start <= end)."""
    for param in parameters.values():
        if param.not_before and param.name in values and param.not_before in values:
            if str(values[param.name]) < str(values[param.not_before]):
                raise ParameterError(f"parameter {param.name!r} ({values[param.name]}) lies before {param.not_before!r} "
                                     f"({values[param.not_before]}); expected {param.not_before} <= {param.name}")


def parse_value(param: Parameter, text: str) -> Any:
    """Turn a command-line string into a value of the parameter's type."""
    try:
        if param.type == "int":
            value: Any = int(text)
        elif param.type == "float":
            value = float(text)
        elif param.type == "bool":
            lowered = text.strip().lower()
            if lowered not in {"true", "false", "yes", "no", "1", "0"}:
                raise ValueError(text)
            value = lowered in {"true", "yes", "1"}
        elif param.type == "list":
            stripped = text.strip()
            value = json.loads(stripped) if stripped.startswith("[") else [
                item.strip() for item in stripped.split(",") if item.strip()
            ]
        else:
            value = text
    except (ValueError, json.JSONDecodeError):
        raise ParameterError(
            f"parameter {param.name!r} expects {param.type}, got {shown(text)}"
        ) from None
    return check_value(param, value)


def parse_assignments(pairs: list[str]) -> list[tuple[str | None, str, str]]:
    """Split `NAME=VALUE` or `STEP.NAME=VALUE` strings into (step, name, text)."""
    parsed = []
    for pair in pairs:
        if "=" not in pair:
            raise ParameterError(f"-p {shown(pair)}: expected NAME=VALUE or STEP.NAME=VALUE")
        key, text = pair.split("=", 1)
        step, _, name = key.strip().rpartition(".")
        parsed.append((step or None, name, text))
    return parsed


def resolve_parameters(
    pipeline: Pipeline,
    selected: list[str],
    overrides: dict[str, Any] | list[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Defaults of every selected step with the overrides applied, all checked.

    `overrides` is either `-p` strings (`NAME=VALUE`, `STEP.NAME=VALUE`) or a
    mapping of the same keys to Python values. A name that no selected step
    declares is an error that lists the valid parameters.
    """
    resolved = {name: pipeline.step(name).defaults() for name in selected}
    if not overrides:
        return resolved
    if isinstance(overrides, dict):
        items = []
        for key, value in overrides.items():
            step, _, name = key.rpartition(".")
            items.append((step or None, name, value, False))
    else:
        items = [(s, n, t, True) for s, n, t in parse_assignments(list(overrides))]
    for step_name, name, value, is_text in items:
        targets = [s for s in selected if (step_name in (None, s)) and name in pipeline.step(s).parameters]
        if step_name is not None and step_name not in selected:
            raise ParameterError(
                f"parameter {step_name}.{name}: step {step_name!r} is not among the steps run "
                f"({', '.join(selected)})"
            )
        if not targets:
            import difflib

            known = [f"{s}.{n}" for s in selected for n in pipeline.step(s).parameters]
            asked = f"{step_name}.{name}" if step_name else name
            close = difflib.get_close_matches(asked, known + [k.split(".", 1)[1] for k in known], n=3, cutoff=0.6)
            hint = (f" Did you mean {' or '.join(dict.fromkeys(close))}?" if close else "")
            raise ParameterError(
                f"unknown parameter {name!r}.{hint} Valid parameters:\n" + valid_parameters_text(pipeline, selected)
            )
        for target in targets:
            param = pipeline.step(target).parameters[name]
            resolved[target][name] = parse_value(param, value) if is_text else check_value(param, value)
    for name in selected:
        check_order(pipeline.step(name).parameters, resolved[name])
    return resolved


def valid_parameters_text(pipeline: Pipeline, selected: list[str]) -> str:
    lines = []
    for name in selected:
        for param in pipeline.step(name).parameters.values():
            lines.append(f"  {name}.{param.describe()}")
    return "\n".join(lines) or "  (the selected steps take no parameters)"


def changed_parameters(step, values: dict[str, Any]) -> list[dict[str, Any]]:
    """The parameters of `step` whose value differs from its default in pipeline.yaml: name, value, default."""
    defaults = step.defaults()
    return [{"step": step.name, "name": name, "value": values[name], "default": defaults[name]}
            for name in step.parameters if name in values and values[name] != defaults[name]]


def run_differences(pipeline: Pipeline, manifest: dict | None) -> list[dict[str, Any]]:
    """Every parameter a published run used that differs from pipeline.yaml (from build/manifest.json), in the
    chain's order; a step the manifest does not record, or a parameter pipeline.yaml no longer declares, is left out."""
    steps = (manifest or {}).get("steps") if isinstance(manifest, dict) else None
    found: list[dict[str, Any]] = []
    for name in pipeline.order:
        entry = steps.get(name) if isinstance(steps, dict) else None
        used = entry.get("parameters") if isinstance(entry, dict) else None
        if isinstance(used, dict) and name in pipeline.steps:
            found.extend(changed_parameters(pipeline.steps[name], used))
    return found


def describe_difference(change: dict[str, Any]) -> str:
    """`media_coverage.few_years_min = 3.0 (pipeline.yaml: 2.0)`."""
    return f"{change['step']}.{change['name']} = {json.dumps(change['value'])} (pipeline.yaml: {json.dumps(change['default'])})"
