"""What the claims report shows of a claim's evidence: its parts, each with its rows as both readings coded
them, the adjudication where they differed, and the sources (copies tagged, their originals linked)."""

from __future__ import annotations

from ..claims.verdicts import Assessment
from ..sources.evidence import Evidence, Row, Source, published_date
from .quotes import excerpt_text, quote_text


def coding(row: Row | None) -> str:
    """A reading's coding of a row as one short text: its stance, or the value it read."""
    if row is None:
        return "not coded"
    if row.value:
        return f"{row.value} ({row.precision})" + ("" if row.same_object else ", another object")
    return row.stance + ("" if row.same_object or row.stance == "silent" else ", another object")


def gloss(quote: str, source: Source, row: Row) -> str:
    """An English gloss of a quote in another language: what the row says it states, else the source's own
    English rendering of its excerpt; '' for an English quote."""
    if not quote or source.language in ("en", ""):
        return ""
    return row.states or excerpt_text(source.excerpt_en) or "no English rendering recorded"


def source_view(source: Source, evidence: Evidence) -> dict:
    """A source as the report lists it."""
    article = published_date(evidence.article)
    published = published_date(source)
    original = evidence.sources.get(source.copy_of) if source.copy_of else None
    return {"id": source.id, "title": source.title, "author": source.author, "publisher": source.publisher,
            "published": source.published or "undated", "url": source.url, "accessed": source.accessed,
            "language": source.language, "kind": source.kind, "verified": source.verified,
            "cites_article": source.cites_article, "excerpt": excerpt_text(source.excerpt), "excerpt_en": excerpt_text(source.excerpt_en),
            "later": bool(published and article and published > article), "copy_of": source.copy_of,
            "original_title": original.title if original else "", "note": source.note}


def parts_view(assessment: Assessment, evidence: Evidence) -> list[dict]:
    """Each part of a claim with its outcome and its rows: first and second coding, adjudication, how the rule read it."""
    claim = assessment.claim
    first = {r.key: r for r in evidence.first if r.claim == claim.id}
    second = {r.key: r for r in evidence.second if r.claim == claim.id}
    decided = evidence.adjudicated("stance")
    shown = []
    for part, result in zip(claim.parts, assessment.parts or [None] * len(claim.parts)):
        rows = []
        for read in (result.rows if result else []):
            key = read.row.key
            record = decided.get("/".join(key))
            source = evidence.sources[read.row.source]
            quote = quote_text(first[key].quote, source.excerpt) if key in first else ""
            rows.append({"source": source.id, "kind": source.kind, "title": source.title, "quote": quote,
                         "language": source.language, "gloss": gloss(quote, source, read.row),
                         "states": read.row.states,
                         "first": coding(first.get(key)), "second": coding(second.get(key)),
                         "adjudicated": record["final"] if record else "", "reason": record["reason"] if record else "",
                         "stance": read.stance, "decides": read.decides, "why": read.why})
        shown.append({"id": part.id, "aspect": part.aspect, "article": part.article, "type": part.type,
                      "interpretation": part.interpretation, "computed": part.computed,
                      "outcome": result.outcome if result else "", "why": result.why if result else "", "rows": rows})
    return shown


def second_reading(claim_id: str, evidence: Evidence) -> dict:
    """The second reader's verdict of a claim, and the adjudication of the verdict where there is one."""
    coded = evidence.verdicts_second.get(claim_id)
    record = evidence.adjudicated("verdict").get(claim_id)
    return {"verdict": coded["verdict"] if coded else "", "note": coded["note"] if coded else "",
            "coder": coded["coder"] if coded else "", "adjudication": record["reason"] if record else ""}
