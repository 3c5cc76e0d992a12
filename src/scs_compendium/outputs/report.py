"""The claim-by-claim report: `build/claims.json`, `.md` and `.html` (HTML from a Jinja2 template).

For every claim: what the article says, what the data give, the verdict, what it
rests on (`basis`), why it came out, the rule with its thresholds as used, its
readings, and the research behind it with its sources.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

from ..claims import MEANING, VERDICTS, Assessment, assess_all, assess_step, section_key
from ..claims.agreement import CODINGS
from ..claims.registry import OUTSIDE
from ..claims.rules import BASES
from ..engine.spec import Pipeline, load_pipeline
from ..errors import ResultsError
from ..engine.store import atomic_write_json, git_commit, read_checked_results, write_if_changed
from ..paths import CLAIMS_REPORT, EXECUTED, FIGURES_DIR, results_file
from ..sources.evidence import Evidence, has_evidence, load_evidence
from .evidence_view import parts_view, second_reading, source_view
from .formatting import Markdown, escape_markdown, format_reported, format_value, markdown_table, sentence, where
from .landing import parameter_differences
from .style import VERDICT_GLYPHS
from .webfont import font_face

TEMPLATES = Path(__file__).parent / "templates"
ROBUSTNESS = "robustness"  # the step that sweeps every verdict's thresholds
BASIS_MEANING = {
    "outside data": "sources outside the article decide: reproduced, partly reproduced or not reproduced",
    "the article's own figures": "only the article's own figures are compared (arithmetic, rounding, whole counts)",
    "the compendium's coding of the article": "the compendium's coding of the article's citations or events decides",
}


def claim_row(assessment: Assessment, root: Path | None = None, figures: list[str] | None = None,
              robustness: dict | None = None, evidence: Evidence | None = None, with_parts: bool = True) -> dict:
    """One claim of the report as plain data (a row of `claims.json`): for a claim of outside data, its parts
    with their evidence rows as both readings coded them, and the second reader's verdict (unless not
    `with_parts`: then the evidence is not read)."""
    claim = assessment.claim
    if with_parts and evidence is None and claim.basis == OUTSIDE and has_evidence(root):
        evidence = load_evidence(root)
    notebook = f"{EXECUTED}/{claim.step}.ipynb"
    page = f"{EXECUTED}/{claim.step}.html"
    return {
        "id": claim.id,
        "section": claim.section,
        "footnote": claim.footnote,
        "statement": claim.statement,
        "reported": format_reported(claim.reported) if claim.reported else "; ".join(p.article for p in claim.parts),
        "verdict": assessment.verdict,
        "basis": claim.basis,
        "why": assessment.why,
        "value": assessment.value,
        "value_text": format_value(assessment.value),
        "rule": claim.rule,
        "thresholds": assessment.thresholds,
        "readings": [
            {"id": r.id, "label": r.label, "basis": reading.basis, "rule": reading.rule, "verdict": r.verdict,
             "why": r.why, "value_text": format_value(r.value)}
            for r, reading in zip(assessment.readings, claim.readings)
        ],
        "evidence": "; ".join(assessment.evidence),
        "step": claim.step,
        "notebook": notebook if root and (root / notebook).is_file() else None,
        "notebook_html": page if root and (root / page).is_file() else None,
        "figures": figures or [],
        "research": claim.research,
        "article_quote": claim.article_quote,
        "parts": parts_view(assessment, evidence) if claim.basis == OUTSIDE and evidence else [],
        "second_reading": second_reading(claim.id, evidence) if claim.basis == OUTSIDE and evidence else {},
        "robustness": robustness,
    }


def build_report(root: Path | None = None, pipeline: Pipeline | None = None) -> list[dict]:
    """Assess every claim; the list that `claims.json` holds."""
    pipeline = pipeline or load_pipeline(root)
    figures = {
        name: [f"{FIGURES_DIR}/{stem}.png" for stem in (*step.figures, *step.optional_figures)
               if (pipeline.root / FIGURES_DIR / f"{stem}.png").is_file()]
        for name, step in pipeline.steps.items()
    }
    swept = _robustness(pipeline)
    evidence = load_evidence(pipeline.root) if has_evidence(pipeline.root) else None
    premise_of: dict[str, list[dict]] = {}
    for thesis in arguments_of(pipeline):
        for premise in thesis["premises"]:
            premise_of.setdefault(premise["claim"], []).append({"argument": thesis["id"], "role": premise["role"]})
    return [claim_row(a, pipeline.root, figures.get(a.claim.step), swept.get(a.claim.id), evidence)
            | {"arguments": premise_of.get(a.claim.id, [])} for a in assess_all(pipeline, evidence)]


def _robustness(pipeline: Pipeline) -> dict[str, dict]:
    """Per swept claim {variants, agree, share, changed, minority, flips, text, sweep_why}, from the robustness step's
    results when it has run."""
    if ROBUSTNESS not in pipeline.steps:
        return {}
    if not (pipeline.root / results_file(ROBUSTNESS)).is_file():
        return {}
    claims = read_checked_results(pipeline.root, ROBUSTNESS)["values"]["claims"]  # an edited result is refused
    keys = ("variants", "agree", "share", "changed", "minority", "flips", "text", "sweep_why")
    return {cid: {k: e[k] for k in keys} for cid, e in claims.items()}


def write_report(root: Path | None = None, pipeline: Pipeline | None = None) -> Path:
    """Write build/claims.json ({claims, arguments: each thesis with its premises and their verdicts}),
    build/claims.md and build/claims.html; return the JSON path."""
    pipeline = pipeline or load_pipeline(root)
    rows = build_report(pipeline.root, pipeline)
    report = {"claims": rows, "arguments": arguments_of(pipeline)}
    base = pipeline.root / CLAIMS_REPORT
    target = base.with_suffix(".json")
    old = target.read_text(encoding="utf-8") if target.is_file() else None
    differences = parameter_differences(pipeline)
    face = font_face(pipeline.root, json.dumps(rows, ensure_ascii=False))
    marker = _page_marker(differences, face)
    html = base.with_suffix(".html")
    if old is not None and json.loads(old) == report and html.is_file() and marker in html.read_text(encoding="utf-8"):
        return target  # nothing changed: keep the pages and their time stamp
    stamp = {"commit": git_commit(pipeline.root),
             "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    write_if_changed(base.with_suffix(".md"), render_markdown(rows, stamp, differences))
    write_if_changed(html, render_html(rows, pipeline, stamp, differences, face))
    atomic_write_json(target, report)
    return target


def read_claims(root: Path) -> list[dict]:
    """The claims of build/claims.json ([] before the first report); the file holds {claims, arguments}."""
    path = root / f"{CLAIMS_REPORT}.json"
    if not path.is_file():
        return []
    report = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(report, dict) or not isinstance(report.get("claims"), list):
        raise ResultsError(f"{CLAIMS_REPORT}.json: expected an object with a 'claims' list (an older report? run `scs run`)")
    return report["claims"]


def verdicts(step: str, values: dict, parameters: dict, root: Path | None = None):
    """The verdicts of one step's claims, rendered from its values and parameters (the end of its notebook)."""
    from IPython.display import Markdown

    # the list shows no parts or evidence rows (the claims page does): the evidence tables are not read again
    rows = [claim_row(a, with_parts=False) for a in assess_step(step, values, parameters, load_pipeline(root))]
    return Markdown(verdicts_markdown(rows))


GROUP_OVER = 8  # a notebook with more claims than this lists them under a heading per verdict


def verdicts_markdown(rows: list[dict]) -> str:
    """A list of claims: verdict, basis, statement, what the article reports, why; readings indented. Each claim
    has an anchor (`#claim-<id>`) that the claims page's 'notebook cell' link lands on; many claims are grouped
    under a heading per verdict, in the order of the verdicts' table."""

    def bullets(group: list[dict]) -> list[str]:
        lines = []
        for row in group:
            lines.append(f"- <a id=\"claim-{row['id']}\"></a>**{escape_markdown(row['verdict'])}** "
                         f"({escape_markdown(row['basis'])}): {escape_markdown(row['statement'])} "
                         f"*The article: {escape_markdown(row['reported'])}.* {escape_markdown(sentence(row['why']))}.")
            lines += [f"    - {escape_markdown(r['label'])}: **{escape_markdown(r['verdict'])}**; "
                      f"{escape_markdown(r['why'])}." for r in row["readings"]]
        return lines

    if len(rows) <= GROUP_OVER:
        return "\n".join(bullets(rows))
    lines = []
    for verdict in VERDICTS:
        group = [row for row in rows if row["verdict"] == verdict]
        if group:
            lines += ["", f"#### {escape_markdown(verdict)} ({len(group)} of {len(rows)})", "", *bullets(group)]
    return "\n".join(lines).strip("\n")


def summary(rows: list[dict]) -> dict[str, int]:
    """How many of the article's statements have each verdict (readings are not counted apart)."""
    return {verdict: sum(row["verdict"] == verdict for row in rows) for verdict in VERDICTS}


def by_basis(rows: list[dict]) -> dict[str, int]:
    return {basis: sum(row["basis"] == basis for row in rows) for basis in BASES}


def research_text(row: dict) -> str:
    """What was searched and which sources the claim's rows rest on, in one line."""
    research = row["research"]
    sources = sorted({r["source"] for part in row.get("parts", []) for r in part["rows"]})
    searched = "; ".join(research.get("searched") or []) or "no search recorded"
    return f"searched: {searched}" + (f"; sources: {', '.join(sources)}" if sources else "")


def _page_marker(differences: list[str], face: str) -> str:
    """A comment in claims.html that records the parameters, the font and the template it was written with (a
    change to any rewrites it)."""
    template = (TEMPLATES / "claims.html.j2").read_text(encoding="utf-8")
    digest = hashlib.sha256(json.dumps([differences, face, template]).encode()).hexdigest()[:16]
    return f"<!-- parameters: {digest} -->"


def render_markdown(rows: list[dict], stamp: dict, differences: list[str] = ()) -> str:
    banner = ["**Not the default build:** parameters that differ from `pipeline.yaml`: "
              + "; ".join(f"`{d}`" for d in differences) + ".", ""] if differences else []
    lines = [
        "# Claims of Bloch (2022), claim by claim",
        "",
        f"Generated by `scs run` from `data/claims.yaml` and `build/results/` (commit {stamp['commit']}, "
        f"{stamp['generated']}); do not edit.",
        "",
        *banner,
        markdown_table(["verdict", "statements", "meaning"], ((v, n, MEANING[v]) for v, n in summary(rows).items())),
        "",
        markdown_table(
            ["id", "where", "the article says", "reported", "verdict", "basis", "why", "robustness", "step", "research"],
            ([row["id"], where(row), row["statement"], row["reported"], Markdown(f"**{escape_markdown(row['verdict'])}**"),
              row["basis"], row["why"] + "".join(f" [{r['label']}: {r['verdict']}: {r['why']}]" for r in row["readings"]),
              (row.get("robustness") or {}).get("text", "not swept"), row["step"], research_text(row)] for row in rows),
        ),
    ]
    return "\n".join(lines) + "\n"


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                       undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


def _sources(rows: list[dict], evidence: Evidence) -> tuple[list[dict], dict[str, list[str]]]:
    """Every source the claims' rows cite, listed once (from the sources table), and the sources of each claim."""
    cited = {row["id"]: list(dict.fromkeys(r["source"] for part in row.get("parts", []) for r in part["rows"]))
             for row in rows}
    used = dict.fromkeys(sid for ids in cited.values() for sid in ids)
    originals = dict.fromkeys(evidence.sources[sid].copy_of for sid in used if evidence.sources[sid].copy_of)
    listed = []
    for sid in [*used, *(o for o in originals if o not in used)]:
        view = source_view(evidence.sources[sid], evidence)
        view["claims"] = [cid for cid, ids in cited.items() if sid in ids]
        listed.append(view)
    return listed, cited


def render_html(rows: list[dict], pipeline: Pipeline | None = None, stamp: dict | None = None,
                differences: list[str] = (), face: str | None = None) -> str:
    """A page a reviewer works with: one compact row per claim, details folded, filters kept in the URL."""
    stamp = stamp or {"commit": "unknown", "generated": "unknown"}
    root = pipeline.root if pipeline else None
    sources, cited = _sources(rows, load_evidence(root)) if has_evidence(root) else ([], {})
    titles = {name: step.title for name, step in pipeline.steps.items()} if pipeline else {}
    shown = []
    for row in rows:
        links = []
        if row.get("notebook_html"):
            links.append({"href": f"notebooks/{row['step']}.html#claim-{row['id']}", "text": "notebook cell"})
        links += [{"href": f"../{path}", "text": path.split("/")[-1].removesuffix(".png")} for path in row.get("figures", [])]
        robust = row.get("robustness")
        shown.append({**row, "where": where(row), "section_key": section_key(row["section"]), "links": links,
                      "sources": cited.get(row["id"], []),
                      "robustness_class": "not swept" if not robust else "fragile" if robust["changed"] else "robust",
                      "robustness_text": robust["text"] if robust else "not swept",
                      "robustness_why": "; ".join(f"{n}: {w}" for n, w in robust["sweep_why"].items()) if robust else ""})
    arguments = {step: sum(r["step"] == step for r in rows) for step in dict.fromkeys(r["step"] for r in rows)}
    sections = sorted({r["section_key"] for r in shown}, key=lambda s: (not s[0].isdigit(), s))
    return _environment().get_template("claims.html.j2").render(
        rows=shown, counts=summary(rows), meaning=MEANING, bases=by_basis(rows), basis_meaning=BASIS_MEANING,
        arguments=arguments, titles=titles, verdicts=VERDICTS, sections=sections, sources=sources, stamp=stamp,
        agreement=agreement_rows(pipeline), glyphs=VERDICT_GLYPHS, theses=arguments_of(pipeline),
        differences=list(differences), marker=_page_marker(list(differences), face or ""),
        font_face=face if face is not None else font_face(root, json.dumps(rows, ensure_ascii=False)) if root else "")


def arguments_of(pipeline: Pipeline | None) -> list[dict]:
    """The arguments step's theses with their premises' verdicts ([] before that step has run)."""
    if pipeline is None or "arguments" not in pipeline.steps:
        return []
    if not (pipeline.root / results_file("arguments")).is_file():
        return []
    return read_checked_results(pipeline.root, "arguments")["values"]["arguments"]


def agreement_rows(pipeline: Pipeline | None) -> dict[str, dict]:
    """The evidence step's agreement figures as the claims page shows them ({} before that step has run)."""
    if pipeline is None or "evidence" not in pipeline.steps:
        return {}
    if not (pipeline.root / results_file("evidence")).is_file():
        return {}
    values = read_checked_results(pipeline.root, "evidence")["values"]
    shown = {}
    for name, label, coding in CODINGS:
        a = values["agreement"][name]
        shown[label] = {**a, "kappa_text": "undefined" if a.get("kappa") is None else f"{a['kappa']:.2f}",
                        "alpha_text": "undefined" if a.get("alpha") is None else f"{a['alpha']:.2f}",
                        "adjudicated": values["adjudications"].get(coding, 0)}
    return shown
