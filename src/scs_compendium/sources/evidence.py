"""The evidence tables: one table of sources, the evidence rows of two readings, and their adjudication.

`data/evidence/sources.csv` holds every source once (with its excerpt: the passage as read);
`evidence.csv` the first reading (a row per claim, part and source), `evidence_second.csv`
and `verdicts_second.csv` the blind second reading, `adjudications.csv` how each
disagreement was resolved. The rows are checked here against the sources table: a known
source, a quote that occurs in its excerpt, a stance or a value; the claims registry
checks them against the claims' parts (`claims.evidence`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from ..errors import DataError
from .datapackage import load_table, shared_descriptor
from .tables import ARTICLE_SOURCE

STANCES = ("supports", "partly supports", "contradicts", "silent")
ARTICLE_KIND = "the article"
COPY_KIND = "blog or copy"
RANKINGS = ("official_first", "scholarship_first", "flat")
VALUE_PRECISIONS = {"date": ("day", "month", "year", "approximate", "undated"),
                    "number": ("exact", "approximate", "at least", "at most")}


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    author: str
    publisher: str
    published: str
    url: str
    accessed: str
    language: str
    kind: str
    copy_of: str
    cites_article: str
    verified: bool
    excerpt: str
    excerpt_en: str
    note: str


@dataclass(frozen=True)
class Row:
    """One evidence row: what one source states for one part of one claim, in one reading."""
    claim: str
    part: str
    source: str
    quote: str
    states: str
    value: str
    precision: str
    as_of: str
    stance: str
    same_object: bool
    note: str
    coder: str
    coded_on: str
    line: int = 0
    path: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.claim, self.part, self.source)

    def where(self, column: str | None = None) -> str:
        spot = f"{self.path}, line {self.line}, claim {self.claim!r}, part {self.part!r}, source {self.source!r}"
        return spot + (f", column {column!r}" if column else "")


@dataclass
class Evidence:
    """The evidence tables of a project, loaded and checked."""
    sources: dict[str, Source]
    kinds: dict[str, dict[str, int]]
    first: list[Row]
    second: list[Row]
    verdicts_second: dict[str, dict]
    adjudications: list[dict]
    roles_second: pd.DataFrame
    tones_second: pd.DataFrame
    table_sources: dict[str, set[str]] = field(default_factory=dict)  # source id -> the data tables citing it

    @property
    def article(self) -> Source:
        return next(s for s in self.sources.values() if s.kind == ARTICLE_KIND)

    def adjudicated(self, coding: str) -> dict[str, dict]:
        """The adjudication records of one coding, by item."""
        return {a["item"]: a for a in self.adjudications if a["coding"] == coding}

    _by_claim: dict = field(default_factory=dict, repr=False, compare=False)  # claim id -> its final rows (kept)

    def final_rows(self) -> list[Row]:
        """The rows the verdicts use: the first reading where the readings agree, the adjudication where not."""
        decided = self.adjudicated("stance")
        final = []
        for row in self.first:
            record = decided.get("/".join(row.key))
            final.append(apply_final(row, record["final"]) if record else row)
        return final

    def final_rows_of(self, claim: str) -> list[Row]:
        """The final rows of one claim, computed once for all claims (the tables do not change once loaded)."""
        if not self._by_claim:
            self._by_claim[None] = []
            for row in self.final_rows():
                self._by_claim.setdefault(row.claim, []).append(row)
        return list(self._by_claim.get(claim, []))


def apply_final(row: Row, final: str) -> Row:
    """A row with the adjudicated coding: a stance, or 'value precision' for a row compared by value."""
    from dataclasses import replace

    final = final.strip()
    if final in STANCES:
        return replace(row, stance=final, value="" if final == "silent" else row.value,
                       precision="" if final == "silent" else row.precision)
    value, _, precision = final.partition(" ")
    return replace(row, value=value, precision=precision.strip(), stance="")


# --- quotes ------------------------------------------------------------------------------

_QUOTES = str.maketrans({c: '"' for c in "\u201c\u201d\u201e\u201f\u00ab\u00bb\u300c\u300d\u300e\u300f\u2033\uff02"}
                        | {c: "'" for c in "\u2018\u2019\u201a\u201b\u2032\u0060\u00b4\uff07"})
_GAP = re.compile(r"\s*(?:\[\s*(?:\.\.\.|…)\s*\]|\.\.\.|…)\s*")


def normalise(text: str) -> str:
    """Text as quotes are compared: compatibility forms (full-width punctuation), quotation marks and
    whitespace made uniform."""
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip()


def quote_in(quote: str, excerpt: str) -> bool:
    """Whether a quote occurs in an excerpt; '...' (or '[...]', '…') in a quote joins passages that occur in order."""
    haystack, at = normalise(excerpt), 0
    for piece in (p for p in _GAP.split(normalise(quote)) if p.strip()):
        found = haystack.find(piece.strip(), at)
        if found < 0:
            return False
        at = found + len(piece.strip())
    return True


# --- loading -----------------------------------------------------------------------------


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()


def load_sources(root=None) -> dict[str, Source]:
    """The sources table, checked: a copy names its original, a read source its excerpt (translated when not
    English), exactly one row is the article itself."""
    frame = load_table("sources", root)
    path = frame.attrs["path"]
    sources = {}
    for line, record in zip(range(2, len(frame) + 2), frame.to_dict("records")):
        values = {k: _text(v) for k, v in record.items()}
        values["verified"] = values["verified"] == "yes"
        if isinstance(record.get("accessed"), pd.Timestamp):
            values["accessed"] = record["accessed"].date().isoformat()
        source = Source(**values)
        where = f"{path}, line {line}, source {source.id!r}"
        if source.verified and not source.excerpt:
            raise DataError(f"{where}, column 'excerpt': a source marked verified needs its excerpt (the passage as read)")
        if source.excerpt and source.language != "en" and not source.excerpt_en:
            raise DataError(f"{where}, column 'excerpt_en': an excerpt in {source.language!r} needs its English translation")
        if source.verified and not source.accessed:
            raise DataError(f"{where}, column 'accessed': a source read needs the day it was read")
        sources[source.id] = source
    for source in sources.values():
        if source.copy_of and source.copy_of not in sources:
            raise DataError(f"{path}, source {source.id!r}, column 'copy_of': a copy of {source.copy_of!r}, which is not a "
                            "source of this table: a copy needs a row for its original")
        if source.copy_of == source.id:
            raise DataError(f"{path}, source {source.id!r}, column 'copy_of': a source cannot copy itself")
    articles = [s.id for s in sources.values() if s.kind == ARTICLE_KIND]
    if articles != [ARTICLE_SOURCE]:
        raise DataError(f"{path}: expected exactly one source of kind {ARTICLE_KIND!r}, the article (Bloch 2022) with "
                        f"id {ARTICLE_SOURCE!r}, found {articles}")
    return sources


def load_kinds(root=None) -> dict[str, dict[str, int]]:
    """Strength of each kind of source under each ranking."""
    frame = load_table("source_kinds", root)
    return {row["kind"]: {r: int(row[r]) for r in RANKINGS} for row in frame.to_dict("records")}


def _rows(name: str, sources: dict[str, Source], root, quoted: bool) -> list[Row]:
    frame = load_table(name, root)
    path = frame.attrs["path"]
    rows, seen = [], {}
    for line, record in zip(range(2, len(frame) + 2), frame.to_dict("records")):
        values = {k: _text(record.get(k)) for k in ("claim", "part", "source", "quote", "states", "value", "precision",
                                                      "as_of", "stance", "note", "coder")}
        coded = record["coded_on"]
        row = Row(claim=values["claim"], part=values["part"], source=values["source"], quote=values["quote"],
                  states=values["states"], value=values["value"], precision=values["precision"], as_of=values["as_of"],
                  stance=values["stance"], same_object=_text(record["same_object"]) == "yes",
                  note=values["note"], coder=values["coder"],
                  coded_on=coded.date().isoformat() if isinstance(coded, pd.Timestamp) else _text(coded), line=line, path=path)
        if row.source not in sources:
            raise DataError(f"{row.where('source')}: unknown source (not a row of data/evidence/sources.csv)")
        if row.key in seen:
            raise DataError(f"{row.where()}: the same claim, part and source as line {seen[row.key]}")
        seen[row.key] = line
        if bool(row.value) == bool(row.stance):
            raise DataError(f"{row.where('stance')}: give a stance, or (for a part compared by value) a value and no "
                            f"stance; found stance {row.stance!r} and value {row.value!r}")
        if row.value and not row.precision:
            raise DataError(f"{row.where('precision')}: a value needs its precision")
        if quoted:
            if row.quote and not quote_in(row.quote, sources[row.source].excerpt):
                raise DataError(f"{row.where('quote')}: the quote does not occur in the excerpt of source {row.source!r} "
                                "(compared after normalising whitespace and quotation marks)")
            if not row.quote and (row.value or row.stance != "silent") and sources[row.source].verified:
                raise DataError(f"{row.where('quote')}: a row that is not silent needs its quote from the source's excerpt "
                                "(only a row of an unverified source, which cannot decide, may go without)")
        rows.append(row)
    return rows


def load_evidence(root=None) -> Evidence:
    """Every evidence table, loaded and checked against the sources table."""
    sources = load_sources(root)
    kinds = load_kinds(root)
    missing = sorted({s.kind for s in sources.values()} - set(kinds))
    if missing:
        raise DataError(f"data/evidence/source_kinds.csv: no strength for the kind(s) {missing}")
    first = _rows("evidence", sources, root, quoted=True)
    second = _rows("evidence_second", sources, root, quoted=False)
    verdicts = {r["claim"]: {k: _text(v) if not isinstance(v, pd.Timestamp) else v.date().isoformat() for k, v in r.items()}
                for r in load_table("verdicts_second", root).to_dict("records")}
    adjudications = [{k: _text(v) if not isinstance(v, pd.Timestamp) else v.date().isoformat() for k, v in r.items()}
                     for r in load_table("adjudications", root).to_dict("records")]
    for number, record in enumerate(adjudications, 2):
        if record["coding"] == "stance" and record["item"].count("/") != 2:
            raise DataError(f"data/evidence/adjudications.csv, line {number}, column 'item': a stance item is "
                            f"claim/part/source, got {record['item']!r}")
        if record["coding"] != "verdict" and not record["final"]:
            raise DataError(f"data/evidence/adjudications.csv, line {number}, column 'final': the final coding is missing")
    evidence = Evidence(sources, kinds, first, second, verdicts, adjudications, load_table("roles_second", root),
                        load_table("tones_second", root), table_sources(root))
    check_table_quotes(sources, root)
    return evidence


def has_evidence(root=None) -> bool:
    """Whether the project's data package declares the evidence tables (a toy project may not)."""
    return any(r["name"] == "sources" for r in shared_descriptor(root).get("resources", []))


def table_sources(root=None) -> dict[str, set[str]]:
    """The source ids that the data tables' `source` columns (and `*_source` columns) name, with their tables."""
    found: dict[str, set[str]] = {}
    for resource in shared_descriptor(root).get("resources", []):
        if not resource["path"].startswith("raw/"):
            continue
        columns = [f["name"] for f in resource["schema"]["fields"] if f["name"] == "source" or f["name"].endswith("_source_id")]
        if not columns:
            continue
        frame = load_table(resource["name"], root)
        for column in columns:
            for value in frame[column].dropna():
                for sid in str(value).split(";"):
                    if sid.strip():
                        found.setdefault(sid.strip(), set()).add(f"data/{resource['path']}")
    return found


def check_table_quotes(sources: dict[str, Source], root=None) -> None:
    """Every data table row's `source` names rows of the sources table, and its verbatim `quote` occurs in the
    excerpt of one of them (a row's sources are ids separated by ';')."""
    for resource in shared_descriptor(root).get("resources", []):
        names = [f["name"] for f in resource["schema"]["fields"]]
        if not resource["path"].startswith("raw/") or "source" not in names:
            continue
        frame = load_table(resource["name"], root)
        path = f"data/{resource['path']}"
        for line, record in zip(range(2, len(frame) + 2), frame.to_dict("records")):
            ids = [s.strip() for s in _text(record["source"]).split(";") if s.strip()]
            for sid in ids:
                if sid not in sources:
                    raise DataError(f"{path}, line {line}, column 'source': unknown source {sid!r} "
                                    "(not a row of data/evidence/sources.csv)")
            quote = _text(record.get("quote"))
            read = [sources[s] for s in ids if sources[s].verified]
            if quote and read and not any(quote_in(quote, s.excerpt) for s in read):
                raise DataError(f"{path}, line {line}, column 'quote': the quote does not occur in the excerpt of source "
                                f"{', '.join(ids)} in data/evidence/sources.csv (compared after normalising whitespace "
                                "and quotation marks)")


def published_date(source: Source) -> date | None:
    """The day a source was published (its last day, when only the month or year is known); None if unknown."""
    if not source.published:
        return None
    parts = [int(p) for p in source.published.split("-")]
    if len(parts) == 1:
        return date(parts[0], 12, 31)
    if len(parts) == 2:
        return (pd.Timestamp(year=parts[0], month=parts[1], day=1) + pd.offsets.MonthEnd(0)).date()
    return date(*parts)


def evidence_paths(root: Path) -> list[Path]:
    """The files of the evidence tables (for fingerprints)."""
    return sorted((root / "data" / "evidence").glob("*.csv"))
