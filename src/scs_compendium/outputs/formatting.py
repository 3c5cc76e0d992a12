"""How values read in the report and the paper: numbers, reported figures, places in the article, tables."""

from __future__ import annotations

import re
from typing import Any, Iterable


def format_value(value: Any) -> str:
    """A result value as text: thousands separators, four significant digits, 'yes'/'no', pairs of numbers as ranges."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    if isinstance(value, list):  # a pair of numbers is a range; anything else a list
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        if len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool) and 1900 <= v <= 2100 for v in value):
            return f"{value[0]}–{value[1]}"  # a range of years: 2018–2020, never 2,018–2,020
        return "–".join(format_value(v) for v in value) if len(value) == 2 and numbers else ", ".join(map(format_value, value))
    if isinstance(value, dict):
        return "; ".join(f"{k.split('.')[-2] if '.' in k else k}: {format_value(v)}" for k, v in value.items())
    return str(value)


def format_reported(reported: dict) -> str:
    """What the article reports, with its qualifier and unit, as prose: 'more than 55% of 9,106 results', '1984',
    'hardly' (a statement's word needs no unit), '2018–2020'."""
    qualifier = reported.get("qualifier")
    value, unit = reported["value"], str(reported["unit"]).strip()
    year = isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 2999
    value = str(value) if "year" in unit and year else format_value(value)
    if unit == "statement" or (unit.split(" ")[0] == "year" and (year or "–" in value)):
        unit = unit.removeprefix("statement").removeprefix("year").strip()  # a year is a year: '1984', not '1984 year'
    joined = f"{value}{unit}" if unit.startswith("%") else f"{value} {unit}"
    return f"{qualifier + ' ' if qualifier else ''}{joined}".strip()


def sentence(text: str) -> str:
    """Text that starts a sentence (after a full stop): its first letter capitalised, the rest as it is."""
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def where(row: dict) -> str:
    """The place of a claim in the article: '§7.1, fn. 66'."""
    return f"§{row['section']}" + (f", fn. {row['footnote']}" if row.get("footnote") else "")


# Characters with a meaning in Pandoc Markdown or GitHub Markdown (emphasis, code, links, tables,
# citations, maths, sub- and superscript, headings, attributes); each is backslash-escaped, which
# both dialects read as the literal character. <, > and & become entities, so that no HTML tag,
# comment, autolink or entity in the data survives as markup (a <script> would swallow the rest).
_MARKDOWN_SPECIAL = "\\`*_[]|@$~^#!{}"
_HTML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def escape_markdown(text: Any) -> str:
    """Data or a statement as literal text in Pandoc Markdown and GitHub Markdown, inline or in a
    table cell: markup characters escaped, HTML made inert, line breaks made spaces."""
    out = []
    for char in " ".join(str(text).splitlines()):
        if char in _HTML_ENTITIES:
            out.append(_HTML_ENTITIES[char])
        elif char in _MARKDOWN_SPECIAL:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def code_span(text: Any) -> str:
    """Text as an inline code span in Pandoc and GitHub Markdown, whatever it holds: fenced by more backticks
    than any run inside it (so a backtick in the data cannot close the span and open a raw block such as
    `{=html}` or `{=typst}`), padded where it starts or ends with a backtick, line breaks made spaces. Pandoc
    writes a code span as literal text in HTML, DOCX and Typst."""
    body = " ".join(str(text).splitlines())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", body)), default=0) + 1)
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return f"{fence}{pad}{body}{pad}{fence}"


class Markdown(str):
    """Markup written by the code itself (not data): a table cell that is not escaped."""


def markdown_cell(text: Any) -> str:
    """Text safe in a Markdown/Pandoc table cell (see :func:`escape_markdown`); `Markdown` stays as it is."""
    return text if isinstance(text, Markdown) else escape_markdown(text)


def markdown_table(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    """A pipe table (GitHub Markdown and Pandoc)."""
    lines = ["| " + " | ".join(markdown_cell(cell) for cell in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(markdown_cell(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
