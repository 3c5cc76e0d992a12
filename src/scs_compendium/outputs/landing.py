"""The reviewers' landing page, `build/index.html` (from the Jinja2 template `index.html.j2`).

One page that links everything a run made: the claims report, each step's executed
notebook with its figures, and the companion paper (or how to build it), with the
commit and the time it was written. It is rewritten after every run and every
paper build; when nothing it shows has changed, the file (and its time) stays.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

from ..claims import VERDICTS
from ..engine.params import describe_difference, run_differences
from ..engine.plan import load_manifest
from ..engine.spec import Pipeline, load_pipeline
from ..engine.store import git_commit, write_if_changed
from ..paths import BUILD_DIR, CLAIMS_REPORT, EXECUTED, FIGURES_DIR, PAPER_BUILD_DIR

INDEX = f"{BUILD_DIR}/index.html"
PAPER_FORMATS = {"html": "HTML", "pdf": "PDF", "docx": "Word, DOCX"}
_TIME = re.compile(r'<time id="generated"[^>]*>[^<]*</time>')


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                       autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined,
                       keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


def _rel(path: str) -> str:
    """A project path as a link from build/index.html."""
    return path.removeprefix(f"{BUILD_DIR}/") if path.startswith(f"{BUILD_DIR}/") else f"../{path}"


def parameter_differences(pipeline: Pipeline) -> list[str]:
    """Each parameter the published results were computed with that differs from pipeline.yaml, with both values
    (`media_coverage.few_years_min = 3.0 (pipeline.yaml: 2.0)`), from build/manifest.json; [] for a default build.
    The landing page, the claims page and the paper show them in a banner."""
    return [describe_difference(change) for change in run_differences(pipeline, load_manifest(pipeline.root))]


def page_data(pipeline: Pipeline) -> dict:
    """What the landing page shows, as plain data (links relative to build/)."""
    root = pipeline.root
    from .report import read_claims  # the report imports this module (its banner)

    rows = read_claims(root)
    counts = {verdict: n for verdict in VERDICTS if (n := sum(row["verdict"] == verdict for row in rows))}
    steps = []
    for name, step in pipeline.steps.items():
        page = f"{EXECUTED}/{name}.html"
        figures = [{"stem": stem, "href": _rel(f"{FIGURES_DIR}/{stem}.png")}
                   for stem in (*step.figures, *step.optional_figures)
                   if (root / FIGURES_DIR / f"{stem}.png").is_file()]
        steps.append({"name": name, "title": step.title, "figures": figures,
                      "claims": sum(r["step"] == name for r in rows),
                      "notebook": _rel(page) if (root / page).is_file() else None})
    paper = [{"format": label, "href": _rel(f"{PAPER_BUILD_DIR}/paper.{fmt}")}
             for fmt, label in PAPER_FORMATS.items() if (root / PAPER_BUILD_DIR / f"paper.{fmt}").is_file()]
    reports = {ext: _rel(f"{CLAIMS_REPORT}.{ext}") for ext in ("html", "md", "json")
               if (root / f"{CLAIMS_REPORT}.{ext}").is_file()}
    return {"claims": len(rows), "counts": counts, "steps": steps, "paper": paper, "reports": reports,
            "manifest": (root / BUILD_DIR / "manifest.json").is_file(), "differences": parameter_differences(pipeline)}


def render_index(data: dict, stamp: dict, font_face: str = "") -> str:
    return _environment().get_template("index.html.j2").render(**data, stamp=stamp, font_face=font_face)


def write_index(root: Path | None = None, pipeline: Pipeline | None = None) -> Path:
    """Write build/index.html; keep the file (and its time) when nothing it shows has changed."""
    pipeline = pipeline or load_pipeline(root)
    target = pipeline.root / INDEX
    stamp = {"commit": git_commit(pipeline.root),
             "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    from .webfont import font_face

    data = page_data(pipeline)
    html = render_index(data, stamp, font_face(pipeline.root, json.dumps(data, ensure_ascii=False)))
    old = target.read_text(encoding="utf-8") if target.is_file() else None
    if old is None or _TIME.sub("", old) != _TIME.sub("", html):
        write_if_changed(target, html)
    return target
