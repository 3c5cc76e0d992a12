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
