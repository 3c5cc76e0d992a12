"""The claims registry (`data/claims.yaml`): every checkable statement of the article, checked as data.

Each claim names the step that checks it, the result keys it reads and the rule
that turns them into a verdict (:mod:`.verdicts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine.spec import Pipeline, load_pipeline, read_yaml
from ..errors import ClaimsError
from ..paths import REGISTRY

VERDICTS = (
    "reproduced",
    "partly reproduced",
    "not reproduced",
    "not checkable",
    "needs data",
    "pending",
)
RULES = {
    # kind: (required keys, description)
    "all_true": ((), "every result key is true: reproduced; some: partly; none: not reproduced"),
    "verdict_key": ((), "the step computes the verdict itself (first key); see its notebook"),
    "not_checkable": (("why",), "only the article's own figure exists; no source confirms it"),
}
CORROBORATION = ("corroborated", "differs", "not found")
_CLAIM_KEYS = {
    "id", "section", "footnote", "statement", "reported", "step", "keys", "rule", "evidence", "corroboration",
}


def section_key(section: str) -> str:
    """The top-level section of a claim's section field: '7.1, fn. 66' -> '7'; 'abstract' -> 'abstract'."""
    return section.split(",")[0].split(".")[0].strip()


@dataclass(frozen=True)
class Claim:
    id: str
    section: str
    footnote: int | None
    statement: str
    reported: dict
    step: str
    keys: tuple[str, ...]
    rule: dict
    evidence: str = ""
    corroboration: dict | None = None

    @property
    def section_key(self) -> str:
        return section_key(self.section)


def load_registry(root: Path | None = None, pipeline: Pipeline | None = None) -> list[Claim]:
    """Read and check the registry; each error names the claim and the field."""
    pipeline = pipeline or load_pipeline(root)
    root = pipeline.root
    raw = read_yaml(root / REGISTRY, REGISTRY, ClaimsError)
    entries = raw.get("claims") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise ClaimsError(f"{REGISTRY}: expected a top-level 'claims:' list")
    claims, seen = [], set()
    known_steps = set(pipeline.steps) | set(pipeline.planned)
    for index, entry in enumerate(entries):
        claim = _parse_claim(index, entry, known_steps)
        if claim.id in seen:
            raise ClaimsError(f"{REGISTRY}: claim id {claim.id!r} appears twice")
        seen.add(claim.id)
        claims.append(claim)
    return claims


def _parse_claim(index: int, entry: Any, known_steps: set[str]) -> Claim:
    where = f"{REGISTRY}: claim #{index + 1}"
    if not isinstance(entry, dict):
        raise ClaimsError(f"{where}: expected a mapping")
    if entry.get("id"):
        where = f"{REGISTRY}: claim {entry['id']!r}"
    unknown = set(entry) - _CLAIM_KEYS
    if unknown:
        raise ClaimsError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(_CLAIM_KEYS)}")
    for key in ("id", "section", "statement", "reported", "step", "rule"):
        if entry.get(key) in (None, ""):
            raise ClaimsError(f"{where}: missing field {key!r}")
    reported = entry["reported"]
    if not isinstance(reported, dict) or "value" not in reported or not reported.get("unit"):
        raise ClaimsError(f"{where}: field 'reported' needs 'value' and 'unit'")
    for name, allowed in (("reported", {"value", "unit", "qualifier"}), ("rule", {"kind", "why"}),
                          ("corroboration", {"status", "source", "note"})):
        body = entry.get(name)
        if isinstance(body, dict) and set(body) - allowed:
            raise ClaimsError(
                f"{where}: field {name!r} has unknown key(s) {sorted(set(body) - allowed)} (an unquoted comma "
                f"in a {{...}} mapping splits it); allowed: {sorted(allowed)}"
            )
    if entry["step"] not in known_steps:
        raise ClaimsError(
            f"{where}: step {entry['step']!r} is neither a step nor planned in pipeline.yaml"
        )
    rule = entry["rule"]
    kind = rule.get("kind") if isinstance(rule, dict) else None
    if kind not in RULES:
        raise ClaimsError(f"{where}: rule kind {kind!r} is not one of {sorted(RULES)}")
    for key in RULES[kind][0]:
        if key not in rule:
            raise ClaimsError(f"{where}: rule {kind!r} needs {key!r}")
    keys = entry.get("keys") or []
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise ClaimsError(f"{where}: field 'keys' must be a list of result keys")
    if kind in {"all_true", "verdict_key"} and not keys:
        raise ClaimsError(f"{where}: rule {kind!r} needs at least one result key in 'keys'")
    corroboration = entry.get("corroboration")
    if corroboration is not None:
        if not isinstance(corroboration, dict) or corroboration.get("status") not in CORROBORATION:
            raise ClaimsError(f"{where}: corroboration status must be one of {list(CORROBORATION)}")
        if not corroboration.get("source"):
            raise ClaimsError(f"{where}: corroboration needs a 'source'")
    footnote = entry.get("footnote")
    if footnote is not None and not isinstance(footnote, int):
        raise ClaimsError(f"{where}: footnote must be a whole number or absent")
    return Claim(
        id=str(entry["id"]),
        section=str(entry["section"]),
        footnote=footnote,
        statement=str(entry["statement"]),
        reported=reported,
        step=entry["step"],
        keys=tuple(keys),
        rule=rule,
        evidence=str(entry.get("evidence", "")),
        corroboration=corroboration,
    )


def reported_values(claim_ids: list[str], root: Path | None = None) -> dict[str, Any]:
    """The article's reported values of some claims, from the registry (the one place they are typed)."""
    claims = {claim.id: claim for claim in load_registry(root)}
    missing = [cid for cid in claim_ids if cid not in claims]
    if missing:
        raise ClaimsError(f"{REGISTRY}: no claim {missing}")
    return {cid: claims[cid].reported["value"] for cid in claim_ids}
