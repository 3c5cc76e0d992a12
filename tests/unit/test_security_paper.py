"""Issue #24, case 2: a claim id (or any identifier of the registry) is strict kebab-case; whatever the paper
takes from data stays text in Markdown, HTML and Typst; the PDF is compiled with its own folder as Typst's
root, so that no file outside can be read into it. Nothing outside the project changes."""

from __future__ import annotations

import pytest

from scs_compendium import cli
from scs_compendium.claims import load_registry
from scs_compendium.errors import ClaimsError
from scs_compendium.outputs import pdf
from scs_compendium.outputs.formatting import code_span
from scs_compendium.outputs.paper import claims_appendix

from ..conftest import files_outside
from .test_claims import GOOD, write_registry

HTML_ID = "x`{=html}<img src=x onerror=alert(1)>`"
TYPST_ID = 'x`{=typst}#read("/etc/hostname")`'


@pytest.mark.parametrize("bad", [HTML_ID, TYPST_ID, "Upper-case", "snake_case", "double--hyphen", "-leading",
                                 "trailing-", "with space", "dots.in.it", "x" * 81, 12, ["a"], "ünïcode"])
def test_a_claim_id_that_is_not_kebab_case_is_refused(data_copy, tmp_path, monkeypatch, capsys, bad):
    write_registry(data_copy, [{**GOOD, "id": bad}])
    before = files_outside(tmp_path, data_copy)
    monkeypatch.setenv("SCS_PROJECT_ROOT", str(data_copy))
    code = cli.main(["validate"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "is not a kebab-case identifier" in err and "data/claims.yaml: claim" in err
    assert len(err) < 600  # the id is quoted cut, not in full
    assert files_outside(tmp_path, data_copy) == before


@pytest.mark.parametrize("bad", [HTML_ID, "Date", "a_b"])
def test_a_reading_id_that_is_not_kebab_case_is_refused(data_copy, bad):
    readings = [{"id": bad, "label": "a", "rule": {"kind": "all_true", "value": "k"}},
                {"id": "b", "label": "b", "rule": {"kind": "all_true", "value": "k"}}]
    entry = {key: value for key, value in GOOD.items() if key != "rule"}
    write_registry(data_copy, [{**entry, "readings": readings}])
    with pytest.raises(ClaimsError, match=r"claim 'x', reading #1: id .* is not a kebab-case identifier"):
        load_registry(data_copy)


def test_the_real_registry_is_kebab_case_throughout():
    claims = load_registry()
    assert claims and all(code_span(c.id) == f"`{c.id}`" for c in claims)


def test_a_code_span_holds_any_text():
    assert code_span("fn22-cnki") == "`fn22-cnki`"
    assert code_span("a`b") == "``a`b``"
    assert code_span("`x`{=typst}") == "`` `x`{=typst} ``"
    assert code_span("two\nlines") == "`two lines`"


class Rows:
    """What the paper's appendix reads from build/claims.json: here, rows whose fields carry markup."""

    def __init__(self, rows):
        self.rows = rows

    def claims(self):
        return {row["id"]: row for row in self.rows}


def hostile_rows(secret):
    payload = f'`x`{{=typst}}#read("{secret}") ```{{=html}}\n<img src=x onerror=alert(1)>\n``` <script>alert(2)</script>'
    row = {"section": "3", "footnote": 11, "verdict": "reproduced", "basis": "outside data", "reported": payload,
           "statement": payload, "why": payload, "research": {"status": "not found"}}
    return [{**row, "id": HTML_ID}, {**row, "id": TYPST_ID.replace("/etc/hostname", str(secret))}]


def test_the_appendix_keeps_every_field_text_in_html_and_typst(tmp_path):
    import pypandoc

    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-OF-THE-MACHINE", encoding="utf-8")
    markdown = claims_appendix(Rows(hostile_rows(secret)))
    html = pypandoc.convert_text(markdown, "html", format="markdown")
    assert "<img" not in html and "<script" not in html and "onerror=alert(1)>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # shown, as text
    folder = tmp_path / "paper" / "_build" / ".tmp-test"
    folder.mkdir(parents=True)
    (tmp_path / "paper/paper.md").write_text("x", encoding="utf-8")
    source = folder / "paper.typ"
    source.write_text(pypandoc.convert_text(markdown, "typst", format="markdown", extra_args=["--standalone"]),
                      encoding="utf-8")
    before = files_outside(tmp_path, tmp_path / "paper")
    pdf.compile_pdf(source, folder / "paper.pdf", tmp_path)
    text = pdf_text(folder / "paper.pdf")
    assert "SECRET-OF-THE-MACHINE" not in text and "#read(" in text  # the call is printed, not run
    assert files_outside(tmp_path, tmp_path / "paper") == before


def pdf_text(path) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def typst_source(root, body: str):
    """A project with a paper, and a Typst source in its build folder: the header, then `body`."""
    (root / "paper").mkdir()
    (root / "paper/paper.md").write_text("x", encoding="utf-8")
    folder = root / "paper/_build/.tmp-test"
    folder.mkdir(parents=True)
    source = folder / "paper.typ"
    source.write_text(pdf.TYPST_HEADER + body, encoding="utf-8")
    return source


@pytest.mark.parametrize("call", ['#read("{secret}")', '#read("../../../secret.txt")', '#image("{picture}")',
                                  '#include "../../../secret.txt"'])
def test_typst_reads_no_file_outside_the_papers_folder(tmp_path, call):
    from PIL import Image

    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-OF-THE-MACHINE", encoding="utf-8")
    Image.new("RGB", (4, 4), "red").save(tmp_path / "secret.png")
    source = typst_source(tmp_path, "\n= Title\n\n" + call.format(secret=secret, picture=tmp_path / "secret.png") + "\n")
    folder = source.parent
    with pytest.raises(pdf.PdfError, match="typst could not compile the paper") as info:
        pdf.compile_pdf(source, folder / "paper.pdf", tmp_path)
    assert "SECRET" not in str(info.value) and not (folder / "paper.pdf").exists()


def test_the_pdf_still_shows_the_figures_copied_into_its_folder(tmp_path):
    from PIL import Image

    (tmp_path / "figures").mkdir()
    Image.new("RGB", (40, 20), "red").save(tmp_path / "figures/demo.png")
    source = typst_source(tmp_path, '\n#image("../../figures/demo.png", width: 50%)\n')
    folder = source.parent
    pdf.compile_pdf(source, folder / "paper.pdf", tmp_path)
    assert (folder / "figures/demo.png").read_bytes() == (tmp_path / "figures/demo.png").read_bytes()
    assert b"/Image" in (folder / "paper.pdf").read_bytes()


def test_a_figure_with_its_pdf_is_placed_as_vector_at_its_design_width(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(3, 2))
    fig.savefig(tmp_path / "demo.pdf")
    plt.close(fig)
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(tmp_path / "demo.pdf"))
    width = document[0].get_size()[0]  # the design width, read by PDFium (other tests' styles may crop the figure)
    document.close()
    text, needed = pdf.place_vector_figures('#figure(image("../../figures/demo.png", width: 70.0%))', tmp_path)
    assert needed == ["demo.pdf"] and text == f'#figure(image("figures/demo.pdf", width: {width:.2f}pt))'  # not 70%
    assert 150 < width < 230  # about 3 in
