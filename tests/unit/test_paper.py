"""The paper: placeholders filled from results, missing keys named, figures and citations resolved."""

from __future__ import annotations

import json
import os
import re

import pytest

from scs_compendium.outputs import paper
from scs_compendium.engine.spec import load_pipeline

from ..conftest import REPO

MANUSCRIPT = (REPO / "paper/paper.md").read_text(encoding="utf-8")


def test_every_figure_of_the_chain_is_in_the_paper_and_every_reference_resolves():
    pipeline = load_pipeline(REPO)
    referenced = {m.group("stem") for m in paper.FIGURE.finditer(MANUSCRIPT)}
    drawn = {stem for step in pipeline.steps.values() for stem in step.figures}
    assert referenced == drawn
    for stem in referenced:
        paper.figure_step(pipeline, stem)  # raises if no step draws it


def test_every_citation_key_resolves():
    used = paper.check_citations(REPO, MANUSCRIPT)
    assert "bloch2022" in used


def test_every_placeholder_names_a_step_or_the_claims():
    pipeline = load_pipeline(REPO)
    for source, key, fmt in paper.PLACEHOLDER.findall(MANUSCRIPT):
        assert source in pipeline.steps or source in {"claims", "verdicts", "claims_list"}, source
        if source == "claims_list":
            assert key in pipeline.steps, key
        assert (fmt or "raw") in paper.FORMATTERS


def test_no_number_is_typed_outside_placeholders():
    # Only section and footnote numbers may be typed; every other number comes from the results.
    text = re.sub(r"^---.*?^---", "", MANUSCRIPT, flags=re.S | re.M)
    text = re.sub(r"\{\{.*?\}\}|\[-?@[^\]]*\]|@[\w:.-]+|!\[[^\]]*\]\([^)]*\)|\{[^{}]*\}", "", text, flags=re.S)
    text = re.sub(r"\b(sections?|footnotes?)\s*[\d.]+(\s*(and|,|-|to)\s*[\d.]+)*", "", text, flags=re.I)
    text = re.sub(r"^#+ .*$", "", text, flags=re.M)
    assert re.findall(r"\d", text) == [], "a number typed in paper.md: fill it from the results or the registry"


@pytest.fixture
def mini(data_copy):
    """The real pipeline with hand-written (synthetic) results, to test the filling alone."""
    results = data_copy / "build/results"
    results.mkdir(parents=True)
    (results / "literature_shares.json").write_text(json.dumps({"values": {"corpora": {"cnki": {"total": 9106, "economic": {"min_share": 0.5501}}}}}))
    (data_copy / "build/claims.json").write_text(json.dumps({"claims": [
        {"id": "c1", "verdict": "reproduced", "basis": "outside data", "why": "a source says so", "statement": "s",
         "reported": "r", "value_text": "x", "section": "3", "footnote": 22, "step": "literature_shares",
         "readings": [], "research": {"status": "corroborated"}}], "arguments": []}))
    (data_copy / "paper").mkdir()
    return data_copy


def write(root, text):
    (root / "paper/paper.md").write_text(text)


def test_placeholders_are_filled_and_follow_the_results(mini):
    write(mini, "CNKI gave {{literature_shares:corpora.cnki.total|int}} results, "
                "{{literature_shares:corpora.cnki.economic.min_share|pct1}} economic; "
                "{{claims:c1.verdict}}; {{verdicts:reproduced|int}} reproduced.")
    text, _, steps = paper.render(mini)
    assert text == "CNKI gave 9,106 results, 55.0% economic; reproduced; 1 reproduced."
    assert steps == {"literature_shares"}
    path = mini / "build/results/literature_shares.json"
    path.write_text(path.read_text().replace("9106", "9200"))
    assert "9,200 results" in paper.render(mini)[0]


def test_missing_key_fails_naming_key_and_step(mini):
    write(mini, "{{literature_shares:corpora.cnki.nothing|int}}")
    with pytest.raises(paper.PaperError, match=r"literature_shares:corpora.cnki.nothing.*step 'literature_shares' should write it"):
        paper.render(mini)
    write(mini, "{{blacklist_rates:rate_by_key.flow_total_2019|pctval3}}")
    with pytest.raises(paper.PaperError, match=r"step 'blacklist_rates' has not run"):
        paper.render(mini)


def test_bad_placeholders_are_refused(mini):
    write(mini, "{{literature_shares:corpora.cnki.total|furlongs}}")
    with pytest.raises(paper.PaperError, match="unknown format 'furlongs'"):
        paper.render(mini)
    write(mini, "{{nostep:x}}")
    with pytest.raises(paper.PaperError, match="'nostep' is not a step"):
        paper.render(mini)
    write(mini, "{{ literature_shares }}")
    with pytest.raises(paper.PaperError, match="malformed placeholder"):
        paper.render(mini)


def test_missing_figure_names_its_step(mini):
    write(mini, "![A caption.](figure:literature_shares)")
    with pytest.raises(paper.PaperError, match=r"figures/literature_shares.png not found \(step 'literature_shares' draws it\)"):
        paper.render(mini)


def test_unknown_citation_is_refused(mini):
    (mini / "paper/references.bib").write_text("@misc{known, title={x}}\n")
    with pytest.raises(paper.PaperError, match=r"cites \['unknown2020'\], not in paper/references.bib"):
        paper.check_citations(mini, "As [@known] and @unknown2020 say; mail me at a@b.org.")


def test_settings_printed_come_from_the_results(mini):
    # The paper's confidence level is the one the step ran with: -p literature_shares.confidence_level=0.99 says 99%.
    sentence = re.search(r"\{\{literature_shares:settings\.confidence_level\|\w+\}\}\s+Wilson intervals", MANUSCRIPT)
    assert sentence, "paper.md should print the confidence level of the Wilson intervals from the results"
    path = mini / "build/results/literature_shares.json"
    for level, shown in ((0.99, "99% Wilson"), (0.9, "90% Wilson")):
        results = json.loads(path.read_text())
        results["values"]["settings"] = {"confidence_level": level}
        path.write_text(json.dumps(results))
        write(mini, sentence.group(0))
        assert " ".join(paper.render(mini)[0].split()) == shown + " intervals"


def test_captions_are_numbered_and_name_the_parameters_as_set(mini):
    path = mini / "build/results/literature_shares.json"
    results = json.loads(path.read_text())
    results["provenance"] = {"parameters": {"economic_categories": ["finance_economics", "economics_finance"],
                                            "first_year": 2000, "interval": [0.1, 0.25], "confidence_level": 0.99},
                             "inputs": {"data/raw/literature_classification.csv": "x", "data/datapackage.json": "y"},
                             "git_commit": "0123456789abcdef"}
    path.write_text(json.dumps(results))
    (mini / "figures").mkdir()
    (mini / "figures/literature_shares.png").write_bytes(b"png")
    results["provenance"]["parameters"]["workers"] = 2  # an execution setting: never printed
    path.write_text(json.dumps(results))
    write(mini, "![One.](figure:literature_shares)\n\n![Two.](figure:literature_shares)\n\n{{figure_provenance}}")
    text = paper.render(mini)[0]
    assert text.index("**Figure 1.** One.") < text.index("**Figure 2.** Two.")
    assert "One. *Step `literature_shares`, commit 0123456789ab (parameters and data: appendix, Figure 1).*" in text
    assert ("- **Figure 2** (`literature_shares`): step `literature_shares`; parameters: economic\\_categories = "
            "finance\\_economics, economics\\_finance; first\\_year = 2000; interval = 0.1–0.25; confidence\\_level = "
            "0.99; data: literature\\_classification.csv; commit 0123456789ab.") in text  # the full list, in the appendix
    assert "workers" not in text


def test_the_docx_reference_document_is_a4_with_the_projects_fonts_and_fixed_dates(tmp_path, monkeypatch):
    import zipfile

    import pypandoc

    from scs_compendium.outputs import docx

    first = docx.write_reference_docx(pypandoc.get_pandoc_path(), tmp_path / "a.docx")
    second = docx.write_reference_docx(pypandoc.get_pandoc_path(), tmp_path / "b.docx")
    assert first.read_bytes() == second.read_bytes()  # the same bytes every time
    with zipfile.ZipFile(first) as archive:
        document = archive.read("word/document.xml").decode()
        styles = archive.read("word/styles.xml").decode()
        assert {info.date_time for info in archive.infolist()} == {docx.ZIP_DATE}
    assert '<w:pgSz w:w="11906" w:h="16838" />' in document and document.count("<w:pgSz") == 1
    assert 'w:eastAsia="Noto Serif SC"' in styles and "eastAsiaTheme" not in styles
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    with docx.fixed_date(tmp_path):
        assert os.environ["SOURCE_DATE_EPOCH"] == "1700000000"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    with docx.fixed_date(REPO):
        assert os.environ["SOURCE_DATE_EPOCH"].isdigit()  # the commit's time
    assert "SOURCE_DATE_EPOCH" not in os.environ
