"""Shared fixtures: the real project, and a small synthetic 'toy' project for pipeline tests.

The toy project is synthetic test material only: three tiny notebooks (a -> b, and c on
its own) with a one-table data package. It never enters data/.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]

TOY_PIPELINE = """
fingerprint:
  code: [src/toy]
  environment: [requirements.lock]
steps:
  a:
    title: step a
    notebook: notebooks/a.ipynb
    parameters:
      n: {type: int, default: 2, doc: a whole number}
      fail: {type: bool, default: false, doc: raise an error after writing results}
    inputs: [data/synthetic_input.csv]
    figures: [a_plot]
  b:
    title: step b
    notebook: notebooks/b.ipynb
    needs: [a]
  c:
    title: step c
    notebook: notebooks/c.ipynb
    parameters:
      pause: {type: float, default: 2.0, doc: seconds to sleep}
planned:
  later: {title: a planned step, issue: 99}
"""

TOY_CLAIMS = """
claims:
  - id: toy-n
    section: "1"
    statement: "n is two"
    reported: {value: 2, unit: items}
    step: a
    keys: [n]
    rule: {kind: equals, tolerance: 0}
  - id: toy-later
    section: "2"
    statement: "something later"
    reported: {value: 1, unit: items}
    step: later
    keys: [x]
    rule: {kind: all_true}
"""

TOY_DATAPACKAGE = {
    "name": "toy",
    "licenses": [{"name": "CC0-1.0"}],
    "resources": [
        {
            "name": "synthetic_input",
            "path": "synthetic_input.csv",
            "title": "Synthetic input (tests only)",
            "description": "Made-up numbers for the pipeline tests.",
            "sources": [{"title": "synthetic, written by tests/conftest.py"}],
            "schema": {
                "fields": [
                    {"name": "item", "type": "string", "description": "an item"},
                    {"name": "value", "type": "integer", "description": "a value"},
                ]
            },
        }
    ],
}

NOTEBOOKS = {
    "a": (
        "n = 2\nfail = False",
        """from scs_compendium import step_context
import matplotlib.pyplot as plt
ctx = step_context("a", n=n, fail=fail)
rows = (ctx.root / "data/synthetic_input.csv").read_text().splitlines()[1:]
ctx.write_results({"n": n, "rows": len(rows), "ok": True})
fig, ax = plt.subplots()
ax.plot([1, n])
ctx.save_figure(fig, "a_plot")""",
        """if fail:
    raise ValueError("asked to fail")""",
    ),
    "b": (
        "",
        """from scs_compendium import step_context
ctx = step_context("b")
ctx.write_results({"double": 2 * ctx.read_results("a")["n"]})""",
    ),
    "c": (
        "pause = 2.0",
        """import time
from scs_compendium import step_context
ctx = step_context("c", pause=pause)
time.sleep(pause)
ctx.write_results({"slept": pause})""",
    ),
}


def rewrite_csv(path: Path, change) -> None:
    """Break a CSV on purpose: `change(rows)` edits the list of row dicts in place."""
    import csv

    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    change(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def write_notebook(path: Path, params: str, *cells: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def make_toy_project(root: Path) -> Path:
    (root / "notebooks").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "src" / "toy").mkdir(parents=True)
    (root / "pipeline.yaml").write_text(TOY_PIPELINE)
    (root / "requirements.lock").write_text("toy==1.0\n")
    (root / "src" / "toy" / "mod.py").write_text("X = 1\n")
    (root / "data" / "claims.yaml").write_text(TOY_CLAIMS)
    (root / "data" / "datapackage.json").write_text(json.dumps(TOY_DATAPACKAGE))
    (root / "data" / "synthetic_input.csv").write_text("item,value\nx,1\ny,2\n")
    for name, (params, *cells) in NOTEBOOKS.items():
        write_notebook(root / "notebooks" / f"{name}.ipynb", params, *cells)
    return root


@pytest.fixture(scope="session")
def toy_ran(tmp_path_factory):
    """A toy project after one full run with two jobs (kernels start once per session)."""
    from scs_compendium.runner import Runner

    root = make_toy_project(tmp_path_factory.mktemp("toy") / "project")
    lines: list[str] = []
    outcome = Runner(root, log=lines.append).run(jobs=2)
    assert outcome.ok, lines
    return root, outcome, lines


@pytest.fixture
def toy(toy_ran, tmp_path):
    """A private copy of the toy project after its first run."""
    root = tmp_path / "project"
    shutil.copytree(toy_ran[0], root)
    return root


@pytest.fixture
def toy_fresh(tmp_path):
    """A toy project that has never run."""
    return make_toy_project(tmp_path / "project")


@pytest.fixture
def data_copy(tmp_path):
    """A copy of the real project's data/, pipeline and notebooks, to break on purpose."""
    root = tmp_path / "project"
    root.mkdir()
    for item in ("data", "notebooks"):
        shutil.copytree(REPO / item, root / item)
    for item in ("pipeline.yaml", "requirements.lock"):
        shutil.copy(REPO / item, root / item)
    shutil.copytree(REPO / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return root


@pytest.fixture(scope="session")
def real_chain(tmp_path_factory):
    """The real chain run once with its defaults, in a copy of the project (shared by the session)."""
    from scs_compendium.runner import Runner

    root = tmp_path_factory.mktemp("chain") / "project"
    root.mkdir()
    for item in ("data", "notebooks"):
        shutil.copytree(REPO / item, root / item)
    shutil.copytree(REPO / "paper", root / "paper", ignore=shutil.ignore_patterns("_build"))
    for item in ("pipeline.yaml", "requirements.lock", "requirements.in"):
        shutil.copy(REPO / item, root / item)
    shutil.copytree(REPO / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    lines: list[str] = []
    outcome = Runner(root, log=lines.append).run()
    assert outcome.ok, "\n".join(lines)
    return root


