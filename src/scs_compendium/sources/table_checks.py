"""What is checked of a table's file before its schema is: its size, its encoding, and that it has rows.

- Size: a table may hold at most `MAX_TABLE_BYTES` (20 MB; the largest table of the compendium holds
  60 kB). A larger file is refused at once, naming it, rather than read for many minutes. Tables above
  `ANNOUNCE_BYTES` (1 MB) are announced as they are read, so that a long read says what it reads.
- Encoding: a file that is not text in its declared encoding (UTF-8) is refused naming the line and
  column of the first bad byte and what was expected.
- Rows: every table of the data package needs at least one row; a file with only its header says so
  (it used to fail inside a notebook with an error that named neither the file nor the cause).
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Callable

MAX_TABLE_BYTES = 20 * 1024 * 1024
ANNOUNCE_BYTES = 1024 * 1024


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def file_problems(path: Path, relpath: str, encoding: str = "utf-8", log: Callable[[str], None] | None = None,
                  table: str = "") -> list[str]:
    """Problems of the file of one table (empty when there are none): too large, not text, no rows."""
    size = path.stat().st_size
    if size > MAX_TABLE_BYTES:
        return [f"{relpath}: {_megabytes(size)}, above the limit of {_megabytes(MAX_TABLE_BYTES)} a table "
                "(the compendium's tables hold kilobytes): is it the right file? Nothing of it was read"]
    if size > ANNOUNCE_BYTES and log:
        log(f"checking {relpath} ({_megabytes(size)}) ...")
    data = path.read_bytes()
    try:
        text = codecs.decode(data, encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return [f"{relpath}, line {line}, column {column}: not {encoding} text (byte "
                f"0x{data[exc.start]:02x}); expected {encoding.upper()} text (save it as 'CSV UTF-8')"]
    except LookupError:
        return [f"{relpath}: encoding {encoding[:40]!r} of table {table!r} is not known; expected utf-8"]
    rows = [line for line in text.lstrip("\ufeff").splitlines() if line.strip()]
    if len(rows) < 2:
        return [f"{relpath}: " + ("empty" if not rows else "only a header, no rows")
                + f"; table {table!r} needs at least one row"]
    return []
