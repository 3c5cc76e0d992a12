"""Verdicts: each claim of the registry decided on its evidence rows and the results of its step.

A claim of outside data is decided part by part by the evidence rule (`claims.evidence`) with
the decisions of the `evidence` step; a check on the article's own figures, or on the
compendium's coding, by its rule on its step's results. The verdict says what was shown (see
`registry.MEANING`), `basis` what it rests on, and `why` the comparison that decided it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..engine.spec import Pipeline, load_pipeline
from ..engine.store import lookup, read_checked_results
from ..errors import ClaimsError
from ..paths import results_file
from ..sources.datapackage import descriptor_version, shared_descriptor, sources_text
from ..sources.evidence import Evidence, has_evidence, load_evidence
from .evidence import (CONFLICTING, CONTRADICTED, DEPENDS, PARTLY, SUPPORTED, UNDECIDED, Decisions, PartResult,
                       claim_verdict, decide_read_part, sources_block)
from .registry import OUTSIDE, Claim, load_registry
from .rules import KINDS, VERDICT_OF, Outcome

EVIDENCE_STEP = "evidence"  # the step whose parameters are the evidence rule's decisions
PART_OF_OUTCOME = {"pass": SUPPORTED, "partial": PARTLY, "fail": CONTRADICTED, "none": UNDECIDED}


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
    parts: list[PartResult] = field(default_factory=list)


def _resolver(claim: Claim, rule: dict, parameters: dict):
    """Threshold values of a rule: numbers, `@parameter`, or `reported` / `reported.low` / `reported.high`."""
    defaults = {"low": "reported.low", "high": "reported.high", "target": "reported"}
    reported = (claim.reported or {}).get("value")

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
    """The outcome of one rule on a step's values, and its thresholds as used."""
    kind = rule["kind"]
    if kind == "not_checkable":
        return Outcome("none", rule["why"]), {}
    value = lookup(values, rule["value"], claim.step)
    get = _resolver(claim, rule, parameters)
    used = {name: get(name) for name in ("low", "high", "target", "decimals", "tolerance", "tolerance_years", "below",
                                         "above", "at_least")
            if name in rule or (name in ("low", "high") and kind in ("within", "date")) or (name == "target" and kind == "close")}
    unit = (claim.reported or {}).get("unit", "")
    try:
        return KINDS[kind][1](value, rule, get, unit), used
    except ClaimsError as exc:
        raise ClaimsError(f"claim {claim.id!r}, result {rule['value']!r}: {exc}") from None


def _computed_part(claim: Claim, part, values: dict, parameters: dict, evidence: Evidence,
                   decisions: Decisions) -> tuple[PartResult, list[ReadingResult], dict]:
    """A part decided by a rule (or readings) on its step's results, and by the usability of its sources."""
    blocked = sources_block(part.sources, evidence, decisions)
    if part.rule is not None:
        outcome, used = decide(claim, part.rule, values, parameters)
        result = PartResult(part.id, PART_OF_OUTCOME[outcome.outcome], outcome.why, value=outcome.value)
        readings = []
    else:
        used, readings, outcomes = {}, [], {}
        for reading in part.readings:
            outcome, _ = decide(claim, reading.rule, values, parameters)
            outcomes[reading.id] = (reading, outcome)
            readings.append(ReadingResult(reading.id, reading.label, VERDICT_OF[reading.basis][outcome.outcome],
                                          outcome.why, outcome.value))
        deciding = {rid: o for rid, (r, o) in outcomes.items() if r.basis == OUTSIDE}
        if part.combine != "all":
            chosen = outcomes[part.combine][1]
            result = PartResult(part.id, PART_OF_OUTCOME[chosen.outcome],
                                f"the reading the article's words fix ({outcomes[part.combine][0].label}): {chosen.why}")
        else:
            found = {PART_OF_OUTCOME[o.outcome] for o in deciding.values()}
            detail = "; ".join(f"{outcomes[rid][0].label}: {PART_OF_OUTCOME[o.outcome]}" for rid, o in deciding.items())
            if len(found) == 1:
                result = PartResult(part.id, found.pop(), f"every reading agrees ({detail})")
            else:
                result = PartResult(part.id, DEPENDS, f"the article's words fix no reading, and they disagree: {detail}")
        result.readings = readings
    if blocked and result.outcome != UNDECIDED:
        result = PartResult(part.id, UNDECIDED, f"its data rest on sources that cannot decide ({blocked})",
                            readings=result.readings, value=result.value)
    return result, readings, used


def assess(claim: Claim, pipeline: Pipeline, results: dict[str, dict] | None = None,
           evidence: Evidence | None = None) -> Assessment:
    """The verdict of one claim from its evidence rows and the results of its step."""
    if claim.step in pipeline.planned:
        issue = pipeline.planned[claim.step].issue
        return Assessment(claim, "pending", f"step {claim.step!r} is planned (issue #{issue})")
    results = results if results is not None else {}
    # the evidence step's decisions matter to a claim with parts read from rows, or computed on named sources
    reads = any(not p.computed or p.sources for p in claim.parts)
    needed = [claim.step] + ([EVIDENCE_STEP] if claim.basis == OUTSIDE and reads else [])
    for step in needed:
        if step not in results:
            if not (pipeline.root / results_file(step)).is_file():
                return Assessment(claim, "pending", f"step {step!r} has not run yet")
            results[step] = read_checked_results(pipeline.root, step)  # an edited or cut result is refused
    document = results[claim.step]
    values, parameters = document["values"], document.get("parameters", {})
    sources = step_sources(pipeline, claim.step) + ([claim.evidence] if claim.evidence else [])
    if claim.basis != OUTSIDE:
        return _assess_rule(claim, values, parameters, sources)
    computed = [p for p in claim.parts if p.computed]
    if values.get("needs_data") and computed:
        return Assessment(claim, "needs data", str(values["needs_data"]), None, sources)
    evidence = evidence or load_evidence(pipeline.root)
    decisions = Decisions.of(results[EVIDENCE_STEP]["parameters"] if EVIDENCE_STEP in results
                             else pipeline.step(EVIDENCE_STEP).defaults())
    rows = evidence.final_rows_of(claim.id)
    parts, readings, used = [], [], {}
    for part in claim.parts:
        if part.computed:
            result, found, thresholds = _computed_part(claim, part, values, parameters, evidence, decisions)
            readings += found
            used |= thresholds
        else:
            result = decide_read_part(claim.id, part, rows, evidence, decisions)
        parts.append(result)
    verdict, why = claim_verdict(list(claim.parts), parts, claim.searched)
    value = parts[0].value if len(parts) == 1 else None
    return Assessment(claim, verdict, why, value, sources, readings, used, parts)


def _assess_rule(claim: Claim, values: dict, parameters: dict, sources: list[str]) -> Assessment:
    verdict_of = VERDICT_OF[claim.basis]
    if claim.rule is not None:
        outcome, used = decide(claim, claim.rule, values, parameters)
        return Assessment(claim, verdict_of[outcome.outcome], outcome.why, outcome.value, sources, [], used)
    readings, outcomes = [], []
    for reading in claim.readings:
        outcome, _ = decide(claim, reading.rule, values, parameters)
        outcomes.append(outcome.outcome)
        readings.append(ReadingResult(reading.id, reading.label, VERDICT_OF[reading.basis][outcome.outcome],
                                      outcome.why, outcome.value))
    decided = [o for o in outcomes if o != "none"]
    held = [r.label for r, o in zip(readings, outcomes) if o == "pass"]
    overall = "none" if not decided else "pass" if len(held) == len(outcomes) else "partial" if held else "fail"
    why = ("holds on " + f"{len(held)} of {len(outcomes)} readings" + (f": {'; '.join(held)}" if held else "")
           if decided else "no reading can be decided: " + "; ".join(dict.fromkeys(r.why for r in readings)))
    return Assessment(claim, verdict_of[overall], why, None, sources, readings)


_STEP_SOURCES: dict[tuple, list[str]] = {}  # (root, step, its inputs, the descriptor file's version) -> citations


def step_sources(pipeline: Pipeline, step: str) -> list[str]:
    """Citations of the data tables a step reads (from the data package; computed once per parsed descriptor)."""
    inputs = pipeline.step(step).inputs
    key = (str(pipeline.root), step, inputs, descriptor_version(pipeline.root))
    if key not in _STEP_SOURCES:
        descriptor = shared_descriptor(pipeline.root)
        _STEP_SOURCES[key] = [sources_text(resource["name"], pipeline.root)
                              for resource in descriptor.get("resources", [])
                              if f"data/{resource['path']}" in set(inputs)]
    return list(_STEP_SOURCES[key])


def assess_all(pipeline: Pipeline, evidence: Evidence | None = None) -> list[Assessment]:
    """Every claim of the registry, assessed on the current results."""
    cache: dict[str, dict] = {}
    evidence = evidence or (load_evidence(pipeline.root) if has_evidence(pipeline.root) else None)
    return [assess(claim, pipeline, cache, evidence) for claim in load_registry(pipeline.root, pipeline)]


def assess_step(step: str, values: dict, parameters: dict, pipeline: Pipeline | None = None) -> list[Assessment]:
    """The claims of one step, assessed on its `values` and `parameters` (before they are written)."""
    pipeline = pipeline or load_pipeline()
    document = {step: {"values": values, "parameters": parameters}}
    if EVIDENCE_STEP in pipeline.steps and not (pipeline.root / results_file(EVIDENCE_STEP)).is_file():
        # a notebook run before the evidence step has: the rule's decisions are their declared defaults
        document[EVIDENCE_STEP] = {"values": {}, "parameters": pipeline.step(EVIDENCE_STEP).defaults()}
    claims = [claim for claim in load_registry(pipeline.root, pipeline) if claim.step == step]
    evidence = load_evidence(pipeline.root) if any(c.basis == OUTSIDE for c in claims) else None
    return [assess(claim, pipeline, document, evidence) for claim in claims]
