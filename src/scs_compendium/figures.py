"""The one figure style and the one figure writer (PDF, SVG and PNG at 300 dpi).

Every file carries its provenance (step, parameters, input hashes, git commit) in
its metadata: PNG text chunk `Provenance`, PDF `Subject`, SVG `<dc:description>`.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from .atomic import atomic_write_bytes  # noqa: E402
from .pipeline import FIGURE_FORMATS  # noqa: E402

MM_PER_INCH = 25.4
# Common journal column widths: 89 mm single column, 183 mm full page width.
COLUMN_WIDTHS_IN = {"single": 89 / MM_PER_INCH, "double": 183 / MM_PER_INCH}
DPI = 300
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
            "savefig.dpi": DPI,
            "savefig.bbox": "tight",
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
    inches = COLUMN_WIDTHS_IN[width]
    return plt.subplots(figsize=(inches, inches * aspect), **subplots)


def save_figure(fig, stem: str, folder: Path, provenance: dict) -> list[Path]:
    """Write `folder/stem.{pdf,svg,png}` atomically with provenance in each file's metadata."""
    text = json.dumps(provenance, sort_keys=True)
    metadata = {
        "pdf": {"Title": stem, "Subject": text, "Creator": "scs-compendium", "CreationDate": None},
        "svg": {"Title": stem, "Description": text, "Date": None},
        "png": {"Title": stem, "Provenance": text, "Software": "scs-compendium"},
    }
    written = []
    for ext in FIGURE_FORMATS:
        buffer = io.BytesIO()
        with plt.rc_context({"svg.hashsalt": "scs-compendium"}):  # stable SVG ids
            fig.savefig(buffer, format=ext, dpi=DPI, metadata=metadata[ext])
        written.append(atomic_write_bytes(Path(folder) / f"{stem}.{ext}", buffer.getvalue()))
    return written
