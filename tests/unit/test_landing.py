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
