"""The start page build/index.html: what it links depends on what exists; it says how to make the rest."""

from __future__ import annotations

import re

from scs_compendium.outputs.landing import write_index


def test_start_page_says_how_to_build_what_is_missing_and_links_what_exists(data_copy):
    html = write_index(data_copy).read_text(encoding="utf-8")
    assert 'id="paper-missing"' in html and "<code>scs paper</code>" in html
    assert "paper.pdf\"" not in html and "No claims report yet" in html
    assert "Notebook not run yet (<code>scs run literature_shares</code>)" in html

    build = data_copy / "paper/_build"
    build.mkdir(parents=True)
    for fmt in ("html", "pdf"):
        (build / f"paper.{fmt}").write_text("x")
    (data_copy / "build/notebooks").mkdir(parents=True)
    (data_copy / "build/notebooks/timeline.html").write_text("x")
    html = write_index(data_copy).read_text(encoding="utf-8")
    assert 'href="../paper/_build/paper.html"' in html and 'href="../paper/_build/paper.pdf"' in html
    assert "paper.docx" not in html and 'id="paper-missing"' not in html
    assert 'href="notebooks/timeline.html"' in html and "scs run timeline" not in html


def test_start_page_keeps_its_time_when_nothing_changed_and_escapes_text(data_copy, monkeypatch):
    target = write_index(data_copy)
    first = target.read_text(encoding="utf-8")
    target.write_text(re.sub(r'(<time id="generated">)[^<]*', r"\g<1>an earlier time", first), encoding="utf-8")
    write_index(data_copy)
    assert "an earlier time" in target.read_text(encoding="utf-8")  # unchanged content: file kept

    spec = data_copy / "pipeline.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace(
        "title: Subject shares of the Chinese literature", "title: <script>alert(1)</script> Subject shares"), encoding="utf-8")
    html = write_index(data_copy).read_text(encoding="utf-8")
    assert "an earlier time" not in html and "<script>alert" not in html and "&lt;script&gt;alert(1)" in html


def test_a_build_with_other_parameters_says_so_on_every_page_with_both_values(data_copy):
    """After `scs run -p media_coverage.few_years_min=3`: a banner on the landing page, the claims page and the paper."""
    import json

    from scs_compendium.engine.spec import load_pipeline
    from scs_compendium.outputs import paper, report
    from scs_compendium.outputs.landing import parameter_differences

    pipeline = load_pipeline(data_copy)
    manifest = {"steps": {name: {"parameters": step.defaults()} for name, step in pipeline.steps.items()}}
    (data_copy / "build").mkdir(exist_ok=True)
    (data_copy / "build/manifest.json").write_text(json.dumps(manifest))
    assert parameter_differences(pipeline) == []  # a default build: no banner anywhere
    assert 'id="parameter-banner"' not in write_index(data_copy).read_text(encoding="utf-8")

    manifest["steps"]["media_coverage"]["parameters"]["few_years_min"] = 3.0
    manifest["steps"]["literature_shares"]["parameters"]["economic_categories"] = ["finance_economics"]
    (data_copy / "build/manifest.json").write_text(json.dumps(manifest))
    expected = ['literature_shares.economic_categories = ["finance_economics"] (pipeline.yaml: '
                + json.dumps(pipeline.step("literature_shares").defaults()["economic_categories"]) + ")",
                "media_coverage.few_years_min = 3.0 (pipeline.yaml: 2.0)"]
    assert parameter_differences(pipeline) == expected  # the chain's order, both values
    html = write_index(data_copy).read_text(encoding="utf-8")
    assert 'id="parameter-banner"' in html and "media_coverage.few_years_min = 3.0 (pipeline.yaml: 2.0)" in html
    claims = report.render_html([], pipeline, differences=expected)
    assert 'id="parameter-banner"' in claims and "few_years_min = 3.0 (pipeline.yaml: 2.0)" in claims
    assert "`media_coverage.few_years_min = 3.0 (pipeline.yaml: 2.0)`" in report.render_markdown([], {"commit": "c", "generated": "g"}, expected)
    (data_copy / "paper").mkdir(exist_ok=True)
    (data_copy / "paper/paper.md").write_text("---\ntitle: t\n---\n\n# First\n")
    (data_copy / "build/claims.json").write_text('{"claims": [], "arguments": []}')
    text = paper.render(data_copy)[0]
    assert text.index("Not the default build") < text.index("# First")
    assert "subtitle: \"Not the default build: literature_shares.economic_categories" in text
    assert "- `media_coverage.few_years_min = 3.0 (pipeline.yaml: 2.0)`" in text


def test_the_pages_carry_the_projects_chinese_font_cut_to_the_characters_they_can_show(data_copy):
    """A subset of the PDF's font package, as WOFF in the page: every CJK character of the data is in it."""
    import base64
    import io

    from fontTools.ttLib import TTFont

    from scs_compendium.outputs import webfont

    face = webfont.font_face(data_copy)
    assert face.startswith('@font-face { font-family: "SCS CJK"; src: url(data:font/woff;base64,')
    assert "unicode-range: U+2E80-9FFF" in face  # Latin text keeps the page's own font
    font = TTFont(io.BytesIO(base64.b64decode(re.search(r"base64,([^)]+)\)", face).group(1))))
    wanted = webfont.project_characters(data_copy)
    assert "正" in wanted and wanted <= {chr(c) for c in font.getBestCmap()}
    assert len(font.getBestCmap()) < 3 * len(wanted) + 200  # a subset, not the whole font (tens of thousands)
    cached = list((data_copy / webfont.CACHE).glob("cjk-sans-*.woff"))
    assert len(cached) == 1 and webfont.font_face(data_copy) == face
    assert webfont.font_face(data_copy, "龘") != face  # a character only the page shows is added
    assert face in write_index(data_copy).read_text(encoding="utf-8")
    assert 'font-family: "SCS CJK", system-ui' in write_index(data_copy).read_text(encoding="utf-8")
