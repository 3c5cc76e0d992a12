"""The one results writer and the one figure writer: atomic, typed, with provenance."""

from __future__ import annotations

import json
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from scs_compendium.errors import ResultsError
from scs_compendium.engine.store import save_figure
from scs_compendium.outputs.style import COLUMN_WIDTHS_IN, new_figure
from scs_compendium.engine.store import lookup, read_results, to_jsonable, write_results
from scs_compendium.engine.context import StepContext

PROVENANCE = {"step": "s", "parameters": {"x": 1}, "inputs": {"data/a.csv": "abc"}, "git_commit": "deadbeef"}


def test_figure_written_in_three_formats_with_provenance(tmp_path):
    fig, ax = new_figure("single")
    ax.plot([0, 1], [0, 1])
    paths = save_figure(fig, "demo", tmp_path, PROVENANCE)
    plt.close(fig)
    assert sorted(p.name for p in paths) == ["demo.pdf", "demo.png", "demo.svg"]
    png = Image.open(tmp_path / "demo.png")
    assert json.loads(png.text["Provenance"]) == PROVENANCE
    assert png.info["dpi"][0] == pytest.approx(300, abs=1)
    svg = (tmp_path / "demo.svg").read_text()
    assert "deadbeef" in svg and "<dc:description>" in svg
    pdf = (tmp_path / "demo.pdf").read_bytes()
    assert b"deadbeef" in pdf and pdf.startswith(b"%PDF")
    assert not list(tmp_path.glob("*.partial"))


def test_same_figure_gives_same_bytes(tmp_path):
    for folder in ("one", "two"):
        fig, ax = new_figure("single")
        ax.bar(["a", "b"], [1, 2])
        save_figure(fig, "same", tmp_path / folder, PROVENANCE)
        plt.close(fig)
    for ext in ("svg", "pdf", "png"):
        assert (tmp_path / f"one/same.{ext}").read_bytes() == (tmp_path / f"two/same.{ext}").read_bytes()


def test_column_widths():
    fig, _ = new_figure("double", aspect=0.5)
    assert fig.get_size_inches()[0] == pytest.approx(COLUMN_WIDTHS_IN["double"])
    assert COLUMN_WIDTHS_IN["single"] == pytest.approx(89 / 25.4)
    plt.close(fig)
    with pytest.raises(ValueError, match="width must be one of"):
        new_figure("triple")


def test_results_are_plain_json_and_refuse_nan(tmp_path):
    assert to_jsonable({"a": np.int64(3), "b": [np.float64(0.5)], "c": np.bool_(True)}) == {"a": 3, "b": [0.5], "c": True}
    with pytest.raises(ResultsError, match="result 'x.y' is nan"):
        to_jsonable({"x": {"y": math.nan}})
    with pytest.raises(ResultsError, match="result 'z' has type object"):
        to_jsonable({"z": object()})


def test_write_then_read_results(tmp_path):
    path = tmp_path / "build/results/s.json"
    write_results(path, "s", {"x": 1}, PROVENANCE, {"a": {"b": 2}})
    document = read_results(tmp_path, "s")
    assert document["values"] == {"a": {"b": 2}} and document["provenance"] == PROVENANCE
    assert lookup(document["values"], "a.b") == 2
    with pytest.raises(ResultsError, match="result key 'a.c' not found in the results of step 's'"):
        lookup(document["values"], "a.c", "s")


def test_missing_results_say_how_to_make_them(tmp_path):
    with pytest.raises(ResultsError, match=r"step 'gone' has not run \(run `scs run gone`\)"):
        read_results(tmp_path, "gone")


def test_failed_write_leaves_old_results_intact(tmp_path):
    path = tmp_path / "build/results/s.json"
    write_results(path, "s", {}, PROVENANCE, {"v": 1})
    with pytest.raises(ResultsError):
        write_results(path, "s", {}, PROVENANCE, {"v": math.inf})
    assert read_results(tmp_path, "s")["values"] == {"v": 1}
    assert [p.name for p in path.parent.iterdir()] == ["s.json"]


def test_step_context_picks_checks_and_declares(data_copy, monkeypatch):
    monkeypatch.delenv("SCS_STEP", raising=False)
    from ..conftest import step_defaults

    namespace = {**step_defaults("literature_shares"), "confidence_level": 0.9, "unrelated": 1}
    ctx = StepContext("literature_shares", namespace, root=data_copy)
    assert ctx.parameters["confidence_level"] == 0.9 and ctx.parameters["significance"] == 0.05
    assert "unrelated" not in ctx.parameters  # only the declared names are picked
    assert ctx.output_root == data_copy / "build/scratch"  # run by hand: a scratch run, never over the published
    assert set(ctx.provenance["inputs"]) == {"data/datapackage.json", "data/raw/literature_classification.csv"}
    with pytest.raises(Exception, match="expects float"):
        StepContext("literature_shares", {**namespace, "confidence_level": "high"}, root=data_copy)
    missing = {k: v for k, v in namespace.items() if k != "significance"}
    with pytest.raises(Exception, match=r"the parameters cell does not define \['significance'\]"):
        StepContext("literature_shares", missing, root=data_copy)
    with pytest.raises(ResultsError, match="figure 'other' is not declared"):
        ctx.save_figure(plt.figure(), "other")
    with pytest.raises(ResultsError, match="does not list it under 'needs'"):
        ctx.read_results("timeline")


def test_a_notebook_run_by_hand_writes_to_scratch_and_says_so(data_copy, monkeypatch, capsys):
    """A student's run (JupyterLab, a copy) leaves figures/ and build/results/ alone; only an opt-in publishes."""
    from ..conftest import step_defaults

    monkeypatch.delenv("SCS_STEP", raising=False)
    monkeypatch.delenv("SCS_PUBLISH", raising=False)
    namespace = {**step_defaults("literature_shares"), "confidence_level": 0.9}
    ctx = StepContext("literature_shares", namespace, root=data_copy)
    said = capsys.readouterr().out
    assert "scratch run" in said and "build/scratch/figures/" in said
    assert "literature_shares.confidence_level = 0.9 (pipeline.yaml: 0.95)" in said  # the banner, both values
    written = ctx.save_figure(plt.figure(), "literature_shares")
    assert {p.parent for p in written} == {data_copy / "build/scratch/figures"}
    assert ctx.write_results({"v": 1}) == data_copy / "build/scratch/results/literature_shares.json"
    assert not list((data_copy / "figures").glob("literature_shares.*"))
    assert not (data_copy / "build/results/literature_shares.json").exists()

    from scs_compendium.engine.spec import load_pipeline

    every = load_pipeline(data_copy).step("scholarship").defaults()  # a notebook's namespace: decisions too
    scholarship = StepContext("scholarship", every, root=data_copy)
    assert scholarship.changed == [] and not any("differ" in note for note in scholarship.notes())
    assert scholarship.read_results("literature_shares") == {"v": 1}  # the student's own upstream run first
    assert "read from build/scratch/results/literature_shares.json" in capsys.readouterr().out

    monkeypatch.setenv("SCS_PUBLISH", "1")  # the explicit opt-in
    published = StepContext("literature_shares", namespace, root=data_copy)
    assert published.output_root == data_copy and published.mode == "publish"
    assert published.write_results({"v": 2}) == data_copy / "build/results/literature_shares.json"
    assert StepContext("literature_shares", namespace, root=data_copy, publish=False).mode == "scratch"


def test_step_context_under_the_runner_takes_the_declaration_it_is_handed(data_copy, monkeypatch, tmp_path):
    import json as _json

    from scs_compendium.engine.spec import load_pipeline

    step = load_pipeline(data_copy).step("timeline")
    (data_copy / "pipeline.yaml").write_text("not: [valid")  # the kernel must not read it again
    monkeypatch.setenv("SCS_STEP", "timeline")
    monkeypatch.setenv("SCS_STEP_SPEC", _json.dumps(step.to_json()))
    monkeypatch.setenv("SCS_STAGING_DIR", str(tmp_path / "staging"))
    ctx = StepContext("timeline", step.defaults(), root=data_copy)
    assert ctx.step == step and ctx.parameters == step.defaults()
    assert ctx.output_root == tmp_path / "staging"


def test_saved_figure_is_shown_inline_in_a_kernel_as_the_very_png_written(data_copy, monkeypatch):
    """The runner's Agg backend shows nothing: save_figure displays the saved PNG itself, once, and closes the figure."""
    import IPython.display

    from scs_compendium.engine import context

    from ..conftest import step_defaults

    monkeypatch.delenv("SCS_STEP", raising=False)
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    ctx = StepContext("literature_shares", step_defaults("literature_shares"), root=data_copy)

    monkeypatch.setattr(context, "in_kernel", lambda: False)  # a plain interpreter: nothing shown
    fig, ax = new_figure("single")
    ax.plot([0, 1], [0, 1])
    ctx.save_figure(fig, "literature_shares")
    assert shown == [] and plt.fignum_exists(fig.number)
    plt.close(fig)

    monkeypatch.setattr(context, "in_kernel", lambda: True)
    fig, ax = new_figure("single")
    ax.plot([0, 1], [1, 0])
    ctx.save_figure(fig, "literature_shares")
    png = (ctx.path("figures/literature_shares.png")).read_bytes()
    assert len(shown) == 1 and shown[0].data == png and shown[0].format == "png"
    width_px = Image.open(ctx.path("figures/literature_shares.png")).size[0]
    assert shown[0].width == round(width_px / 300 * context.INLINE_PX_PER_INCH)
    assert not plt.fignum_exists(fig.number)  # closed: an inline backend does not show it twice


def test_pytest_is_not_a_kernel():
    from scs_compendium.engine.context import in_kernel

    assert not in_kernel()


@pytest.mark.parametrize("width", ["single", "double"])
def test_saved_figure_stays_within_the_journal_column(tmp_path, width):
    """Long tick labels are fitted inside the figure, so the file is no wider than the column."""
    fig, ax = new_figure(width)
    ax.barh(["Credit China: written by experts", "b"], [1, 2])
    ax.set_xlabel("share of corpus (%)")
    save_figure(fig, "wide", tmp_path, PROVENANCE)
    plt.close(fig)
    width_mm = Image.open(tmp_path / "wide.png").size[0] / 300 * 25.4
    assert width_mm <= COLUMN_WIDTHS_IN[width] * 25.4 + 0.5


def test_outputs_are_readable_by_others_as_open_would_make_them(tmp_path):
    import stat

    from scs_compendium.engine.store import atomic_write_text

    path = atomic_write_text(tmp_path / "result.json", "{}")
    plain = tmp_path / "plain.json"
    plain.write_text("{}")  # what open() gives under this process's umask (0644 under the usual 022)
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)


def test_notebook_tables_show_whole_explanations_and_every_row():
    import pandas as pd

    from scs_compendium.engine.context import TABLE_MAX_ROWS, show_tables_whole

    with pd.option_context("display.max_colwidth", 50, "display.max_rows", 60, "display.min_rows", 10):
        show_tables_whole()
        frame = pd.DataFrame({"why": ["x" * 300] * 150})
        html = frame._repr_html_()  # what a notebook shows
        assert "x" * 300 in html and "..." not in html and pd.get_option("display.max_rows") == TABLE_MAX_ROWS
