"""The Makefile's wiring: one `setup` that every working target uses, uv with a pip fallback,
`make help` naming each target. Dry runs only (`make -n`): nothing is installed."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from ..conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
USES_SETUP = ["all", "test", "lab", "paper", "list", "bench"]


def make(*args: str) -> str:
    return subprocess.run(["make", "--no-print-directory", "-C", str(REPO), *args], check=True,
                          capture_output=True, text=True).stdout


def phony_targets() -> list[str]:
    text = (REPO / "Makefile").read_text()
    return re.search(r"^\.PHONY:(.*)$", text, re.M)[1].split()


def test_help_lists_every_target_with_a_line_of_its_own():
    lines = make("help").splitlines()
    targets = phony_targets()
    assert {"setup", "help", "lock", *USES_SETUP} <= set(targets)
    for target in targets:
        (line,) = [x for x in lines if x.split()[:2] == ["make", target]]
        assert len(line.split()) > 3, f"`make help` gives no description for {target}"


def test_working_targets_go_through_setup():
    text = (REPO / "Makefile").read_text()
    for target in USES_SETUP:
        assert re.search(rf"^{target}: setup\b", text, re.M), f"{target} does not depend on setup"
    assert re.search(r"^setup: \$\(SETUP\)", text, re.M)


def test_setup_syncs_with_uv_to_the_hashed_lock_and_falls_back_to_pip():
    recipe = make("-n", "-B", "setup", "PYTHON=python3")
    assert "uv==" in recipe and "--target .venv/uv" in recipe      # uv from PyPI, pinned
    assert "pip sync --quiet --require-hashes" in recipe and "requirements.lock" in recipe
    assert "--no-deps -e ." in recipe                              # the project, editable, after the sync
    assert "setting up .venv with pip" in recipe and "-m pip install" in recipe  # the fallback, with a message


def test_all_and_test_set_up_first_then_run():
    dry = make("-n", "-B", "all", "test", "PYTHON=python3")
    sync = dry.index("pip sync")
    assert sync < dry.index(".venv/bin/scs run") < dry.index(".venv/bin/scs paper")
    assert sync < dry.index(".venv/bin/python -m pytest")
