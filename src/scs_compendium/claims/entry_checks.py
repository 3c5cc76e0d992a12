"""Checks of one entry of `data/claims.yaml` that the registry makes as it loads: identifiers, types, thresholds
(the evidence rows are checked against the registry in `checks`).

- Identifiers: the claim's id and its readings' ids are strict kebab-case
  (:func:`..sources.safe.check_identifier`): they become anchors, file names and code in the paper.
- The research record: every field of the type it must have (text, a list of text, a list of
  sources whose fields are text), so that a list or a mapping where text belongs is refused with the
  claim and the field, not met later by the report writer.
- Rules: every threshold is a number, `@name` of a numeric parameter of the step, or `reported` /
  `reported.low` / `reported.high` where the article reports a number (or numbers); the other keys
  have their types (`require`: any or all; `strict`: true or false; `label`, `why`, `if_empty`: text).
  A wrong type ('two years', [0.1]) is refused when the registry loads, before any step runs.
"""

from __future__ import annotations

from typing import Any

from ..engine.spec import Pipeline
from ..errors import ClaimsError, shown
from ..sources.safe import check_identifier

THRESHOLDS = ("low", "high", "target", "tolerance", "tolerance_years", "decimals", "below", "above", "at_least")
WHOLE = ("decimals", "tolerance_years")  # thresholds that must be whole numbers
REPORTED = ("reported", "reported.low", "reported.high")
# Thresholds a rule kind reads from the article's report when the rule does not give them.
DEFAULTS = {"within": {"low": "reported.low", "high": "reported.high"}, "date": {"low": "reported.low", "high": "reported.high"},
            "close": {"target": "reported"}}
_TEXT = ("label", "why", "if_empty", "value")
_RESEARCH_TEXT = ("looked_for",)
_RESEARCH_OPTIONAL_TEXT = ("note",)


def check_claim(where: str, entry: dict, pipeline: Pipeline) -> None:
    """Refuse, naming the claim and the field, an id that is not kebab-case, a research record of the wrong
    types, or a rule whose thresholds have the wrong types."""
    check_identifier(where, entry.get("id"))
    readings = entry.get("readings")
    for number, reading in enumerate(readings if isinstance(readings, list) else [], 1):
        if isinstance(reading, dict):
            check_identifier(f"{where}, reading #{number}", reading.get("id"))
    _research(where, entry.get("research"))
    step = pipeline.steps.get(entry.get("step"))
    parameters = {name: p.type for name, p in step.parameters.items()} if step else {}
    reported = entry.get("reported", {}).get("value") if isinstance(entry.get("reported"), dict) else None
    rules = [(where, entry.get("rule"))] if "rule" in entry else []
    rules += [(f"{where}, reading #{n}", r.get("rule")) for n, r in enumerate(readings or [], 1) if isinstance(r, dict)]
    parts = entry.get("parts")
    for number, part in enumerate(parts if isinstance(parts, list) else [], 1):
        if not isinstance(part, dict):
            continue
        check_identifier(f"{where}, part #{number}", part.get("id"))
        if isinstance(part.get("rule"), dict):
            rules.append((f"{where}, part {part.get('id')!r}", part["rule"]))
        for n, r in enumerate(part.get("readings") if isinstance(part.get("readings"), list) else [], 1):
            if isinstance(r, dict):
                check_identifier(f"{where}, part {part.get('id')!r}, reading #{n}", r.get("id"))
                rules.append((f"{where}, part {part.get('id')!r}, reading #{n}", r.get("rule")))
    for place, rule in rules:
        if isinstance(rule, dict):
            _rule(place, rule, parameters, reported)


def _text(where: str, field: str, value: Any, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise ClaimsError(f"{where}: field {field!r} must be text, got {type(value).__name__} {shown(value)}"
                          + (" (quote a date: '2026-11-25')" if type(value).__name__ in ("date", "datetime") else ""))


def _research(where: str, research: Any) -> None:
    if not isinstance(research, dict):
        return  # the registry says what a research record must be
    for field in _RESEARCH_TEXT:
        if field in research:
            _text(where, f"research.{field}", research[field])
    for field in _RESEARCH_OPTIONAL_TEXT:
        _text(where, f"research.{field}", research.get(field), optional=True)
    searched = research.get("searched")
    if searched is not None:
        if not isinstance(searched, list):
            raise ClaimsError(f"{where}: field 'research.searched' must be a list of text, got {type(searched).__name__}")
        for number, item in enumerate(searched, 1):
            _text(where, f"research.searched #{number}", item)
    value = research.get("source_value")
    if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int, float))):
        raise ClaimsError(f"{where}: field 'research.source_value' must be text or a number, got "
                          f"{type(value).__name__} {shown(value)}")


def is_number(value: Any) -> bool:
    """An int or a float, not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def reported_numbers(reported: Any) -> bool:
    """Whether what the article reports is a number or a list of numbers."""
    return is_number(reported) or (isinstance(reported, list) and bool(reported) and all(map(is_number, reported)))


def _rule(where: str, rule: dict, parameters: dict[str, str], reported: Any) -> None:
    kind = rule.get("kind")
    for key in _TEXT:
        if key in rule:
            _text(where, f"rule.{key}", rule[key])
    if "require" in rule and rule["require"] not in ("any", "all"):
        raise ClaimsError(f"{where}: field 'rule.require' must be 'any' or 'all', got {shown(rule['require'])}")
    if "strict" in rule and not isinstance(rule["strict"], bool):
        raise ClaimsError(f"{where}: field 'rule.strict' must be true or false, got {shown(rule['strict'])}")
    effective = {**DEFAULTS.get(kind, {}), **{k: rule[k] for k in THRESHOLDS if k in rule}}
    for key, value in effective.items():
        field = f"rule.{key}" + ("" if key in rule else f" (by default {value})")
        if isinstance(value, str) and value.startswith("@"):
            declared = parameters.get(value[1:])
            if declared is not None and declared not in ("int", "float"):
                raise ClaimsError(f"{where}: field {field!r} names {value}, a parameter of type {declared}; a threshold "
                                  "needs a number (a parameter of type int or float)")
        elif isinstance(value, str) and value in REPORTED:
            if not reported_numbers(reported):
                raise ClaimsError(f"{where}: field {field!r} reads the article's reported value {shown(reported)}, "
                                  "which is not a number; give the threshold as a number")
        elif not is_number(value):
            raise ClaimsError(f"{where}: field {field!r} must be a number, @parameter or one of {list(REPORTED)}, "
                              f"got {type(value).__name__} {shown(value)}")
        elif key in WHOLE and (value != int(value) or value < 0):
            raise ClaimsError(f"{where}: field {field!r} must be a whole number of 0 or more, got {shown(value)}")
        elif key == "tolerance" and value < 0:
            raise ClaimsError(f"{where}: field {field!r} must be 0 or more, got {shown(value)}")


def check_fields(where: str, body: Any, allowed: set[str], required: tuple[str, ...], noun: str = "field") -> None:
    """A mapping with only `allowed` keys and every `required` one given (not empty), or a ClaimsError naming it."""
    if not isinstance(body, dict):
        raise ClaimsError(f"{where}: expected a mapping")
    unknown = set(body) - allowed
    if unknown:
        raise ClaimsError(f"{where}: unknown {noun}(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    for key in required:
        if body.get(key) in (None, "", []):
            raise ClaimsError(f"{where}: missing {noun} {key!r}")
