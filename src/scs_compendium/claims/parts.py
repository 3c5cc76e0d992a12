"""The parts of a claim: who, what, when, how many, who said; each declared with what the article says.

A part is a `fact` (a source can confirm or contradict it), an `attribution` ("X argued Y":
whether X said it, read in X's own text) or an `interpretation` (an analogy, an expectation, an
image, an argument, a speculation: never confirmed). A part is decided by its evidence rows, or,
for a *computed* part, by a rule on its step's results (with the sources its data rest on).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import ClaimsError
from .entry_checks import check_fields
from .rules import check_rule

ASPECTS = ("who", "what", "when", "how many", "how", "why", "who said", "where")
TYPES = ("fact", "attribution", "interpretation")
INTERPRETATIONS = ("analogy", "expectation", "image", "argument", "speculation")
COMPARES = ("year", "number")
PRECISIONS = ("exact", "approximate", "at least", "at most", "range")
PART_KEYS = {"id", "aspect", "article", "type", "interpretation", "compare", "article_value", "article_precision", "grows",
             "as_of", "rule", "readings", "combine", "sources", "note"}
READING_KEYS = {"id", "label", "rule", "basis"}


@dataclass(frozen=True)
class Reading:
    id: str
    label: str
    rule: dict
    basis: str


@dataclass(frozen=True)
class Part:
    id: str
    aspect: str
    article: str
    type: str
    interpretation: str = ""
    compare: str = ""
    article_value: Any = None
    article_precision: str = ""
    grows: bool = False
    as_of: Any = None
    rule: dict | None = None
    readings: tuple[Reading, ...] = field(default_factory=tuple)
    combine: str = ""
    sources: tuple[str, ...] = field(default_factory=tuple)
    note: str = ""

    @property
    def computed(self) -> bool:
        """Decided by a rule on its step's results, not by evidence rows."""
        return self.rule is not None or bool(self.readings)


def _year(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2100


def parse_part(where: str, body: Any, bases: tuple[str, ...], parameters: set[str], check_thresholds) -> Part:
    """One part of a claim, checked; `check_thresholds(where, rule)` checks a computed part's rule."""
    if not isinstance(body, dict):
        raise ClaimsError(f"{where}: a part must be a mapping")
    where = f"{where}, part {body.get('id')!r}" if body.get("id") else where
    check_fields(where, body, PART_KEYS, ("id", "aspect", "article", "type"), noun="key")
    if body["aspect"] not in ASPECTS:
        raise ClaimsError(f"{where}: aspect {body['aspect']!r} is not one of {list(ASPECTS)}")
    if body["type"] not in TYPES:
        raise ClaimsError(f"{where}: type {body['type']!r} is not one of {list(TYPES)}")
    interpretation = body.get("interpretation", "")
    if (body["type"] == "interpretation") != bool(interpretation):
        raise ClaimsError(f"{where}: an interpretation part names its kind ('interpretation:' one of "
                          f"{list(INTERPRETATIONS)}), and only such a part")
    if interpretation and interpretation not in INTERPRETATIONS:
        raise ClaimsError(f"{where}: interpretation {interpretation!r} is not one of {list(INTERPRETATIONS)}")
    compare = body.get("compare", "")
    if compare:
        if compare not in COMPARES:
            raise ClaimsError(f"{where}: compare {compare!r} is not one of {list(COMPARES)}")
        value = body.get("article_value")
        ok = (all(_year(v) for v in (value if isinstance(value, list) else [value]))) if compare == "year" else \
            isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok:
            raise ClaimsError(f"{where}: article_value {value!r} must be a {'year or [first, last] years' if compare == 'year' else 'number'}")
        if body.get("article_precision", "exact") not in PRECISIONS:
            raise ClaimsError(f"{where}: article_precision {body.get('article_precision')!r} is not one of {list(PRECISIONS)}")
    if body.get("grows") and body.get("as_of") is None:
        raise ClaimsError(f"{where}: a count that grows needs 'as_of', the year(s) the article's count refers to")
    rule, readings = body.get("rule"), ()
    if rule is not None and "readings" in body:
        raise ClaimsError(f"{where}: give either 'rule' or 'readings'")
    if rule is not None:
        check_rule(rule, where)
        check_thresholds(where, rule, parameters)
    if "readings" in body:
        if not isinstance(body["readings"], list) or len(body["readings"]) < 2:
            raise ClaimsError(f"{where}: 'readings' must list at least two readings")
        readings = tuple(parse_reading(f"{where}, reading #{i + 1}", r, bases, parameters, check_thresholds)
                         for i, r in enumerate(body["readings"]))
        if len({r.id for r in readings}) != len(readings):
            raise ClaimsError(f"{where}: two readings share an id")
        combine = body.get("combine")
        if combine != "all" and combine not in {r.id for r in readings}:
            raise ClaimsError(f"{where}: 'combine' must be 'all' (every reading must agree) or the id of the reading "
                              f"the article's words fix; got {combine!r}")
    if (rule is not None or readings) and compare:
        raise ClaimsError(f"{where}: a computed part (rule or readings) has no 'compare'")
    sources = body.get("sources") or []
    if not isinstance(sources, list):
        raise ClaimsError(f"{where}: 'sources' must be a list of source ids")
    if sources and rule is None and not readings:
        raise ClaimsError(f"{where}: only a computed part lists its sources (a read part's sources are its evidence rows)")
    return Part(id=str(body["id"]), aspect=body["aspect"], article=str(body["article"]), type=body["type"],
                interpretation=interpretation, compare=compare, article_value=body.get("article_value"),
                article_precision=body.get("article_precision", "exact" if compare else ""),
                grows=bool(body.get("grows")), as_of=body.get("as_of"), rule=rule, readings=readings,
                combine=body.get("combine", ""), sources=tuple(str(s) for s in sources), note=str(body.get("note", "")))


def parse_reading(where: str, body: Any, bases: tuple[str, ...], parameters: set[str], check_thresholds) -> Reading:
    if not isinstance(body, dict) or set(body) - READING_KEYS:
        raise ClaimsError(f"{where}: a reading is a mapping of {sorted(READING_KEYS)}")
    for key in ("id", "label", "rule"):
        if not body.get(key):
            raise ClaimsError(f"{where}: missing field {key!r}")
    basis = body.get("basis", "outside data")
    if basis not in bases:
        raise ClaimsError(f"{where}: basis {basis!r} is not one of {list(bases)}")
    check_rule(body["rule"], where)
    check_thresholds(where, body["rule"], parameters)
    return Reading(str(body["id"]), str(body["label"]), body["rule"], basis)
