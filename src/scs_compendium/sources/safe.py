"""What comes from input and becomes a name, a path or a parsed document, checked before it is used.

- :func:`check_identifier`: an identifier of the data (a claim id, a reading id) is strict
  kebab-case (`fn66-blacklist-share`), or it is refused: it is written into file names, URLs,
  Markdown, HTML and Typst, so it may hold nothing that any of them reads as markup.
- :func:`slug`: text from a file (a search term, a region) as a safe part of a file name:
  lower-case ASCII letters, digits and hyphens, never empty, never `..`.
- :func:`confined`: a path resolved (symbolic links followed) and refused unless it lies in the project.
- :func:`load_yaml`: YAML read with the safe loader, refusing anchors and aliases (an alias bomb
  expands a few lines into gigabytes) and Python tags; the one YAML reader of the project lives in
  :mod:`..engine.spec` (which `pipeline.yaml` needs too) and is re-exported here.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from ..engine.spec import read_yaml as load_yaml
from ..errors import ClaimsError, CompendiumError, DataError, shown

IDENTIFIER = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
IDENTIFIER_MAX = 80
SLUG_MAX = 60

__all__ = ["IDENTIFIER", "check_identifier", "confined", "load_yaml", "shown", "slug"]


def check_identifier(where: str, value: object, error: type[CompendiumError] = ClaimsError) -> str:
    """`value` if it is a kebab-case identifier (lower-case letters and digits in words joined by single
    hyphens, at most 80 characters); otherwise `error`, naming `where` and what was expected."""
    if not isinstance(value, str) or len(value) > IDENTIFIER_MAX or not IDENTIFIER.fullmatch(value):
        raise error(f"{where}: id {shown(value)} is not a kebab-case identifier; expected lower-case letters and "
                    f"digits in words joined by single hyphens, at most {IDENTIFIER_MAX} characters "
                    "(e.g. 'fn66-blacklist-share')")
    return value


def slug(text: object, fallback: str = "x") -> str:
    """A safe part of a file name made from `text`: accents dropped, anything but a-z and 0-9 a hyphen,
    at most 60 characters. Text with no Latin letter or digit (a term in Chinese) gets `fallback` and a
    short hash of the text, so that two different terms never share a name."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    made = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:SLUG_MAX].strip("-")
    if made:
        return made
    return f"{fallback}-{hashlib.sha256(str(text).encode('utf-8')).hexdigest()[:8]}"


def confined(root: Path | str, path: Path | str, what: str = "path", error: type[CompendiumError] = DataError) -> Path:
    """`path` resolved (symbolic links followed, `..` removed); `error` unless it lies inside the project
    `root`: nothing outside the project is ever written."""
    base = Path(root).resolve()
    target = (base / path).resolve() if not Path(path).is_absolute() else Path(path).resolve()
    if target != base and not target.is_relative_to(base):
        raise error(f"{what} {shown(str(path))} leads outside the project ({target}); nothing was written")
    return target
