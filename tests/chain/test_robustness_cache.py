"""Robustness without needless reruns: each task of the sweep is reused while what it reads is unchanged, a changed
parameter reruns only the grids that read it, a broken cache is recomputed, and a grid carries its upstream steps'
analysis sweeps (search_interest evaluated on each variant of media_coverage)."""

from __future__ import annotations

import json

import pytest

from scs_compendium import robustness
from scs_compendium.robustness_cache import CACHE_DIR

from ..conftest import REPO

COUNTS = ("analyses_run", "analyses_reused", "verdicts_evaluated", "verdicts_reused")


def without_counts(values: dict) -> dict:
    """The robustness results without what says how they were obtained (run or reused, and with how many workers)."""
    found = {k: v for k, v in values.items() if k not in (*COUNTS, "settings")}
    found["grids"] = {name: {k: v for k, v in g.items() if k not in COUNTS} for name, g in values["grids"].items()}
    return json.loads(json.dumps(found, sort_keys=True))


@pytest.fixture
def ran(real_chain_copy):
    """A private copy of the real chain after its full run, its robustness cache included."""
    return real_chain_copy


def published(root) -> dict:
    return json.loads((root / "build/results/robustness.json").read_text())["values"]


def test_a_rerun_reuses_every_grid_and_gives_the_results_the_cold_run_computed(ran):
    cold = published(ran)  # the chain's run computed every task: nothing was cached before it
    assert cold["analyses_reused"] == cold["verdicts_reused"] == 0 and cold["analyses_run"] > 0
    again = robustness.analyse(ran, workers=1)  # another execution setting than the chain's 2 workers: same keys
    assert again["analyses_run"] == again["verdicts_evaluated"] == 0
    assert again["analyses_reused"] == cold["analyses_run"] and again["verdicts_reused"] == cold["verdicts_evaluated"]
    assert without_counts(again) == without_counts(cold)  # a reused grid gives exactly what a computed one gave


def test_a_corrupt_or_malformed_cache_entry_is_ignored_and_its_tasks_recomputed(ran, capsys):
    folder = ran / CACHE_DIR
    (folder / "media_coverage.json").write_bytes(b"\x00{not json")  # unreadable: every task computed again
    kept = json.loads((folder / "scholarship.json").read_text())
    key = sorted(kept["entries"])[0]
    kept["entries"][key]["verdicts"] = [{"s3-western-hardly-economic": 3}]  # the wrong shape: that task again
    (folder / "scholarship.json").write_text(json.dumps(kept))
    (folder / "blacklist_rates.json").unlink()  # missing
    again = robustness.analyse(ran, workers=1)
    grids = again["grids"]
    assert (grids["media_coverage"]["analyses_run"], grids["media_coverage"]["analyses_reused"]) == (16, 0)
    assert (grids["scholarship"]["analyses_run"], grids["scholarship"]["analyses_reused"]) == (1, 2)
    assert (grids["blacklist_rates"]["analyses_run"], grids["blacklist_rates"]["analyses_reused"]) == (12, 0)
    assert grids["literature_shares"]["analyses_run"] == 0 and grids["evidence"]["verdicts_evaluated"] == 0
    assert without_counts(again) == without_counts(published(ran))
    assert "Traceback" not in capsys.readouterr().out
    assert json.loads((folder / "media_coverage.json").read_text())["version"] == 1  # rewritten whole


def test_one_media_parameter_reruns_only_the_grids_that_read_it(ran):
    """`scs run -p media_coverage.n_boot=1000`: media_coverage's analyses and search_interest's (which takes its
    results) run again; literature_shares, scholarship, blacklist_rates and the evidence rule's grid are reused."""
    from scs_compendium.chain import compendium_runner

    lines: list[str] = []
    outcome = compendium_runner(ran, log=lines.append).run(overrides=["media_coverage.n_boot=1000"])
    assert outcome.ok, "\n".join(lines)
    grids = published(ran)["grids"]
    assert (grids["media_coverage"]["analyses_run"], grids["media_coverage"]["analyses_reused"]) == (16, 0)
    assert grids["search_interest"]["analyses_run"] == len(grids["search_interest"]["rows"])
    for name in ("literature_shares", "scholarship", "blacklist_rates"):
        assert grids[name]["analyses_run"] == 0 and grids[name]["analyses_reused"] > 0, name
        assert grids[name]["verdicts_evaluated"] == 0, name
    # the evidence rule's decisions on media_coverage's claims read only what their rules read: unchanged
    assert grids["evidence"]["verdicts_evaluated"] == 0 and grids["evidence"]["verdicts_reused"] > 0
    notebook = (ran / "build/notebooks/robustness.ipynb").read_text()
    assert "16 analyses run, 0 reused" in notebook  # the findings render the counts from the results


def test_a_parameter_the_sweep_sets_reuses_every_analysis_and_moves_only_the_reference(ran):
    """few_years_min is swept: its value as run changes no task (every row of the grid names it), only which
    verdict the grid is compared with; the evidence rule's decisions on the claims whose rules name it run again."""
    document = json.loads((ran / "build/results/media_coverage.json").read_text())
    document["parameters"]["few_years_min"] = 3.0  # as `scs run -p media_coverage.few_years_min=3` records it
    (ran / "build/results/media_coverage.json").write_text(json.dumps(document))
    again = robustness.analyse(ran, workers=1)
    assert again["analyses_run"] == 0
    assert again["grids"]["media_coverage"]["as_run"][again["grids"]["media_coverage"]["parameters"].index(
        "few_years_min")] == 3.0
    assert again["grids"]["evidence"]["verdicts_evaluated"] > 0  # fn14-lag-few-years' rule names @few_years_min


def test_search_interest_is_evaluated_on_each_variant_of_media_coverage(real_chain, monkeypatch):
    """Each point of search_interest's grid takes the media_coverage values that variant's parameters give, as
    media_coverage.analyse returns them (and its notebook writes them), reproducible from the parameters alone."""
    from scs_compendium.article import media_coverage
    from scs_compendium.engine.store import read_results, to_jsonable
    from scs_compendium.sources.tables import load_pieces

    seen = []
    analyse = robustness.ANALYSES["search_interest"]
    monkeypatch.setitem(robustness.ANALYSES, "search_interest",
                        lambda snapshots, media, scholarship, reported, **p: seen.append(media) or
                        analyse(snapshots, media, scholarship, reported, **p))
    robustness._STATE.clear()
    variant = {"rise_level": 5.0, "traction_level": 25.0, "media_coverage.few_years_min": 1.0,
               "media_coverage.few_years_max": 7.0, "scholarship.confidence_level": 0.9}
    verdicts, _, ran = robustness.evaluate(str(real_chain), "search_interest", variant, [{}])
    as_run = read_results(real_chain, "media_coverage")["parameters"]
    expected = media_coverage.analyse(load_pieces(real_chain), few_years_min=1.0, few_years_max=7.0,
                                      n_boot=as_run["n_boot"], seed=as_run["seed"])
    assert ran == 1 and seen == [json.loads(json.dumps(to_jsonable(expected)))]
    assert seen[0]["settings"]["few_years"] == [1.0, 7.0] != read_results(real_chain, "media_coverage")["values"][
        "settings"]["few_years"]
    assert set(verdicts[0].values()) == {"needs data"}  # no Google Trends snapshot ships: the grid is still built
    robustness._STATE.clear()
    grid = published(real_chain)["grids"]["search_interest"]
    assert grid["parameters"][2:] == ["media_coverage.few_years_min", "media_coverage.few_years_max",
                                      "scholarship.confidence_level"]
    assert len(grid["rows"]) == grid["analyses_run"] == 3 * 3 * 4 * 4 * 3


def test_the_benchmarks_rerun_baseline_reruns_every_analysis_on_the_built_chain(real_chain):
    """bench_robustness.py's comparison (every analysis rerun per evidence variant) runs on the chain as built:
    each step's inputs, upstream results included, reach its analyse() (it once passed an upstream stand-in)."""
    import importlib.util

    from scs_compendium.engine.spec import load_pipeline

    spec = importlib.util.spec_from_file_location("bench_robustness", REPO / "benchmarks" / "bench_robustness.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    state = robustness._state(str(real_chain))
    ran, evaluated = bench.rerun_evidence(load_pipeline(real_chain), state, str(real_chain), {})
    assert ran == len([name for name in robustness.ANALYSES if name in state["results"]]) >= 5
    assert evaluated == robustness.evaluate(str(real_chain), robustness.EVIDENCE_STEP, {}, [{}])
