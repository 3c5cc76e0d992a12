"""The pip pins, the lock file and environment.yml agree; the set-up files are in place."""

from __future__ import annotations

import re
import tomllib

import yaml

from ..conftest import REPO

# Wheels that bundle a binary (pandoc, PDFium, the Typst compiler): environment.yml takes them
# from PyPI on purpose, whatever conda-forge carries.
BUNDLED_BINARIES = {"pypandoc-binary", "pypdfium2", "typst"}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def pins(path) -> dict[str, str]:
    """name -> version of every `name==version` line; environment markers (`; sys_platform ...`),
    hashes (`--hash=...`, on lines continued with a backslash) and comments are skipped."""
    found = {}
    for line in path.read_text().replace("\\\n", " ").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)(?:\s*;.*?)?(?:\s+--hash=\S+)*", line)
            assert match, f"{path.name}: not an exact pin: {line!r}"
            found[normalise(match[1])] = match[2]
    return found


def environment_yml() -> tuple[dict[str, str], dict[str, str]]:
    """(conda-forge side, pip side) of environment.yml, as name -> version."""
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda, pip = {}, {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep:
            name, version = dep.split("=", 1)
            conda[normalise(name)] = version
        elif isinstance(dep, dict):  # the pip: subsection
            for line in dep["pip"]:
                name, _, version = line.partition("==")
                pip[normalise(name)] = version
    return conda, pip


def known_on_conda_forge() -> dict[str, str]:
    """conda-forge.txt: name, version, evidence per line."""
    known = {}
    for line in (REPO / "conda-forge.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version, evidence = line.split(maxsplit=2)
            known[normalise(name)] = version
    return known


def test_every_top_level_pin_is_exact_and_in_the_lock():
    wanted = pins(REPO / "requirements.in")
    locked = pins(REPO / "requirements.lock")
    assert wanted and all(re.fullmatch(r"[\d.]+", v) for v in wanted.values()), wanted
    for name, version in wanted.items():
        assert locked.get(name) == version, f"{name}: requirements.in {version}, lock {locked.get(name)}"


def test_lock_has_hashes_for_every_package_and_says_how_it_is_made():
    text = (REPO / "requirements.lock").read_text()
    header = re.match(r"(#.*\n)+", text)[0]
    assert "make lock" in header and "requirements.in" in header
    entries = re.split(r"\n(?=[A-Za-z0-9])", text[len(header):])
    assert len(entries) == len(pins(REPO / "requirements.lock")) > 100
    unhashed = [e.split()[0] for e in entries if "--hash=sha256:" not in e]
    assert not unhashed, f"no hash for {unhashed}: run `make lock`"


def test_environment_yml_pins_the_same_versions():
    conda, pip = environment_yml()
    assert conda.pop("python") == "3.11"
    assert not set(conda) & set(pip), "a package on both sides of environment.yml"
    assert {**conda, **pip} == pins(REPO / "requirements.in")


def test_conda_side_is_known_on_conda_forge_at_that_version():
    conda, _ = environment_yml()
    conda.pop("python")
    known = known_on_conda_forge()
    for name, version in conda.items():
        assert known.get(name) == version, (
            f"environment.yml takes {name} {version} from conda-forge, but conda-forge.txt "
            f"records {known.get(name) or 'no version'}: check conda-forge for {name} {version} "
            f"(see conda-forge.txt) and record it there, or move {name} under pip:"
        )
    assert set(known) == set(conda), f"conda-forge.txt lists packages not on the conda side: {set(known) - set(conda)}"


def test_each_pip_side_package_says_why_it_is_not_from_conda_forge():
    lines = (REPO / "environment.yml").read_text().splitlines()
    _, pip = environment_yml()
    for name in set(pip) - BUNDLED_BINARIES:
        line = next(x for x in lines if normalise(x.strip().lstrip("- ").split("==")[0]) == name)
        assert "#" in line, f"environment.yml: say which version conda-forge has, next to {name}"


def test_package_declares_the_scs_command():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["scs"] == "scs_compendium.cli:main"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (REPO / ".ci/run").read_text()
    readme = (REPO / "README.md").read_text()
    assert "make all" in readme and "make test" in readme


def test_optional_extras_stay_out_of_the_pinned_environment():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = {normalise(re.split(r"[=<>!~\[; ]", dep, maxsplit=1)[0])
              for deps in project["optional-dependencies"].values() for dep in deps}
    assert "pytrends" in extras
    conda, pip = environment_yml()
    for where, pinned in (("requirements.in", pins(REPO / "requirements.in")),
                          ("requirements.lock", pins(REPO / "requirements.lock")),
                          ("environment.yml", {**conda, **pip})):
        assert not extras & set(pinned), f"{where} pins the optional extra(s) {sorted(extras & set(pinned))}"


def test_the_two_test_workers_keep_a_group_of_tests_together(tmp_path):
    """`make test`'s `--dist loadgroup` works with the pinned pytest and pytest-xdist: tests given one group by a
    conftest hook, as tests/conftest.py gives those that read the built chain, run on one worker (with pytest 9,
    xdist 3.8.0 split them over both, and the second worker waited for the chain)."""
    import subprocess
    import sys

    (tmp_path / "conftest.py").write_text(
        "import pytest\n\n@pytest.hookimpl(tryfirst=True)\ndef pytest_collection_modifyitems(items):\n"
        "    for item in items:\n        if item.name.startswith('test_grouped'):\n"
        "            item.add_marker(pytest.mark.xdist_group('built'))\n", encoding="utf-8")
    (tmp_path / "test_spread.py").write_text(
        "".join(f"def test_grouped_{i}():\n    pass\n\n" for i in range(4))  # in a row, as the chain's tests are
        + "".join(f"def test_free_{i}():\n    pass\n\n" for i in range(4)),
        encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p", "no:cacheprovider",
                           "-p", "no:randomly", str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    workers = {}
    for line in done.stdout.splitlines():
        found = re.search(r"\[(gw\d)\].*PASSED .*::(test_\w+)", line)
        if found:
            workers[found.group(2)] = found.group(1)
    grouped = {workers[f"test_grouped_{i}"] for i in range(4)}
    assert len(workers) == 8 and len(grouped) == 1, done.stdout
