"""Verdicts: each claim of the registry assessed by its rule on the results of its step."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..engine.spec import Pipeline, load_pipeline
from ..engine.store import lookup, read_results
from ..errors import ClaimsError, CompendiumError
from ..sources.datapackage import load_descriptor, sources_text
from .registry import VERDICTS, Claim, load_registry


@dataclass
class Assessment:
    claim: Claim
    verdict: str
    reproduced: Any = None
    evidence: list[str] = field(default_factory=list)


def assess(claim: Claim, pipeline: Pipeline, results: dict[str, dict] | None = None) -> Assessment:
    """The verdict of one claim from the results of its step."""
    if claim.step in pipeline.planned:
        issue = pipeline.planned[claim.step].issue
        return Assessment(claim, "pending", None, [f"step {claim.step!r} is planned (issue #{issue})"])
    results = results if results is not None else {}
    if claim.step not in results:
        try:
            results[claim.step] = read_results(pipeline.root, claim.step)
        except CompendiumError:
            return Assessment(claim, "pending", None, [f"step {claim.step!r} has not run yet"])
    values = results[claim.step]["values"]
    evidence = step_sources(pipeline, claim.step)
    if claim.evidence:
        evidence.append(claim.evidence)
    if values.get("needs_data"):
        return Assessment(claim, "needs data", None, [*evidence, str(values["needs_data"])])
    found = {key: lookup(values, key, claim.step) for key in claim.keys}
    verdict = apply_rule(claim, found)
    shown = dict(found)
    if claim.rule["kind"] == "verdict_key" and len(shown) > 1:
        shown.pop(claim.keys[0])  # the verdict itself is in its own column
    reproduced = next(iter(shown.values())) if len(shown) == 1 else (shown or None)
    return Assessment(claim, verdict, reproduced, evidence)


def step_sources(pipeline: Pipeline, step: str) -> list[str]:
    """Citations of the data tables a step reads (from the data package)."""
    inputs = set(pipeline.step(step).inputs)
    descriptor = load_descriptor(pipeline.root)
    return [
        sources_text(resource["name"], pipeline.root)
        for resource in descriptor.get("resources", [])
        if f"data/{resource['path']}" in inputs
    ]


def apply_rule(claim: Claim, found: dict[str, Any]) -> str:
    """Turn result values into a verdict by the claim's rule."""
    kind = claim.rule["kind"]
    where = f"claim {claim.id!r}"
    if kind == "not_checkable":
        return "not checkable"
    if kind == "verdict_key":
        verdict = next(iter(found.values()))
        if verdict not in VERDICTS:
            raise ClaimsError(f"{where}: result {claim.keys[0]!r} is {verdict!r}, not a verdict")
        return verdict
    if kind == "all_true":
        flags = list(found.values())
        if not all(isinstance(flag, bool) for flag in flags):
            raise ClaimsError(f"{where}: rule all_true needs true/false results, got {flags!r}")
        if all(flags):
            return "reproduced"
        return "partly reproduced" if any(flags) else "not reproduced"
    raise ClaimsError(f"{where}: unknown rule {kind!r}")


def assess_all(pipeline: Pipeline) -> list[Assessment]:
    """Every claim of the registry, assessed on the current results."""
    cache: dict[str, dict] = {}
    return [assess(claim, pipeline, cache) for claim in load_registry(pipeline.root, pipeline)]


def assess_step(step: str, values: dict, pipeline: Pipeline | None = None) -> list[Assessment]:
    """The claims of one step, assessed on its `values` (before they are written)."""
    pipeline = pipeline or load_pipeline()
    return [assess(claim, pipeline, {step: {"values": values}})
            for claim in load_registry(pipeline.root, pipeline) if claim.step == step]
