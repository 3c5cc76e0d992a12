"""Error types: every message names the file, row, column or parameter at fault."""


class CompendiumError(Exception):
    """Base class of the errors the compendium reports to its users."""


class SpecError(CompendiumError):
    """`pipeline.yaml` is malformed (an unknown key, a missing notebook, a cycle)."""


class ParameterError(CompendiumError):
    """A step parameter is unknown or has a value of the wrong type."""


class DataError(CompendiumError):
    """A data file is missing, malformed, or breaks its schema."""


class ClaimsError(CompendiumError):
    """The claims registry (`data/claims.yaml`) is malformed."""


class ResultsError(CompendiumError):
    """A result is missing, or a value cannot be written as JSON."""


QUOTED_LIMIT = 80  # characters of a value quoted in an error message


def shown(value: object, limit: int = QUOTED_LIMIT) -> str:
    """`repr(value)` cut to `limit` characters ('...' and the full length after a cut), for an error message:
    a 200 MB cell is quoted by its first characters, never in full."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(str(value)):,} characters)"
