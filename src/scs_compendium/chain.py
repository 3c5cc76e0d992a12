"""The compendium's chain: the generic engine with the article's checks before a run and its report after.

Before any kernel starts, the data package is validated (cached) and the claims
registry is read, so that a broken table or claim fails the run early; after a
run in which every step succeeded, the claims report and the start page (build/index.html) are rebuilt.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from .claims import load_registry
from .engine.run import Runner
from .engine.spec import Pipeline
from .outputs.landing import write_index
from .outputs.report import write_report
from .outputs.webfont import add_to_notebook_pages
from .sources.datapackage import validate_cached


def _validate_data(pipeline: Pipeline) -> str | None:
    announce = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731  (a large table as it is read)
    return "data package validated" if validate_cached(pipeline.root, log=announce) else None


def _read_registry(pipeline: Pipeline) -> None:
    load_registry(pipeline.root, pipeline)


def check_evidence_tables(pipeline: Pipeline) -> str | None:
    """The evidence tables against the registry (every row, quote, source and adjudication), before any kernel."""
    from .claims.checks import check_evidence
    from .claims.evidence import Decisions
    from .sources.evidence import has_evidence, load_evidence

    if not has_evidence(pipeline.root) or "evidence" not in pipeline.steps:
        return None
    evidence = load_evidence(pipeline.root)
    check_evidence(load_registry(pipeline.root, pipeline), evidence, Decisions.of(pipeline.step("evidence").defaults()))
    return f"evidence checked: {len(evidence.sources)} sources, {len(evidence.first)} + {len(evidence.second)} rows"


def _write_report(pipeline: Pipeline) -> str:
    path = write_report(pipeline.root, pipeline)
    index = write_index(pipeline.root, pipeline)
    add_to_notebook_pages(pipeline.root)  # the project's Chinese font in each executed notebook's page
    return f"claims report: {path.relative_to(pipeline.root)} (and .md, .html); start page: {index.relative_to(pipeline.root)}"


def compendium_runner(root: Path | str | None = None, log: Callable[[str], None] | None = None) -> Runner:
    """The runner of this project: data and claims checked before a run, the report written after."""
    return Runner(root, log, checks=[_read_registry, _validate_data, check_evidence_tables], after_success=[_write_report])
