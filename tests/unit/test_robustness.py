"""Robustness: the variants of a step's sweeps, the verdicts' flip points, and every threshold's declared range."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import json
import math

import pytest

from scs_compendium import robustness, robustness_summary
from scs_compendium.claims import load_registry
from scs_compendium.engine.spec import Parameter, Step, load_pipeline
from scs_compendium.errors import ParameterError, SpecError

THRESHOLD_KEYS = ("tolerance", "tolerance_years", "decimals", "below", "above", "at_least")


def toy_step(**sweeps) -> Step:
    parameters = {name: Parameter(name, "float", default, "doc", None, None, None, tuple(values), "why")
                  for name, (default, values) in sweeps.items()}
    return Step("toy", "toy", "notebooks/toy.ipynb", None, parameters, (), (), ())


def test_the_grid_is_the_full_cross_product_analysis_parameters_first_and_holds_the_run():
    step = toy_step(t=(0.2, [0.1, 0.2, 0.3]), u=(1.0, [1.0, 2.0]))
    names, rows = robustness.grid(step, step.defaults())
    assert names == ["t", "u"] and len(rows) == 6 and (0.2, 1.0) in rows  # no size cut; the run is a point
    names, rows = robustness.grid(step, {"t": 0.25, "u": 1.0})  # a value the run used outside its sweep joins it
    assert len(rows) == 8 and (0.25, 1.0) in rows
    decided = toy_step(t=(0.2, [0.1, 0.2]), u=(1.0, [1.0, 2.0]))
    decided.parameters["t"] = replace(decided.parameters["t"], role="decision")
    assert robustness.grid(decided, decided.defaults())[0] == ["u", "t"]


def toy_verdict(parameters: dict) -> str:
    """A toy analysis whose flip point is known by construction: consistent below t = 0.3."""
    return "consistent" if parameters["t"] < 0.3 else "inconsistent"


def test_flip_points_known_by_construction_are_found_and_described():
    step = toy_step(t=(0.2, [0.1, 0.2, 0.3, 0.4]))
    names, rows = robustness.grid(step, step.defaults())
    results = [({n: v for n, v in zip(names, row) if v != step.defaults()[n]}, {"c": toy_verdict(dict(zip(names, row)))})
               for row in rows]
    summary = robustness_summary.summarise({"c": toy_verdict(step.defaults())}, results)["c"]
    assert (summary["variants"], summary["agree"], summary["changed"]) == (4, 2, 2)
    assert [f["parameters"] for f in summary["flips"]] == [{"t": 0.3}, {"t": 0.4}]
    assert robustness_summary.describe(summary) == "fragile (2/4: inconsistent when t = 0.3 or 0.4)"
    steady = robustness_summary.summarise({"c": "consistent"}, [({}, {"c": "consistent"}), ({"t": 0.1}, {"c": "consistent"})])["c"]
    assert robustness_summary.describe(steady) == "robust (2/2)"
    minority = robustness_summary.summarise({"c": "consistent"}, [({}, {"c": "consistent"}), ({"t": 0.1, "u": 1}, {"c": "x"}),
                                                          ({"t": 0.3, "u": 1}, {"c": "x"})])["c"]
    assert robustness_summary.describe(minority) == ("fragile (1/3: 2 combinations of parameters; the run's verdict is the "
                                             "minority of its grid)")


def test_claims_that_wait_for_data_are_not_swept():
    assert robustness_summary.summarise({"c": "needs data"}, [({"t": 0.1}, {"c": "needs data"})]) == {}


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
    counts = {c.id: len(robustness.grid(pipeline.step(step), pipeline.step(step).defaults())[1])
              for step, cs in claims.items() for c in cs}
    assert sum(n >= 3 for n in counts.values()) >= 12


def test_the_plan_runs_each_distinct_set_of_analysis_parameters_once():
    pipeline = load_pipeline()
    claims = robustness.swept_claims(pipeline, load_registry(pipeline=pipeline))
    base = {name: pipeline.step(name).defaults() for name in pipeline.order}
    grids, tasks = robustness.plan(pipeline, claims, base)
    for name, grid in grids.items():
        swept = robustness.swept_parameters(pipeline, name)  # its own sweeps, and the analysis sweeps it carries
        assert len(grid["rows"]) == math.prod(len(p.sweep) for _, p in swept)  # the full grid, no size cut
        mine = [t for t in tasks if t[0] == name]
        assert sum(len(t[2]) for t in mine) == len(grid["rows"])
        analysis = [n for n, p in swept if p.role == "analysis"]
        if analysis:  # one task (one run of analyse()) per distinct set of analysis parameters
            assert len(mine) == len({repr(sorted(t[1].items(), key=str)) for t in mine}) == \
                math.prod(len(grid["declared"][n].sweep) for n in analysis)
    assert len(grids["blacklist_rates"]["rows"]) == 72 and len([t for t in tasks if t[0] == "blacklist_rates"]) == 12
    assert all(t[1] == {} for t in tasks if t[0] == "evidence")  # the evidence rule's decisions rerun no analysis


def test_a_grid_carries_the_analysis_sweeps_of_the_upstream_steps_whose_results_its_analysis_takes():
    """search_interest reads media_coverage's and scholarship's results: each variant of their analysis parameters
    is a point of its grid (named `step.name`), so its size is its own sweeps times theirs; their decisions are not."""
    pipeline = load_pipeline()
    claims = robustness.swept_claims(pipeline, load_registry(pipeline=pipeline))
    base = {name: pipeline.step(name).defaults() for name in pipeline.order}
    base["media_coverage"]["few_years_min"] = 2.5  # a value the upstream step ran with outside its sweep joins it
    grids, tasks = robustness.plan(pipeline, claims, base, evidence=False)
    names = grids["search_interest"]["names"]
    assert names == ["rise_level", "traction_level", "media_coverage.few_years_min", "media_coverage.few_years_max",
                     "scholarship.confidence_level"]
    assert len(grids["search_interest"]["rows"]) == 3 * 3 * (4 + 1) * 4 * 3
    assert "scholarship.hardly_threshold" not in names  # a decision of the upstream step moves none of its values
    assert grids["search_interest"]["as_run"]["media_coverage.few_years_min"] == 2.5
    mine = [t for t in tasks if t[0] == "search_interest"]
    assert len(mine) == len(grids["search_interest"]["rows"]) and all(len(t[2]) == 1 for t in mine)
    assert mine[0][1] == {"rise_level": 2.0, "traction_level": 15.0, "media_coverage.few_years_min": 1.0,
                          "media_coverage.few_years_max": 3.0, "scholarship.confidence_level": 0.9}


def test_the_evidence_grid_is_evaluated_in_groups_of_claims_that_read_the_same_results():
    pipeline = load_pipeline()
    registry = load_registry(pipeline=pipeline)
    outside = [c for c in registry if c.basis == "outside data"]
    groups = robustness.evidence_groups(outside)
    assert sorted(c for g in groups for c in g) == sorted(c.id for c in outside)  # each claim once
    by_id = {c.id: c for c in registry}
    for group in groups:  # one step's claims with computed parts, or the claims decided by rows alone
        computed = {by_id[c].step for c in group if any(p.computed for p in by_id[c].parts)}
        assert len(computed) <= 1 and (not computed or all(any(p.computed for p in by_id[c].parts) for c in group))
    claims = robustness.swept_claims(pipeline, registry)
    base = {name: pipeline.step(name).defaults() for name in pipeline.order}
    grids, tasks = robustness.plan(pipeline, claims, base, outside=outside)
    rows = len(grids["evidence"]["rows"])
    for group in groups:
        assert sum(len(t[2]) for t in tasks if t[0] == "evidence" and t[3] == group) == rows


def test_a_decision_that_the_analysis_reads_is_refused_with_the_parameter_named(monkeypatch):
    pipeline = load_pipeline()
    step = pipeline.step("blacklist_rates")
    changed = {**step.parameters, "max_gap_years": replace(step.parameters["max_gap_years"], role="decision")}
    monkeypatch.setitem(pipeline.steps, "blacklist_rates", replace(step, parameters=changed))
    with pytest.raises(SpecError, match="step 'blacklist_rates', parameter 'max_gap_years' is declared 'role: decision', "
                                        r"but blacklist_rates.analyse\(\) takes it"):
        robustness.check_decisions(pipeline)
    robustness.check_decisions(load_pipeline())  # the declared pipeline passes


def declare(root, line: str) -> None:
    """The toy pipeline with its parameter `n` declared as `line` (YAML, under the step's parameters)."""
    spec = root / "pipeline.yaml"
    spec.write_text(spec.read_text().replace("      n: {type: int, default: 2, doc: a whole number}", line))


def test_a_role_other_than_analysis_or_decision_is_refused(toy_fresh):
    declare(toy_fresh, "      n: {type: int, default: 2, doc: a whole number, role: threshold}")
    with pytest.raises(SpecError, match="role 'threshold' is not one of"):
        load_pipeline(toy_fresh)


@pytest.mark.parametrize(("sweep", "message"), [
    ("[0.1, 2.0]", r"sweep value 2.0 is invalid: parameter 'x' must lie in \[0.0, 1.0\]"),
    ("[0.1, high]", r"sweep value 'high' is invalid: parameter 'x' expects float"),
    ("[0.1]", "must list at least two values"),
])
def test_a_sweep_outside_its_range_or_of_the_wrong_type_is_refused(toy_fresh, sweep, message):
    declare(toy_fresh, "      n: {type: int, default: 2, doc: a whole number}\n"
            f"      x: {{type: float, default: 0.5, min: 0.0, max: 1.0, doc: a share, sweep: {sweep}, sweep_why: a reason}}")
    with pytest.raises(SpecError, match=message):
        load_pipeline(toy_fresh)


def test_a_sweep_needs_its_reason(toy_fresh):
    declare(toy_fresh, "      n: {type: int, default: 2, doc: a whole number, sweep: [1, 2, 3]}")
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


def test_an_unreachable_scheduler_is_refused_with_its_address_before_any_task_runs(monkeypatch):
    monkeypatch.setattr(robustness, "SCHEDULER_TIMEOUT", "2s")  # nothing listens there: no need to wait longer
    ran = []
    with pytest.raises(ParameterError, match="SCS_DASK_SCHEDULER='tcp://127.0.0.1:9': no dask scheduler answers"):
        robustness.run_tasks(".", [("s", {})], 1, backend="dask", scheduler="tcp://127.0.0.1:9",
                             function=lambda *a: ran.append(a))
    assert ran == []


def test_an_unknown_sweep_backend_is_refused_with_the_variable_named(monkeypatch):
    monkeypatch.setenv(robustness.BACKEND_VARIABLE, "spark")
    with pytest.raises(ParameterError, match="SCS_SWEEP_BACKEND='spark': expected 'loky' or 'dask'"):
        robustness.run_tasks(".", [("s", {})], 1, function=square_task)


def test_the_hand_made_process_pool_is_gone():
    source = Path(robustness.__file__).read_text(encoding="utf-8")
    assert "ProcessPoolExecutor" not in source and "joblib" in source and "dask.distributed" in source


def test_the_article_value_is_the_reported_number_a_claims_rules_compare_with():
    claims = {c.id: c for c in load_registry(pipeline=load_pipeline())}
    assert robustness_summary.article_value(claims["s71-trustworthy-99-percent"]) == 99  # at_least: reported
    assert robustness_summary.article_value(claims["fn66-blacklisted-population-share"]) == [0.15, 0.3]  # within its range
    assert robustness_summary.article_value(claims["s3-western-hardly-economic"]) is None  # 'hardly' is no number


def curve_analysis(article) -> dict:
    """A synthetic robustness result: one claim decided by a number over a grid of three values of `t`."""
    grid = {"parameters": ["t"], "as_run": [0.2], "rows": [[0.1], [0.2], [0.3]], "verdict_names": ["consistent"],
            "verdicts": {"c": [0, 0, 0]}, "numbers": {"c": [97.0, 99.5, 101.0]}, "thresholds": {"c": []},
            "article": {"c": article} if article is not None else {}}
    return {"claims": {"c": {"steps": ["toy"], "changed": 0}}, "grids": {"toy": grid}}


@pytest.mark.parametrize(("article", "label", "ends"), [(99, "article: 99", [99]),
                                                         ([98, 100], "article: 98–100", [98, 100]),
                                                         (None, None, [])])
def test_a_specification_curve_draws_the_articles_value_from_the_results(article, label, ends):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from scs_compendium.outputs import robustness_view as view
    from scs_compendium.outputs.style import ARTICLE_COLOUR

    figure = view.plot_curves(curve_analysis(article))
    ax = figure.axes[0]
    drawn = [line for line in ax.get_lines() if line.get_color() == ARTICLE_COLOUR]
    assert [line.get_ydata()[0] for line in drawn] == ends  # a horizontal line at each end of the article's figure
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert (label in legend) if label else not any(t.startswith("article") for t in legend)
    assert all(t.get_fontsize() >= 6 for t in ax.get_legend().get_texts())
    plt.close(figure)


def test_a_cache_file_that_cannot_be_read_or_an_entry_of_the_wrong_shape_is_ignored(tmp_path):
    from scs_compendium.robustness_cache import CACHE_DIR, Cache

    folder = tmp_path / CACHE_DIR
    folder.mkdir(parents=True)
    (folder / "toy.json").write_bytes(b"\xff\xfe not json")
    assert Cache(tmp_path, "toy").entries == {}
    good = {"verdicts": [{"c": "consistent"}], "numbers": [{"c": 0.5}], "ran": 1}
    bad = {"verdicts": [{"c": "consistent"}], "numbers": [{"c": "0.5"}], "ran": 1}
    (folder / "toy.json").write_text(json.dumps({"version": 1, "entries": {"k": good, "b": bad, "w": [1]}}))
    cache = Cache(tmp_path, "toy")
    assert cache.get("k", 1, ["c"]) == ([{"c": "consistent"}], [{"c": 0.5}], 1)
    assert cache.get("k", 2, ["c"]) is None and cache.get("k", 1, ["c", "d"]) is None  # another task's shape
    assert cache.get("b", 1, ["c"]) is None and cache.get("w", 1, ["c"]) is None and cache.get("x", 1, ["c"]) is None
    cache.put("n", ([{"c": "inconsistent"}], [{}], 0))
    cache.save()  # only this run's tasks are kept, written whole
    assert sorted(json.loads((folder / "toy.json").read_text())["entries"]) == ["k", "n"]
    (folder / "toy.json").write_text(json.dumps({"version": 0, "entries": {"k": good}}))
    assert Cache(tmp_path, "toy").entries == {}  # another layout's cache is not read


def test_an_execution_setting_or_another_steps_parameter_is_in_no_key_of_a_grid():
    """The key of a step's tasks reads its own parameters as run (not those its grid sweeps), not the robustness
    step's `workers`, and not the parameters of steps whose results its analysis does not take."""
    from scs_compendium.robustness_cache import Keys

    pipeline = load_pipeline()
    registry = load_registry(pipeline=pipeline)
    results = {name: {"values": {"x": 1}, "parameters": pipeline.step(name).defaults()} for name in pipeline.order}

    def keys(**changes) -> dict:
        base = {name: {**pipeline.step(name).defaults(), **changes.get(name, {})} for name in pipeline.order}
        found = Keys(pipeline, registry, base, results, robustness.READS, robustness.CARRIED)
        return {name: found.step_part(name, [n for n, _ in robustness.swept_parameters(pipeline, name)])
                for name in ("literature_shares", "media_coverage", "search_interest", "blacklist_rates", "evidence")}

    default = keys()
    assert keys(robustness={"workers": 7}) == default
    assert keys(media_coverage={"few_years_min": 3.0}) == default  # swept: every task names its own value
    moved = keys(media_coverage={"n_boot": 1000})
    assert {n for n in default if moved[n] != default[n]} == {"media_coverage", "search_interest"}
