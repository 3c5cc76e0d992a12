"""Compare the outputs of two runs of the chain: did a change to the engine change what it computes?

Usage: .venv/bin/python benchmarks/compare_outputs.py PROJECT_A PROJECT_B

For every step, the `values` of build/results/<step>.json must be equal, and every figure's PNG
must have the same pixels (its metadata carries the git commit, which may differ). PDF and SVG
files, the claims report and the executed notebooks' HTML pages are compared byte for byte and
only reported. Exit code 1 if a value or a pixel differs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image


def values(root: Path) -> dict[str, object]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8"))["values"]
            for path in sorted((root / "build/results").glob("*.json"))}


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGBA"))


def main(argv: list[str]) -> int:
    a, b = (Path(p) for p in argv)
    problems, notes = [], []
    va, vb = values(a), values(b)
    if sorted(va) != sorted(vb):
        problems.append(f"results differ in steps: {sorted(va)} against {sorted(vb)}")
    for step in sorted(set(va) & set(vb)):
        if va[step] != vb[step]:
            problems.append(f"build/results/{step}.json: values differ")
    pngs = sorted(p.name for p in (a / "figures").glob("*.png"))
    if pngs != sorted(p.name for p in (b / "figures").glob("*.png")):
        problems.append("the two runs drew different sets of figures")
    for name in pngs:
        other = b / "figures" / name
        if other.is_file() and not np.array_equal(pixels(a / "figures" / name), pixels(other)):
            problems.append(f"figures/{name}: pixels differ")
    for pattern in ("figures/*.pdf", "figures/*.svg", "build/notebooks/*.html", "build/claims.*"):
        for path in sorted(a.glob(pattern)):
            other = b / path.relative_to(a)
            if not other.is_file() or other.read_bytes() != path.read_bytes():
                notes.append(f"{path.relative_to(a)}: bytes differ")
    print(f"{len(va)} results and {len(pngs)} PNG figures compared")
    for line in notes:
        print(f"  note: {line}")
    for line in problems:
        print(f"  DIFFERS: {line}")
    print("values and pixels identical" if not problems else f"{len(problems)} difference(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
