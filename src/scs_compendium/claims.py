"""The claims registry (`data/claims.yaml`) and the claim-by-claim report.

Each claim of the article names the step that checks it, the result keys it
reads and a rule that turns them into a verdict. After a run the report lists,
for every claim: what the article says, what the data give, the verdict, the
evidence and its sources, and (where researched) external corroboration.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .atomic import atomic_write_json, atomic_write_text
from .errors import ClaimsError, CompendiumError
from .pipeline import Pipeline, load_pipeline, read_yaml
from .results import lookup, read_results

REGISTRY = "data/claims.yaml"
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
    "within": (("low", "high"), "the result lies in [low, high]"),
    "equals": (("tolerance",), "the result differs from the reported value by at most `tolerance`"),
    "verdict_key": ((), "the step computes the verdict itself (first key); see its notebook"),
    "not_checkable": (("why",), "only the article's own figure exists; no source confirms it"),
}
CORROBORATION = ("corroborated", "differs", "not found")
_CLAIM_KEYS = {
    "id", "section", "footnote", "statement", "reported", "step", "keys", "rule", "evidence", "corroboration",
}


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


@dataclass
class Assessment:
    claim: Claim
    verdict: str
    reproduced: Any = None
    evidence: list[str] = field(default_factory=list)

    def as_dict(self, root: Path | None = None, figures: list[str] | None = None) -> dict:
        claim = self.claim
        notebook = f"build/notebooks/{claim.step}.ipynb"
        page = f"build/notebooks/{claim.step}.html"
        return {
            "id": claim.id,
            "section": claim.section,
            "footnote": claim.footnote,
            "statement": claim.statement,
            "reported": format_reported(claim.reported),
            "reproduced": self.reproduced,
            "reproduced_text": format_value(self.reproduced),
            "verdict": self.verdict,
            "rule": claim.rule,
            "evidence": "; ".join(self.evidence),
            "step": claim.step,
            "notebook": notebook if root and (root / notebook).is_file() else None,
            "notebook_html": page if root and (root / page).is_file() else None,
            "figures": figures or [],
            "corroboration": claim.corroboration,
        }


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
    for name, allowed in (("reported", {"value", "unit", "qualifier"}), ("rule", {"kind", "low", "high", "tolerance", "why"}),
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
    if kind in {"all_true", "within", "equals", "verdict_key"} and not keys:
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


def assess(claim: Claim, pipeline: Pipeline, results: dict[str, dict] | None = None) -> Assessment:
    """The verdict of one claim from the results of its step."""
    if claim.step in pipeline.planned:
        issue = pipeline.planned[claim.step].issue
        return Assessment(claim, "pending", None, [f"step {claim.step!r} is planned (issue #{issue})"])
    results = results if results is not None else {}
    if claim.step not in results:
        try:
            results[claim.step] = read_results(pipeline.root, claim.step)
        except CompendiumError:
            return Assessment(claim, "pending", None, [f"step {claim.step!r} has not run yet"])
    values = results[claim.step]["values"]
    evidence = step_sources(pipeline, claim.step)
    if claim.evidence:
        evidence.append(claim.evidence)
    if values.get("needs_data"):
        return Assessment(claim, "needs data", None, [*evidence, str(values["needs_data"])])
    found = {key: lookup(values, key, claim.step) for key in claim.keys}
    verdict = apply_rule(claim, found)
    shown = dict(found)
    if claim.rule["kind"] == "verdict_key" and len(shown) > 1:
        shown.pop(claim.keys[0])  # the verdict itself is in its own column
    reproduced = next(iter(shown.values())) if len(shown) == 1 else (shown or None)
    return Assessment(claim, verdict, reproduced, evidence)


def step_sources(pipeline: Pipeline, step: str) -> list[str]:
    """Citations of the data tables a step reads (from the data package)."""
    from .data import load_descriptor, sources_text

    inputs = set(pipeline.step(step).inputs)
    descriptor = load_descriptor(pipeline.root)
    return [
        sources_text(resource["name"], pipeline.root)
        for resource in descriptor.get("resources", [])
        if f"data/{resource['path']}" in inputs
    ]


def apply_rule(claim: Claim, found: dict[str, Any]) -> str:
    """Turn result values into a verdict by the claim's rule."""
    rule = claim.rule
    kind = rule["kind"]
    where = f"claim {claim.id!r}"
    if kind == "not_checkable":
        return "not checkable"
    if kind == "verdict_key":
        verdict = next(iter(found.values()))
        if verdict not in VERDICTS:
            raise ClaimsError(f"{where}: result {claim.keys[0]!r} is {verdict!r}, not a verdict")
        return verdict
    if kind == "all_true":
        flags = list(found.values())
        if not all(isinstance(flag, bool) for flag in flags):
            raise ClaimsError(f"{where}: rule all_true needs true/false results, got {flags!r}")
        if all(flags):
            return "reproduced"
        return "partly reproduced" if any(flags) else "not reproduced"
    value = next(iter(found.values()))
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ClaimsError(f"{where}: rule {kind} needs a number, got {value!r}")
    if kind == "within":
        return "reproduced" if rule["low"] <= value <= rule["high"] else "not reproduced"
    if kind == "equals":
        target = claim.reported["value"]
        return "reproduced" if abs(value - target) <= rule["tolerance"] else "not reproduced"
    raise ClaimsError(f"{where}: unknown rule {kind!r}")


def verdict_table(step: str, values: dict, root: Path | None = None):
    """The verdicts of one step's claims from its `values` (for the end of its notebook)."""
    import pandas as pd

    pipeline = load_pipeline(root)
    rows = []
    for claim in load_registry(pipeline.root, pipeline):
        if claim.step == step:
            row = assess(claim, pipeline, {step: {"values": values}}).as_dict()
            rows.append({k: row[k] for k in ("id", "statement", "reported", "reproduced_text", "verdict")})
    return pd.DataFrame(rows).rename(columns={"reproduced_text": "the data give"})


def build_report(root: Path | None = None, pipeline: Pipeline | None = None) -> list[dict]:
    """Assess every claim; the list that `claims.json` holds."""
    pipeline = pipeline or load_pipeline(root)
    claims = load_registry(pipeline.root, pipeline)
    cache: dict[str, dict] = {}
    figures = {
        name: [f"figures/{stem}.png" for stem in (*step.figures, *step.optional_figures)
               if (pipeline.root / "figures" / f"{stem}.png").is_file()]
        for name, step in pipeline.steps.items()
    }
    return [assess(claim, pipeline, cache).as_dict(pipeline.root, figures.get(claim.step)) for claim in claims]


def write_report(root: Path | None = None, pipeline: Pipeline | None = None) -> Path:
    """Write build/claims.json, build/claims.md and build/claims.html; return the JSON path."""
    pipeline = pipeline or load_pipeline(root)
    rows = build_report(pipeline.root, pipeline)
    build = pipeline.root / "build"
    _write_if_changed(build / "claims.md", render_markdown(rows))
    _write_if_changed(build / "claims.html", render_html(rows))
    target = build / "claims.json"
    old = target.read_text(encoding="utf-8") if target.is_file() else None
    if old is None or json.loads(old) != rows:
        atomic_write_json(target, rows)
    return target


def _write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        atomic_write_text(path, text)


# --- formatting ---------------------------------------------------------------------


def format_value(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    if isinstance(value, list):
        return "–".join(format_value(v) for v in value) if len(value) == 2 else ", ".join(map(format_value, value))
    if isinstance(value, dict):
        return "; ".join(f"{k.split('.')[-2] if '.' in k else k}: {format_value(v)}" for k, v in value.items())
    return str(value)


def format_reported(reported: dict) -> str:
    qualifier = reported.get("qualifier")
    value = reported["value"]
    value = str(value) if "year" in reported["unit"] and isinstance(value, int) else format_value(value)
    return f"{qualifier + ' ' if qualifier else ''}{value} {reported['unit']}".strip()


def summary(rows: list[dict]) -> dict[str, int]:
    return {verdict: sum(row["verdict"] == verdict for row in rows) for verdict in VERDICTS}


def _corroboration_text(row: dict) -> str:
    corroboration = row.get("corroboration")
    if not corroboration:
        return "not researched"
    note = f" ({corroboration['note']})" if corroboration.get("note") else ""
    return f"{corroboration['status']}{note}; {corroboration['source']}"


def _where(row: dict) -> str:
    return f"§{row['section']}" + (f", fn. {row['footnote']}" if row.get("footnote") else "")


def render_markdown(rows: list[dict]) -> str:
    counts = summary(rows)
    lines = [
        "# Claims of Bloch (2022), claim by claim",
        "",
        "Generated by `scs run` from `data/claims.yaml` and `build/results/`; do not edit.",
        "",
        "| verdict | claims |",
        "|---|---|",
        *[f"| {verdict} | {count} |" for verdict, count in counts.items()],
        "",
        "| id | where | the article says | reported | the data give | verdict | evidence | step | corroboration |",
        "|---|---|---|---|---|---|---|---|---|",
    ]

    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    for row in rows:
        lines.append(
            "| " + " | ".join(cell(x) for x in (
                row["id"], _where(row), row["statement"], row["reported"], row["reproduced_text"],
                f"**{row['verdict']}**", row["evidence"] or "–", row["step"], _corroboration_text(row),
            )) + " |"
        )
    return "\n".join(lines) + "\n"


def render_html(rows: list[dict]) -> str:
    """A self-contained page: the claims table with filters by verdict, section and corroboration."""
    counts = summary(rows)
    esc = html.escape
    body = []
    for row in rows:
        corroboration = (row.get("corroboration") or {}).get("status", "not researched")
        section = row["section"].split(",")[0].split(".")[0].strip()
        links = []
        if row.get("notebook_html"):
            links.append(f'<a href="notebooks/{esc(row["step"])}.html">notebook</a>')
        elif row.get("notebook"):
            links.append(f'<a href="notebooks/{esc(row["step"])}.ipynb">notebook</a>')
        links += [f'<a href="../{esc(path)}">{esc(path.split("/")[-1].removesuffix(".png"))}</a>'
                  for path in row.get("figures", [])]
        body.append(
            f'<tr data-verdict="{esc(row["verdict"])}" data-section="{esc(section)}" '
            f'data-corroboration="{esc(corroboration)}"><td><code>{esc(row["id"])}</code></td>'
            f"<td>{esc(_where(row))}</td><td>{esc(row['statement'])}</td><td>{esc(row['reported'])}</td>"
            f"<td>{esc(row['reproduced_text'])}</td>"
            f'<td class="verdict">{esc(row["verdict"])}</td><td>{esc(row["evidence"] or "–")}</td>'
            f"<td><code>{esc(row['step'])}</code><br>{' · '.join(links)}</td><td>{esc(_corroboration_text(row))}</td></tr>"
        )
    tally = " · ".join(f"{esc(v)}: {n}" for v, n in counts.items())

    def options(values) -> str:
        return "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in values)

    sections = sorted({r["section"].split(",")[0].split(".")[0].strip() for r in rows}, key=lambda s: (not s[0].isdigit(), s))
    statuses = [*CORROBORATION, "not researched"]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Claims of Bloch (2022): reproduction report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }}
table {{ border-collapse: collapse; font-size: 0.85rem; }}
th, td {{ border: 1px solid #ccc; padding: 0.3rem 0.5rem; vertical-align: top; text-align: left; }}
th {{ background: #f2f2f2; position: sticky; top: 0; }}
tr[data-verdict="reproduced"] .verdict {{ background: #d8ecd8; }}
tr[data-verdict="partly reproduced"] .verdict {{ background: #f6ecc8; }}
tr[data-verdict="not reproduced"] .verdict {{ background: #f3d2d2; }}
tr[data-verdict="needs data"] .verdict, tr[data-verdict="pending"] .verdict {{ background: #e4e4f2; }}
.filters label {{ margin-right: 1rem; }}
</style></head><body>
<h1>Claims of Bloch (2022), claim by claim</h1>
<p>Marylaure Bloch (2022), "Sociotechnical imaginaries shaping China's emerging social credit system",
<i>Asiatische Studien – Études Asiatiques</i> 76(1): 37–61, doi:10.1515/asia-2021-0019.
Generated by <code>scs run</code>; do not edit.</p>
<p>{tally}</p>
<form class="filters" id="filters">
<label>Verdict <select id="filter-verdict"><option value="">all</option>{options(VERDICTS)}</select></label>
<label>Section <select id="filter-section"><option value="">all</option>{options(sections)}</select></label>
<label>Corroboration <select id="filter-corroboration"><option value="">all</option>{options(statuses)}</select></label>
<span id="shown">{len(rows)} of {len(rows)} claims</span>
</form>
<table id="claims"><thead><tr><th>id</th><th>where</th><th>the article says</th><th>reported</th><th>the data give</th>
<th>verdict</th><th>evidence</th><th>step</th><th>corroboration</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table>
<script>
(function () {{
  var keys = ["verdict", "section", "corroboration"];
  function apply() {{
    var rows = document.querySelectorAll("#claims tbody tr"), shown = 0;
    rows.forEach(function (row) {{
      var visible = keys.every(function (key) {{
        var wanted = document.getElementById("filter-" + key).value;
        return !wanted || row.dataset[key] === wanted;
      }});
      row.hidden = !visible;
      if (visible) shown += 1;
    }});
    document.getElementById("shown").textContent = shown + " of " + rows.length + " claims";
  }}
  keys.forEach(function (key) {{ document.getElementById("filter-" + key).addEventListener("change", apply); }});
}})();
</script>
</body></html>
"""
