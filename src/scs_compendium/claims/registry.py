"""The claims registry (`data/claims.yaml`): every checkable statement of the article, checked as data.

Each claim names the step whose results it reads, what its verdict rests on
(`basis`), the rule that decides it (or several `readings`, each with its rule,
where the statement admits more than one reading), and the research behind it:
what was looked for, where, and what was found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine.spec import Pipeline, load_pipeline, read_yaml
from ..errors import ClaimsError, shown
from ..paths import REGISTRY
from .checks import check_claim
from .rules import BASES, RESEARCH_STATUSES, check_rule, thresholds_of

VERDICTS = (
    "reproduced",
    "partly reproduced",
    "not reproduced",
    "consistent",
    "inconsistent",
    "not checkable",
    "needs data",
    "pending",
)
MEANING = {
    "reproduced": "data from outside the article confirm it",
    "partly reproduced": "outside data confirm part of it (some readings, some years)",
    "not reproduced": "outside data contradict it",
    "consistent": "the article's own figures, or the compendium's coding of the article, agree with it",
    "inconsistent": "the article's own figures, or the compendium's coding of the article, disagree with it",
    "not checkable": "a search found nothing that could decide it (the claim says what was searched)",
    "needs data": "the data must be fetched first",
    "pending": "its step has not run yet",
}
_CLAIM_KEYS = {"id", "section", "footnote", "statement", "reported", "step", "basis", "rule", "readings", "research",
               "evidence"}
_READING_KEYS = {"id", "label", "rule", "basis"}
_RESEARCH_KEYS = {"status", "looked_for", "searched", "sources", "source_value", "note"}
_SOURCE_KEYS = {"title", "publisher", "url", "accessed", "quote", "note", "kind"}


def section_key(section: str) -> str:
    """The top-level section of a claim's section field: '7.1, fn. 66' -> '7'; 'abstract' -> 'abstract'."""
    return section.split(",")[0].split(".")[0].strip()


@dataclass(frozen=True)
class Reading:
    id: str
    label: str
    rule: dict
    basis: str


@dataclass(frozen=True)
class Claim:
    id: str
    section: str
    footnote: int | None
    statement: str
    reported: dict
    step: str
    basis: str
    rule: dict | None
    research: dict
    readings: tuple[Reading, ...] = field(default_factory=tuple)
    evidence: str = ""

    @property
    def section_key(self) -> str:
        return section_key(self.section)

    @property
    def corroboration(self) -> dict:
        """The research record (kept under this name for the corroboration summary)."""
        return self.research


def load_registry(root: Path | None = None, pipeline: Pipeline | None = None) -> list[Claim]:
    """Read and check the registry; each error names the claim and the field."""
    pipeline = pipeline or load_pipeline(root)
    raw = read_yaml(pipeline.root / REGISTRY, REGISTRY, ClaimsError)
    entries = raw.get("claims") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise ClaimsError(f"{REGISTRY}: expected a top-level 'claims:' list")
    claims, seen = [], set()
    for index, entry in enumerate(entries):
        claim = _parse_claim(index, entry, pipeline)
        if claim.id in seen:
            raise ClaimsError(f"{REGISTRY}: claim id {claim.id!r} appears twice")
        seen.add(claim.id)
        claims.append(claim)
    return claims


def _check_keys(where: str, name: str, body: Any, allowed: set[str]) -> None:
    if not isinstance(body, dict):
        raise ClaimsError(f"{where}: field {name!r} must be a mapping")
    if set(body) - allowed:
        raise ClaimsError(
            f"{where}: field {name!r} has unknown key(s) {sorted(set(body) - allowed)} (an unquoted comma "
            f"in a {{...}} mapping splits it); allowed: {sorted(allowed)}"
        )


def _parse_claim(index: int, entry: Any, pipeline: Pipeline) -> Claim:
    where = f"{REGISTRY}: claim #{index + 1}"
    if not isinstance(entry, dict):
        raise ClaimsError(f"{where}: expected a mapping")
    if entry.get("id"):
        where = f"{REGISTRY}: claim {shown(entry['id'])}"
    unknown = set(entry) - _CLAIM_KEYS
    if unknown:
        raise ClaimsError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(_CLAIM_KEYS)}")
    for key in ("id", "section", "statement", "reported", "step", "basis", "research"):
        if entry.get(key) in (None, ""):
            raise ClaimsError(f"{where}: missing field {key!r}")
    check_claim(where, entry, pipeline)  # ids kebab-case, research and rule values of their types (issue #24)
    reported = entry["reported"]
    _check_keys(where, "reported", reported, {"value", "unit", "qualifier"})
    if "value" not in reported or not reported.get("unit"):
        raise ClaimsError(f"{where}: field 'reported' needs 'value' and 'unit'")
    known_steps = set(pipeline.steps) | set(pipeline.planned)
    if entry["step"] not in known_steps:
        raise ClaimsError(f"{where}: step {entry['step']!r} is neither a step nor planned in pipeline.yaml")
    basis = _basis(where, entry["basis"])
    research = _research(where, entry["research"])
    if ("rule" in entry) == ("readings" in entry):
        raise ClaimsError(f"{where}: give either 'rule' or 'readings' (one rule per reading)")
    parameters = set(pipeline.steps[entry["step"]].parameters) if entry["step"] in pipeline.steps else set()
    rule, readings = entry.get("rule"), ()
    if rule is not None:
        _rule(where, rule, basis, research, parameters)
    else:
        if not isinstance(entry["readings"], list) or len(entry["readings"]) < 2:
            raise ClaimsError(f"{where}: 'readings' must list at least two readings")
        readings = tuple(_reading(f"{where}, reading #{i + 1}", r, basis, research, parameters)
                         for i, r in enumerate(entry["readings"]))
        if len({r.id for r in readings}) != len(readings):
            raise ClaimsError(f"{where}: two readings share an id")
    footnote = entry.get("footnote")
    if footnote is not None and not isinstance(footnote, int):
        raise ClaimsError(f"{where}: footnote must be a whole number or absent")
    return Claim(
        id=str(entry["id"]), section=str(entry["section"]), footnote=footnote, statement=str(entry["statement"]),
        reported=reported, step=entry["step"], basis=basis, rule=rule, research=research, readings=readings,
        evidence=str(entry.get("evidence", "")),
    )


def _basis(where: str, basis: Any) -> str:
    if basis not in BASES:
        raise ClaimsError(f"{where}: basis {basis!r} is not one of {list(BASES)}")
    return basis


def _rule(where: str, rule: Any, basis: str, research: dict, parameters: set[str]) -> None:
    check_rule(rule, where)
    unknown = [name for name in thresholds_of(rule) if name not in parameters]
    if unknown:
        raise ClaimsError(f"{where}: rule refers to {['@' + n for n in unknown]}, not parameters of its step")
    kind = rule["kind"]
    if basis == "none" and kind not in ("not_checkable", "source"):
        raise ClaimsError(f"{where}: basis 'none' goes with rule 'not_checkable' (nothing decides the claim)")
    if kind == "source" and research["status"] == "not applicable":
        raise ClaimsError(f"{where}: rule 'source' needs research that looked for a source")
    if kind in ("not_checkable", "source") and research["status"] in ("not found", "not applicable") \
            and not research.get("searched"):
        raise ClaimsError(f"{where}: a claim no source decides must say what was searched (research.searched)")


def _reading(where: str, body: Any, basis: str, research: dict, parameters: set[str]) -> Reading:
    _check_keys(where, "reading", body, _READING_KEYS)
    for key in ("id", "label", "rule"):
        if not body.get(key):
            raise ClaimsError(f"{where}: missing field {key!r}")
    reading_basis = _basis(where, body.get("basis", basis))
    _rule(where, body["rule"], reading_basis, research, parameters)
    return Reading(str(body["id"]), str(body["label"]), body["rule"], reading_basis)


def _research(where: str, research: Any) -> dict:
    _check_keys(where, "research", research, _RESEARCH_KEYS)
    if research.get("status") not in RESEARCH_STATUSES:
        raise ClaimsError(f"{where}: research status must be one of {list(RESEARCH_STATUSES)}")
    if not research.get("looked_for"):
        raise ClaimsError(f"{where}: research needs 'looked_for' (what was looked for)")
    sources = research.get("sources") or []
    if not isinstance(sources, list):
        raise ClaimsError(f"{where}: research.sources must be a list")
    for number, source in enumerate(sources, 1):
        _check_keys(f"{where}, source #{number}", "source", source, _SOURCE_KEYS)
        for key in ("title", "url", "accessed"):
            if not source.get(key):
                raise ClaimsError(f"{where}, source #{number}: missing {key!r}")
    if research["status"] in ("corroborated", "partly corroborated", "differs"):
        if not sources or not all(s.get("quote") for s in sources[:1]):
            raise ClaimsError(f"{where}: research status {research['status']!r} needs a source with its quote")
    return research


def reported_values(claim_ids: list[str], root: Path | None = None) -> dict[str, Any]:
    """The article's reported values of some claims, from the registry (the one place they are typed)."""
    claims = {claim.id: claim for claim in load_registry(root)}
    missing = [cid for cid in claim_ids if cid not in claims]
    if missing:
        raise ClaimsError(f"{REGISTRY}: no claim {missing}")
    return {cid: claims[cid].reported["value"] for cid in claim_ids}
