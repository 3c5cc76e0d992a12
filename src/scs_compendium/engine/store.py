"""Where the chain's outputs go: atomic writes, content hashes, step results and figure files.

A reader sees the old file or the new one, never half of one. Results are the one
JSON document per step (`build/results/<step>.json`); figures are written as PDF,
SVG and PNG with their provenance in each file's metadata (PNG text chunk
`Provenance`, PDF `Subject`, SVG `<dc:description>`).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import shutil
import subprocess
import tempfile
from importlib import metadata as distributions
from pathlib import Path
from typing import Any

from ..errors import ResultsError
from ..paths import MANIFEST, RESULTS_DIR, results_file

FIGURE_FORMATS = ("pdf", "svg", "png")
FIGURE_DPI = 300


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()  # what open() would give: 0644 under the usual umask 022


def atomic_write_bytes(path: Path | str, data: bytes) -> Path:
    """Write `data` to `path` through a temporary file in the same folder, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)  # mkstemp makes 0600 files, which colleagues and web servers cannot read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: Path | str, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path | str, obj) -> Path:
    """Write `obj` as indented, key-sorted JSON atomically (NaN is refused)."""
    text = json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return atomic_write_text(path, text + "\n")


def publish_files(staging: Path, root: Path, relpaths: list[str]) -> dict[str, str]:
    """Move a step's outputs from `staging` to `root`, all or none; return their hashes.

    Each output is first copied beside its target (a temporary file in the target's own folder), so
    that every replace is a rename within one file system, even when build/ (and the staging folder)
    lies on another file system than figures/. Only when every copy is complete are the targets
    replaced; if one cannot be written (a full disk, a read-only folder), the copies are removed and
    every target keeps what it held."""
    staged: list[tuple[Path, Path]] = []
    try:
        for rel in relpaths:
            target = Path(root) / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
            staged.append((Path(tmp), target))
            with os.fdopen(fd, "wb") as out, open(Path(staging) / rel, "rb") as source:
                shutil.copyfileobj(source, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, FILE_MODE)
    except OSError as exc:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        where = exc.filename or (str(staged[-1][1]) if staged else str(root))
        raise ResultsError(f"cannot write {where}: {exc.strerror or exc}; nothing of this step was published and "
                           "the previous outputs are kept (is the disk full, or the folder read-only?)") from None
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    hashes = {}
    for (tmp, target), rel in zip(staged, relpaths):
        os.replace(tmp, target)  # a rename within the target's folder
        hashes[rel] = sha256_file(target)
    return hashes


def write_if_changed(path: Path, text: str) -> None:
    """Write text atomically unless the file already holds exactly it."""
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        atomic_write_text(path, text)


def sha256_file(path: Path | str) -> str:
    """Content hash of a file (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def read_cache(path: Path) -> dict:
    """A JSON object kept only to save work (missing, unreadable or not an object: empty)."""
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def sha256_bytes(data: bytes) -> str:
    """Content hash of bytes (hex)."""
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    """Content hash of a string (hex)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical(obj: Any) -> str:
    """Compact, key-sorted JSON: equal values give equal text."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def git_commit(root: Path) -> str:
    """The commit the project is at, with '+dirty' for uncommitted changes, or 'unknown'."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10
        )
        if head.returncode != 0:
            return "unknown"
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root, capture_output=True, text=True, timeout=10,
        )
        return head.stdout.strip() + ("+dirty" if status.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def package_versions(root: Path) -> dict[str, str]:
    """Installed versions of the chain's core packages and those named in requirements.in."""
    names = ["scs-compendium", "papermill", "nbclient", "ipykernel", "pandas", "matplotlib"]
    req = root / "requirements.in"
    if req.is_file():
        for line in req.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(line.split("==")[0].strip())
    versions = {}
    for name in dict.fromkeys(names):
        try:
            versions[name] = distributions.version(name)
        except distributions.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


# --- results --------------------------------------------------------------------------


def to_jsonable(value: Any, key: str = "") -> Any:
    """Plain JSON types from numpy/pandas scalars and containers; NaN and infinity are refused."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v, f"{key}.{k}" if key else str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v, f"{key}[{i}]") for i, v in enumerate(value)]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar
    if isinstance(value, float) and not math.isfinite(value):
        raise ResultsError(f"result {key!r} is {value}: results must be finite numbers")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ResultsError(f"result {key!r} has type {type(value).__name__}; expected a number, text, bool, list or dict")


def write_results(path: Path, step: str, parameters: dict, provenance: dict, values: dict) -> Path:
    """Write a step's results atomically, with its parameters and provenance."""
    document = {
        "step": step,
        "parameters": to_jsonable(parameters, "parameters"),
        "provenance": to_jsonable(provenance, "provenance"),
        "values": to_jsonable(values),
    }
    return atomic_write_json(path, document)


def read_results(root: Path, step: str, path: Path | None = None) -> dict:
    """The whole results document of a step (at `path`, default build/results/<step>.json); a clear error if it
    has not run."""
    path = Path(path) if path else Path(root) / results_file(step)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(
            f"{RESULTS_DIR}/{step}.json not found: step {step!r} has not run (run `scs run {step}`)"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{RESULTS_DIR}/{step}.json: not valid JSON ({str(exc)[:200]}); run `scs run {step}` to "
                           "rebuild it") from None


def recorded_hash(root: Path, relpath: str) -> str | None:
    """The hash build/manifest.json recorded for an output when `scs run` published it, or None."""
    try:
        manifest = json.loads((Path(root) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for entry in (manifest.get("steps") or {}).values() if isinstance(manifest, dict) else ():
        outputs = entry.get("outputs") if isinstance(entry, dict) else None
        if isinstance(outputs, dict) and relpath in outputs:
            return outputs[relpath]
    return None


def read_checked_results(root: Path, step: str) -> dict:
    """The results of a step as `scs run` wrote them (for the report and the paper). Results whose hash differs
    from the one build/manifest.json recorded (edited by hand, cut short) are refused, naming the file; results
    no run recorded (a notebook run by hand in a project that never ran `scs run`) are read as they are."""
    relpath = results_file(step)
    path = Path(root) / relpath
    recorded = recorded_hash(root, relpath)
    if recorded is not None and path.is_file() and sha256_file(path) != recorded:
        raise ResultsError(f"{relpath} is not what `scs run` wrote: its hash differs from the one {MANIFEST} recorded "
                           f"(edited by hand, or cut short); run `scs run {step}` to rebuild it")
    return read_results(root, step)


def lookup(values: dict, key: str, step: str = "?") -> Any:
    """A value by dotted key (`cnki.majority.p_value`) in a step's `values`."""
    current: Any = values
    for part in key.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        else:
            raise ResultsError(f"result key {key!r} not found in the results of step {step!r}")
    return current


# --- figures --------------------------------------------------------------------------


def save_figure(fig, stem: str, folder: Path, provenance: dict) -> list[Path]:
    """Write `folder/stem.{pdf,svg,png}` atomically with provenance in each file's metadata."""
    import matplotlib.pyplot as plt

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
            fig.savefig(buffer, format=ext, dpi=FIGURE_DPI, metadata=metadata[ext])
        written.append(atomic_write_bytes(Path(folder) / f"{stem}.{ext}", buffer.getvalue()))
    return written
