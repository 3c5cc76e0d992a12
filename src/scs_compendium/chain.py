"""The compendium's chain: the generic engine with the article's checks before a run and its report after.

Before any kernel starts, the data package is validated (cached) and the claims registry and the
evidence tables are checked, so that a broken table or claim fails the run early; after a run in
which every step succeeded, the claims report and the start page (build/index.html) are rebuilt.
Both are skipped when nothing they read has changed since they last succeeded (a fingerprint of
the files they read and of the package's code, in build/): a run with nothing to do reads those
files' bytes once, compares hashes and stops, without importing the analysis libraries.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Callable

from .engine.run import Runner
from .engine.spec import Pipeline
from .engine.store import atomic_write_json

PACKAGE = Path(__file__).resolve().parent
CHECKED = "build/.checks-fingerprint.json"  # what the checks before a run last passed on
REPORTED = "build/.report-fingerprint.json"  # what the claims report and the start page were last built from


def fingerprint(root: Path, *parts: str) -> str:
    """A hash of the package's code and of every file under the named parts of the project (files or folders)."""
    digest = hashlib.sha256()
    paths = [p for p in sorted(PACKAGE.rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    for part in parts:
        base = root / part
        paths += [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else []
    for path in paths:
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _unchanged(root: Path, record: str, value: str) -> bool:
    try:
        return (root / record).read_text(encoding="utf-8").strip() == f'"{value}"'
    except FileNotFoundError:
        return False


CHECK_INPUTS = ("pipeline.yaml", "data")


def _checks(pipeline: Pipeline) -> str | None:
    """The data package, the registry and the evidence tables, unless none of them (nor the code) has changed."""
    value = fingerprint(pipeline.root, *CHECK_INPUTS)
    if _unchanged(pipeline.root, CHECKED, value):
        return None
    from .claims import load_registry
    from .sources.datapackage import validate_cached

    load_registry(pipeline.root, pipeline)
    announce = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731  (a large table as it is read)
    lines = ["data package validated"] if validate_cached(pipeline.root, log=announce) else []
    lines += [line for line in [check_evidence_tables(pipeline)] if line]
    atomic_write_json(pipeline.root / CHECKED, value)
    return "\n".join(lines) or None


def check_evidence_tables(pipeline: Pipeline) -> str | None:
    """The evidence tables against the registry (every row, quote, source and adjudication), before any kernel."""
    from .claims import load_registry
    from .claims.checks import check_evidence
    from .claims.evidence import Decisions
    from .sources.evidence import has_evidence, load_evidence

    if not has_evidence(pipeline.root) or "evidence" not in pipeline.steps:
        return None
    evidence = load_evidence(pipeline.root)
    check_evidence(load_registry(pipeline.root, pipeline), evidence, Decisions.of(pipeline.step("evidence").defaults()))
    return f"evidence checked: {len(evidence.sources)} sources, {len(evidence.first)} + {len(evidence.second)} rows"


REPORT_INPUTS = ("pipeline.yaml", "data", "build/results", "build/manifest.json", "figures", "paper/paper.md")


def _write_report(pipeline: Pipeline) -> str:
    value = fingerprint(pipeline.root, *REPORT_INPUTS)
    outputs = [pipeline.root / "build" / name for name in ("claims.json", "claims.md", "claims.html", "index.html")]
    if _unchanged(pipeline.root, REPORTED, value) and all(p.is_file() for p in outputs):
        return "claims report: fresh (no result, registry or code has changed)"
    from .outputs.landing import write_index
    from .outputs.report import write_report
    from .outputs.webfont import add_to_notebook_pages

    (pipeline.root / REPORTED).unlink(missing_ok=True)  # an interrupted rebuild is redone next time
    path = write_report(pipeline.root, pipeline)
    index = write_index(pipeline.root, pipeline)
    add_to_notebook_pages(pipeline.root)  # the project's Chinese font in each executed notebook's page
    atomic_write_json(pipeline.root / REPORTED, value)
    return f"claims report: {path.relative_to(pipeline.root)} (and .md, .html); start page: {index.relative_to(pipeline.root)}"


def compendium_runner(root: Path | str | None = None, log: Callable[[str], None] | None = None) -> Runner:
    """The runner of this project: data and claims checked before a run, the report written after."""
    return Runner(root, log, checks=[_checks], after_success=[_write_report])
