"""Shared fixtures: the real project, and the synthetic toy project of tests/fixtures/toy/.

The toy project is synthetic test material only: three tiny notebooks (a -> b, and c on
its own) with a one-table data package. It never enters data/.

Tests under tests/chain/ start Jupyter kernels and are marked `chain`; `pytest -m "not chain"`
runs the fast ones (tests/unit/) in seconds.

`make test` runs the tests on two workers (pytest-xdist, `--dist loadgroup`). The real chain is built once
per test run and shared by both workers (`real_chain`): the tests that only read it run on the worker that
builds it, first; the few that must change it take a private copy (`real_chain_copy`) and run last, on
either worker, when it is built. Plain `pytest` runs the same tests one after another.
"""

from __future__ import annotations

import csv
import fcntl
import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TOY = FIXTURES / "toy"


READ_CHAIN, COPY_CHAIN = "real_chain", "real_chain_copy"  # the groups of the tests that use the built chain


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items):
    """Mark the chain tests; group the tests that read the built chain (for `--dist loadgroup`) and order them
    first (their worker builds it while the other runs the rest); those that copy it go last, on either worker."""
    for item in items:
        if "chain" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.chain)

    def group(item) -> str | None:
        names = getattr(item, "fixturenames", ())
        if COPY_CHAIN in names or "ran" in names:
            return COPY_CHAIN
        return READ_CHAIN if READ_CHAIN in names else None

    for item in items:
        if group(item) == READ_CHAIN:  # one worker; those that copy it are spread over both
            item.add_marker(pytest.mark.xdist_group(READ_CHAIN))
    order = {READ_CHAIN: 0, None: 1, COPY_CHAIN: 2}
    items.sort(key=lambda item: order[group(item)])  # stable: within a group, the collection order


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
    """The real chain run once with its defaults and its paper built, in a copy of the project: built once per
    test run (under a lock, by the first worker that needs it) and shared by every test that only reads it."""
    from scs_compendium.chain import compendium_runner
    from scs_compendium.outputs import paper

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the folder of this run, which every worker's own folder is in
    home = base / "real-chain"
    home.mkdir(exist_ok=True)
    root, built, failed = home / "project", home / "built", home / "failed.txt"
    with (home / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, even if this worker dies
        if failed.is_file():
            pytest.fail(f"the real chain did not build (in another worker):\n{failed.read_text()}")
        if not built.is_file():
            shutil.rmtree(root, ignore_errors=True)
            copy_project(root, with_paper=True)
            lines: list[str] = []
            outcome = compendium_runner(root, log=lines.append).run()
            if not outcome.ok:
                failed.write_text("\n".join(lines))
                pytest.fail("\n".join(lines))
            try:
                paper.build(root, log=lines.append)  # every format, so that a test's own build is a no-op
            except BaseException as exc:
                failed.write_text(f"the paper did not build: {exc!r}\n" + "\n".join(lines))
                raise
            built.touch()
    return root


@pytest.fixture
def real_chain_copy(real_chain, tmp_path):
    """A private copy of the built real chain, for a test that changes it (reruns a step, rebuilds the paper)."""
    root = tmp_path / "project"
    shutil.copytree(real_chain, root, symlinks=True)
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
