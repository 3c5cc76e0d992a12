"""Verdicts: each claim of the registry decided by its rule on the results of its step.

The verdict says what was shown (see `registry.MEANING`), `basis` what it rests
on, and `why` the comparison that decided it, computed from the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..engine.spec import Pipeline, load_pipeline
from ..engine.store import lookup, read_checked_results
from ..errors import ClaimsError
from ..paths import results_file
from ..sources.datapackage import load_descriptor, sources_text
from .registry import Claim, load_registry
from .rules import KINDS, VERDICT_OF, Outcome, research_outcome


@dataclass
class ReadingResult:
    id: str
    label: str
    verdict: str
    why: str
    value: Any = None


@dataclass
class Assessment:
    claim: Claim
    verdict: str
    why: str = ""
    value: Any = None
    evidence: list[str] = field(default_factory=list)
    readings: list[ReadingResult] = field(default_factory=list)
    thresholds: dict = field(default_factory=dict)  # the rule's thresholds as used, @parameters resolved


def _resolver(claim: Claim, rule: dict, parameters: dict):
    """Threshold values of a rule: numbers, `@parameter`, or `reported` / `reported.low` / `reported.high`."""
    defaults = {"low": "reported.low", "high": "reported.high", "target": "reported"}
    reported = claim.reported["value"]

    def get(name: str):
        raw = rule.get(name, defaults.get(name))
        if isinstance(raw, str) and raw.startswith("@"):
            if raw[1:] not in parameters:
                raise ClaimsError(f"claim {claim.id!r}: parameter {raw} not in the results of step {claim.step!r}")
            return parameters[raw[1:]]
        if raw in ("reported", "reported.low", "reported.high"):
            if isinstance(reported, list):
                return reported[0] if raw == "reported.low" else reported[-1] if raw == "reported.high" else reported
            return reported
        if raw is None:
            raise ClaimsError(f"claim {claim.id!r}: rule {rule['kind']!r} needs {name!r}")
        return raw

    return get


def decide(claim: Claim, rule: dict, values: dict, parameters: dict) -> tuple[Outcome, dict]:
    """The outcome of one rule, and its thresholds as used."""
    kind = rule["kind"]
    if kind == "not_checkable":
        return Outcome("none", rule["why"]), {}
    if kind == "source":
        return research_outcome(claim.research), {}
    value = lookup(values, rule["value"], claim.step)
    get = _resolver(claim, rule, parameters)
    used = {name: get(name) for name in ("low", "high", "target", "decimals", "tolerance", "tolerance_years", "below",
                                         "above", "at_least")
            if name in rule or (name in ("low", "high") and kind in ("within", "date")) or (name == "target" and kind == "close")}
    try:
        return KINDS[kind][1](value, rule, get, claim.reported["unit"]), used
    except ClaimsError as exc:
        raise ClaimsError(f"claim {claim.id!r}, result {rule['value']!r}: {exc}") from None


def assess(claim: Claim, pipeline: Pipeline, results: dict[str, dict] | None = None) -> Assessment:
    """The verdict of one claim from the results of its step."""
    if claim.step in pipeline.planned:
        issue = pipeline.planned[claim.step].issue
        return Assessment(claim, "pending", f"step {claim.step!r} is planned (issue #{issue})")
    results = results if results is not None else {}
    if claim.step not in results:
        if not (pipeline.root / results_file(claim.step)).is_file():
            return Assessment(claim, "pending", f"step {claim.step!r} has not run yet")
        results[claim.step] = read_checked_results(pipeline.root, claim.step)  # an edited or cut result is refused
    document = results[claim.step]
    values, parameters = document["values"], document.get("parameters", {})
    evidence = step_sources(pipeline, claim.step) + ([claim.evidence] if claim.evidence else [])
    if values.get("needs_data") and claim.rule is not None and claim.rule["kind"] not in ("source", "not_checkable"):
        return Assessment(claim, "needs data", str(values["needs_data"]), None, evidence)
    verdict_of = VERDICT_OF[claim.basis]
    if claim.rule is not None:
        outcome, used = decide(claim, claim.rule, values, parameters)
        return Assessment(claim, verdict_of[outcome.outcome], outcome.why, outcome.value, evidence, [], used)
    readings, outcomes = [], []
    for reading in claim.readings:
        outcome, _ = decide(claim, reading.rule, values, parameters)
        outcomes.append(outcome.outcome)
        readings.append(ReadingResult(reading.id, reading.label, VERDICT_OF[reading.basis][outcome.outcome],
                                      outcome.why, outcome.value))
    # Only readings on the claim's own basis decide it; the others are shown beside them.
    deciding = [i for i, r in enumerate(claim.readings) if r.basis == claim.basis] or list(range(len(readings)))
    held = [readings[i].label for i in deciding if outcomes[i] == "pass"]
    decided = [i for i in deciding if outcomes[i] != "none"]
    overall = "none" if not decided else "pass" if len(held) == len(deciding) else "partial" if held else "fail"
    counted = f"{len(held)} of {len(deciding)} readings" + (f" on {claim.basis}" if len(deciding) < len(readings) else "")
    failed = [readings[i].label for i in deciding if outcomes[i] != "pass"]
    detail = "; ".join(f"{readings[i].label} ({readings[i].why})" for i in deciding if outcomes[i] == "pass")
    why = (f"holds on {counted}" + (f": {detail}" if held else "") + (f"; not on: {'; '.join(failed)}" if failed else "")
           if decided else "no reading can be decided: " + "; ".join(dict.fromkeys(readings[i].why for i in deciding)))
    return Assessment(claim, verdict_of[overall], why, None, evidence, readings)


def step_sources(pipeline: Pipeline, step: str) -> list[str]:
    """Citations of the data tables a step reads (from the data package)."""
    inputs = set(pipeline.step(step).inputs)
    descriptor = load_descriptor(pipeline.root)
    return [
        sources_text(resource["name"], pipeline.root)
        for resource in descriptor.get("resources", [])
        if f"data/{resource['path']}" in inputs
    ]


def assess_all(pipeline: Pipeline) -> list[Assessment]:
    """Every claim of the registry, assessed on the current results."""
    cache: dict[str, dict] = {}
    return [assess(claim, pipeline, cache) for claim in load_registry(pipeline.root, pipeline)]


def assess_step(step: str, values: dict, parameters: dict, pipeline: Pipeline | None = None) -> list[Assessment]:
    """The claims of one step, assessed on its `values` and `parameters` (before they are written)."""
    pipeline = pipeline or load_pipeline()
    document = {step: {"values": values, "parameters": parameters}}
    return [assess(claim, pipeline, document) for claim in load_registry(pipeline.root, pipeline) if claim.step == step]
