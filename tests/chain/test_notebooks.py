"""Every notebook is committed clean, declares its parameters, and runs under papermill."""

from __future__ import annotations

import ast
import difflib
import json
import math
import re
from pathlib import Path

import nbformat
import pytest
from PIL import Image

from scs_compendium.claims import VERDICTS, load_registry
from scs_compendium.engine.spec import load_pipeline

from ..conftest import REPO

PIPELINE = load_pipeline(REPO)
STEPS = list(PIPELINE.steps.values())


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.name)
def test_notebook_is_committed_without_outputs(step):
    nb = nbformat.read(REPO / step.notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{step.notebook}: strip outputs"


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.name)
def test_parameters_cell_matches_pipeline_spec(step):
    nb = nbformat.read(REPO / step.notebook, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{step.notebook}: exactly one cell tagged 'parameters'"
    assigned = {}
    for node in ast.parse(tagged[0].source).body:
        assert isinstance(node, ast.Assign), "the parameters cell only assigns values"
        assigned[node.targets[0].id] = ast.literal_eval(node.value)
    assert assigned == step.defaults(), f"{step.notebook}: parameters cell differs from pipeline.yaml"


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.name)
def test_notebook_opens_with_its_claim_and_closes_with_verdicts(step):
    nb = nbformat.read(REPO / step.notebook, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and "Claim" in nb.cells[0].source
    # the article's steps close with their claims' verdicts; the steps about the evidence, the verdicts'
    # robustness and the arguments (no claims of their own) with their findings
    assert ("findings(" if step.name in OWN_FINDINGS else "verdicts(") in nb.cells[-1].source


def test_every_step_runs_with_defaults_and_publishes_its_outputs(real_chain):
    for step in STEPS:
        for rel in step.outputs:
            assert (real_chain / rel).is_file(), rel
        executed = nbformat.read(real_chain / f"build/notebooks/{step.name}.ipynb", as_version=4)
        tags = [tag for cell in executed.cells for tag in cell.metadata.get("tags", [])]
        assert tags.count("parameters") == 1 and "injected-parameters" not in tags  # defaults: no second cell


def test_figures_carry_provenance(real_chain):
    png = Image.open(real_chain / "figures/literature_shares.png")
    provenance = json.loads(png.text["Provenance"])
    assert provenance["step"] == "literature_shares"
    assert provenance["parameters"]["confidence_level"] == 0.95
    assert "data/raw/literature_classification.csv" in provenance["inputs"]


EXPECTED = Path(__file__).parent / "expected_verdicts.tsv"
OWN_FINDINGS = ("evidence", "robustness", "arguments")


def test_claims_report_lists_every_claim_with_its_verdict_basis_and_why(real_chain):
    rows = json.loads((real_chain / "build/claims.json").read_text())["claims"]
    assert [r["id"] for r in rows] == [c.id for c in load_registry(real_chain)]
    assert all(r["verdict"] in VERDICTS for r in rows)
    assert all(r["why"] for r in rows), "every verdict says why"
    reproduction = {"reproduced", "partly reproduced", "not reproduced"}
    assert all(r["basis"] == "outside data" for r in rows if r["verdict"] in reproduction)
    verdicts = {r["id"]: r for r in rows}
    assert "scs fetch trends" in verdicts["s3-trends-peak-2021h2"]["why"]  # no snapshot ships
    assert not any(r["verdict"] == "pending" for r in rows)  # every step is built
    assert "footnote 22" in verdicts["fn22-cnki-total"]["evidence"]
    html = (real_chain / "build/claims.html").read_text()
    assert html.count('<tr id="') == len(rows)
    assert "| fn22-cnki-total |" in (real_chain / "build/claims.md").read_text()


def test_verdicts_on_the_real_data_are_the_expected_ones(real_chain):
    """A data correction that flips a verdict fails here with a readable diff; update the file on purpose."""
    rows = json.loads((real_chain / "build/claims.json").read_text())["claims"]
    found = [f"{r['id']}\t{r['verdict']}\t{r['basis']}" for r in rows]
    expected = [line for line in EXPECTED.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    diff = "\n".join(difflib.unified_diff(expected, found, "expected_verdicts.tsv", "build/claims.json", lineterm=""))
    assert found == expected, "verdicts changed:\n" + diff


def test_paper_builds_in_three_formats_with_every_figure(real_chain):
    import pypdfium2 as pdfium
    from pypdfium2 import raw as pdfium_c

    from scs_compendium.outputs import paper

    targets = paper.build(real_chain, log=lambda _: None)
    assert all(path.stat().st_size > 10_000 for path in targets.values())
    text = (real_chain / "paper/_build/paper.filled.md").read_text()
    assert "{{" not in text and "figure:" not in text
    stems = {m.group("stem") for m in paper.FIGURE.finditer((real_chain / "paper/paper.md").read_text())}
    pdf = pdfium.PdfDocument(str(targets["pdf"]))
    try:
        assert len(pdf) >= 8
        images = sum(len(list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))) for page in pdf)
        forms = sum(len(list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_FORM], max_depth=1))) for page in pdf)
        assert images == 0 and forms == len(stems)  # every figure of the manuscript is in the PDF, once, as vector
        first = pdf[0].render(scale=0.5).to_pil().convert("L")
        assert first.getextrema()[0] < 100  # there is dark ink (text) on the first page
    finally:
        pdf.close()
    html = targets["html"].read_text()
    assert html.count("<img") == len(stems) and "Appendix" in html


def test_paper_has_its_own_fonts_numbered_figures_the_data_sources_and_the_same_bytes_twice(real_chain_copy):
    real_chain = real_chain_copy  # rebuilt with force
    import zipfile

    import pypdfium2 as pdfium

    from scs_compendium.outputs import paper
    from scs_compendium.outputs.bibliography import CSL_FILE
    from scs_compendium.outputs.pdf import embedded_fonts

    targets = paper.build(real_chain, force=True, log=lambda _: None)
    first = targets["pdf"].read_bytes()
    assert paper.build(real_chain, formats=("pdf",), force=True, log=lambda _: None)["pdf"].read_bytes() == first
    word = targets["docx"].read_bytes()  # the DOCX too: dated by the commit, not the build
    assert paper.build(real_chain, formats=("docx",), force=True, log=lambda _: None)["docx"].read_bytes() == word

    fonts = embedded_fonts(targets["pdf"])  # built with system fonts hidden: only these can be there
    assert "NotoSerifSC-Regular" in fonts
    # the compiler's faces, the project's Chinese font, and the figures' DejaVu Sans (matplotlib's own, embedded in each figure's PDF)
    assert all(re.match(r"(LibertinusSerif|DejaVuSansMono|DejaVuSans|NotoSerifSC)(-|$)", name) for name in fonts), fonts
    document = pdfium.PdfDocument(str(targets["pdf"]))
    try:
        text = "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    stems = len(paper.FIGURE.findall((real_chain / "paper/paper.md").read_text()))
    for n in range(1, stems + 1):
        assert f"Figure {n}." in text
    assert "国务院" in text and "Section 7" in text  # Chinese glyphs (a State Council title), and the appendix grouped by section

    html = targets["html"].read_text()
    assert [m for m in re.findall(r"<figcaption[^>]*>.*?Figure (\d+)\.", html, re.S)] == [str(n) for n in range(1, stems + 1)]
    with zipfile.ZipFile(targets["docx"]) as docx:
        body = docx.read("word/document.xml").decode()
    assert all(f"Figure {n}." in body for n in range(1, stems + 1))
    for item in json.loads((real_chain / CSL_FILE).read_text()):  # every document of the data is in the references
        assert f'id="ref-{item["id"]}"' in html, item


def test_second_paper_build_is_a_no_op(real_chain):
    from scs_compendium.outputs import paper

    paper.build(real_chain, log=lambda _: None)
    lines: list[str] = []
    paper.build(real_chain, log=lines.append)
    assert lines == ["paper: fresh (nothing it reads has changed)"]


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.name)
def test_notebook_offers_things_to_try(step):
    first = nbformat.read(REPO / step.notebook, as_version=4).cells[0].source
    assert "Try this" in first and "Data" in first


def test_project_root_is_found_from_any_working_directory(tmp_path, monkeypatch):
    from scs_compendium.paths import find_project_root

    monkeypatch.delenv("SCS_PROJECT_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    assert find_project_root() == REPO


def test_notebooks_run_interactively_top_to_bottom(real_chain_copy, tmp_path, monkeypatch):
    """As a student runs them: nbclient (not papermill), defaults, from another working directory, two at a time
    (each reads the results the chain wrote; the longest, robustness, first), as two students would. Each writes
    to build/scratch/ and says so; what the chain published (figures/, build/results/) is left as it was."""
    real_chain = real_chain_copy  # the scratch runs write into the project
    import hashlib
    from concurrent.futures import ThreadPoolExecutor

    from nbclient import NotebookClient

    def published():
        return {p.relative_to(real_chain): hashlib.sha256(p.read_bytes()).hexdigest()
                for folder in ("figures", "build/results") for p in sorted((real_chain / folder).iterdir()) if p.is_file()}

    before = published()
    monkeypatch.setenv("SCS_PROJECT_ROOT", str(real_chain))
    monkeypatch.delenv("SCS_STAGING_DIR", raising=False)
    monkeypatch.delenv("SCS_STEP", raising=False)
    monkeypatch.delenv("SCS_PUBLISH", raising=False)

    def execute(step):
        nb = nbformat.read(real_chain / step.notebook, as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
        return nb

    first = sorted(STEPS, key=lambda s: s.name != "robustness")
    with ThreadPoolExecutor(max_workers=2) as pool:
        executed = dict(zip([s.name for s in first], pool.map(execute, first)))
    for step in STEPS:
        nb = executed[step.name]
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert errors == [], step.name
        said = [o["data"]["text/markdown"] for c in nb.cells for o in c.get("outputs", []) if "text/markdown" in o.get("data", {})]
        assert "scratch run" in said[0] and "build/scratch/figures/" in said[0], step.name  # the notebook says so
        assert (real_chain / f"build/scratch/results/{step.name}.json").is_file(), step.name
        assert all((real_chain / f"build/scratch/figures/{stem}.png").is_file() for stem in step.figures), step.name
        rendered = nb.cells[-1].outputs[0]["data"]["text/markdown"]  # the findings, rendered from the results
        claims = [c for c in load_registry(real_chain) if c.step == step.name]
        if step.name == "robustness":  # no claims of its own: how many claims are robust, and which are not
            assert "robust" in rendered and "fragile" in rendered
        elif step.name == "evidence":
            assert "Agreement on row stances" in rendered and "sources" in rendered
        elif step.name == "arguments":
            assert "theses rest on" in rendered and "premise" in rendered
        else:
            bullets = [line for line in rendered.splitlines() if re.match(r'- <a id="claim-[a-z0-9-]+"></a>\*\*', line)]
            assert len(bullets) == len(claims), step.name  # each claim once, with its anchor
            if len(claims) > 8:  # many claims: grouped under a heading per verdict
                assert sum(line.startswith("#### ") for line in rendered.splitlines()) == len({c["verdict"] for c in rows_of(real_chain, step.name)})
    assert published() == before  # no experiment overwrote what reviewers read


def rows_of(root, step: str) -> list[dict]:
    return [r for r in json.loads((root / "build/claims.json").read_text())["claims"] if r["step"] == step]


def test_robustness_sweeps_the_claims_and_the_report_shows_it(real_chain):
    values = json.loads((real_chain / "build/results/robustness.json").read_text())["values"]
    swept = values["claims"]
    assert sum(entry["variants"] >= 3 for entry in swept.values()) >= 15
    assert values["counts"]["fragile"] == len(values["fragile"]) == sum(bool(e["changed"]) for e in swept.values())
    pipeline = load_pipeline(real_chain)
    from scs_compendium import robustness

    for name, grid in values["grids"].items():  # every variant of every full grid, and how many analyses ran
        declared = robustness.swept_parameters(pipeline, name)  # its own sweeps and those it carries from upstream
        assert len(grid["rows"]) == math.prod(len(p.sweep) for _, p in declared)
        assert all(len(v) == len(grid["rows"]) for v in grid["verdicts"].values())
        analysis = [k for k, (_, p) in enumerate(declared) if p.role == "analysis"]  # one analysis per distinct set
        assert grid["analyses_run"] + grid["analyses_reused"] == len({repr([r[k] for k in analysis]) for r in grid["rows"]}
                                                                     if name != "evidence" else ())
    assert values["variants"] == sum(len(g["rows"]) for g in values["grids"].values())
    assert values["analyses_run"] == sum(g["analyses_run"] for g in values["grids"].values())
    assert all(e["share"] == e["agree"] / e["variants"] for e in swept.values())
    rows = {r["id"]: r for r in json.loads((real_chain / "build/claims.json").read_text())["claims"]}
    for claim_id, entry in swept.items():
        assert rows[claim_id]["robustness"]["text"] == entry["text"]
        assert entry["text"].startswith("fragile (" if entry["changed"] else "robust (")
        assert rows[claim_id]["robustness"]["share"] == entry["share"]
    assert (real_chain / "figures/robustness.png").is_file() and (real_chain / "figures/robustness_curves.png").is_file()
    assert values["grids"]["scholarship"]["thresholds"]["s3-western-hardly-economic"] == ["hardly_threshold"]
    table = {(r["parameter"], str(r["value"])): r for r in values["decision_table"] if r["step"] == "scholarship"}
    assert "s3-western-hardly-economic" in table[("hardly_threshold", "0.1")]["claims"]
    assert table[("hardly_threshold", "0.3")]["changed"] == 0
    html = (real_chain / "build/claims.html").read_text()
    assert 'data-robustness="fragile"' in html and html.count('why these ranges: ') == values["counts"]["fragile"]


def test_every_executed_notebook_shows_each_figure_its_step_saves(real_chain):
    """Each declared figure is an image/png output of the executed notebook: the very PNG published."""
    import base64

    for step in STEPS:
        nb = nbformat.read(real_chain / f"build/notebooks/{step.name}.ipynb", as_version=4)
        shown = [base64.b64decode(output["data"]["image/png"]) for cell in nb.cells if cell.cell_type == "code"
                 for output in cell.outputs if "image/png" in output.get("data", {})]
        saved = [stem for stem in [*step.figures, *step.optional_figures] if (real_chain / f"figures/{stem}.png").is_file()]
        assert set(step.figures) <= set(saved), step.name
        for stem in saved:
            assert (real_chain / f"figures/{stem}.png").read_bytes() in shown, f"{step.name}: {stem} not shown inline"
        assert len(shown) == len(saved), f"{step.name}: each figure shown once"


def test_every_verdict_of_outside_data_shows_its_parts_rows_and_both_readings(real_chain):
    rows = json.loads((real_chain / "build/claims.json").read_text())["claims"]
    outside = [r for r in rows if r["basis"] == "outside data" and r["verdict"] not in ("needs data", "pending")]
    assert outside and all(r["parts"] for r in outside)
    read = [row for r in outside for part in r["parts"] for row in part["rows"]]
    assert read and all({"source", "kind", "quote", "first", "second", "stance", "decides"} <= set(row) for row in read)
    assert any(row["second"] != "not coded" for row in read)  # the second reading is shown beside the first
    for r in (r for r in outside if r["verdict"] == "not reproduced"):
        # a contradiction that decides, from a source at least as strong as any support (the rule's outcome says so)
        parts = [p for p in r["parts"] if p["outcome"] == "contradicted"]
        assert parts, r["id"]
        assert any(row["decides"] and row["stance"] == "contradicts" for p in parts for row in p["rows"]) or \
            any(p["computed"] for p in parts), r["id"]


def test_the_report_carries_every_argument_with_its_premises_and_their_verdicts(real_chain):
    report = json.loads((real_chain / "build/claims.json").read_text())
    verdicts = {r["id"]: r["verdict"] for r in report["claims"]}
    assert len(report["arguments"]) >= 10
    for argument in report["arguments"]:
        assert argument["premises"] and argument["support"]["text"].startswith("Of the ")
        for premise in argument["premises"]:
            assert premise["role"] in ("for", "against") and premise["verdict"] == verdicts[premise["claim"]]
        assert argument["support"]["premises"] == sum(p["role"] == "for" for p in argument["premises"])


def test_the_sweep_on_a_two_worker_local_cluster_equals_the_local_run(real_chain):
    """The real sweep's tasks (a step with analyses and decisions, and evidence decisions) on loky and on a
    dask.distributed LocalCluster of two worker processes: the same verdicts, numbers and analyses run."""
    from scs_compendium import robustness
    from scs_compendium.engine.store import read_results

    pipeline = load_pipeline(real_chain)
    claims = robustness.swept_claims(pipeline, load_registry(real_chain, pipeline))
    base = {name: {**pipeline.step(name).defaults(), **read_results(real_chain, name)["parameters"]}
            for name in [*claims, "evidence"]}
    _, tasks = robustness.plan(pipeline, claims, base)
    chosen = [t for t in tasks if t[0] == "blacklist_rates"][:4] + [t for t in tasks if t[0] == "evidence"][:2]
    local = robustness.run_tasks(str(real_chain), chosen, 1, backend="loky")
    cluster = robustness.run_tasks(str(real_chain), chosen, 2, backend="dask")
    assert cluster == local
    assert [ran for _, _, ran in local] == [1, 1, 1, 1, 0, 0] and all(len(v) == len(t[2]) for (v, _, _), t in zip(local, chosen))


def test_robustness_is_relative_to_the_parameters_the_run_used(real_chain):
    """A run with hardly_threshold = 0.1 gives 'inconsistent': its sweep compares with that verdict, so no text says
    'inconsistent when hardly_threshold = 0.1' (what a grid centred on the declared default says)."""
    from scs_compendium import robustness
    from scs_compendium.engine.store import read_results

    pipeline = load_pipeline(real_chain)
    claims = robustness.swept_claims(pipeline, load_registry(real_chain, pipeline))
    chosen = {"scholarship": claims["scholarship"]}

    def sweep(run_with: dict) -> dict:
        base = {"scholarship": {**pipeline.step("scholarship").defaults(),
                                **read_results(real_chain, "scholarship")["parameters"], **run_with}}
        grids, tasks = robustness.plan(pipeline, chosen, base, evidence=False)
        outcomes = [robustness.evaluate(str(real_chain), *task) for task in tasks]
        return robustness.summarise_grids(pipeline, grids, tasks, outcomes, base)["claims"]["s3-western-hardly-economic"]

    declared, strict = sweep({}), sweep({"hardly_threshold": 0.1})
    assert declared["default"] == "consistent" and "inconsistent when hardly_threshold = 0.1" in declared["text"]
    assert strict["default"] == "inconsistent" and "hardly_threshold = 0.1" not in strict["text"]
    assert re.search(r"[:;] consistent when hardly_threshold = ", strict["text"]) and strict["agree"] == declared["variants"] - declared["agree"]
