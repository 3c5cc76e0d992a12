"""How values read in the report and the paper: numbers, reported figures, places in the article, tables."""

from __future__ import annotations

from typing import Any, Iterable


def format_value(value: Any) -> str:
    """A result value as text: thousands separators, four significant digits, 'yes'/'no', pairs as ranges."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    if isinstance(value, list):
        return "–".join(format_value(v) for v in value) if len(value) == 2 else ", ".join(map(format_value, value))
    if isinstance(value, dict):
        return "; ".join(f"{k.split('.')[-2] if '.' in k else k}: {format_value(v)}" for k, v in value.items())
    return str(value)


def format_reported(reported: dict) -> str:
    """What the article reports, with its qualifier and unit: 'more than 55 %'."""
    qualifier = reported.get("qualifier")
    value = reported["value"]
    value = str(value) if "year" in reported["unit"] and isinstance(value, int) else format_value(value)
    return f"{qualifier + ' ' if qualifier else ''}{value} {reported['unit']}".strip()


def where(row: dict) -> str:
    """The place of a claim in the article: '§7.1, fn. 66'."""
    return f"§{row['section']}" + (f", fn. {row['footnote']}" if row.get("footnote") else "")


def markdown_text(text: Any) -> str:
    """Text that Pandoc Markdown shows as it is: markup characters and citation marks escaped."""
    escaped = str(text).replace("\\", "\\\\")
    for char in "*_`[]<>@#|$~^":
        escaped = escaped.replace(char, "\\" + char)
    return escaped.replace("\n", " ")


def markdown_cell(text: Any) -> str:
    """Text safe in a Markdown/Pandoc table cell (see `markdown_text`)."""
    return markdown_text(text)


def markdown_table(header: list[str], rows: Iterable[Iterable[Any]], bold: int | None = None) -> str:
    """A pipe table (GitHub Markdown and Pandoc); every cell escaped, column `bold` set in bold."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [markdown_cell(cell) for cell in row]
        if bold is not None:
            cells[bold] = f"**{cells[bold]}**"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
