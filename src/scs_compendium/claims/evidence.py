"""The evidence rule: a claim's verdict computed from its parts' evidence rows, by one rule declared here.

A claim states parts (who, what, when, how many, who said). Each part of fact or attribution
is decided by its evidence rows (one per source: a stance, or a value compared with the
article's) or, for a computed part, by a rule on its step's results. A row decides only
if its source is usable: read (verified), independent of the article, published before the
article unless later sources may decide, and of at least the minimum strength. Then:

- part *supported*: a usable source supports it and no contradiction is as strong;
  *partly supported*: only partial support, or a weaker contradiction against it;
  *contradicted*: a contradiction (same object and period) at least as strong as any support,
  or stronger; *conflicting*: support and contradiction of equal strength;
- claim *reproduced*: every part supported (an interpretive part cannot be: the claim is then at
  most partly reproduced); *not reproduced*: a part contradicted; *conflicting evidence*: a part
  conflicting; *depends on reading*: a part's readings disagree and the article's words fix none;
  *partly reproduced*: some support, no contradiction; *not checkable*: a search found nothing
  that decides, and every statement that is only interpretation; *not searched*: no search recorded.

The decisions (ranking of source kinds, minimum strength, whether a copy counts as its original,
whether later sources may decide, tolerances) are parameters of the `evidence` step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..sources.evidence import ARTICLE_KIND, Evidence, Row, Source, published_date

SUPPORTED, PARTLY, CONTRADICTED, CONFLICTING, DEPENDS, UNDECIDED = (
    "supported", "partly supported", "contradicted", "conflicting", "depends on reading", "undecided")
DECISION_NAMES = ("source_ranking", "min_strength", "copies_count_as_original", "later_sources_decide",
                  "date_tolerance_years", "number_tolerance", "approximate_tolerance")


@dataclass(frozen=True)
class Decisions:
    """The evidence rule's parameters (declared once, as the `evidence` step's parameters in pipeline.yaml)."""
    source_ranking: str
    min_strength: int
    copies_count_as_original: bool
    later_sources_decide: bool
    date_tolerance_years: int
    number_tolerance: float
    approximate_tolerance: float

    @classmethod
    def of(cls, parameters: dict) -> "Decisions":
        return cls(**{name: parameters[name] for name in DECISION_NAMES})


@dataclass
class RowResult:
    """A row as the rule read it: the stance it gives, the strength of its source, and whether it decides."""
    row: Row
    stance: str
    strength: int
    decides: bool
    why: str = ""


@dataclass
class PartResult:
    part_id: str
    outcome: str
    why: str
    rows: list[RowResult] = field(default_factory=list)
    readings: list = field(default_factory=list)
    value: Any = None


def strength(source: Source, evidence: Evidence, decisions: Decisions) -> int:
    """A source's strength under the ranking; a copy takes its original's kind when copies count as originals."""
    kind = source.kind
    if source.copy_of and decisions.copies_count_as_original:
        kind = evidence.sources[source.copy_of].kind
    return evidence.kinds[kind][decisions.source_ranking]


def usable(source: Source, evidence: Evidence, decisions: Decisions) -> tuple[int, str]:
    """(strength, '') for a source that may decide; (0, why not) otherwise."""
    if not source.verified:
        return 0, "not verified: no stored copy of its address was read"
    if source.kind == ARTICLE_KIND or source.cites_article == "yes":
        return 0, "not independent of the article"
    if source.copy_of and source.cites_article != "yes" and evidence.sources[source.copy_of].cites_article == "yes":
        return 0, "copies a source that cites the article"
    if not decisions.later_sources_decide:
        published, article = published_date(source), published_date(evidence.article)
        if published is None or published > article:
            return 0, ("published after the article" if published else "undated: may be later than the article")
    found = strength(source, evidence, decisions)
    if found < decisions.min_strength:
        return 0, f"strength {found} below the minimum {decisions.min_strength}"
    return found, ""


def _year_range(value) -> tuple[int, int]:
    if isinstance(value, (list, tuple)):
        return int(value[0]), int(value[-1])
    return int(value), int(value)


def compared_stance(row: Row, part, decisions: Decisions) -> tuple[str, str]:
    """The stance of a row that states a value, compared with the article's value; ('', why) if it cannot decide."""
    if part.compare == "year":
        if row.precision in ("approximate", "undated"):
            return "", f"an {row.precision} date cannot decide a timing claim"
        year = int(row.value[:4])
        low, high = _year_range(part.article_value)
        off = 0 if low <= year <= high else min(abs(year - low), abs(year - high))
        tolerance = decisions.date_tolerance_years
        stance = "supports" if off <= tolerance else "contradicts"
        return stance, f"{row.value} is {off} year{'s' if off != 1 else ''} from the article's " \
                       f"{low if low == high else f'{low} to {high}'} (tolerance {tolerance})"
    if part.grows and part.as_of is not None:
        low, high = _year_range(part.as_of)
        if not row.as_of or not low <= int(row.as_of) <= high:
            return "", f"a count of {row.as_of or 'an unknown year'}, not of the article's {low if low == high else f'{low}-{high}'}: the count grows"
    found, target = float(row.value), float(part.article_value)
    tolerance = decisions.approximate_tolerance if part.article_precision == "approximate" else decisions.number_tolerance
    gap = (found - target) / abs(target) if target else found
    if part.article_precision == "at least":
        fits = found >= target * (1 - tolerance)
    elif part.article_precision == "at most":
        fits = found <= target * (1 + tolerance)
    else:
        fits = abs(gap) <= tolerance
    if row.precision in ("at least", "at most"):  # a bound, not a figure: it can only leave room for the article's
        room = (target >= found * (1 - tolerance)) if row.precision == "at least" else (target <= found * (1 + tolerance))
        return ("partly supports" if room else "contradicts"), f"{row.precision} {_number(found)}, the article {_number(target)}"
    return ("supports" if fits else "contradicts"), (f"{_number(found)} against the article's {_number(target)} "
                                                      f"({abs(gap):.1%} apart; tolerance {tolerance:.0%})")


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"


def read_row(row: Row, part, evidence: Evidence, decisions: Decisions) -> RowResult:
    """How the rule reads one row."""
    source = evidence.sources[row.source]
    level, unusable = usable(source, evidence, decisions)
    if row.value:
        stance, why = compared_stance(row, part, decisions)
        if not stance:
            return RowResult(row, "silent", level, False, why)
    else:
        stance, why = row.stance, row.states
    if stance == "silent":
        return RowResult(row, stance, level, False, "silent on this part")
    if not row.same_object:
        if stance == "contradicts":
            return RowResult(row, stance, level, False, f"another object or period ({row.note}): it cannot contradict")
        stance = "partly supports"
        why = f"another object or period ({row.note}): at most partial support"
    if unusable:
        return RowResult(row, stance, 0, False, unusable)
    return RowResult(row, stance, level, True, why)


def part_outcome(results: list[RowResult]) -> tuple[str, str]:
    """A part's outcome from its rows as read."""
    deciding = [r for r in results if r.decides]

    def best(stance: str) -> int:
        return max((r.strength for r in deciding if r.stance == stance), default=0)

    full, partial, against = best("supports"), best("partly supports"), best("contradicts")
    support = max(full, partial)
    if not deciding:
        reasons = sorted({r.why for r in results if r.stance != "silent"})
        return UNDECIDED, "no usable source decides it" + (f" ({'; '.join(reasons)})" if reasons else "")
    if against and against > support:
        return CONTRADICTED, f"contradicted by a source of strength {against}" + (f", stronger than the support ({support})" if support else "")
    if against and against == support:
        return (CONFLICTING, f"sources of equal strength ({against}) support and contradict it") if full == against else \
               (CONTRADICTED, f"contradicted by a source of strength {against}, as strong as the partial support")
    if full and full > against:
        return SUPPORTED, f"supported by a source of strength {full}" + (f" (a weaker one, {against}, contradicts)" if against else "")
    return PARTLY, f"partly supported (strength {partial})" + (f"; a weaker source contradicts ({against})" if against else "")


def _outcome_text(result) -> str:
    """'supported by a source of strength 2', not 'supported (supported by a source of strength 2)'."""
    if not result.why:
        return result.outcome
    if result.why.startswith(result.outcome):
        return result.why
    return f"{result.outcome} ({result.why})"


def claim_verdict(parts: list, results: list[PartResult], searched: bool) -> tuple[str, str]:
    """The verdict of a claim of outside data from its parts' outcomes."""
    deciding = [(p, r) for p, r in zip(parts, results) if p.type != "interpretation"]
    interpretive = [p for p in parts if p.type == "interpretation"]
    named = "; ".join(f"{p.id}: {_outcome_text(r)}" for p, r in zip(parts, results) if p.type != "interpretation")
    if not deciding:
        kinds = ", ".join(sorted({p.interpretation for p in interpretive}))
        return "not checkable", f"the statement is {_article(kinds)} {kinds}, not a fact: no source can confirm or contradict it"
    outcomes = [r.outcome for _, r in deciding]
    if CONTRADICTED in outcomes:
        verdict = "not reproduced"
    elif CONFLICTING in outcomes:
        verdict = "conflicting evidence"
    elif DEPENDS in outcomes:
        verdict = "depends on reading"
    elif all(o == SUPPORTED for o in outcomes) and not interpretive:
        verdict = "reproduced"
    elif any(o in (SUPPORTED, PARTLY) for o in outcomes):
        verdict = "partly reproduced"
    else:
        verdict = "not checkable" if searched else "not searched"
    why = named + (f"; {', '.join(p.id for p in interpretive)}: interpretation, not checkable" if interpretive else "")
    if verdict == "not searched":
        why = "no search is recorded for it: " + why
    return verdict, why


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def decide_read_part(claim_id: str, part, rows: list[Row], evidence: Evidence, decisions: Decisions) -> PartResult:
    """A part decided by its evidence rows."""
    results = [read_row(row, part, evidence, decisions) for row in rows if row.claim == claim_id and row.part == part.id]
    outcome, why = part_outcome(results)
    return PartResult(part.id, outcome, why, results)


def sources_block(source_ids: tuple[str, ...], evidence: Evidence, decisions: Decisions) -> str:
    """Why a computed part's sources cannot decide it ('' when all are usable)."""
    problems = []
    for sid in source_ids:
        level, why = usable(evidence.sources[sid], evidence, decisions)
        if why:
            problems.append(f"{sid}: {why}")
    return "; ".join(problems)


def read_verdict(claim, rows: list[Row], evidence: Evidence, decisions: Decisions) -> tuple[str, str]:
    """The verdict of a claim decided by evidence rows alone (no computed part), on the rows given."""
    results = [decide_read_part(claim.id, part, rows, evidence, decisions) if part.type != "interpretation"
               else PartResult(part.id, UNDECIDED, "interpretation") for part in claim.parts]
    return claim_verdict(list(claim.parts), results, claim.searched)
