"""The chain on the synthetic toy project: what reruns and why, order, parallelism, failures."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime
from pathlib import Path

import pytest

from scs_compendium import cli
from scs_compendium.engine.store import sha256_file
from scs_compendium.chain import compendium_runner as Runner
from scs_compendium.paths import MANIFEST


def stale(root: Path, **kwargs) -> dict[str, list[str]]:
    """Step name -> reasons, for the steps a run would execute."""
    return {p.name: p.reasons for p in Runner(root, log=lambda _: None).plan(**kwargs) if p.stale}


def plans(root: Path) -> dict:
    return {p.name: p for p in Runner(root, log=lambda _: None).plan()}


def manifest(root: Path) -> dict:
    return json.loads((root / MANIFEST).read_text())


# --- the first run ------------------------------------------------------------------


def test_first_run_publishes_outputs_and_manifest(toy_ran):
    root, outcome, _ = toy_ran
    assert sorted(outcome.ran) == ["a", "b", "c"]
    assert json.loads((root / "build/results/b.json").read_text())["values"] == {"double": 4}
    for ext in ("pdf", "svg", "png"):
        assert (root / f"figures/a_plot.{ext}").is_file()
    entry = manifest(root)["steps"]["a"]
    assert entry["status"] == "succeeded"
    assert entry["parameters"] == {"n": 2, "fail": False}
    assert entry["fingerprint"]["inputs"]["data/synthetic_input.csv"] == sha256_file(root / "data/synthetic_input.csv")
    assert entry["outputs"]["build/results/a.json"] == sha256_file(root / "build/results/a.json")
    assert "papermill" in entry["packages"] and entry["duration_s"] > 0
    assert (root / "build/notebooks/a.ipynb").is_file()
    assert not (root / "build/.staging").exists() or not any((root / "build/.staging").iterdir())


def test_dependency_order_and_parallel_steps(toy_ran):
    steps = manifest(toy_ran[0])["steps"]
    t = {name: (datetime.fromisoformat(e["started"]), datetime.fromisoformat(e["finished"])) for name, e in steps.items()}
    assert t["b"][0] >= t["a"][1], "b needs a: it must start after a finished"
    # a and c are independent; with two jobs they run at the same time.
    assert t["a"][0] < t["c"][1] and t["c"][0] < t["a"][1]


def test_claims_report_written_after_run(toy_ran):
    rows = json.loads((toy_ran[0] / "build/claims.json").read_text())["claims"]
    verdicts = {row["id"]: row["verdict"] for row in rows}
    assert verdicts == {"toy-n": "consistent", "toy-later": "pending"}


# --- what causes a rerun, and what does not -------------------------------------------


def test_noop_when_nothing_changed(toy):
    assert stale(toy) == {}


def test_touch_without_change_is_not_a_cause(toy):
    path = toy / "data/synthetic_input.csv"
    os.utime(path, (time.time() + 100, time.time() + 100))
    (toy / "README.md").write_text("an unrelated file\n")
    assert stale(toy) == {}


def test_notebook_change_reruns_it_and_makes_its_dependents_wait(toy):
    nb = toy / "notebooks/a.ipynb"
    nb.write_text(nb.read_text().replace("ax.plot([1, n])", "ax.plot([1, n, 1])"))
    plan = plans(toy)
    assert [name for name, p in plan.items() if p.stale] == ["a"]
    assert plan["a"].reasons == ["notebook notebooks/a.ipynb changed"]
    assert plan["b"].waits_on == ["a"]  # reruns only if a's results change


def test_independent_notebook_change_reruns_only_that_step(toy):
    nb = toy / "notebooks/c.ipynb"
    nb.write_text(nb.read_text().replace("time.sleep(pause)", "time.sleep(pause * 1)"))
    assert set(stale(toy)) == {"c"}


def test_parameter_change_is_a_cause_and_same_value_is_not(toy):
    assert stale(toy, overrides=["n=3"])["a"] == ["parameter n: 2 -> 3"]
    assert stale(toy, overrides=["a.n=2"]) == {}


def test_input_change_is_a_cause(toy):
    (toy / "data/synthetic_input.csv").write_text("item,value\nx,1\ny,2\nz,3\n")
    assert stale(toy)["a"] == ["input data/synthetic_input.csv changed"]


def test_a_module_one_notebook_imports_reruns_that_step_only(toy):
    with (toy / "src/toy/mod.py").open("a") as handle:
        handle.write("# a comment\n")
    plan = plans(toy)
    assert [name for name, p in plan.items() if p.stale] == ["a"]
    assert plan["a"].reasons == ["code src/toy/mod.py changed"]
    assert plan["b"].waits_on == ["a"] and plan["b"].describe() == "fresh unless the results of a change"
    assert not plan["c"].stale and not plan["c"].waits_on


def test_the_engine_is_code_of_every_step(toy):
    (toy / "src/toy/engine.py").write_text("VERSION = 2\n")
    plan = stale(toy)
    assert set(plan) == {"a", "b", "c"}
    assert plan["c"] == ["code src/toy/engine.py changed"]


def test_a_dependant_reruns_only_if_the_results_it_reads_change(toy):
    with (toy / "src/toy/mod.py").open("a") as handle:
        handle.write("# a comment: the results of a stay the same\n")
    outcome = Runner(toy, log=lambda _: None).run()
    assert outcome.ran == ["a"] and sorted(outcome.fresh) == ["b", "c"]


def test_bytecode_cache_is_not_code(toy):
    cache = toy / "src/toy/__pycache__"
    cache.mkdir()
    (cache / "mod.cpython-311.pyc").write_bytes(b"junk")
    assert stale(toy) == {}


def test_environment_change_reruns_every_step(toy):
    (toy / "requirements.lock").write_text("toy==1.1\n")
    plan = stale(toy)
    assert set(plan) == {"a", "b", "c"}
    assert plan["c"] == ["pinned environment changed"]


def test_missing_or_edited_output_is_a_cause(toy):
    (toy / "figures/a_plot.svg").unlink()
    (toy / "build/results/c.json").write_text("{}")
    plan = stale(toy)
    assert plan["a"] == ["output figures/a_plot.svg missing"]
    assert plan["c"] == ["output build/results/c.json was modified after it was written"]


def test_force_marks_named_steps(toy):
    assert stale(toy, targets=["c"], force=True) == {"c": ["forced"]}


def test_targets_bring_their_upstream_steps(toy):
    runner = Runner(toy, log=lambda _: None)
    assert runner.select(["b"]) == ["a", "b"]


def test_noop_run_executes_nothing(toy):
    lines: list[str] = []
    before = sha256_file(toy / MANIFEST)
    outcome = Runner(toy, log=lines.append).run()
    assert outcome.ran == [] and sorted(outcome.fresh) == ["a", "b", "c"]
    assert sha256_file(toy / MANIFEST) == before


def test_dry_run_says_why_and_runs_nothing(toy, capsys, monkeypatch):
    (toy / "data/synthetic_input.csv").write_text("item,value\nq,9\n")
    monkeypatch.setenv("SCS_PROJECT_ROOT", str(toy))
    before = sha256_file(toy / MANIFEST)
    assert cli.main(["run", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "a: would run (input data/synthetic_input.csv changed)" in out
    assert "c: fresh" in out
    assert sha256_file(toy / MANIFEST) == before


# --- failures -------------------------------------------------------------------------


def test_failing_notebook_stops_dependents_and_keeps_good_outputs(toy, capsys, monkeypatch):
    monkeypatch.setenv("SCS_PROJECT_ROOT", str(toy))
    results_before = sha256_file(toy / "build/results/a.json")
    figure_before = sha256_file(toy / "figures/a_plot.png")
    code = cli.main(["run", "-p", "fail=true", "-p", "n=5"])
    captured = capsys.readouterr()
    assert code == 1
    assert "cell 3 (if fail:) raised ValueError: asked to fail" in captured.out
    assert "[skip] b: needs a" in captured.out
    # The notebook wrote results and a figure before failing: none of it is published.
    assert sha256_file(toy / "build/results/a.json") == results_before
    assert sha256_file(toy / "figures/a_plot.png") == figure_before
    assert not list(toy.rglob("*.partial*"))
    assert not (toy / "build/.staging").exists() or not any((toy / "build/.staging").iterdir())
    executed = (toy / "build/notebooks/a.ipynb").read_text()
    assert "asked to fail" in executed
    entry = manifest(toy)["steps"]["a"]
    assert entry["status"] == "failed"
    assert entry["error"]["cell_number"] == 3
    assert stale(toy)["a"] == ["last run failed"]


def test_undeclared_figure_fails_the_step(toy):
    nb = toy / "notebooks/c.ipynb"
    nb.write_text(nb.read_text().replace(
        'ctx.write_results({\\"slept\\": pause})',
        'ctx.write_results({\\"slept\\": pause})\\n'
        'import matplotlib.pyplot as plt\\n'
        'ctx.save_figure(plt.figure(), \\"not_declared\\")',
    ))
    lines: list[str] = []
    outcome = Runner(toy, log=lines.append).run(targets=["c"], overrides=["pause=0"])
    assert "c" in outcome.failed
    assert "not declared for step 'c'" in outcome.failed["c"]


# --- parameters are checked before any kernel starts -----------------------------------


def test_unknown_parameter_lists_valid_ones(toy_fresh, capsys, monkeypatch):
    monkeypatch.setenv("SCS_PROJECT_ROOT", str(toy_fresh))
    assert cli.main(["run", "-p", "size=3"]) == 2
    err = capsys.readouterr().err
    assert "unknown parameter 'size'" in err
    assert "a.n (int, default 2)" in err and "c.pause (float" in err
    assert not (toy_fresh / "build/notebooks").exists()


def test_wrong_type_is_refused_before_any_kernel(toy_fresh, capsys, monkeypatch):
    monkeypatch.setenv("SCS_PROJECT_ROOT", str(toy_fresh))
    assert cli.main(["run", "-p", "n=two"]) == 2
    assert "parameter 'n' expects int, got 'two'" in capsys.readouterr().err
    assert not (toy_fresh / "build/notebooks").exists()


def test_parameter_of_a_step_not_run_is_refused(toy_fresh):
    with pytest.raises(Exception, match="step 'c' is not among the steps run"):
        Runner(toy_fresh, log=lambda _: None).run(targets=["b"], overrides=["c.pause=1"])


def test_optional_figure_is_published_when_drawn_and_removed_when_not(toy):
    spec = toy / "pipeline.yaml"
    spec.write_text(spec.read_text().replace(
        "      pause: {type: float, default: 2.0, doc: seconds to sleep}",
        "      pause: {type: float, default: 2.0, doc: seconds to sleep}\n    optional_figures: [c_plot]",
    ))
    nb = toy / "notebooks/c.ipynb"
    nb.write_text(nb.read_text().replace(
        'ctx.write_results({\\"slept\\": pause})',
        'ctx.write_results({\\"slept\\": pause})\\n'
        'import matplotlib.pyplot as plt\\n'
        'if pause == 0:\\n'
        '    ctx.save_figure(plt.figure(), \\"c_plot\\")',
    ))
    runner = Runner(toy, log=lambda _: None)
    assert runner.run(targets=["c"], overrides=["pause=0"]).ok
    assert (toy / "figures/c_plot.svg").is_file()
    assert "figures/c_plot.png" in manifest(toy)["steps"]["c"]["outputs"]
    assert runner.run(targets=["c"], overrides=["pause=0.1"]).ok
    assert not (toy / "figures/c_plot.svg").exists()  # the data no longer support it: no stale copy
