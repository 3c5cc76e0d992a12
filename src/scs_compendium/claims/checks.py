"""The evidence checked against the registry before any kernel starts, and the two readings compared.

Every evidence row names a claim of outside data and one of its parts; a part compared by value
gets values, the others stances; each reading codes every part of a claim against every source
of it; every disagreement between the readings has its adjudication, and every adjudication a
disagreement; every source is used by a row, a data table or a computed part.
"""

from __future__ import annotations

from ..errors import DataError
from ..sources.evidence import Evidence, Row
from .evidence import Decisions, compared_stance
from .registry import OUTSIDE, Claim

EVIDENCE_FILE = "data/evidence/evidence.csv"


def reading_stance(row: Row, part, decisions: Decisions) -> str:
    """The stance a reader's coding gives a row (a value compared at the given tolerances), before any source filter."""
    if row.value:
        return compared_stance(row, part, decisions)[0] or "silent"
    return row.stance


def grid(claim: Claim, rows: list[Row]) -> list[tuple[str, str, str]]:
    """Every (claim, part, source) a reading must code: each read part against each source of the claim's rows."""
    sources = list(dict.fromkeys(r.source for r in rows if r.claim == claim.id))
    return [(claim.id, p.id, s) for p in claim.parts if not p.computed and p.type != "interpretation" for s in sources]


def check_evidence(claims: list[Claim], evidence: Evidence, decisions: Decisions) -> None:
    """Raise a DataError naming the file, the claim, the row and the field for the first problem found."""
    by_id = {c.id: c for c in claims}
    for reading in (evidence.first, evidence.second):
        for row in reading:
            claim = by_id.get(row.claim)
            if claim is None or claim.basis != OUTSIDE:
                raise DataError(f"{row.where('claim')}: {'unknown claim' if claim is None else 'not a claim of outside data'}"
                                " (data/claims.yaml)")
            part = claim.part(row.part)
            if part is None or part.computed:
                known = [p.id for p in claim.parts if not p.computed]
                raise DataError(f"{row.where('part')}: {'not a part of the claim' if part is None else 'a computed part has no evidence rows'}"
                                f"; its parts decided by rows: {known}")
            if row.value and not part.compare:
                raise DataError(f"{row.where('value')}: part {part.id!r} is not compared by value: give a stance")
            if part.compare and row.stance not in ("", "silent"):
                raise DataError(f"{row.where('stance')}: part {part.id!r} is compared by value ({part.compare}): give the "
                                "value the source states, or stance 'silent' when it states none")
            if row.value:
                _check_value(row, part)
    first = {r.key: r for r in evidence.first}
    second = {r.key: r for r in evidence.second}
    read_twice = {r.claim for r in evidence.second}  # a claim given to the second reader (its verified sources)
    for claim in claims:
        if claim.basis != OUTSIDE:
            continue
        for key in grid(claim, evidence.first):
            if key not in first:
                raise DataError(f"{EVIDENCE_FILE}: claim {key[0]!r}, part {key[1]!r}, source {key[2]!r}: no row: the first "
                                "reading codes every part against every source of the claim (silent where it says nothing)")
            if evidence.second and key not in second and evidence.sources[key[2]].verified and claim.id in read_twice:
                raise DataError(f"data/evidence/evidence_second.csv: claim {key[0]!r}, part {key[1]!r}, source {key[2]!r}: "
                                "no row: the second reading codes every part against every source given")
    _check_adjudications(by_id, evidence, decisions)
    _check_used(claims, evidence)


def _check_value(row: Row, part) -> None:
    if part.compare == "year":
        import re

        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", row.value):
            raise DataError(f"{row.where('value')}: expected a year or date (YYYY, YYYY-MM, YYYY-MM-DD), got {row.value!r}")
        if row.precision not in ("day", "month", "year", "approximate", "undated"):
            raise DataError(f"{row.where('precision')}: a date's precision is day, month, year, approximate or undated")
    else:
        try:
            float(row.value)
        except ValueError:
            raise DataError(f"{row.where('value')}: expected a number, got {row.value!r}") from None
        if row.precision not in ("exact", "approximate", "at least", "at most"):
            raise DataError(f"{row.where('precision')}: a number's precision is exact, approximate, at least or at most")


def stance_pairs(claims: list[Claim], evidence: Evidence, decisions: Decisions) -> list[tuple[str, str, str]]:
    """(item, first stance, second stance) for every row both readings coded."""
    by_id = {c.id: c for c in claims}
    second = {r.key: r for r in evidence.second}
    pairs = []
    for row in evidence.first:
        other = second.get(row.key)
        if other is None:
            continue
        part = by_id[row.claim].part(row.part)
        pairs.append(("/".join(row.key), reading_stance(row, part, decisions), reading_stance(other, part, decisions)))
    return pairs


def _check_adjudications(by_id: dict, evidence: Evidence, decisions: Decisions) -> None:
    if not evidence.second:
        return
    decided = evidence.adjudicated("stance")
    disagreeing = {item for item, a, b in stance_pairs(list(by_id.values()), evidence, decisions) if a != b}
    missing = sorted(disagreeing - set(decided))
    if missing:
        raise DataError(f"data/evidence/adjudications.csv: the readings disagree on the stance of {missing[0]} "
                        f"({len(missing)} such row(s) in all) and no adjudication resolves it")
    spurious = sorted(set(decided) - disagreeing)
    if spurious:
        raise DataError(f"data/evidence/adjudications.csv: item {spurious[0]}: an adjudication of stance where the two "
                        "readings agree (or of a row that does not exist)")
    unknown = sorted(set(evidence.verdicts_second) - set(by_id))
    if unknown:
        raise DataError(f"data/evidence/verdicts_second.csv: unknown claim {unknown[0]!r}")


def _check_used(claims: list[Claim], evidence: Evidence) -> None:
    used = {r.source for r in evidence.first} | set(evidence.table_sources)
    used |= {sid for c in claims for p in c.parts for sid in p.sources}
    unknown = sorted({sid for c in claims for p in c.parts for sid in p.sources} - set(evidence.sources))
    if unknown:
        claim = next(c.id for c in claims for p in c.parts if unknown[0] in p.sources)
        raise DataError(f"data/claims.yaml: claim {claim!r}: part source {unknown[0]!r} is not a row of data/evidence/sources.csv")
    used |= {evidence.sources[s].copy_of for s in used if s in evidence.sources and evidence.sources[s].copy_of}
    used.add(evidence.article.id)
    never = sorted(set(evidence.sources) - used)
    if never:
        raise DataError(f"data/evidence/sources.csv: source {never[0]!r} is never used (no evidence row, data row or "
                        f"computed part names it; {len(never)} such source(s) in all): remove it or cite it")
