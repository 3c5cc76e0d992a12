"""The paper's PDF: Typst markup (from Pandoc) compiled with the project's own fonts, the same bytes every time.

- Fonts: Typst reads only the project's Chinese font (Noto Serif SC, SIL Open Font
  License, from the pinned PyPI package `pylopdf-fonts-zh-cn`) and the fonts built into
  the compiler (Libertinus Serif, DejaVu Sans Mono), never the system's, so the PDF looks
  the same on every machine and Chinese text never turns into empty boxes.
- Files: Typst's root is the folder of the Typst source (the paper's staging folder in
  paper/_build/), into which the figures are copied, so that `#read`, `#image` or `#include`
  in the markup can reach no file outside it (no file of the machine lands in the PDF).
- Page and figures: A4 with the journal's full type area (183 mm); each figure is its vector PDF (not the
  PNG) at 100% of its design width, so the text in it prints at the size it was drawn at.
- Dates: the PDF's creation date is `SOURCE_DATE_EPOCH` when set, else the time of the
  commit the project is at, else the time `paper/paper.md` was last changed: the same
  commit gives the same bytes.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from ..errors import CompendiumError
from ..paths import PAPER_DIR

FONT_PACKAGE = "pylopdf-fonts-zh-cn"
CJK_FONT = "Noto Serif SC"
TEXT_FONTS = ("Libertinus Serif", CJK_FONT)
CODE_FONTS = ("DejaVu Sans Mono", CJK_FONT)


def _fonts(names: tuple[str, ...]) -> str:
    return "(" + ", ".join(f'"{name}"' for name in names) + ")"


# Before Pandoc's template: the fonts with their fallback for Chinese; figures are numbered by the
# captions themselves ('Figure 1.'), the same in HTML, DOCX and PDF; long blocks may break across pages.
TYPST_HEADER = "\n".join([
    f"#set text(font: {_fonts(TEXT_FONTS)})",
    f"#show raw: set text(font: {_fonts(CODE_FONTS)})",
    "#set figure(numbering: none)",
    "#show figure: set block(breakable: true)",
])


class PdfError(CompendiumError):
    """Typst could not make the PDF."""


def creation_timestamp(root: Path) -> int:
    """SOURCE_DATE_EPOCH, else the commit time of HEAD, else the time paper/paper.md was last changed."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        done = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, timeout=10)
        if done.returncode == 0 and done.stdout.strip().isdigit():
            return int(done.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return int((root / PAPER_DIR / "paper.md").stat().st_mtime)


def font_dir() -> Path:
    """The folder of the project's Chinese font, from its PyPI package; a clear error when it is missing."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        raise PdfError(f"the PDF needs its Chinese font ({CJK_FONT}) from the package {FONT_PACKAGE}, which is "
                       "not installed: run `make setup`") from None
    return Path(pylopdf_fonts_zh_cn.serif_path()).parent


_FIGURE = re.compile(r'"\.\./\.\./figures/([a-z0-9_]+\.png)"')
# A figure as Pandoc writes it in Typst: the PNG at a share of the text width.
_PLACED = re.compile(r'image\("\.\./\.\./figures/([a-z0-9_]+)\.png"(?:, width: [0-9.]+%)?\)')
# A4 with the journal's full type area (183 mm, the width of a double-column figure): every figure is placed as
# its vector PDF at 100% of the width it was designed at, so its 6-8 pt text prints at 6-8 pt.
PAGE = {"papersize": "a4", "margin": {"x": "13.5mm", "y": "20mm"}}


def figure_width_pt(pdf: Path) -> float:
    """The width a figure was designed at: its PDF's MediaBox, in points."""
    box = re.search(rb"/MediaBox\s*\[\s*([-0-9.]+)\s+([-0-9.]+)\s+([-0-9.]+)\s+([-0-9.]+)", pdf.read_bytes())
    if not box:
        raise PdfError(f"{pdf.name}: no MediaBox; rerun the step that draws it")
    return float(box.group(3)) - float(box.group(1))


def place_vector_figures(text: str, figures: Path) -> tuple[str, list[str]]:
    """Typst markup with each PNG replaced by the figure's PDF at its design width; the PDFs it needs."""
    needed: list[str] = []

    def vector(match: re.Match) -> str:
        stem = match.group(1)
        if not (figures / f"{stem}.pdf").is_file():  # only a PNG (a figure not drawn by the chain): as it is
            return match.group(0)
        needed.append(f"{stem}.pdf")
        return f'image("figures/{stem}.pdf", width: {figure_width_pt(figures / f"{stem}.pdf"):.2f}pt)'

    return _PLACED.sub(vector, text), needed


def compile_pdf(source: Path, output: Path, root: Path, ignore_system_fonts: bool = True) -> None:
    """Compile Typst markup written by Pandoc in paper/_build (figures as ../../figures/x.png) to a PDF, with the
    source's folder as Typst's root: the figures are copied into it, and nothing outside can be read."""
    import shutil

    import typst

    folder = source.parent
    text, vectors = place_vector_figures(source.read_text(encoding="utf-8"), root / "figures")
    figures = sorted(set(_FIGURE.findall(text)) | set(vectors))
    for name in figures:
        (folder / "figures").mkdir(exist_ok=True)
        shutil.copyfile(root / "figures" / name, folder / "figures" / name)
    text = _FIGURE.sub(lambda m: f'"figures/{m.group(1)}"', text)
    source.write_text(text, encoding="utf-8")
    fonts = font_dir()
    try:
        typst.compile(str(source), output=str(output), root=str(folder), font_paths=[str(fonts)],
                      ignore_system_fonts=ignore_system_fonts, timestamp=creation_timestamp(root))
    except Exception as exc:  # typst raises its own error type with the message
        raise PdfError(f"typst could not compile the paper: {str(exc)[:400]}") from None


def embedded_fonts(pdf: Path) -> set[str]:
    """The names of the fonts a PDF embeds, without their subset prefix ('NotoSerifSC-Regular')."""
    names = re.findall(rb"/FontName\s*/(?:[A-Z]{6}\+)?([A-Za-z0-9-]+)", pdf.read_bytes())
    return {name.decode("ascii") for name in names}
