"""The one figure style: journal column widths, a colour-blind palette, 8 pt text.

`new_figure` applies the style, so every figure of the chain looks alike; the
step context writes the files (:func:`scs_compendium.engine.store.save_figure`) and
shows them in the notebook whatever the matplotlib backend
(:func:`scs_compendium.engine.context.show_inline`). The style leaves the backend
alone: in JupyterLab it stays the inline one.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import seaborn as sns

from ..engine.store import FIGURE_DPI
from .formatting import escape_markdown  # noqa: F401  (the article modules write their findings with it)

MM_PER_INCH = 25.4
# Common journal column widths: 89 mm single column, 183 mm full page width.
COLUMN_WIDTHS_IN = {"single": 89 / MM_PER_INCH, "double": 183 / MM_PER_INCH}
PALETTE = "colorblind"  # seaborn's colour-blind-safe palette (Okabe-Ito-like)


def apply_style() -> None:
    """Set the house style: seaborn 'ticks', colour-blind palette, 8 pt text, embedded fonts."""
    sns.set_theme(
        context="paper",
        style="ticks",
        palette=PALETTE,
        rc={
            "font.size": 8,
            "axes.titlesize": 9,
            "axes.labelsize": 8,
            "xtick.labelsize": 7,
            "ytick.labelsize": 7,
            "legend.fontsize": 7,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "savefig.dpi": FIGURE_DPI,
            "savefig.bbox": "tight",
            "savefig.pad_inches": 0.02,  # with the constrained layout, the file stays within the column width
            "pdf.fonttype": 42,  # TrueType, so journals' checkers accept the fonts
            "svg.fonttype": "none",  # text stays text in the SVG
        },
    )


def palette(n: int) -> list:
    """The first `n` colours of the house palette."""
    return sns.color_palette(PALETTE, n)


def new_figure(width: str = "single", aspect: float = 0.62, **subplots):
    """A figure one or two journal columns wide; `aspect` is height / width."""
    if width not in COLUMN_WIDTHS_IN:
        raise ValueError(f"width must be one of {list(COLUMN_WIDTHS_IN)}, got {width!r}")
    apply_style()
    inches = COLUMN_WIDTHS_IN[width]
    # Constrained layout fits labels, titles and legends inside the figure, so the saved file (cropped to what
    # is drawn) is never wider than the journal's column.
    subplots.setdefault("layout", "constrained")
    return plt.subplots(figsize=(inches, inches * aspect), **subplots)


def verdict_colours() -> dict[str, tuple]:
    """One colour per verdict, the same in every figure: greens for reproduced, blues for consistent."""
    c = sns.color_palette(PALETTE, 10)
    return {"reproduced": c[2], "partly reproduced": c[8], "not reproduced": c[3], "consistent": c[0],
            "inconsistent": c[4], "conflicting evidence": c[1], "depends on reading": c[6],
            "not checkable": (0.75, 0.75, 0.75), "not searched": (1.0, 1.0, 1.0), "needs data": (0.9, 0.9, 0.9),
            "pending": (0.95, 0.95, 0.95)}



# The article's own figure where a figure marks it: apart from the verdict colours and the greys of the run's value
ARTICLE_COLOUR = "#7a0177"


VERDICT_GLYPHS = {"reproduced": "✓", "partly reproduced": "◐", "not reproduced": "✗", "conflicting evidence": "⇄",
                  "depends on reading": "?", "consistent": "=", "inconsistent": "≠", "not checkable": "–",
                  "not searched": "○", "needs data": "…", "pending": "…"}


def verdict_glyph(verdict: str) -> str:
    """A glyph per verdict, so that colour never carries the meaning alone."""
    return VERDICT_GLYPHS.get(verdict, "")
