"""What a notebook uses to take part in the chain: its parameters, results and figures.

A notebook opens with::

    ctx = step_context("literature_shares", globals())

which picks the step's declared parameters out of the notebook's namespace (the
parameters cell, or the values papermill injected) and knows where outputs go.
Under `scs run` the runner hands the kernel the step's declaration with the
parameters already resolved and checked, and outputs go to a staging folder that
the runner publishes only when the whole notebook succeeded. Run by hand (in
JupyterLab, or a copy of a notebook), the declaration is read from `pipeline.yaml`,
the values are checked here, and outputs go to the scratch folder `build/scratch/`
(`figures/` and `results/` in it), never over what the chain published and reviewers
read; the notebook says so in its first output. `SCS_PUBLISH=1` (or
`step_context(..., publish=True)`) opts in to writing straight to `figures/` and
`build/results/`. Whenever a parameter differs from `pipeline.yaml`, the notebook
shows a banner with both values.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping

from .. import __version__
from ..errors import ParameterError, ResultsError
from ..paths import BUILD_DIR, FIGURES_DIR, SCRATCH_DIR, find_project_root, results_file
from .params import changed_parameters, check_order, check_value, describe_difference
from .spec import Step, load_pipeline
from .store import FIGURE_DPI, git_commit, read_results, save_figure, sha256_file, write_results

# Set by the runner for the kernel of one step.
ENV_STEP = "SCS_STEP"
ENV_STEP_SPEC = "SCS_STEP_SPEC"
ENV_STAGING = "SCS_STAGING_DIR"
ENV_COMMIT = "SCS_GIT_COMMIT"
ENV_PARAMETERS = "SCS_STEP_PARAMETERS"  # the resolved values (papermill injects only those that differ)
# Set by a user who runs a notebook by hand and wants it to publish (as `scs run` would, but unchecked).
ENV_PUBLISH = "SCS_PUBLISH"


def publish_requested() -> bool:
    """Whether SCS_PUBLISH asks a notebook run by hand to write into figures/ and build/results/."""
    return os.environ.get(ENV_PUBLISH, "").strip().lower() in ("1", "true", "yes")


class StepContext:
    """Parameters, provenance and output helpers of one step."""

    def __init__(self, name: str, namespace: Mapping[str, Any], root: Path | str | None = None,
                 publish: bool | None = None):
        self.root = Path(root) if root else find_project_root()
        self.name = name
        under_runner = os.environ.get(ENV_STEP) == name and bool(os.environ.get(ENV_STEP_SPEC))
        if under_runner:
            self.step = Step.from_json(json.loads(os.environ[ENV_STEP_SPEC]))
        else:
            self.step = load_pipeline(self.root).step(name)
        self.parameters = _pick_parameters(self.step, namespace)
        handed = json.loads(os.environ.get(ENV_PARAMETERS) or "null") if under_runner else None
        if handed is not None and handed != json.loads(json.dumps(self.parameters)):
            wrong = sorted(name for name in handed if handed[name] != self.parameters.get(name))
            raise ParameterError(f"{self.step.notebook}: the parameters cell gives {wrong} other values than the run "
                                 "resolved from pipeline.yaml and -p; make the cell's values pipeline.yaml's defaults")
        staging = os.environ.get(ENV_STAGING) if under_runner else None
        publish = publish_requested() if publish is None else publish
        # "chain": staged for the runner; "publish": by hand, opted in; "scratch": by hand, the default
        self.mode = "chain" if staging else "publish" if publish else "scratch"
        self.output_root = Path(staging) if staging else self.root if publish else self.root / SCRATCH_DIR
        self.changed = changed_parameters(self.step, self.parameters)
        self.provenance = {
            "step": name,
            "notebook": self.step.notebook,
            "parameters": self.parameters,
            "inputs": {path: self._hash(path) for path in self.step.inputs},
            "git_commit": os.environ.get(ENV_COMMIT) or git_commit(self.root),
            "scs_compendium": __version__,
        }
        announce(self.notes())
        if in_kernel():
            show_tables_whole()

    def _hash(self, relpath: str) -> str:
        path = self.root / relpath
        return sha256_file(path) if path.is_file() else "missing"

    @property
    def analysis_parameters(self) -> dict[str, Any]:
        """The parameters the step's analysis takes: all but its decisions (`role: decision`: only a rule reads them)."""
        return self.step.analysis_parameters(self.parameters)

    def path(self, relpath: str) -> Path:
        """Where an output (relative to the project root) is written: in build/scratch/, `build/results/x.json`
        becomes `build/scratch/results/x.json` and `figures/x.png` `build/scratch/figures/x.png`."""
        if self.mode == "scratch":
            relpath = relpath.removeprefix(f"{BUILD_DIR}/")
        return self.output_root / relpath

    def notes(self) -> list[str]:
        """What the notebook says first: where its outputs go (run by hand) and which parameters differ."""
        notes = []
        if self.mode == "scratch":
            notes.append(f"**Run by hand: a scratch run.** Figures and results go to `{SCRATCH_DIR}/figures/` and "
                         f"`{SCRATCH_DIR}/results/`; `figures/` and `build/results/`, which the claims page, the "
                         "landing page and the paper show, are left alone. Only `scs run` publishes (or set "
                         f"`{ENV_PUBLISH}=1` before starting JupyterLab to write there yourself).")
        elif self.mode == "publish":
            notes.append(f"**Run by hand with {ENV_PUBLISH}=1:** figures and results are written into `figures/` "
                         "and `build/results/`; the next `scs run` redoes the step with the parameters of "
                         "`pipeline.yaml`.")
        if self.changed:
            notes.append("**Parameters differ from pipeline.yaml:** "
                         + "; ".join(f"`{describe_difference(c)}`" for c in self.changed) + ".")
        return notes

    def write_results(self, values: dict) -> Path:
        """Write the numbers that claims and the paper need (the only results writer)."""
        return write_results(self.path(results_file(self.name)), self.name, self.parameters, self.provenance, values)

    def save_figure(self, fig, stem: str) -> list[Path]:
        """Save a declared figure as PDF, SVG and PNG with provenance."""
        declared = [*self.step.figures, *self.step.optional_figures]
        if stem not in declared:
            raise ResultsError(
                f"figure {stem!r} is not declared for step {self.name!r} in pipeline.yaml "
                f"(declared: {declared})"
            )
        written = save_figure(fig, stem, self.path(FIGURES_DIR), self.provenance)
        show_inline(fig, next(path for path in written if path.suffix == ".png"))
        return written

    def read_results(self, step: str) -> dict:
        """The `values` of an upstream step; it must be listed under `needs`."""
        if step not in self.step.needs:
            raise ResultsError(
                f"step {self.name!r} reads the results of {step!r} but does not list it under "
                "'needs' in pipeline.yaml"
            )
        scratch = self.root / SCRATCH_DIR / results_file(step).removeprefix(f"{BUILD_DIR}/")
        if self.mode == "scratch" and scratch.is_file():  # the student's own run of that step comes first
            announce([f"Results of `{step}` read from `{scratch.relative_to(self.root)}` (a run by hand)."])
            return read_results(self.root / SCRATCH_DIR, step, scratch)["values"]
        return read_results(self.root, step)["values"]


# Pixels of the inline image per inch of the figure: about what Jupyter shows a figure at (100 dpi),
# a little larger so that the journal's 7-8 pt text reads on screen.
INLINE_PX_PER_INCH = 125


def in_kernel() -> bool:
    """Whether the code runs in a Jupyter kernel (JupyterLab, papermill, nbclient), not a plain interpreter."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return getattr(get_ipython(), "kernel", None) is not None


def show_inline(fig, png: Path) -> None:
    """Show a saved figure in the notebook: the very PNG that was written, whatever the matplotlib backend.

    The runner gives every kernel the Agg backend, which shows nothing by itself; so the figure is
    displayed as an image output (the executed notebook and its HTML page keep it), then closed, so
    that an inline backend (JupyterLab) does not show it a second time. Outside a kernel, nothing happens.
    """
    if not in_kernel():
        return
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    data = png.read_bytes()
    width_px = int.from_bytes(data[16:20], "big")  # the PNG header's width
    display(Image(data=data, format="png", width=round(width_px / FIGURE_DPI * INLINE_PX_PER_INCH)))
    plt.close(fig)


# Rows a notebook's table shows before pandas elides the middle (the longest table has about 120 rows).
TABLE_MAX_ROWS = 400


def show_tables_whole() -> None:
    """Tables in a notebook show every row and whole texts (an explanation is never cut to '...')."""
    import sys

    pandas = sys.modules.get("pandas")
    if pandas is not None:
        pandas.set_option("display.max_colwidth", None)
        pandas.set_option("display.max_rows", TABLE_MAX_ROWS)
        pandas.set_option("display.min_rows", TABLE_MAX_ROWS)


def announce(notes: list[str]) -> None:
    """Show notes as Markdown in a kernel (the notebook's output), else print them."""
    if not notes:
        return
    if in_kernel():
        from IPython.display import Markdown, display

        display(Markdown("\n\n".join(notes)))
    else:
        print("\n".join(note.replace("**", "").replace("`", "") for note in notes))


def _pick_parameters(step: Step, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The step's declared parameters, taken from the notebook's namespace and checked."""
    missing = [name for name in step.parameters if name not in namespace]
    if missing:
        raise ParameterError(
            f"{step.notebook}: the parameters cell does not define {missing}; pipeline.yaml declares "
            f"{list(step.parameters)} for step {step.name!r}"
        )
    values = {name: check_value(param, namespace[name]) for name, param in step.parameters.items()}
    check_order(step.parameters, values)
    return values


def step_context(name: str, namespace: Mapping[str, Any], root: Path | str | None = None,
                 publish: bool | None = None) -> StepContext:
    """The context of step `name`; pass the notebook's `globals()` as `namespace`. Run by hand, outputs go to
    build/scratch/ unless `publish` (or SCS_PUBLISH=1) says to write into figures/ and build/results/."""
    return StepContext(name, namespace, root, publish)
