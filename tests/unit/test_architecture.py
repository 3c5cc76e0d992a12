"""The tree shows the design: dependencies point one way, one name per argument, one path per parameter."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
from pathlib import Path

import pytest

from scs_compendium.engine.plan import Planner, notebook_code
from scs_compendium.engine.spec import load_pipeline

from ..conftest import REPO, copy_project

PACKAGE = REPO / "src" / "scs_compendium"
PIPELINE = load_pipeline(REPO)
STEPS = [PIPELINE.steps[name] for name in PIPELINE.order]

# Which parts of the package each part may import (besides the standard library and third parties).
ALLOWED = {
    "engine": {"engine", "paths", "errors", ""},
    "sources": {"sources", "engine", "paths", "errors"},
    "claims": {"claims", "engine", "sources", "paths", "errors"},
    "outputs": {"outputs", "claims", "engine", "sources", "paths", "errors"},
    "paths": {"errors"},
    "errors": set(),
}
# An analysis module imports only the shared statistics, the figure style, the data sources and errors.
ARTICLE_ALLOWED = {"article.stats", "outputs.style", "sources", "engine.context", "errors"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(p for p in parts if p != "__init__")


def imports_of(path: Path) -> set[str]:
    """Package-internal imports of a module, as names relative to the package ('engine.store')."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join(base + ([node.module] if node.module else []))
            elif (node.module or "").startswith("scs_compendium"):
                target = node.module.removeprefix("scs_compendium").lstrip(".")
            else:
                continue
            found.add(target)
        elif isinstance(node, ast.Import):
            found.update(a.name.removeprefix("scs_compendium").lstrip(".") for a in node.names
                         if a.name.startswith("scs_compendium"))
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def violations(name: str, targets: set[str]) -> list[str]:
    """The imports of module `name` that break the direction of dependencies."""
    part = name.split(".")[0]
    bad = []
    for target in sorted(targets):
        top = target.split(".")[0]
        if part == "article":
            allowed = name == "article.stats" or target == "article.stats" or any(
                target == a or target.startswith(a + ".") for a in ARTICLE_ALLOWED)
        elif part in ALLOWED:
            allowed = top in ALLOWED[part]
        elif name == "robustness":  # the one place besides the notebooks that runs the analyses
            allowed = True
        else:  # the top level (cli, chain, __init__) composes the parts, but never runs an analysis
            allowed = top != "article"
        if not allowed:
            bad.append(f"{name} imports {target}")
    return bad


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p) or "__init__")
def test_dependencies_point_one_way(path):
    assert violations(module_name(path), imports_of(path)) == []


def test_the_direction_check_catches_what_it_should():
    assert violations("engine.run", {"claims"}) == ["engine.run imports claims"]
    assert violations("engine.run", {"outputs.report"}) == ["engine.run imports outputs.report"]
    assert violations("article.timeline", {"claims.registry"}) == ["article.timeline imports claims.registry"]
    assert violations("article.scholarship", {"article.literature_shares"}) != []
    assert violations("sources.tables", {"article.stats"}) != []
    assert violations("chain", {"article.timeline"}) != []
    assert violations("robustness", {"article.timeline", "claims"}) == []
    assert violations("article.timeline", {"article.stats", "outputs.style", "sources.tables", "errors"}) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p) or "__init__")
def test_no_module_over_400_lines(path):
    assert sum(1 for _ in path.open(encoding="utf-8")) <= 400


TOP_LEVEL_STEPS = ("evidence", "robustness", "arguments")  # steps about the evidence and the verdicts, not an argument


def module_of(step) -> str:
    """The module of a step: the article's arguments live in article/; the steps about the evidence, the verdicts'
    robustness and the article's arguments at the top."""
    return f"scs_compendium.{step.name}" if step.name in TOP_LEVEL_STEPS else f"scs_compendium.article.{step.name}"


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.name)
def test_one_name_per_argument(step):
    position = PIPELINE.order.index(step.name) + 1
    assert step.notebook == f"notebooks/{position:02d}_{step.name}.ipynb", "notebooks are numbered in chain order"
    path = PACKAGE.joinpath(*module_of(step).split(".")[1:]).with_suffix(".py")
    assert path.is_file(), "the step's module is named as its step"
    for stem in (*step.figures, *step.optional_figures):
        assert stem == step.name or stem.startswith(step.name + "_"), f"figure {stem} does not start with {step.name}"


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.name)
def test_analyse_takes_exactly_the_declared_parameters_without_defaults(step):
    module = importlib.import_module(module_of(step))
    signature = inspect.signature(module.analyse)
    keyword_only = {n for n, p in signature.parameters.items() if p.kind is p.KEYWORD_ONLY}
    # a decision (role: decision) only a verdict rule reads; the evidence step's analyse() is that rule itself
    expected = set(step.parameters) if step.name == "evidence" else set(step.analysis_parameters(step.defaults()))
    assert keyword_only == expected, "analyse() must take exactly the step's analysis parameters, keyword-only"
    defaults = [n for n, p in signature.parameters.items() if p.default is not p.empty]
    assert defaults == [], f"analyse() has defaults of its own for {defaults}; pipeline.yaml holds them"


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.name)
def test_notebook_takes_its_parameters_on_one_path(step):
    code = notebook_code(REPO / step.notebook)
    assert f'step_context("{step.name}", globals())' in code
    calls = [n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call)
             and getattr(n.func, "attr", getattr(n.func, "id", None)) == "analyse"]
    assert len(calls) == 1, "one call of analyse()"
    expected = "ctx.analysis_parameters" if any(p.role == "decision" for p in step.parameters.values()) \
        and step.name != "evidence" else "ctx.parameters"  # a step with decisions hands its analysis only the rest
    assert [ast.unparse(k.value) for k in calls[0].keywords] == [expected] and calls[0].keywords[0].arg is None


def fresh_manifest(planner: Planner, pipeline) -> dict:
    """A manifest as if every step had just succeeded (no outputs recorded)."""
    steps = {}
    for name in pipeline.order:
        step = pipeline.step(name)
        steps[name] = {"status": "succeeded", "fingerprint": planner.fingerprint(step, step.defaults()), "outputs": {}}
    return {"steps": steps}


def test_a_comment_in_one_arguments_plotting_code_makes_exactly_one_step_stale(tmp_path):
    root = copy_project(tmp_path / "project")
    pipeline = load_pipeline(root)
    (root / "build").mkdir()
    (root / "build/manifest.json").write_text(json.dumps(fresh_manifest(Planner(pipeline), pipeline)))
    with (root / "src/scs_compendium/article/timeline.py").open("a") as handle:
        handle.write("# a comment after the plotting code\n")
    parameters = {name: pipeline.step(name).defaults() for name in pipeline.order}
    plans = Planner(pipeline).plan(pipeline.order, parameters)
    assert [p.name for p in plans if p.stale] == ["timeline"]
    assert [p.reasons for p in plans if p.stale] == [["code src/scs_compendium/article/timeline.py changed"]]
    # the robustness and arguments steps read every step's results: they rerun only if timeline's results change
    assert {p.name: p.waits_on for p in plans if p.waits_on} == {"robustness": ["timeline"], "arguments": ["timeline"]}


def test_an_edit_to_the_engine_makes_every_step_stale(tmp_path):
    root = copy_project(tmp_path / "project")
    pipeline = load_pipeline(root)
    manifest = fresh_manifest(Planner(pipeline), pipeline)
    with (root / "src/scs_compendium/engine/store.py").open("a") as handle:
        handle.write("# a comment\n")
    planner = Planner(pipeline)
    parameters = {name: pipeline.step(name).defaults() for name in pipeline.order}
    assert all(planner.check(name, parameters[name], manifest).stale for name in pipeline.order)


def test_an_edit_to_an_analysis_reruns_its_step_and_the_robustness_sweep(tmp_path):
    root = copy_project(tmp_path / "project")
    pipeline = load_pipeline(root)
    manifest = fresh_manifest(Planner(pipeline), pipeline)
    path = root / "src/scs_compendium/article/timeline.py"
    path.write_text(path.read_text().replace("as_of_year = PUBLICATION_YEAR", "as_of_year = PUBLICATION_YEAR + 0"))
    planner = Planner(pipeline)
    parameters = {name: pipeline.step(name).defaults() for name in pipeline.order}
    stale = [name for name in pipeline.order if planner.check(name, parameters[name], manifest).stale]
    assert stale == ["timeline", "robustness"]
