"""The pip pins, the lock file and environment.yml agree; the set-up files are in place."""

from __future__ import annotations

import re
import tomllib

import yaml

from ..conftest import REPO


def pins(path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            found[name.strip().lower().replace("_", "-")] = version.strip()
    return found


def test_every_top_level_pin_is_exact_and_in_the_lock():
    wanted = pins(REPO / "requirements.in")
    locked = pins(REPO / "requirements.lock")
    assert wanted and all(re.fullmatch(r"[\d.]+", v) for v in wanted.values()), wanted
    for name, version in wanted.items():
        assert locked.get(name) == version, f"{name}: requirements.in {version}, lock {locked.get(name)}"


def test_environment_yml_pins_the_same_versions():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep:
            name, version = dep.split("=", 1)
            conda[name.lower()] = version
        elif isinstance(dep, dict):  # the pip: subsection, for wheels that bundle binaries
            for line in dep["pip"]:
                name, _, version = line.partition("==")
                conda[name.lower()] = version
    assert conda.pop("python") == "3.11"
    assert conda == pins(REPO / "requirements.in")


def test_package_declares_the_scs_command():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["scs"] == "scs_compendium.cli:main"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (REPO / ".ci/run").read_text()
    readme = (REPO / "README.md").read_text()
    assert "make all" in readme and "make test" in readme
