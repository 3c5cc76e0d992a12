"""scs-compendium: a reproducible compendium for Bloch (2022) on China's social credit system.

The package holds the logic the notebooks call: data loading and validation
(:mod:`.data`), the chain of notebooks (:mod:`.pipeline`, :mod:`.runner`), the
step context that writes results and figures (:mod:`.step`), the claims
registry and report (:mod:`.claims`) and the statistics of each argument.
"""

__version__ = "0.1.0"

from .errors import CompendiumError  # noqa: E402
from .step import StepContext, step_context  # noqa: E402

__all__ = ["CompendiumError", "StepContext", "step_context", "__version__"]
