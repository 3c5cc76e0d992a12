"""The first step: how the evidence was read. One table of sources, the evidence rows, two readings.

It checks the evidence against the registry (every row names a claim and a part; every
disagreement of the two readings is adjudicated), counts the sources by kind and by what makes
them unable to decide, and measures how far the two readings agree: on the stances of the
evidence rows, on the roles of the article's citations (footnotes 14-22) and on the tones of
footnote 14's media pieces. Its parameters are the evidence rule's decisions, which every claim
of outside data uses (`claims.evidence`). How far the readings agree on the claims' verdicts is
measured at the end of the chain (`arguments`), where every step's results are there.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from .claims import load_registry
from .claims.agreement import CODINGS, agreement, disagreements
from .claims.checks import check_evidence, stance_pairs
from .claims.evidence import Decisions, read_verdict, usable
from .sources import tables
from .sources.evidence import Evidence, load_evidence



def role_pairs(evidence: Evidence, root) -> list[tuple[str, str, str]]:
    """(footnote/work, first role, second role) for the citations both readings coded a role for."""
    citations = tables.load_citations(tables.load_codebook(root), root, final=False)
    first = {f"{int(r.footnote)}/{r.work}": r.role for r in citations.itertuples()
             if not pd.isna(r.footnote) and isinstance(r.role, str)}
    second = {f"{int(r.footnote)}/{r.work}": r.role for r in evidence.roles_second.itertuples()}
    return [(item, first[item], second[item]) for item in first if item in second]


def tone_pairs(evidence: Evidence, root) -> list[tuple[str, str, str]]:
    """(outlet/author/year, first tone, second tone) for footnote 14's pieces both readings coded."""
    pieces = tables.load_pieces(root, final=False)
    key = "{0.outlet}/{1}/{0.year:.0f}".format
    first = {key(r, r.author if isinstance(r.author, str) else ""): r.tone for r in pieces.itertuples()}
    second = {key(r, r.author if isinstance(r.author, str) else ""): r.tone for r in evidence.tones_second.itertuples()}
    return [(item, first[item], second[item]) for item in first if item in second]


def _agreement(pairs: list[tuple[str, str, str]]) -> dict:
    keys, first, second = ([p[i] for p in pairs] for i in range(3))
    return agreement(first, second) | {"disagreements": disagreements(keys, first, second)}


def read_claims(claims: list) -> list:
    """The claims of outside data decided by evidence rows alone (no part computed from a step's results)."""
    return [c for c in claims if c.basis == "outside data" and not any(p.computed for p in c.parts)]


def verdict_pairs(claims: list, evidence: Evidence, decisions: Decisions) -> list[tuple[str, str, str]]:
    """(claim, verdict the rule gives on the first reading's rows, the second reader's verdict), before adjudication."""
    return [(c.id, read_verdict(c, evidence.first, evidence, decisions)[0], evidence.verdicts_second[c.id]["verdict"])
            for c in read_claims(claims) if c.id in evidence.verdicts_second]


def verdicts_by_section(claims: list, evidence: Evidence, decisions: Decisions) -> dict[str, dict[str, int]]:
    """The verdicts of the claims decided by rows alone (adjudicated rows), counted by section of the article."""
    counts: dict[str, Counter] = {}
    rows = evidence.final_rows()
    for claim in read_claims(claims):
        counts.setdefault(claim.section_key, Counter())[read_verdict(claim, rows, evidence, decisions)[0]] += 1
    order = sorted(counts, key=lambda s: (not s[0].isdigit(), s))
    return {section: dict(counts[section]) for section in order}


def source_counts(evidence: Evidence, decisions: Decisions) -> dict:
    """The sources by kind, and how many the rule lets decide under the decisions (with why the others cannot)."""
    reasons = Counter()
    for source in evidence.sources.values():
        level, why = usable(source, evidence, decisions)
        reasons[why.split(":")[0] if why else "may decide"] += 1
    return {"total": len(evidence.sources), "by_kind": dict(Counter(s.kind for s in evidence.sources.values())),
            "verified": sum(s.verified for s in evidence.sources.values()),
            "copies": sum(bool(s.copy_of) for s in evidence.sources.values()),
            "not_english": sum(s.language != "en" for s in evidence.sources.values() if s.excerpt),
            "cite_article": sum(s.cites_article == "yes" for s in evidence.sources.values()),
            "decide": dict(reasons)}


def analyse(root: Path | str, *, source_ranking: str, min_strength: int, copies_count_as_original: bool,
            later_sources_decide: bool, date_tolerance_years: int, number_tolerance: float,
            approximate_tolerance: float) -> dict:
    """The evidence checked, its sources counted, and the agreement of the two readings (before adjudication)."""
    decisions = Decisions(source_ranking, min_strength, copies_count_as_original, later_sources_decide,
                          date_tolerance_years, number_tolerance, approximate_tolerance)
    claims = load_registry(root)
    evidence = load_evidence(root)
    check_evidence(claims, evidence, decisions)
    outside = [c for c in claims if c.basis == "outside data"]
    stances = stance_pairs(claims, evidence, decisions)
    adjudicated = Counter(a["coding"] for a in evidence.adjudications)
    return {
        "claims": {"outside_data": len(outside), "with_rows": len({r.claim for r in evidence.first}),
                   "read_twice": len({r.claim for r in evidence.second}),
                   "parts": sum(len(c.parts) for c in outside),
                   "interpretive_parts": sum(p.type == "interpretation" for c in outside for p in c.parts),
                   "computed_parts": sum(p.computed for c in outside for p in c.parts)},
        "sources": source_counts(evidence, decisions),
        "rows": {"first": len(evidence.first), "second": len(evidence.second),
                 "stances_first": dict(Counter(first for _, first, _ in stances))},
        "verdicts_by_section": verdicts_by_section(claims, evidence, decisions),
        "agreement": {"verdicts": _agreement(verdict_pairs(claims, evidence, decisions)),
                      "stances": _agreement(stances),
                      "stances_found": _agreement([p for p in stances if not p[1] == p[2] == "silent"]),
                      "roles": _agreement(role_pairs(evidence, root)),
                      "tones": _agreement(tone_pairs(evidence, root))},
        "adjudications": {coding: adjudicated.get(coding, 0) for coding in ("stance", "verdict", "role", "tone")},
        "coders": sorted({r.coder for r in evidence.first} | {r.coder for r in evidence.second}),
        "settings": vars(decisions).copy(),
    }




def findings(analysis: dict) -> str:
    """What the evidence and its two readings show, as Markdown rendered from the analysis (never typed)."""
    from .claims.agreement import describe
    from .outputs.formatting import escape_markdown as esc

    claims, sources, rows = analysis["claims"], analysis["sources"], analysis["rows"]
    decide = sources["decide"]
    lines = [f"- {claims['outside_data']} claims of outside data state {claims['parts']} parts: "
             f"{claims['interpretive_parts']} are interpretations (no source can confirm them) and "
             f"{claims['computed_parts']} are computed from a step's data; the others are decided by "
             f"{rows['first']} evidence rows of the first reading ({rows['second']} in the second).",
             f"- {sources['total']} sources, {sources['verified']} of them read in a stored copy; {sources['copies']} are "
             f"copies or reposts of another source and {sources['cite_article']} cite the article. Under these decisions "
             + ", ".join(f"{n} {esc(reason)}" for reason, n in sorted(decide.items(), key=lambda kv: -kv[1])) + "."]
    for name, label, coding in CODINGS:
        result = analysis["agreement"][name]
        lines.append(f"- Agreement on {label}, before adjudication: {esc(describe(result))}; "
                     f"{analysis['adjudications'][coding]} adjudicated.")
    return "\n".join(lines)


def plot_evidence(analysis: dict, axes) -> None:
    """Left: the verdicts of the claims decided by rows alone, by section; right: kappa of each double coding."""
    import pandas as pd

    from .outputs.style import verdict_colours

    left, right = axes
    by_section = pd.DataFrame(analysis["verdicts_by_section"]).T.fillna(0)
    colours = verdict_colours()
    order = [v for v in colours if v in by_section.columns]
    start = pd.Series(0.0, index=by_section.index)
    for verdict in order:
        left.barh(by_section.index, by_section[verdict], left=start, color=colours[verdict], label=verdict,
                  edgecolor="0.4", lw=0.3)
        start += by_section[verdict]
    left.invert_yaxis()
    left.set_xlabel("claims decided by evidence rows")
    left.set_ylabel("section of the article")
    left.legend(frameon=False, fontsize=6, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3)
    labels, kappas, notes = [], [], []
    for name, label, _ in CODINGS:
        result = analysis["agreement"][name]
        labels.append(label)
        kappas.append(result["kappa"] if result.get("kappa") is not None else 0.0)
        notes.append(f"n = {result['items']}" + ("" if result.get("kappa") is not None else ", undefined"))
    bars = right.barh(labels, kappas, color="0.55")
    for bar, note in zip(bars, notes):
        right.text(max(bar.get_width(), 0) + 0.02, bar.get_y() + bar.get_height() / 2, note, va="center", fontsize=6)
    right.set_xlim(min(0, min(kappas)) - 0.05, 1.25)
    right.axvline(0, color="0.3", lw=0.5)
    right.invert_yaxis()
    right.set_xlabel("Cohen's kappa, before adjudication")
