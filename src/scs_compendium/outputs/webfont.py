"""The project's Chinese font for the HTML pages: a subset, as a web font inside each page.

The PDF embeds Noto Serif SC from the pinned package `pylopdf-fonts-zh-cn`; a browser without a
CJK font would show the claims page's and the notebooks' Chinese quotes as empty boxes. Every HTML
page (the claims page, the start page, each executed notebook, the paper) therefore carries an
`@font-face` rule with a subset of the same package's font (Noto Sans SC for the sans-serif pages,
Noto Serif SC for the paper) as WOFF in a `data:` URL, so the page stays one file that works offline.
The subset holds every CJK character of the project's data, notebooks and paper text, and of the page
itself: one font file for all pages, made with fontTools once and kept in `build/.cache/fonts/` under
the hash of its characters. Its `unicode-range` limits it to CJK, so Latin text keeps the page's font.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from pathlib import Path

from ..engine.store import atomic_write_bytes
from ..paths import BUILD_DIR, DATA_DIR, EXECUTED, PAPER_DIR
from .pdf import FONT_PACKAGE, PdfError, font_dir

FAMILY = "SCS CJK"  # the name pages use for the project's font
FONTS = {"sans": "NotoSansSC-Regular.otf", "serif": "NotoSerifSC-Regular.otf"}
UNICODE_RANGE = "U+2E80-9FFF, U+F900-FAFF, U+FE30-FE4F, U+FF00-FFEF, U+20000-3FFFF"
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]")
CACHE = f"{BUILD_DIR}/.cache/fonts"
_SOURCES = ((DATA_DIR, ("*.csv", "*.yaml", "*.json", "*.md")), ("notebooks", ("*.ipynb",)), (PAPER_DIR, ("*.md",)))
STYLE_ID = "scs-cjk-font"
# An executed notebook's page (nbconvert's JupyterLab theme): the project's font first, for CJK only.
NOTEBOOK_RULES = (":root { --jp-content-font-family: \"SCS CJK\", system-ui, -apple-system, \"Segoe UI\", Helvetica, "
                  "Arial, sans-serif; --jp-ui-font-family: var(--jp-content-font-family); --jp-code-font-family: "
                  "\"SCS CJK\", Menlo, Consolas, \"DejaVu Sans Mono\", monospace; }")


def cjk_characters(text: str) -> set[str]:
    return set(_CJK.findall(text))


def project_characters(root: Path) -> set[str]:
    """Every CJK character of the data, the notebooks and the paper's text: what a page can show."""
    found: set[str] = set()
    for folder, patterns in _SOURCES:
        for pattern in patterns:
            for path in sorted((root / folder).rglob(pattern)):
                found |= cjk_characters(path.read_text(encoding="utf-8", errors="replace"))
    return found


def subset_woff(characters: set[str], style: str = "sans") -> bytes:
    """The project's font cut to `characters`, as WOFF (fontTools)."""
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.notdef_outline = True
    font = TTFont(str(font_dir() / FONTS[style]), lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(characters)))
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff"
    font.save(out)
    return out.getvalue()


@functools.lru_cache(maxsize=8)
def _face(cache: str, key: str, style: str, characters: str) -> str:
    path = Path(cache) / f"cjk-{style}-{key}.woff"
    if not path.is_file():
        atomic_write_bytes(path, subset_woff(set(characters), style))
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (f'@font-face {{ font-family: "{FAMILY}"; src: url(data:font/woff;base64,{data}) format("woff"); '
            f"unicode-range: {UNICODE_RANGE}; font-display: block; }}")


def font_face(root: Path, text: str = "", style: str = "sans") -> str:
    """The CSS `@font-face` rule of the project's CJK font for a page showing `text` ('' when the project has
    no CJK text); a clear error naming the package when the font is not installed."""
    characters = project_characters(root) | cjk_characters(text)
    if not characters:
        return ""
    try:
        import fontTools  # noqa: F401
    except ImportError:
        raise PdfError("the HTML pages need fontTools to cut the Chinese font: run `make setup`") from None
    chars = "".join(sorted(characters))
    version = font_dir().name + FONT_PACKAGE
    key = hashlib.sha256(f"{version}|{style}|{chars}".encode()).hexdigest()[:16]
    return _face(str(root / CACHE), key, style, chars)


_STYLE = re.compile(rf'<style id="{STYLE_ID}">.*?</style>\n?', re.S)


def add_to_notebook_pages(root: Path) -> list[Path]:
    """Put the font into each executed notebook's page (build/notebooks/*.html); a page that has it is kept."""
    changed = []
    for page in sorted((root / EXECUTED).glob("*.html")):
        html = page.read_text(encoding="utf-8")
        face = font_face(root, _STYLE.sub("", html))
        block = f'<style id="{STYLE_ID}">{face}\n{NOTEBOOK_RULES}</style>\n' if face else ""
        if block and block in html:
            continue
        new = _STYLE.sub("", html).replace("</head>", block + "</head>", 1)
        if new != html:
            atomic_write_bytes(page, new.encode("utf-8"))
            changed.append(page)
    return changed
