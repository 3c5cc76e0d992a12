"""pipeline.yaml is read strictly, and parameter values are parsed and checked."""

from __future__ import annotations

import pytest

from scs_compendium.errors import ParameterError, SpecError
from scs_compendium.engine.params import parse_value, resolve_parameters
from scs_compendium.engine.spec import Parameter, load_pipeline


def test_real_pipeline_loads():
    pipeline = load_pipeline()
    assert pipeline.order[0] == "evidence" and pipeline.order[-1] == "arguments"
    step = pipeline.step("literature_shares")
    assert step.outputs == [
        "build/results/literature_shares.json",
        "figures/literature_shares.pdf", "figures/literature_shares.svg", "figures/literature_shares.png",
    ]
    assert all(p.doc for p in step.parameters.values())


def write_spec(root, body: str):
    (root / "pipeline.yaml").write_text(body)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("steps:\n  a: {notebook: notebooks/a.ipynb, colour: red}\n", "step 'a': unknown key"),
        ("steps:\n  a: {notebook: notebooks/none.ipynb}\n", "step 'a': notebook 'notebooks/none.ipynb' not found"),
        ("steps:\n  a: {notebook: notebooks/a.ipynb, needs: [z]}\n", "step 'a' needs unknown step 'z'"),
        (
            "steps:\n  a: {notebook: notebooks/a.ipynb, needs: [b]}\n  b: {notebook: notebooks/b.ipynb, needs: [a]}\n",
            "the steps form a cycle: a -> b -> a",
        ),
        (
            "steps:\n  a:\n    notebook: notebooks/a.ipynb\n    parameters:\n      n: {type: int, default: 1.5, doc: d}\n",
            "parameter 'n': default is invalid",
        ),
        (
            "steps:\n  a:\n    notebook: notebooks/a.ipynb\n    parameters:\n      n: {type: int, default: 1}\n",
            "parameter 'n': a one-line 'doc' is required",
        ),
        ("steps: [a]\n", "expected a mapping with a 'steps:' mapping"),
    ],
)
def test_malformed_spec_is_refused(toy_fresh, body, message):
    write_spec(toy_fresh, body)
    with pytest.raises(SpecError, match=message):
        load_pipeline(toy_fresh)


FLOAT = Parameter("level", "float", 0.95, "d", min=0.5, max=0.999)


@pytest.mark.parametrize(
    ("param", "text", "value"),
    [
        (FLOAT, "0.9", 0.9),
        (Parameter("n", "int", 1, "d"), "7", 7),
        (Parameter("b", "bool", False, "d"), "yes", True),
        (Parameter("b", "bool", False, "d"), "False", False),
        (Parameter("l", "list", [], "d"), "a, b", ["a", "b"]),
        (Parameter("l", "list", [], "d"), '["a"]', ["a"]),
        (Parameter("s", "str", "", "d"), "x=y", "x=y"),
    ],
)
def test_parse_value(param, text, value):
    assert parse_value(param, text) == value


@pytest.mark.parametrize(
    ("param", "text", "message"),
    [
        (FLOAT, "high", "parameter 'level' expects float, got 'high'"),
        (FLOAT, "2", r"parameter 'level' must lie in \[0.5, 0.999\], got 2.0"),
        (FLOAT, "nan", "expects a finite number"),
        (Parameter("n", "int", 1, "d"), "1.5", "parameter 'n' expects int"),
        (Parameter("b", "bool", False, "d"), "maybe", "parameter 'b' expects bool"),
        (Parameter("l", "list", [], "d", choices=("a", "b")), "a,c", r"\['c'\] not among the choices"),
    ],
)
def test_bad_values_are_refused(param, text, message):
    with pytest.raises(ParameterError, match=message):
        parse_value(param, text)


def test_resolve_parameters_from_python_values():
    pipeline = load_pipeline()
    resolved = resolve_parameters(pipeline, ["literature_shares"], {"confidence_level": 0.99})
    assert resolved["literature_shares"]["confidence_level"] == 0.99
    with pytest.raises(ParameterError, match="expects bool"):
        resolve_parameters(pipeline, ["literature_shares"], {"assume_disjoint": 1})
    with pytest.raises(ParameterError, match="-p 'level': expected NAME=VALUE"):
        resolve_parameters(pipeline, ["literature_shares"], ["level"])


def test_an_unknown_parameter_offers_the_closest_names():
    import pytest

    from scs_compendium.engine.params import resolve_parameters
    from scs_compendium.errors import ParameterError

    pipeline = load_pipeline()
    with pytest.raises(ParameterError, match=r"unknown parameter 'min_strenght'\. Did you mean evidence\.min_strength"):
        resolve_parameters(pipeline, pipeline.order, ["evidence.min_strenght=3"])


def test_every_notebook_parameter_says_what_it_means_beside_its_value():
    import json

    pipeline = load_pipeline()
    for name in pipeline.order:
        step = pipeline.step(name)
        cells = json.loads((pipeline.root / step.notebook).read_text(encoding="utf-8"))["cells"]
        source = "".join(next(c for c in cells if "parameters" in c["metadata"].get("tags", []))["source"])
        for parameter, declared in step.parameters.items():
            line = next(l for l in source.splitlines() if l.startswith(f"{parameter} = "))
            assert "  # " + declared.doc.rstrip(".")[:40] in line, (name, parameter)
