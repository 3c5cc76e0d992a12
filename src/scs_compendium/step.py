"""What a notebook uses to take part in the chain: its parameters, results and figures.

A notebook opens with::

    ctx = step_context("literature_shares", confidence_level=confidence_level, ...)

which checks the parameters against `pipeline.yaml`, sets the figure style and
knows where outputs go. Under `scs run` they go to a staging folder that the
runner publishes only when the whole notebook succeeded; run by hand (in
JupyterLab), they go straight to `figures/` and `build/results/`, each file
written atomically.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import __version__
from .atomic import sha256_file
from .errors import ResultsError
from .figures import apply_style, save_figure
from .provenance import git_commit
from .pipeline import find_project_root, load_pipeline, resolve_parameters
from .results import RESULTS_DIR, read_results, write_results


class StepContext:
    """Parameters, provenance and output helpers of one step."""

    def __init__(self, name: str, root: Path | str | None = None, **parameters: Any):
        self.root = Path(root) if root else find_project_root()
        pipeline = load_pipeline(self.root)
        self.step = pipeline.step(name)
        self.name = name
        self.parameters = resolve_parameters(pipeline, [name], parameters)[name]
        staging = os.environ.get("SCS_STAGING_DIR")
        under_runner = staging and os.environ.get("SCS_STEP") == name
        self.output_root = Path(staging) if under_runner else self.root
        self.provenance = {
            "step": name,
            "notebook": self.step.notebook,
            "parameters": self.parameters,
            "inputs": {path: self._hash(path) for path in self.step.inputs},
            "git_commit": os.environ.get("SCS_GIT_COMMIT") or git_commit(self.root),
            "scs_compendium": __version__,
        }
        apply_style()

    def _hash(self, relpath: str) -> str:
        path = self.root / relpath
        return sha256_file(path) if path.is_file() else "missing"

    def path(self, relpath: str) -> Path:
        """Where an output (relative to the project root) is written."""
        return self.output_root / relpath

    def write_results(self, values: dict) -> Path:
        """Write the numbers that claims and the paper need (the only results writer)."""
        path = self.path(f"{RESULTS_DIR}/{self.name}.json")
        return write_results(path, self.name, self.parameters, self.provenance, values)

    def save_figure(self, fig, stem: str) -> list[Path]:
        """Save a declared figure as PDF, SVG and PNG with provenance."""
        declared = [*self.step.figures, *self.step.optional_figures]
        if stem not in declared:
            raise ResultsError(
                f"figure {stem!r} is not declared for step {self.name!r} in pipeline.yaml "
                f"(declared: {declared})"
            )
        return save_figure(fig, stem, self.path("figures"), self.provenance)

    def read_results(self, step: str) -> dict:
        """The `values` of an upstream step; it must be listed under `needs`."""
        if step not in self.step.needs:
            raise ResultsError(
                f"step {self.name!r} reads the results of {step!r} but does not list it under "
                "'needs' in pipeline.yaml"
            )
        return read_results(self.root, step)["values"]


