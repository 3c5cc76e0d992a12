"""The PDF brings its own fonts (system fonts hidden) and is the same bytes for the same commit."""

from __future__ import annotations

import re

import pytest

from scs_compendium.outputs import pdf

from ..conftest import REPO

CHINESE = "社会信用体系 失信被执行人"


@pytest.fixture
def project(tmp_path):
    """A folder with a Typst file set as the paper is, with Chinese text in it."""
    (tmp_path / "paper").mkdir()
    (tmp_path / "paper/paper.md").write_text("x", encoding="utf-8")
    source = tmp_path / "paper.typ"
    source.write_text(pdf.TYPST_HEADER + f"\n= Title\n\nThe SCS ({CHINESE}) and `code {CHINESE}`.\n", encoding="utf-8")
    return tmp_path, source


def test_chinese_comes_from_the_projects_font_with_system_fonts_hidden(project):
    import pypdfium2 as pdfium

    root, source = project
    out = root / "paper.pdf"
    pdf.compile_pdf(source, out, root)  # ignore_system_fonts=True: only the project's font and Typst's own
    fonts = pdf.embedded_fonts(out)
    assert "NotoSerifSC-Regular" in fonts
    assert all(re.match(r"(LibertinusSerif|DejaVuSansMono|NotoSerifSC)(-|$)", name) for name in fonts), fonts
    document = pdfium.PdfDocument(str(out))
    try:
        text = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    assert text.count(CHINESE) == 2  # every glyph was found: no empty boxes


def test_without_the_font_package_the_pdf_is_refused_with_the_remedy(project, monkeypatch):
    import sys

    root, source = project
    monkeypatch.setitem(sys.modules, "pylopdf_fonts_zh_cn", None)  # as if the package were not installed
    with pytest.raises(pdf.PdfError, match=r"package pylopdf-fonts-zh-cn, which is not installed: run `make setup`"):
        pdf.compile_pdf(source, root / "paper.pdf", root)


def test_same_input_gives_the_same_bytes_dated_by_source_date_epoch(project, monkeypatch):
    root, source = project
    text = source.read_text(encoding="utf-8")
    outputs = []
    for name in ("a.pdf", "b.pdf"):
        source.write_text(text, encoding="utf-8")
        pdf.compile_pdf(source, root / name, root)
        outputs.append((root / name).read_bytes())
    assert outputs[0] == outputs[1]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert pdf.creation_timestamp(root) == 1700000000
    pdf.compile_pdf(source, root / "c.pdf", root)
    assert b"D:20231114221320" in (root / "c.pdf").read_bytes()


def test_the_date_is_the_commit_time_in_a_git_project(monkeypatch):
    import subprocess

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    committed = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=REPO, capture_output=True, text=True)
    if committed.returncode != 0:
        pytest.skip("not a git checkout")
    assert pdf.creation_timestamp(REPO) == int(committed.stdout)
