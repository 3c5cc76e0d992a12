"""The article's arguments: each thesis with where it stands, its wording and the claims it rests on.

`data/arguments.yaml` registers every thesis of the article (the abstract's findings, each section's
conclusion) with its premises: claims of the registry, each marked as evidence `for` or `against` it.
A thesis is the article's interpretation: it is never 'reproduced'. What the compendium computes is how
much of the evidence beneath it holds: its premises counted by verdict, and one sentence that says so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine.spec import read_yaml
from ..errors import ClaimsError
from ..paths import find_project_root
from ..sources.safe import check_identifier
from .entry_checks import check_fields

ARGUMENTS = "data/arguments.yaml"
ROLES = ("for", "against")
KINDS = ("finding", "conclusion", "premise of the article")
_KEYS = {"id", "where", "thesis", "article_quote", "kind", "premises", "note"}
HOLDS = ("reproduced", "consistent")
PARTLY = ("partly reproduced",)
FAILS = ("not reproduced", "inconsistent")
OPEN = ("conflicting evidence", "depends on reading")


@dataclass(frozen=True)
class Premise:
    claim: str
    role: str
    note: str = ""


@dataclass(frozen=True)
class Argument:
    id: str
    where: str
    thesis: str
    article_quote: str
    kind: str
    premises: tuple[Premise, ...]
    note: str = ""


def load_arguments(root: Path | None = None, claim_ids: set[str] | None = None) -> list[Argument]:
    """Read and check the arguments; each premise must name a claim of the registry (`claim_ids`)."""
    root = Path(root) if root else find_project_root()
    if not (root / ARGUMENTS).is_file():
        return []
    raw = read_yaml(root / ARGUMENTS, ARGUMENTS, ClaimsError)
    entries = raw.get("arguments") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise ClaimsError(f"{ARGUMENTS}: expected a top-level 'arguments:' list")
    found, seen = [], set()
    for number, entry in enumerate(entries, 1):
        where = f"{ARGUMENTS}: argument #{number}"
        if isinstance(entry, dict) and entry.get("id"):
            where = f"{ARGUMENTS}: argument {entry.get('id')!r}"
        check_fields(where, entry, _KEYS, ("id", "where", "thesis", "article_quote", "kind", "premises"))
        check_identifier(where, entry["id"])
        if entry["id"] in seen:
            raise ClaimsError(f"{where}: the id appears twice")
        seen.add(entry["id"])
        if entry["kind"] not in KINDS:
            raise ClaimsError(f"{where}: kind {entry['kind']!r} is not one of {list(KINDS)}")
        premises = []
        for index, premise in enumerate(entry["premises"], 1):
            spot = f"{where}, premise #{index}"
            if not isinstance(premise, dict) or set(premise) - {"claim", "role", "note"} or not premise.get("claim"):
                raise ClaimsError(f"{spot}: a premise is a mapping {{claim, role, note?}}")
            if premise.get("role") not in ROLES:
                raise ClaimsError(f"{spot}: role {premise.get('role')!r} is not one of {list(ROLES)}")
            if claim_ids is not None and premise["claim"] not in claim_ids:
                raise ClaimsError(f"{spot}: claim {premise['claim']!r} is not in data/claims.yaml")
            premises.append(Premise(str(premise["claim"]), premise["role"], str(premise.get("note", ""))))
        if len({p.claim for p in premises}) != len(premises):
            raise ClaimsError(f"{where}: a claim is listed twice among its premises")
        found.append(Argument(str(entry["id"]), str(entry["where"]), str(entry["thesis"]), str(entry["article_quote"]),
                              entry["kind"], tuple(premises), str(entry.get("note", ""))))
    return found


def support(argument: Argument, verdicts: dict[str, str]) -> dict[str, Any]:
    """How much of the evidence beneath a thesis holds: its premises by verdict, for and against, and a sentence."""
    counts = {role: Counter(verdicts.get(p.claim, "pending") for p in argument.premises if p.role == role)
              for role in ROLES}
    backing = counts["for"]
    total = sum(backing.values())
    holds = sum(backing[v] for v in HOLDS)
    partly = sum(backing[v] for v in PARTLY)
    fails = sum(backing[v] for v in FAILS)
    open_ = sum(backing[v] for v in OPEN)
    undecided = total - holds - partly - fails - open_
    against = sum(counts["against"][v] for v in (*HOLDS, *PARTLY))
    def verb(n: int, one: str, many: str) -> str:
        return f"{n} {one if n == 1 else many}"

    pieces = [verb(holds, "holds", "hold"), verb(partly, "holds partly", "hold partly"), verb(fails, "does not", "do not"),
              verb(open_, "is open", "are open") + " (conflicting or depending on a reading)" if open_ else "",
              f"{undecided} cannot be decided" if undecided else ""]
    sentence = (f"Of the {total} premise{'s' if total != 1 else ''} offered for it, "
                + ", ".join(p for p in pieces if p) + ".")
    if counts["against"]:
        n = sum(counts["against"].values())
        sentence += (f" Of {verb(n, 'statement that speaks', 'statements that speak')} against it, {against} "
                     f"{'is' if against == 1 else 'are'} supported by the evidence.")
    sentence += " A thesis is the article's interpretation: the compendium shows the evidence beneath it, not a verdict."
    return {"for": dict(backing), "against": dict(counts["against"]), "premises": total, "hold": holds,
            "partly": partly, "fail": fails, "open": open_, "undecided": undecided, "against_supported": against,
            "share_holding": holds / total if total else None, "text": sentence}
