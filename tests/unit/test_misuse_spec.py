"""Issue #15, round two: every path of pipeline.yaml stays inside the project, every output name is a
plain name, and a bad spec is a one-paragraph error (exit 2) before anything runs."""

from __future__ import annotations

import os

import pytest
import yaml

from scs_compendium import cli

SECRET = "root-secret-first-line: do not echo me"


def run_cli(root, monkeypatch, capsys, *args):
    monkeypatch.setenv("SCS_PROJECT_ROOT", str(root))
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def edit_spec(root, change):
    spec = yaml.safe_load((root / "pipeline.yaml").read_text())
    change(spec)
    (root / "pipeline.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))


@pytest.fixture
def outside(tmp_path):
    """A file outside the project whose first line must never be shown."""
    path = tmp_path / "outside" / "secret.ipynb"
    path.parent.mkdir()
    path.write_text(SECRET + "\n")
    return path


def _set(step, key, value):
    def change(spec):
        spec["steps"][step][key] = value
    return change


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("absolute notebook", "'notebook': '/"),
        ("notebook with ..", "'notebook': '../outside/secret.ipynb' is outside the project"),
        ("input with ..", "'inputs': '../outside/secret.ipynb' is outside the project"),
        ("absolute input", "'inputs': '/etc/passwd' is outside the project"),
        ("figure with ../", "figure name '../paper/_build/paper' is not allowed; expected letters, digits"),
        ("optional figure with /", "figure name 'sub/plot' is not allowed"),
        ("step name with ../", "a step name takes letters, digits and underscores only"),
        ("symbolic link out", "leads outside the project (through a symbolic link)"),
    ],
)
def test_paths_outside_the_project_are_refused_before_anything_runs(toy_fresh, outside, monkeypatch, capsys, case,
                                                                   expected):
    if case == "absolute notebook":
        edit_spec(toy_fresh, _set("a", "notebook", str(outside)))
    elif case == "notebook with ..":
        edit_spec(toy_fresh, _set("a", "notebook", "../outside/secret.ipynb"))
    elif case == "input with ..":
        edit_spec(toy_fresh, _set("a", "inputs", ["../outside/secret.ipynb"]))
    elif case == "absolute input":
        edit_spec(toy_fresh, _set("a", "inputs", ["/etc/passwd"]))
    elif case == "figure with ../":
        edit_spec(toy_fresh, _set("a", "figures", ["../paper/_build/paper"]))
    elif case == "optional figure with /":
        edit_spec(toy_fresh, _set("a", "optional_figures", ["sub/plot"]))
    elif case == "step name with ../":
        edit_spec(toy_fresh, lambda spec: spec["steps"].update({"../x": {"notebook": "notebooks/c.ipynb"}}))
    else:
        os.symlink(outside, toy_fresh / "notebooks" / "link.ipynb")
        edit_spec(toy_fresh, _set("a", "notebook", "notebooks/link.ipynb"))
    bystander = toy_fresh / "paper" / "_build" / "paper.png"
    bystander.parent.mkdir(parents=True)
    bystander.write_text("not to be deleted")
    code, output = run_cli(toy_fresh, monkeypatch, capsys, "run")
    assert code == 2, output
    assert expected in output and "pipeline.yaml" in output
    assert SECRET not in output and "Traceback" not in output
    assert len(output.strip().splitlines()) == 1  # one paragraph
    assert not (toy_fresh / "build" / "results").exists() and bystander.is_file()


def test_a_misspelt_top_level_key_is_an_error(toy_fresh, monkeypatch, capsys):
    edit_spec(toy_fresh, lambda spec: spec.update({"planed": {}}))
    code, output = run_cli(toy_fresh, monkeypatch, capsys, "run")
    assert code == 2
    assert "unknown top-level key(s) ['planed']; allowed: ['fingerprint', 'planned', 'steps']" in output


def test_a_fingerprint_path_outside_the_project_is_refused(toy_fresh, monkeypatch, capsys):
    edit_spec(toy_fresh, lambda spec: spec["fingerprint"].update({"environment": ["/etc/passwd"]}))
    code, output = run_cli(toy_fresh, monkeypatch, capsys, "list")
    assert code == 2 and "'fingerprint', 'environment': '/etc/passwd' is outside the project" in output
