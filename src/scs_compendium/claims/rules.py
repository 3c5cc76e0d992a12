"""Verdict rules, declared as data in `data/claims.yaml`: the steps compute values, the rules decide.

A rule compares a value of its step's results with what the article reports and
gives an outcome (pass, partial, fail, or none when nothing can decide) and one
sentence saying why. The claim's `basis` turns the outcome into a verdict: only
data from outside the article can reproduce a claim; a check on the article's own
figures, or on the compendium's coding of the article, can only find it
consistent or inconsistent.

A threshold is a number, `@name` (the step's parameter of that name, declared
once in `pipeline.yaml`), or `reported` / `reported.low` / `reported.high` (what
the article reports).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..errors import ClaimsError

BASES = ("outside data", "the article's own figures", "the compendium's coding of the article")
OUTCOMES = ("pass", "partial", "fail", "none")
VERDICT_OF = {
    "outside data": {"pass": "reproduced", "partial": "partly reproduced", "fail": "not reproduced", "none": "not checkable"},
    "the article's own figures": {"pass": "consistent", "partial": "inconsistent", "fail": "inconsistent", "none": "not checkable"},
    "the compendium's coding of the article": {"pass": "consistent", "partial": "inconsistent", "fail": "inconsistent", "none": "not checkable"},
}


@dataclass(frozen=True)
class Outcome:
    outcome: str  # one of OUTCOMES
    why: str
    value: Any = None  # what the data give, for the report


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ClaimsError(f"{where}: expected a number, got {value!r}")
    return float(value)


def fmt(value: Any) -> str:
    """A number as the report shows it: up to four significant digits, no trailing zeros; years plain."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer() and 1000 <= value <= 2999:
        value = int(value)
    if isinstance(value, int):
        return str(value) if 1000 <= value <= 2999 else f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def _labelled(value: Any, where: str) -> dict[str, float]:
    """A number, or a mapping label -> number (e.g. a rate by year)."""
    if isinstance(value, dict):
        return {str(k): _number(v, f"{where}[{k}]") for k, v in value.items()}
    return {"": _number(value, where)}


def _shown(values: dict[str, float], unit: str = "") -> str:
    """Values with their labels; durations in years to a tenth ('2.1 years (The Washington Post)')."""
    if "year" in unit and not unit.strip().isdigit():
        return ", ".join(f"{v:.1f} years" + (f" ({k})" if k else "") for k, v in values.items())
    return ", ".join(f"{fmt(v)}{unit}" + (f" ({k})" if k else "") for k, v in values.items())


def _unit_of(label: str, reported_unit: str, numbers: list[float]):
    """How a compared number reads with its unit: '99.5%' when the article reports a percentage, '20.8%' for a
    share (0-1) a label names; else the number alone."""
    if str(reported_unit).lstrip().startswith("%"):
        return lambda v: f"{fmt(v)}%"
    if "share" in label and all(0 <= v <= 1 for v in numbers):
        return lambda v: f"{v:.1%}" if round(v * 100, 1) != round(v * 100) else f"{v:.0%}"
    return fmt


def rule_within(value, rule, threshold, reported_unit) -> Outcome:
    values = _labelled(value, "value")
    low, high = threshold("low"), threshold("high")
    decimals = int(threshold("decimals")) if "decimals" in rule else None
    if not values:
        return Outcome("none", rule.get("if_empty", "no figure for the period the claim speaks of"), value)
    inside = {k: v for k, v in values.items() if low <= (round(v, decimals) if decimals is not None else v) <= high}
    span = f"{fmt(low)}–{fmt(high)}" if low != high else fmt(low)
    rounding = f" (rounded to {decimals} decimals, as the article rounds)" if decimals is not None else ""
    need_all = rule.get("require", "any") == "all"
    passed = len(inside) == len(values) if need_all else bool(inside)
    unit = str(reported_unit or "") if str(reported_unit or "").startswith("years") else ""  # a duration, not a year
    if inside and not passed:
        return Outcome("fail" if rule.get("strict") else "partial", f"{_shown(inside, unit)} lie inside the reported "
                       f"{span}{rounding}; {_shown({k: v for k, v in values.items() if k not in inside}, unit)} do not", value)
    verb = "lies" if len(values) == 1 else "lie"
    where = "inside" if passed else "outside"
    shown = _shown(inside if passed and not need_all else values, unit)
    return Outcome("pass" if passed else "fail", f"{shown} {verb} {where} the reported {span} {reported_unit}".rstrip()
                   + rounding, value)


def rule_close(value, rule, threshold, reported_unit) -> Outcome:
    if value is None:
        return Outcome("none", rule.get("if_empty", "no source gives the figure"), value)
    found, target = _number(value, "value"), threshold("target")
    tolerance = threshold("tolerance")
    gap = abs(found - target) / abs(target) if target else abs(found)
    ok = gap <= tolerance
    return Outcome("pass" if ok else "fail",
                   f"a source gives {fmt(found)} against the article's {fmt(target)} {reported_unit} ({gap:.1%} apart; "
                   f"tolerance {tolerance:.0%})", value)


def rule_date(value, rule, threshold, reported_unit) -> Outcome:
    if value in (None, ""):
        return Outcome("none", rule.get("if_empty", "no outside source dates it"), value)
    year = int(str(value)[:4])
    low, high = int(threshold("low")), int(threshold("high"))
    tolerance = int(threshold("tolerance_years"))
    off = 0 if low <= year <= high else min(abs(year - low), abs(year - high))
    span = str(low) if low == high else f"{low}–{high}"
    ok = off <= tolerance
    return Outcome("pass" if ok else "fail",
                   f"a source dates it {value}, the article {span} ({off} year{'s' if off != 1 else ''} apart; "
                   f"tolerance {tolerance})", value)


def rule_threshold(value, rule, threshold, reported_unit) -> Outcome:
    if value is None or value == {}:
        return Outcome("none", rule.get("if_empty", "no figure to compare"), value)
    values = _labelled(value, "value")
    label = rule.get("label", "the value")
    kind = next(k for k in ("below", "above", "at_least") if k in rule)
    limit = threshold(kind)
    test = {"below": lambda v: v < limit, "above": lambda v: v > limit, "at_least": lambda v: v >= limit}[kind]
    words = {"below": ("below", "not below"), "above": ("above", "not above"), "at_least": ("at least", "below")}[kind]
    held = {k: v for k, v in values.items() if test(v)}
    outcome = "pass" if len(held) == len(values) else "partial" if held else "fail"
    show = _unit_of(label, reported_unit, [*values.values(), limit])
    parts = [f"{show(v)}" + (f" ({k})" if k else "") + f" is {words[0] if k in held else words[1]} {show(limit)}"
             for k, v in values.items()]
    return Outcome(outcome, f"{label}: " + "; ".join(parts), value)


def rule_all_true(value, rule, threshold, reported_unit) -> Outcome:
    if isinstance(value, str):  # the step says why these data cannot decide the claim
        return Outcome("none", value, None)
    flags = value if isinstance(value, dict) else {"": value}
    if not flags:
        return Outcome("none", rule.get("if_empty", "nothing to check"), value)
    if not all(isinstance(f, bool) for f in flags.values()):
        raise ClaimsError(f"rule all_true needs true/false results, got {flags!r}")
    held = [k for k, f in flags.items() if f]
    failed = [k for k, f in flags.items() if not f]
    outcome = "pass" if not failed else "partial" if held else "fail"
    label = rule.get("label", "checks")
    named = [k for k in held if k]
    why = (f"{len(held)} of {len(flags)} {label} hold" + (f": {'; '.join(named)}" if named else "")
           + (f"; not: {'; '.join(failed)}" if failed and failed != [""] else ""))
    return Outcome(outcome, why, value)


KINDS: dict[str, tuple[tuple[str, ...], Callable]] = {
    # kind: (required rule keys, function)
    "within": (("value",), rule_within),
    "close": (("value", "tolerance"), rule_close),
    "date": (("value", "tolerance_years"), rule_date),
    "threshold": (("value",), rule_threshold),
    "all_true": (("value",), rule_all_true),
    "not_checkable": (("why",), None),
}
RULE_KEYS = {"kind", "value", "low", "high", "target", "decimals", "require", "strict", "tolerance", "tolerance_years",
             "below", "above", "at_least", "label", "why", "if_empty"}


def check_rule(rule: Any, where: str) -> None:
    """A rule declared in the registry: a known kind with its keys."""
    kind = rule.get("kind") if isinstance(rule, dict) else None
    if kind not in KINDS:
        raise ClaimsError(f"{where}: rule kind {kind!r} is not one of {sorted(KINDS)}")
    unknown = set(rule) - RULE_KEYS
    if unknown:
        raise ClaimsError(f"{where}: rule has unknown key(s) {sorted(unknown)}; allowed: {sorted(RULE_KEYS)}")
    for key in KINDS[kind][0]:
        if key not in rule:
            raise ClaimsError(f"{where}: rule {kind!r} needs {key!r}")
    if kind == "threshold" and sum(k in rule for k in ("below", "above", "at_least")) != 1:
        raise ClaimsError(f"{where}: rule 'threshold' needs exactly one of 'below', 'above' or 'at_least'")


def thresholds_of(rule: dict) -> list[str]:
    """The step parameters (`@name`) a rule's thresholds refer to."""
    return [str(v)[1:] for v in rule.values() if isinstance(v, str) and v.startswith("@")]
