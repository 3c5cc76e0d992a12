"""Robustness: the variants of a step's sweeps, the verdicts' flip points, and every threshold's declared range."""

from __future__ import annotations

from pathlib import Path

import pytest

from scs_compendium import robustness
from scs_compendium.claims import load_registry
from scs_compendium.engine.spec import Parameter, Step, load_pipeline
from scs_compendium.errors import SpecError

THRESHOLD_KEYS = ("tolerance", "tolerance_years", "decimals", "below", "above", "at_least")


def toy_step(**sweeps) -> Step:
    parameters = {name: Parameter(name, "float", default, "doc", None, None, None, tuple(values), "why")
                  for name, (default, values) in sweeps.items()}
    return Step("toy", "toy", "notebooks/toy.ipynb", None, parameters, (), (), ())


def test_variants_take_each_parameter_alone_then_the_small_grid():
    step = toy_step(t=(0.2, [0.1, 0.2, 0.3]), u=(1.0, [1.0, 2.0]))
    found = robustness.variants(step, max_grid=64)
    alone = [v for v in found if len(v) == 1]
    assert alone == [{"t": 0.1}, {"t": 0.3}, {"u": 2.0}]  # the default itself is not a variant
    assert [v for v in found if len(v) == 2] == [{"t": 0.1, "u": 2.0}, {"t": 0.3, "u": 2.0}]
    assert robustness.variants(step, max_grid=5) == alone  # the grid (6 points) is too large


def toy_verdict(parameters: dict) -> str:
    """A toy analysis whose flip point is known by construction: consistent below t = 0.3."""
    return "consistent" if parameters["t"] < 0.3 else "inconsistent"


def test_flip_points_known_by_construction_are_found_and_described():
    step = toy_step(t=(0.2, [0.1, 0.2, 0.3, 0.4]))
    results = [(overrides, {"c": toy_verdict({**step.defaults(), **overrides})})
               for overrides in robustness.variants(step, 64)]
    summary = robustness.summarise({"c": toy_verdict(step.defaults())}, results)["c"]
    assert (summary["variants"], summary["agree"]) == (4, 2)
    assert [f["parameters"] for f in summary["flips"]] == [{"t": 0.3}, {"t": 0.4}]
    assert robustness.describe(summary) == "fragile (2/4: inconsistent when t = 0.3 or 0.4)"
    steady = robustness.summarise({"c": "consistent"}, [({"t": 0.1}, {"c": "consistent"})])["c"]
    assert robustness.describe(steady) == "robust (2/2)"


def test_claims_that_wait_for_data_are_not_swept():
    assert robustness.summarise({"c": "needs data"}, [({"t": 0.1}, {"c": "needs data"})]) == {}


def test_every_threshold_a_verdict_rule_uses_has_a_declared_range():
    pipeline = load_pipeline()
    for claim in load_registry(pipeline=pipeline):
        for rule in [claim.rule] if claim.rule else [r.rule for r in claim.readings]:
            for key in THRESHOLD_KEYS:
                if key not in rule:
                    continue
                value = rule[key]
                if isinstance(value, str) and value.startswith("reported"):
                    continue  # the article's own figure, not a choice of the compendium
                assert isinstance(value, str) and value.startswith("@"), f"{claim.id}: {key} = {value!r} is typed"
                parameter = pipeline.step(claim.step).parameters[value[1:]]
                assert parameter.sweep and parameter.sweep_why, f"{claim.id}: {value} has no declared sweep"


def test_at_least_twelve_claims_are_swept_over_three_variants_or_more():
    pipeline = load_pipeline()
    claims = robustness.swept_claims(pipeline, load_registry(pipeline=pipeline))
    counts = {c.id: 1 + len(robustness.variants(pipeline.step(step), 64)) for step, cs in claims.items() for c in cs}
    assert sum(n >= 3 for n in counts.values()) >= 12


@pytest.mark.parametrize(("sweep", "message"), [
    ("[0.1, 2.0]", r"sweep value 2.0 is invalid: parameter 'x' must lie in \[0.0, 1.0\]"),
    ("[0.1, high]", r"sweep value 'high' is invalid: parameter 'x' expects float"),
    ("[0.1]", "must list at least two values"),
])
def test_a_sweep_outside_its_range_or_of_the_wrong_type_is_refused(toy_fresh, sweep, message):
    spec = toy_fresh / "pipeline.yaml"
    text = spec.read_text().replace(
        "      n: {type: int, default: 2, doc: a whole number}",
        "      n: {type: int, default: 2, doc: a whole number}\n"
        f"      x: {{type: float, default: 0.5, min: 0.0, max: 1.0, doc: a share, sweep: {sweep}, sweep_why: a reason}}")
    spec.write_text(text)
    with pytest.raises(SpecError, match=message):
        load_pipeline(toy_fresh)


def test_a_sweep_needs_its_reason(toy_fresh):
    spec = toy_fresh / "pipeline.yaml"
    spec.write_text(spec.read_text().replace(
        "      n: {type: int, default: 2, doc: a whole number}",
        "      n: {type: int, default: 2, doc: a whole number, sweep: [1, 2, 3]}"))
    with pytest.raises(SpecError, match="needs its 'sweep_why'"):
        load_pipeline(toy_fresh)


def square_task(root, step, overrides):
    """A synthetic task for the engine test: its result depends only on its arguments."""
    return overrides, {step: str(overrides.get("x", 0) ** 2)}, 1


def test_the_sweep_engine_gives_the_same_results_on_loky_and_on_a_dask_cluster_of_two_workers():
    tasks = [("s", {"x": x}) for x in range(12)]
    lines = []
    local = robustness.run_tasks(".", tasks, 2, backend="loky", function=square_task, log=lines.append)
    cluster = robustness.run_tasks(".", tasks, 2, backend="dask", function=square_task, log=lines.append)
    assert local == cluster == [({"x": x}, {"s": str(x * x)}, 1) for x in range(12)]


def test_an_unknown_sweep_backend_is_refused_with_the_variable_named(monkeypatch):
    monkeypatch.setenv(robustness.BACKEND_VARIABLE, "spark")
    with pytest.raises(ValueError, match="SCS_SWEEP_BACKEND='spark': expected 'loky' or 'dask'"):
        robustness.run_tasks(".", [("s", {})], 1, function=square_task)


def test_the_hand_made_process_pool_is_gone():
    source = Path(robustness.__file__).read_text(encoding="utf-8")
    assert "ProcessPoolExecutor" not in source and "joblib" in source and "dask.distributed" in source
