"""The paper's DOCX: an A4 reference document with the project's fonts, and the same bytes for the same commit.

Pandoc's own reference document has no page size (Word falls back to US Letter) and no East Asian font, and
Pandoc stamps the DOCX with the time of the build. The reference document is made at each build from
Pandoc's default (so no binary is committed): A4 with 25 mm margins, Libertinus Serif for Latin text (the
PDF's face) and Noto Serif SC for Chinese, written as a ZIP with fixed dates. The conversion runs with
`SOURCE_DATE_EPOCH` set to the PDF's creation time (the variable itself, else the commit time), which
Pandoc uses for the document's dates and the archive's: two builds of one commit are byte-identical.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import zipfile
from pathlib import Path

from .pdf import CJK_FONT, creation_timestamp

LATIN_FONT = "Libertinus Serif"
# A4 (210 x 297 mm) in twentieths of a point, margins of 25 mm (1417 twips)
PAGE = ('<w:pgSz w:w="11906" w:h="16838" /><w:pgMar w:top="1417" w:right="1417" w:bottom="1417" w:left="1417" '
        'w:header="709" w:footer="709" w:gutter="0" />')
FONTS = (f'<w:rFonts w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" w:eastAsia="{CJK_FONT}" w:cs="{LATIN_FONT}" />')
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _patched(name: str, data: bytes) -> bytes:
    text = data.decode("utf-8")
    if name == "word/document.xml":
        text = re.sub(r"<w:sectPr>", "<w:sectPr>" + PAGE, text, count=1)
        text = re.sub(r"<w:pgSz [^>]*/>(?=.*<w:pgSz)", "", text, flags=re.S)  # one page size
    elif name == "word/styles.xml":
        text = re.sub(r"<w:rFonts [^>]*/>", FONTS, text, count=1)  # the document defaults
        text = re.sub(r'w:eastAsiaTheme="\w+"', f'w:eastAsia="{CJK_FONT}"', text)  # headings too
    return text.encode("utf-8")


def write_reference_docx(pandoc: str, target: Path) -> Path:
    """The reference document: Pandoc's default with an A4 page and the project's fonts, with fixed ZIP dates."""
    default = subprocess.run([pandoc, "--print-default-data-file", "reference.docx"], capture_output=True, check=True,
                             timeout=60).stdout
    source = target.with_suffix(".default.docx")
    source.write_bytes(default)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename in ("word/document.xml", "word/styles.xml"):
                data = _patched(item.filename, data)
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, data)
    source.unlink()
    return target


@contextlib.contextmanager
def fixed_date(root: Path):
    """SOURCE_DATE_EPOCH set (to the PDF's creation time) while Pandoc writes the DOCX, restored after."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(creation_timestamp(root))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
