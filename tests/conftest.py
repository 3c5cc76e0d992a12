"""Shared fixtures: the real project, and the synthetic toy project of tests/fixtures/toy/.

The toy project is synthetic test material only: three tiny notebooks (a -> b, and c on
its own) with a one-table data package. It never enters data/.

Tests under tests/chain/ start Jupyter kernels and are marked `chain`; `pytest -m "not chain"`
runs the fast ones (tests/unit/) in seconds.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TOY = FIXTURES / "toy"


def pytest_collection_modifyitems(items):
    for item in items:
        if "chain" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.chain)


def rewrite_csv(path: Path, change) -> None:
    """Break a CSV on purpose: `change(rows)` edits the list of row dicts in place."""
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    change(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def make_toy_project(root: Path) -> Path:
    """A fresh copy of the toy project at `root`."""
    shutil.copytree(TOY, root, ignore=shutil.ignore_patterns("__pycache__", "build", "figures"))
    return root


def copy_project(root: Path, with_paper: bool = False) -> Path:
    """A copy of the real project's inputs (data, notebooks, spec, code) to run or break on purpose."""
    root.mkdir(parents=True)
    for item in ("data", "notebooks"):
        shutil.copytree(REPO / item, root / item)
    if with_paper:
        shutil.copytree(REPO / "paper", root / "paper", ignore=shutil.ignore_patterns("_build"))
    for item in ("pipeline.yaml", "requirements.lock", "requirements.in"):
        shutil.copy(REPO / item, root / item)
    shutil.copytree(REPO / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return root


@pytest.fixture(scope="session")
def toy_ran(tmp_path_factory):
    """A toy project after one full run with two jobs (kernels start once per session)."""
    from scs_compendium.chain import compendium_runner

    root = make_toy_project(tmp_path_factory.mktemp("toy") / "project")
    lines: list[str] = []
    outcome = compendium_runner(root, log=lines.append).run(jobs=2)
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
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def real_chain(tmp_path_factory):
    """The real chain run once with its defaults, in a copy of the project (shared by the session)."""
    from scs_compendium.chain import compendium_runner

    root = copy_project(tmp_path_factory.mktemp("chain") / "project", with_paper=True)
    lines: list[str] = []
    outcome = compendium_runner(root, log=lines.append).run()
    assert outcome.ok, "\n".join(lines)
    return root


def step_defaults(step: str) -> dict:
    """The default parameters a step's analysis takes, from the real pipeline.yaml (the one place they are declared):
    every parameter but the decisions, which only a verdict rule reads."""
    from scs_compendium.engine.spec import load_pipeline

    declared = load_pipeline(REPO).step(step)
    return declared.analysis_parameters(declared.defaults())


def files_outside(around: Path, project: Path) -> dict[str, str]:
    """Every file and folder under `around` but outside `project`, with a hash of each file's bytes (and
    where each link points): compared before and after, it shows that nothing outside the project changed."""
    import hashlib
    import os

    found = {}
    for folder, dirs, files in os.walk(around):
        here = Path(folder)
        if here == project or project in here.parents:
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if here / d != project]
        for name in dirs + files:
            path = here / name
            key = str(path.relative_to(around))
            if path.is_symlink():
                found[key] = "link:" + os.readlink(path)
            elif path.is_file():
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[key] = "folder"
    return found
