"""The claims registry (`data/claims.yaml`): every checkable statement of the article, checked as data.

Each claim names the step whose notebook discusses it, what its verdict rests on (`basis`), and
the research behind it: what was looked for and where. A claim of outside data states its
`parts` (who, what, when, how many, who said), each decided by evidence rows
(`data/evidence/`) or, for a computed part, by a rule on its step's results; the evidence rule
(`claims.evidence`) turns the parts' outcomes into the verdict. A check on the article's own
figures, or on the compendium's coding of the article, has a `rule` (or several `readings`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine.spec import Pipeline, load_pipeline, read_yaml
from ..errors import ClaimsError, shown
from ..paths import REGISTRY
from .entry_checks import check_claim
from .parts import Part, Reading, parse_part, parse_reading
from .rules import BASES, check_rule, thresholds_of

VERDICTS = (
    "reproduced",
    "partly reproduced",
    "not reproduced",
    "conflicting evidence",
    "depends on reading",
    "consistent",
    "inconsistent",
    "not checkable",
    "not searched",
    "needs data",
    "pending",
)
MEANING = {
    "reproduced": "independent sources outside the article support every part",
    "partly reproduced": "independent sources support some parts, none is contradicted; the others are unsupported "
                         "(or interpretation)",
    "not reproduced": "a part is contradicted, about the same object and period, by a source at least as strong as any "
                      "that supports it",
    "conflicting evidence": "sources of equal strength support and contradict a part",
    "depends on reading": "the article's words fix no reading, and the readings disagree",
    "consistent": "the article's own figures, or the compendium's coding of the article, agree with it",
    "inconsistent": "the article's own figures, or the compendium's coding of the article, disagree with it",
    "not checkable": "a recorded search found nothing that decides it; or it is an interpretation (an analogy, an "
                     "expectation, an image, an argument), which no source can confirm",
    "not searched": "no search is recorded for it",
    "needs data": "the data must be fetched first",
    "pending": "its step has not run yet",
}
OUTSIDE = "outside data"
_CLAIM_KEYS = {"id", "section", "footnote", "statement", "article_quote", "reported", "step", "basis", "rule", "readings",
               "parts", "research", "evidence"}
_RESEARCH_KEYS = {"looked_for", "searched", "note"}


def section_key(section: str) -> str:
    """The top-level section of a claim's section field: '7.1, fn. 66' -> '7'; 'abstract' -> 'abstract'."""
    return section.split(",")[0].split(".")[0].strip()


@dataclass(frozen=True)
class Claim:
    id: str
    section: str
    footnote: int | None
    statement: str
    reported: dict | None
    step: str
    basis: str
    rule: dict | None
    research: dict
    readings: tuple[Reading, ...] = field(default_factory=tuple)
    parts: tuple[Part, ...] = field(default_factory=tuple)
    article_quote: str = ""
    evidence: str = ""

    @property
    def section_key(self) -> str:
        return section_key(self.section)

    @property
    def searched(self) -> bool:
        return bool(self.research.get("searched"))

    def part(self, part_id: str) -> Part | None:
        return next((p for p in self.parts if p.id == part_id), None)


def rules_of(claim: Claim) -> list[dict]:
    """Every rule of a claim: its own, its readings', its parts' and their readings'."""
    rules = [claim.rule] if claim.rule else [r.rule for r in claim.readings]
    return rules + [r for p in claim.parts for r in ([p.rule] if p.rule else [x.rule for x in p.readings])]


def named_parameters(claim: Claim) -> list[str]:
    """The step parameters (`@name`) that a claim's rules name, once each."""
    return list(dict.fromkeys(name for rule in rules_of(claim) for name in thresholds_of(rule)))


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


def _thresholds(where: str, rule: dict, parameters: set[str]) -> None:
    unknown = [name for name in thresholds_of(rule) if name not in parameters]
    if unknown:
        raise ClaimsError(f"{where}: rule refers to {['@' + n for n in unknown]}, not parameters of its step")


def _parse_claim(index: int, entry: Any, pipeline: Pipeline) -> Claim:
    where = f"{REGISTRY}: claim #{index + 1}"
    if not isinstance(entry, dict):
        raise ClaimsError(f"{where}: expected a mapping")
    if entry.get("id"):
        where = f"{REGISTRY}: claim {shown(entry['id'])}"
    unknown = set(entry) - _CLAIM_KEYS
    if unknown:
        raise ClaimsError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(_CLAIM_KEYS)}")
    for key in ("id", "section", "statement", "step", "basis", "research"):
        if entry.get(key) in (None, ""):
            raise ClaimsError(f"{where}: missing field {key!r}")
    check_claim(where, entry, pipeline)  # ids kebab-case, research and rule values of their types (issue #24)
    known_steps = set(pipeline.steps) | set(pipeline.planned)
    if entry["step"] not in known_steps:
        raise ClaimsError(f"{where}: step {entry['step']!r} is neither a step nor planned in pipeline.yaml")
    basis = entry["basis"]
    if basis not in BASES:
        raise ClaimsError(f"{where}: basis {basis!r} is not one of {list(BASES)}")
    research = _research(where, entry["research"])
    parameters = set(pipeline.steps[entry["step"]].parameters) if entry["step"] in pipeline.steps else set()
    reported = entry.get("reported")
    if reported is not None:
        _check_keys(where, "reported", reported, {"value", "unit", "qualifier"})
        if "value" not in reported or not reported.get("unit"):
            raise ClaimsError(f"{where}: field 'reported' needs 'value' and 'unit'")
    rule, readings, parts = entry.get("rule"), (), ()
    if basis == OUTSIDE:
        if "rule" in entry or "readings" in entry:
            raise ClaimsError(f"{where}: a claim of outside data is decided by its parts (give 'parts', each with its "
                              "rule or its evidence rows), not by a claim-level 'rule' or 'readings'")
        if not isinstance(entry.get("parts"), list) or not entry["parts"]:
            raise ClaimsError(f"{where}: a claim of outside data needs 'parts' (who, what, when, how many, who said)")
        parts = tuple(parse_part(f"{where}, part #{i + 1}", p, BASES, parameters, _thresholds)
                      for i, p in enumerate(entry["parts"]))
        if len({p.id for p in parts}) != len(parts):
            raise ClaimsError(f"{where}: two parts share an id")
        needs_reported = any("reported" in str(r.rule) or r.rule.get("kind") in ("within", "close")
                             for p in parts for r in ([p] if p.rule else p.readings) if getattr(r, "rule", None))
        if needs_reported and reported is None:
            raise ClaimsError(f"{where}: a computed part compares with what the article reports: give 'reported'")
    else:
        if "parts" in entry:
            raise ClaimsError(f"{where}: only a claim of outside data has parts; a check on {basis} has a rule")
        if reported is None:
            raise ClaimsError(f"{where}: missing field 'reported'")
        if ("rule" in entry) == ("readings" in entry):
            raise ClaimsError(f"{where}: give either 'rule' or 'readings' (one rule per reading)")
        if rule is not None:
            check_rule(rule, where)
            _thresholds(where, rule, parameters)
        else:
            if not isinstance(entry["readings"], list) or len(entry["readings"]) < 2:
                raise ClaimsError(f"{where}: 'readings' must list at least two readings")
            readings = tuple(parse_reading(f"{where}, reading #{i + 1}", {"basis": basis, **r}, BASES, parameters, _thresholds)
                             for i, r in enumerate(entry["readings"]))
    footnote = entry.get("footnote")
    if footnote is not None and not isinstance(footnote, int):
        raise ClaimsError(f"{where}: footnote must be a whole number or absent")
    return Claim(
        id=str(entry["id"]), section=str(entry["section"]), footnote=footnote, statement=str(entry["statement"]),
        reported=reported, step=entry["step"], basis=basis, rule=rule, research=research, readings=readings, parts=parts,
        article_quote=str(entry.get("article_quote", "")), evidence=str(entry.get("evidence", "")),
    )


def _research(where: str, research: Any) -> dict:
    _check_keys(where, "research", research, _RESEARCH_KEYS)
    if not research.get("looked_for"):
        raise ClaimsError(f"{where}: research needs 'looked_for' (what was looked for)")
    searched = research.get("searched") or []
    if not isinstance(searched, list) or not all(isinstance(s, str) and s.strip() for s in searched):
        raise ClaimsError(f"{where}: research.searched must be a list of the searches made (empty: not searched)")
    return research


def reported_values(claim_ids: list[str], root: Path | None = None) -> dict[str, Any]:
    """The article's reported values of some claims, from the registry (the one place they are typed)."""
    claims = {claim.id: claim for claim in load_registry(root)}
    missing = [cid for cid in claim_ids if cid not in claims]
    if missing:
        raise ClaimsError(f"{REGISTRY}: no claim {missing}")
    return {cid: (claims[cid].reported or {}).get("value") for cid in claim_ids}


def article_counts(claim_ids: tuple[str, ...], root: Path | None = None) -> dict[str, tuple[str, float]]:
    """What the article counts and its number, for claims whose part is compared by number (typed once, here)."""
    claims = {claim.id: claim for claim in load_registry(root)}
    counts = {}
    for cid in claim_ids:
        claim = claims.get(cid)
        part = next((p for p in claim.parts if p.compare == "number"), None) if claim else None
        reported = (claim.reported or {}) if claim else {}
        if part is not None:
            counts[cid] = (part.article, float(part.article_value))
        elif isinstance(reported.get("value"), (int, float)):
            counts[cid] = (str(reported["unit"]), float(reported["value"]))
        else:
            raise ClaimsError(f"{REGISTRY}: claim {cid!r} needs a part compared by number (compare: number) or a "
                              "number as 'reported'")
    return counts
